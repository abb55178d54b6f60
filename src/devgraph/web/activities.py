"""Activity pages: the searchable, faceted list and one page per activity."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from devgraph.namespaces import ACTIVITY
from devgraph.pages import activity_page, search_activities
from devgraph.pages.activities import FACETS
from devgraph.web import get_store
from devgraph.web.browse import iri_or_404, split_json, twin
from devgraph.web.i18n import get_locale
from devgraph.web.linked import local_href

bp = Blueprint("activities", __name__)


def _search() -> dict:
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    return search_activities(
        get_store(),
        q=request.args.get("q", "")[:500],
        filters={f: request.args.getlist(f) for f in FACETS},
        lang=get_locale(),
        page=page,
    )


@bp.get("/activities")
def index() -> ResponseReturnValue:
    """The list: ``?q=`` words, facet filters (``?country=<IRI>&sector=<IRI>…``), ``?page=``."""
    args = request.args.to_dict(flat=False)
    return render_template(
        "activities.html",
        page=_search(),
        facets=FACETS,
        json_url=url_for("activities.index_json", **args),
    )


@bp.get("/activities.json")
def index_json() -> ResponseReturnValue:
    return jsonify(_search())


def _findings_mode() -> str:
    """``PAGE_FINDINGS``: ``background`` (default), ``wait`` or ``off`` (booleans: wait/off).

    In the background, the first activity page after a load starts validating the store and
    says so; later pages show the findings. ``wait`` makes that first page wait.
    """
    mode = current_app.config.get("PAGE_FINDINGS", "background")
    if isinstance(mode, bool):
        return "wait" if mode else "off"
    mode = str(mode).lower()
    return mode if mode in ("wait", "background", "off") else "background"


@bp.get("/activity/<path:key>")
def page(key: str) -> ResponseReturnValue:
    """``/activity/<key>`` shows ``act:<key>``; ``/activity/<key>.json`` is its JSON twin."""
    key, as_json = split_json(key)
    iri = iri_or_404(ACTIVITY, key)
    data = activity_page(get_store(), iri, lang=get_locale(), findings=_findings_mode())
    return twin(
        data,
        "activity.html",
        as_json=as_json,
        json_url=url_for("activities.page", key=key + ".json"),
        linked_href=local_href(iri),
    )

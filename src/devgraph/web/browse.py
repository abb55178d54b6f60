"""Pages for people: the home page, and what every browser page shares.

Every page has a JSON twin (the same URL with ``.json``) serving exactly the dict the
page library (:mod:`devgraph.pages`) returned; the HTML page renders that dict. HTML pages
live beside the linked-data IRIs rather than on them: ``/activity/kimalakan`` is the page
about ``…/id/activity/kimalakan``, which itself keeps dereferencing to RDF (and to the
generic resource view) through :mod:`devgraph.web.linked`. Keys are documented in
``docs/browser.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from devgraph.namespaces import ACTIVITY, CODELIST, ORGANISATION, PLACE
from devgraph.pages import home_page
from devgraph.web import get_store
from devgraph.web.i18n import get_locale

bp = Blueprint("browse", __name__)

PAGES = {
    ACTIVITY: "activities.page",
    ORGANISATION: "organisations.page",
    PLACE: "places.place",
}


@bp.app_template_global()
def has_endpoint(name: str) -> bool:
    """Whether a page exists in this app: the nav links only to pages that are registered."""
    return name in current_app.view_functions


@bp.app_template_global()
def has_path(path: str) -> bool:
    """Whether a route with exactly this rule exists (for pages of blueprints named elsewhere)."""
    return any(rule.rule == path for rule in current_app.url_map.iter_rules())


@bp.app_template_global()
def page_url(iri: str | None) -> str | None:
    """The browser page for an IRI devgraph mints; its linked-data view otherwise; else None."""
    if not iri:
        return None
    for prefix, endpoint in PAGES.items():
        if iri.startswith(prefix) and len(iri) > len(prefix) and has_endpoint(endpoint):
            return url_for(endpoint, key=iri[len(prefix) :])
    for scheme in ("Sector/", "SectorCategory/"):
        if iri.startswith(CODELIST + scheme) and has_endpoint("places.sector"):
            return url_for("places.sector", code=iri[len(CODELIST + scheme) :])
    from devgraph.web.linked import local_href

    return local_href(iri)


@bp.app_template_filter("amount")
def amount(value: float | Decimal | int | str | None, places: int | None = 0) -> str:
    """A number grouped by thousands the locale's way (1,600,000 / 1 600 000).

    ``places=None`` shows cents only when there are some (a published amount as stated).
    """
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if places is None:
        places = 0 if number == int(number) else 2
    text = f"{number:,.{places}f}"
    if get_locale() == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def iri_or_404(prefix: str, key: str) -> str:
    """``prefix + key`` as a valid IRI, or a 404 (a key no IRI can hold names nothing)."""
    try:
        return ox.NamedNode(prefix + key).value
    except ValueError:
        abort(404)


def split_json(key: str) -> tuple[str, bool]:
    """``kimalakan.json`` → (``kimalakan``, True): the JSON twin of a keyed page."""
    return (key[:-5], True) if key.endswith(".json") else (key, False)


def twin(data: dict[str, Any] | None, template: str, *, as_json: bool, json_url: str,
         **extra: Any) -> ResponseReturnValue:  # fmt: skip
    """The page, or its JSON twin; 404 (in the asked format) when ``data`` is None."""
    if data is None:
        if as_json:
            return jsonify({"error": "not found", "path": request.path}), 404
        return render_template("missing.html", path=request.path), 404
    if as_json:
        return jsonify(data)
    return render_template(template, page=data, json_url=json_url, **extra)


@bp.get("/")
def home() -> ResponseReturnValue:
    data = home_page(get_store(), lang=get_locale())
    return twin(data, "home.html", as_json=False, json_url=url_for("browse.home_json"))


@bp.get("/index.json")
def home_json() -> ResponseReturnValue:
    """The home page's data: counts, budget_eur, funding_by_country, funding_by_funder, …"""
    return jsonify(home_page(get_store(), lang=get_locale()))

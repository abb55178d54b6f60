"""Organisation pages: the list and one page per organisation."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue

from devgraph.namespaces import ORGANISATION
from devgraph.pages import organisation_page, organisations_index
from devgraph.web import get_store
from devgraph.web.browse import iri_or_404, split_json, twin
from devgraph.web.i18n import get_locale
from devgraph.web.linked import local_href

bp = Blueprint("organisations", __name__)


@bp.get("/organisations")
def index() -> ResponseReturnValue:
    data = organisations_index(get_store(), lang=get_locale())
    return render_template(
        "organisations.html", page=data, json_url=url_for("organisations.index_json")
    )


@bp.get("/organisations.json")
def index_json() -> ResponseReturnValue:
    return jsonify(organisations_index(get_store(), lang=get_locale()))


@bp.get("/organisation/<path:key>")
def page(key: str) -> ResponseReturnValue:
    """``/organisation/<key>`` shows ``dgo:<key>``; ``….json`` is its JSON twin."""
    key, as_json = split_json(key)
    iri = iri_or_404(ORGANISATION, key)
    data = organisation_page(get_store(), iri, lang=get_locale())
    return twin(
        data,
        "organisation.html",
        as_json=as_json,
        json_url=url_for("organisations.page", key=key + ".json"),
        linked_href=local_href(iri),
    )

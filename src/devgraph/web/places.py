"""Place pages (country, region, cercle, commune) and sector pages, with their lists."""

from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue

from devgraph.namespaces import PLACE
from devgraph.pages import place_page, places_index, sector_page, sectors_index
from devgraph.web import get_store
from devgraph.web.browse import iri_or_404, split_json, twin
from devgraph.web.i18n import get_locale
from devgraph.web.linked import local_href

bp = Blueprint("places", __name__)
SECTOR_CODE = re.compile(r"[0-9A-Za-z._-]{1,20}")


@bp.get("/places")
def index() -> ResponseReturnValue:
    data = places_index(get_store(), lang=get_locale())
    return render_template("places.html", page=data, json_url=url_for("places.index_json"))


@bp.get("/places.json")
def index_json() -> ResponseReturnValue:
    return jsonify(places_index(get_store(), lang=get_locale()))


@bp.get("/place/<path:key>")
def place(key: str) -> ResponseReturnValue:
    """``/place/<key>`` shows ``place:<key>``; ``….json`` is its JSON twin."""
    key, as_json = split_json(key)
    iri = iri_or_404(PLACE, key)
    data = place_page(get_store(), iri, lang=get_locale())
    return twin(
        data,
        "place.html",
        as_json=as_json,
        json_url=url_for("places.place", key=key + ".json"),
        linked_href=local_href(iri),
    )


@bp.get("/sectors")
def sectors() -> ResponseReturnValue:
    data = sectors_index(get_store(), lang=get_locale())
    return render_template("sectors.html", page=data, json_url=url_for("places.sectors_json"))


@bp.get("/sectors.json")
def sectors_json() -> ResponseReturnValue:
    return jsonify(sectors_index(get_store(), lang=get_locale()))


@bp.get("/sector/<code>")
def sector(code: str) -> ResponseReturnValue:
    """``/sector/16020`` (a DAC 5-digit code) or ``/sector/160`` (a category); ``.json`` twin."""
    code, as_json = split_json(code)
    if not SECTOR_CODE.fullmatch(code):
        abort(404)
    data = sector_page(get_store(), code, lang=get_locale())
    return twin(
        data, "sector.html", as_json=as_json, json_url=url_for("places.sector", code=code + ".json")
    )

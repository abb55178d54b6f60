"""The partner network and who-funds-whom pages, their pictures and JSON twins.

``/network`` (filter by ``country``, ``sector``, ``funder``) draws funders, intermediaries
and implementers in columns; ``/flows`` draws the same money as a Sankey-style picture and
lists every funding pair with its amounts. Both pictures are also plain SVG files
(``/network.svg``, ``/flows.svg``), and ``/network/ego.svg?org=<IRI>`` is one
organisation's ego network, for the organisation page. The pictures are built by
:mod:`devgraph.pictures` from :func:`devgraph.network.build_flows`; this module only reads
the request, translates the interface words and renders.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from markupsafe import Markup

from devgraph import pictures
from devgraph.namespaces import CODELIST, PLACE
from devgraph.network.flows import FlowGraph
from devgraph.pages import cache
from devgraph.pages.labels import labels_for
from devgraph.web import get_store
from devgraph.web.browse import page_url
from devgraph.web.i18n import get_locale
from devgraph.web.i18n import gettext as _

bp = Blueprint("network", __name__)
FILTERS = ("country", "sector", "funder")


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip() for k in FILTERS if request.args.get(k, "").strip()}


def _flows() -> FlowGraph:
    """The flow graph with organisations named in the reader's language where the graph can."""
    store = get_store()
    fg = cache.flows(store)  # shared and kept until the store changes: never mutate it
    orgs = {end for e in fg.edges for end in (e.source, e.target)}
    orgs |= {o for roles in fg.partners.values() for o in roles}
    return replace(fg, labels={**fg.labels, **labels_for(store, orgs, get_locale())})


def _graph() -> tuple[FlowGraph, FlowGraph, dict[str, str]]:
    """The whole flow graph, the part the request's filters keep, and those filters."""
    full = _flows()
    chosen = _filters()
    return full, full.subset(**chosen) if chosen else full, chosen


def _network_svg(fg: FlowGraph) -> str:
    return pictures.network_svg(fg, href=page_url, translate=_)


def _flows_svg(fg: FlowGraph) -> str:
    return pictures.flows_svg(fg, href=page_url, translate=_)


def _options(full: FlowGraph) -> dict[str, list[tuple[str, str]]]:
    """The values each filter can take in this store, named for the drop-down lists.

    Country and sector names come from the gazetteer and the codelists when they are loaded.
    """
    funders = [
        (iri, full.label(iri))
        for iri, layer in pictures.classify(full).items()
        if layer in ("funder", "intermediary")
    ]
    countries = sorted({c for cs in full.countries.values() for c in cs})
    sectors = sorted({s for codes in full.sectors.values() for s in codes})
    iris = [f"{PLACE}{c}" for c in countries] + [f"{CODELIST}Country/{c}" for c in countries]
    iris += [f"{CODELIST}Sector/{s}" for s in sectors]
    names = labels_for(get_store(), iris, get_locale())

    def named(kind: str, code: str) -> str:
        """The gazetteer's name (it has French), else the codelist's, else the code."""
        keys = ([f"{PLACE}{code}"] if kind == "Country" else []) + [f"{CODELIST}{kind}/{code}"]
        name = next((names[k] for k in keys if names.get(k, code) != code), code)
        return code if name == code else f"{name} ({code})"

    return {
        "country": sorted(((c, named("Country", c)) for c in countries), key=lambda x: x[1]),
        "sector": [(s, named("Sector", s)) for s in sectors],
        "funder": sorted(funders, key=lambda x: x[1].casefold()),
    }


def _data(fg: FlowGraph, chosen: dict[str, str]) -> dict[str, Any]:
    """JSON twin keys: ``filters``, ``nodes``, ``links`` (see :meth:`pictures.Layout.to_dict`)."""
    layout = pictures.layered_layout(fg)
    return {"filters": chosen, **layout.to_dict()}


def _svg_response(svg: str) -> Response:
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + svg, mimetype="image/svg+xml")


@bp.get("/network")
def page() -> str:
    full, fg, chosen = _graph()
    data = _data(fg, chosen)
    return render_template(
        "network.html",
        svg=Markup(_network_svg(fg)),  # noqa: S704 - built by devgraph.pictures, every text escaped
        data=data,
        labels={n["iri"]: n["label"] for n in data["nodes"]},
        options=_options(full),
        chosen=chosen,
        svg_url=url_for("network.svg", **chosen),
        json_url=url_for("network.page_json", **chosen),
        href=page_url,
        format_eur=pictures.format_eur,
    )


@bp.get("/network.json")
def page_json() -> Response:
    _, fg, chosen = _graph()
    return jsonify(_data(fg, chosen))


@bp.get("/network.svg")
def svg() -> Response:
    return _svg_response(_network_svg(_graph()[1]))


@bp.get("/network/ego.svg")
def ego_svg() -> Response:
    """``?org=`` an organisation's IRI (or IATI organisation identifier)."""
    fg = _flows()
    asked = request.args.get("org", "").strip()
    if not asked:
        abort(400, description="give the organisation as ?org=<IRI>")
    org = fg.resolve(asked)
    if org is None or org not in fg.labels:
        abort(404, description=f"no organisation {asked!r} in this store")
    svg = pictures.ego_svg(fg, org, href=page_url, translate=_)
    return _svg_response(svg)


def _flows_data(fg: FlowGraph, chosen: dict[str, str]) -> dict[str, Any]:
    """JSON twin keys: ``filters``, ``total_eur`` (money entering the network, pass-through
    counted once), ``nodes``, ``links`` (each with the provider's and receiver's labels)."""
    layout = pictures.layered_layout(fg)
    data = {"filters": chosen, **layout.to_dict()}
    names = {n["iri"]: n["label"] for n in data["nodes"]}
    for link in data["links"]:
        link["source_label"] = names[link["source"]]
        link["target_label"] = names[link["target"]]
    data["total_eur"] = layout.entering_eur()
    return data


@bp.get("/flows")
def flows() -> str:
    full, fg, chosen = _graph()
    return render_template(
        "flows.html",
        svg=Markup(_flows_svg(fg)),  # noqa: S704 - built by devgraph.pictures, every text escaped
        data=_flows_data(fg, chosen),
        options=_options(full),
        chosen=chosen,
        svg_url=url_for("network.flows_svg", **chosen),
        json_url=url_for("network.flows_json", **chosen),
        href=page_url,
        format_eur=pictures.format_eur,
    )


@bp.get("/flows.json")
def flows_json() -> Response:
    _, fg, chosen = _graph()
    return jsonify(_flows_data(fg, chosen))


@bp.get("/flows.svg")
def flows_svg() -> Response:
    return _svg_response(_flows_svg(_graph()[1]))

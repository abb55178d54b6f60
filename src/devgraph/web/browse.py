"""Pages for people: the home page (graphs, counts, sources) with its JSON twin."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from devgraph import load, stats
from devgraph.namespaces import META_GRAPH
from devgraph.web import get_store

bp = Blueprint("browse", __name__)


@bp.app_template_global()
def has_endpoint(name: str) -> bool:
    """Whether a page exists in this app: the nav links only to pages that are registered."""
    return name in current_app.view_functions


def _home_data() -> dict:
    store = get_store()
    s = stats.compute(store)
    graphs = [g for g in store.graphs() if g.iri != META_GRAPH]
    return {
        "triples": s.triples,
        "graphs": [{"iri": g.iri, "triples": g.triples} for g in graphs],
        "classes": s.classes,
        "sources": list(load.iter_sources(store)),
    }


@bp.get("/")
def home() -> str:
    return render_template("home.html", **_home_data())


@bp.get("/index.json")
def home_json():
    """The home page's data with stable keys: triples, graphs, classes, sources."""
    return jsonify(_home_data())

"""The web layer: a Flask app factory with one blueprint per concern.

Only this package imports Flask. Views call the library (queries, results, stats)
and render; they hold no logic of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from devgraph.store import GraphStore, open_store

DEFAULTS: dict[str, Any] = {
    "STORE": "var/store",
    "MAX_QUERY_LENGTH": 100_000,
    "JSON_SORT_KEYS": False,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``DEVGRAPH_*`` environment, then ``config``.

    ``config["STORE"]`` is a store location or an already open :class:`GraphStore`
    (tests pass an in-memory one; ``devgraph serve`` passes the one it opened).
    """
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("DEVGRAPH")
    if config:
        app.config.update(config)
    init_store(app)

    from devgraph.web import browse, sparql

    app.register_blueprint(browse.bp)
    app.register_blueprint(sparql.bp)
    return app


def init_store(app: Flask) -> None:
    """Open the store once per app; request handlers reach it through :func:`get_store`."""
    store = app.config["STORE"]
    if not isinstance(store, GraphStore):
        store = open_store(store)
    app.extensions["devgraph.store"] = store


def get_store() -> GraphStore:
    return current_app.extensions["devgraph.store"]

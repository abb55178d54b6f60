"""The web layer: a Flask app factory with one blueprint per concern.

Only this package imports Flask. Views call the library (queries, results, stats)
and render; they hold no logic of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request
from werkzeug.datastructures import MIMEAccept

from devgraph.executor import Executor, Limits, create_executor
from devgraph.namespaces import BASE
from devgraph.store import GraphStore, open_store

_EXECUTOR_LOCK = threading.Lock()

DEFAULTS: dict[str, Any] = {
    "STORE": "var/store",
    "MAX_QUERY_LENGTH": 100_000,
    "JSON_SORT_KEYS": False,
    # The query endpoint's limits and dataset (see devgraph.web.sparql and the README).
    "UNION_DEFAULT_GRAPH": True,
    "QUERY_TIMEOUT": 10.0,
    "QUERY_TIMEOUT_MAX": 60.0,
    "QUERY_WORKERS": 4,
    "MAX_RESULT_ROWS": 100_000,
    "MAX_RESULT_BYTES": 100_000_000,
    "MAX_CONTENT_LENGTH": 1_000_000,
    "CORS_ORIGINS": "*",
    # Writes (/update, /store) exist only with a token (see devgraph.web.admin).
    "ADMIN_TOKEN": None,
    "ADMIN_MAX_CONTENT_LENGTH": 1_000_000_000,
    # Linked data: the IRI looked up is BASE_IRI + the request path (devgraph.web.linked).
    "BASE_IRI": BASE,
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

    from devgraph.web import (
        activities,
        admin,
        browse,
        cors,
        downloads,
        i18n,
        linked,
        network_pages,
        organisations,
        places,
        query_pages,
        reports,
        security,
        service,
        sparql,
    )

    blueprints = (
        i18n, browse, activities, organisations, places, network_pages, query_pages,
        reports, downloads, sparql, service, admin, linked,
    )  # fmt: skip
    for module in blueprints:
        app.register_blueprint(module.bp)
    cors.init_app(app)
    security.init_app(app)
    return app


def init_store(app: Flask) -> None:
    """Open the store once per app; request handlers reach it through :func:`get_store`."""
    store = app.config["STORE"]
    if not isinstance(store, GraphStore):
        store = open_store(store)
    app.extensions["devgraph.store"] = store


def accepted_mimetypes() -> MIMEAccept:
    """The request's Accept header with media-type parameters other than q dropped.

    Werkzeug requires parameters to match exactly, so ``text/turtle; charset=utf-8`` would
    match no offered type; clients (Jena, the W3C suites) send such parameters routinely.
    """
    ranges = [(value.split(";")[0].strip(), q) for value, q in request.accept_mimetypes]
    return MIMEAccept([r for r in ranges if r[0]])


def get_store() -> GraphStore:
    return current_app.extensions["devgraph.store"]


def get_executor() -> Executor:
    """The app's query executor, made on first use (its worker processes on first query).

    Code that writes to the store calls ``get_executor().refresh()`` afterwards so that
    the query workers see the new data.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _EXECUTOR_LOCK:
        executor = app.extensions.get("devgraph.executor")
        if executor is None:
            executor = create_executor(
                get_store(),
                Limits(
                    timeout=float(app.config["QUERY_TIMEOUT"]),
                    max_rows=int(app.config["MAX_RESULT_ROWS"]),
                    max_bytes=int(app.config["MAX_RESULT_BYTES"]),
                    union_default_graph=bool(app.config["UNION_DEFAULT_GRAPH"]),
                ),
                workers=int(app.config["QUERY_WORKERS"]),
            )
            app.extensions["devgraph.executor"] = executor
    return executor

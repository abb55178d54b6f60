"""The SPARQL 1.1 query endpoint at ``/sparql`` (read-only).

GET ``?query=``, POST form-encoded or POST ``application/sparql-query``; results
negotiated from ``Accept`` (q-values honoured by Werkzeug) or forced with
``format=``. A client's mistake is always a 4xx with the parser's message.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from devgraph import results
from devgraph.store import QueryError, StoreError
from devgraph.web import get_store

bp = Blueprint("sparql", __name__)

SOLUTION_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_MEDIA = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
FORMAT_ALIASES = {"turtle": "ttl", "ntriples": "nt", "json-ld": "jsonld", "rdf": "rdfxml"}


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def _query_text() -> str | Response:
    """Extract the query per the protocol's three request forms."""
    if request.method == "GET":
        values = request.args.getlist("query")
        if "update" in request.args:
            return _error(400, "SPARQL Update is not accepted by this read-only endpoint")
    else:
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            if "update" in request.form:
                return _error(400, "SPARQL Update is not accepted by this read-only endpoint")
            values = request.form.getlist("query")
        elif mimetype == "application/sparql-query":
            values = [request.get_data(as_text=True)]
        elif mimetype == "application/sparql-update":
            return _error(400, "SPARQL Update is not accepted by this read-only endpoint")
        else:
            return _error(
                415,
                f"unsupported media type {mimetype or '(none)'}: send "
                "application/x-www-form-urlencoded or application/sparql-query",
            )
    if len(values) > 1:
        return _error(400, "exactly one 'query' parameter is allowed")
    return values[0] if values else ""


def _choose_format(kind: str) -> str | None:
    """``format=`` wins; else the best Accept match; None when nothing acceptable."""
    forced = request.values.get("format")
    if forced:
        return FORMAT_ALIASES.get(forced, forced)
    table = GRAPH_MEDIA if kind == "graph" else SOLUTION_MEDIA
    if not request.accept_mimetypes or request.accept_mimetypes.provided is False:
        return next(iter(table.values()))
    best = request.accept_mimetypes.best_match(list(table), default=None)
    if best is None:
        return None
    return table[best]


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    text = _query_text()
    if isinstance(text, Response):
        return text
    if not text.strip():
        if request.method == "GET" and not request.args:
            return render_template("sparql.html")
        return _error(400, "missing 'query' parameter")
    if len(text) > current_app.config["MAX_QUERY_LENGTH"]:
        return _error(413, f"query longer than {current_app.config['MAX_QUERY_LENGTH']} characters")
    try:
        result = get_store().query(text)
    except QueryError as exc:
        hint = ""
        if any(w in text.upper() for w in ("INSERT", "DELETE", "DROP", "CLEAR", "LOAD")):
            hint = "\n(this endpoint is read-only: SPARQL Update is not accepted)"
        return _error(400, f"{exc}{hint}")
    fmt = _choose_format(results.kind(result))
    if fmt is None:
        return _error(406, "none of the Accept media types can represent this result")
    try:
        body, media = results.serialize(result, fmt)
    except StoreError as exc:
        return _error(400, str(exc))
    response = Response(body, mimetype=media.split(";")[0])
    response.headers["Content-Type"] = media
    response.vary.add("Accept")
    return response

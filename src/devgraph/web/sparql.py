"""The SPARQL 1.1 query endpoint at ``/sparql`` (read-only).

GET ``?query=``, POST form-encoded or POST ``application/sparql-query``, with
``default-graph-uri``/``named-graph-uri`` (which replace the query's FROM/FROM NAMED).
Results are negotiated from ``Accept`` (q-values honoured by Werkzeug) or forced with
``format=``. A client's mistake is always a 4xx with the parser's message; GET without
a query answers the Service Description (or the query form, for a browser).
``SERVICE`` calls go only to endpoints on the ``SERVICE_ALLOW`` list (none by default):
see :func:`devgraph.web.security.check_services`.

Queries run through the app's executor (:mod:`devgraph.executor`): a pool of killable
worker processes for an on-disk store, so ``QUERY_TIMEOUT`` really stops a runaway.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from devgraph.executor import TIMEOUT_STATUS, Limits, QueryJob
from devgraph.web import accepted_mimetypes, get_executor, security, service

bp = Blueprint("sparql", __name__)

SOLUTION_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
"""Media types for SELECT/ASK results, in order of preference for ``*/*``."""
GRAPH_MEDIA = {
    "text/turtle": "ttl",
    "application/turtle": "ttl",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "text/rdf+n3": "ttl",
    "application/n3": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "application/trig": "trig",
    "application/n-quads": "nq",
}
"""Media types for CONSTRUCT/DESCRIBE results (Turtle is valid N3, so N3 gets Turtle)."""

SOLUTION_NAMES = {
    **{m: f for m, f in SOLUTION_MEDIA.items()},
    **{f: f for f in ("json", "xml", "csv", "tsv")},
    "srj": "json",
    "srx": "xml",
}
GRAPH_NAMES = {
    **{m: f for m, f in GRAPH_MEDIA.items()},
    **{f: f for f in ("ttl", "nt", "jsonld", "rdfxml", "trig", "nq")},
    "turtle": "ttl",
    "n3": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "json": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "xml": "rdfxml",
    "nquads": "nq",
    "n-quads": "nq",
}
"""``format=`` values by result kind: short names, SPARQLWrapper's names, media types.

SPARQLWrapper sends ``format=xml`` (its default) for CONSTRUCT too and expects RDF/XML,
so ``xml`` and ``json`` mean the graph formats when the result is a graph.
"""

UPDATE_REFUSED = "SPARQL Update is not accepted by this read-only endpoint"
TRUNCATED_HEADER = "X-Devgraph-Truncated"
LIMIT_HEADER = "X-Devgraph-Result-Limit"
TIMEOUT_HEADER = "X-Devgraph-Timeout"


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def _query_text() -> str | Response:
    """Extract the query per the protocol's three request forms."""
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            return _error(400, f"{UPDATE_REFUSED} (and never by GET)")
        values = request.args.getlist("query")
    else:
        mimetype = request.mimetype
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8", "us-ascii"):
            return _error(415, f"unsupported charset {charset}: send the query as UTF-8")
        if mimetype == "application/x-www-form-urlencoded":
            if "update" in request.form or "update" in request.args:
                return _error(400, UPDATE_REFUSED)
            values = request.form.getlist("query") + request.args.getlist("query")
        elif mimetype == "application/sparql-query":
            if "query" in request.args:
                return _error(400, "a direct POST carries the query in its body, not in ?query=")
            try:
                values = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError as exc:
                return _error(400, f"the query is not valid UTF-8: {exc}")
        elif mimetype == "application/sparql-update":
            return _error(400, f"{UPDATE_REFUSED} (application/sparql-update)")
        else:
            return _error(
                415,
                f"unsupported media type {mimetype or '(none)'}: send "
                "application/x-www-form-urlencoded or application/sparql-query",
            )
    if len(values) > 1:
        return _error(400, "exactly one 'query' parameter is allowed")
    return values[0] if values else ""


def _dataset() -> tuple[tuple[str, ...] | None, tuple[str, ...] | None] | Response:
    """``default-graph-uri`` and ``named-graph-uri`` (repeatable), checked as IRIs.

    When either is given, the protocol dataset replaces the query's FROM/FROM NAMED
    entirely: a missing part is empty (SPARQL 1.1 Protocol §2.1.4).
    """
    default = request.values.getlist("default-graph-uri")
    named = request.values.getlist("named-graph-uri")
    if not default and not named:
        return None, None
    for iri in default + named:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            return _error(400, f"not an absolute IRI in default/named-graph-uri: {iri!r} ({exc})")
    return tuple(default), tuple(named)


def _timeout() -> float | Response:
    """``timeout=`` in seconds, honoured up to ``QUERY_TIMEOUT_MAX`` (larger is clamped)."""
    config = current_app.config
    raw = request.values.get("timeout")
    if raw in (None, ""):
        return float(config["QUERY_TIMEOUT"])
    try:
        value = float(raw)
    except ValueError:
        return _error(400, f"timeout must be a number of seconds, not {raw!r}")
    if not value > 0:
        return _error(400, "timeout must be a positive number of seconds")
    return min(value, float(config["QUERY_TIMEOUT_MAX"]))


def _formats() -> dict[str, str | tuple[int, str]] | Response:
    """For each result kind, the format to write, or the 4xx to give if that kind comes.

    ``format=`` wins (its first value that fits the kind: SPARQLWrapper sends two);
    else the best ``Accept`` match; no ``Accept`` at all means JSON / Turtle.
    """
    forced = [f.strip().lower() for f in request.values.getlist("format") if f.strip()]
    if forced:
        known = set(SOLUTION_NAMES) | set(GRAPH_NAMES)
        if not any(f in known for f in forced):
            return _error(
                400,
                f"unknown format {forced[0]!r} (known: json, xml, csv, tsv for SELECT/ASK; "
                "ttl, nt, jsonld, rdfxml, trig, nq for CONSTRUCT/DESCRIBE)",
            )
        solution = next((SOLUTION_NAMES[f] for f in forced if f in SOLUTION_NAMES), None)
        graph = next((GRAPH_NAMES[f] for f in forced if f in GRAPH_NAMES), None)
        no_solution = (
            400,
            f"format={forced[0]} is for CONSTRUCT/DESCRIBE results; use json, xml, csv or tsv",
        )
        no_graph = (
            400,
            f"format={forced[0]} is for SELECT/ASK results; use ttl, nt, jsonld, "
            "rdfxml, trig or nq",
        )
        return {
            "solutions": solution or no_solution,
            "boolean": solution or no_solution,
            "graph": graph or no_graph,
        }
    accept = accepted_mimetypes()
    chosen: dict[str, str | tuple[int, str]] = {}
    for kind, table in (("solutions", SOLUTION_MEDIA), ("graph", GRAPH_MEDIA)):
        if not accept:
            chosen[kind] = next(iter(table.values()))
            continue
        best = accept.best_match(list(table), default=None)
        chosen[kind] = (
            table[best]
            if best
            else (
                406,
                f"none of the Accept media types can represent a {kind} result "
                f"(offered: {', '.join(dict.fromkeys(table))})",
            )
        )
    chosen["boolean"] = chosen["solutions"]
    return chosen


def _limits(timeout: float) -> Limits:
    config = current_app.config
    return Limits(
        timeout=timeout,
        max_rows=int(config["MAX_RESULT_ROWS"]),
        max_bytes=int(config["MAX_RESULT_BYTES"]),
        union_default_graph=bool(config["UNION_DEFAULT_GRAPH"]),
    )


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"], endpoint="endpoint_slash")
def endpoint() -> Response | str:
    text = _query_text()
    if isinstance(text, Response):
        return text
    if not text.strip():
        if request.method in ("GET", "HEAD") and set(request.args) <= {"lang"}:
            return service.description_response()
        return _error(400, "missing 'query' parameter")
    if len(text) > current_app.config["MAX_QUERY_LENGTH"]:
        return _error(413, f"query longer than {current_app.config['MAX_QUERY_LENGTH']} characters")
    try:
        security.check_services(text, current_app.config.get("SERVICE_ALLOW"))
    except security.ServiceRefused as exc:
        return _error(403, str(exc))
    dataset = _dataset()
    if isinstance(dataset, Response):
        return dataset
    timeout = _timeout()
    if isinstance(timeout, Response):
        return timeout
    formats = _formats()
    if isinstance(formats, Response):
        return formats
    job = QueryJob(
        text=text,
        formats=formats,
        default_graphs=dataset[0],
        named_graphs=dataset[1],
        base_iri=request.base_url,
        limits=_limits(timeout),
    )
    outcome = get_executor().run(job)
    body = outcome.body
    if outcome.status == 400 and any(
        w in text.upper() for w in ("INSERT", "DELETE", "DROP", "CLEAR", "LOAD", "CREATE")
    ):
        body = body.rstrip(b"\n") + f"\n(this endpoint is read-only: {UPDATE_REFUSED})\n".encode()
    response = Response(body, status=outcome.status)
    response.headers["Content-Type"] = outcome.media
    response.vary.add("Accept")
    if outcome.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[LIMIT_HEADER] = f"{outcome.limit} {outcome.reason}"
    if outcome.status == TIMEOUT_STATUS:
        response.headers[TIMEOUT_HEADER] = f"{timeout:g}"
    return response

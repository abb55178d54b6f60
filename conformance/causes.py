"""Why the tests that do not pass fail: one entry per cause, tests mapped to causes.

Filled in by reading each failure (the runner's message, then the query and the
engine's answer by hand). A failing test not listed here is reported as "Unexplained":
that is the signal to look at it. "engine" causes come from the SPARQL engine that
devgraph and the Oxigraph server share (Oxigraph 0.5.13); "devgraph" causes are
endpoint behaviour to fix or to decide on; "oxigraph" causes are the baseline server's.
"""

from __future__ import annotations

# cause id -> (title, explanation)
CAUSES: dict[str, tuple[str, str]] = {
    "engine-graph-aggregate": (
        "Engine: aggregate sub-select inside GRAPH ?g",
        "`GRAPH ?g { SELECT (COUNT(*) AS ?c) ... }`: Oxigraph 0.5.13 evaluates the sub-select "
        "once over all graphs and leaves `?g` unbound (one row, c=2) instead of one row per "
        "named graph (c=0 and c=2). Checked directly with pyoxigraph.",
    ),
    "engine-graph-values": (
        "Engine: VALUES binding the GRAPH variable",
        '`GRAPH ?g { VALUES (?g ?t) { (UNDEF "foo") (<data01.ttl> "bar") } }` must give '
        "the UNDEF row once per named graph (3 rows); Oxigraph gives 2.",
    ),
    "engine-groupconcat-lang": (
        "Engine: GROUP_CONCAT keeps the language tag",
        'GROUP_CONCAT over literals that share a language tag returns `"1 2"@en` in '
        "Oxigraph; these tests (added to the suite after the 2013 approval, no approval "
        'status) expect a simple literal, so the ASK filter `?g = "1 2"` is false.',
    ),
    "engine-zero-length-path": (
        "Engine: zero-length paths with a constant end on an empty dataset",
        "`?s :p* :o` and `?s :p? :o` must bind `?s` to `:o` (the zero-length path) even "
        "when `:o` is not in the data; Oxigraph returns no row. Newer tests (no approval "
        "status).",
    ),
    "engine-minus-graph": (
        "Engine: MINUS inside GRAPH ?g",
        "The GRAPH variable is not in scope of the MINUS disjointness check; Oxigraph treats "
        "it as shared and removes the only row. Newer test (no approval status).",
    ),
    "engine-bnode-function": (
        "Engine: BNODE(str) scoping",
        "BNODE(?s) must give the same blank node for the same string within one solution "
        "and different ones across solutions; no bijection maps Oxigraph's blank nodes onto "
        "the expected ones.",
    ),
    "engine-service-variable": (
        "Engine: SERVICE with a variable endpoint",
        "`SERVICE ?service { ... }` with `?service` bound by an earlier pattern: Oxigraph "
        'refuses it ("The variable encoding the service name is unbound"). devgraph '
        "reports it as a 400; the Oxigraph server fails mid-stream (truncated XML body).",
    ),
    "format-csv-double": (
        "Results format: a double's lexical form in CSV",
        "CSV drops datatypes, so only the text can be compared: the test expects the "
        "canonical `1.0E6`, Oxigraph writes `1000000` (a valid but non-canonical form).",
    ),
    "format-derived-integer": (
        "Results format: derived integer datatypes",
        '`"-3"^^xsd:negativeInteger` comes back as `xsd:integer`: Oxigraph stores derived '
        "integer types as xsd:integer (a documented quirk of its storage).",
    ),
    "devgraph-load": (
        "devgraph: LOAD refused with 400",
        "devgraph refuses LOAD by design (nothing is fetched at run time), but (1) "
        "`LOAD SILENT` must still succeed (SILENT: errors are ignored; answer 2xx and "
        "load nothing); (2) a refused but well-formed operation must not be a 400, which "
        "the protocol reserves for malformed requests (MalformedQuery), so clients and "
        "this harness read it as a syntax error: answer 501 Not Implemented (or 403). "
        "Endpoint fix.",
    ),
    "devgraph-eval-400": (
        "devgraph: evaluation errors answered 400",
        "`DROP GRAPH <g>` of a graph that does not exist and a call to an unknown custom "
        "function are well-formed; devgraph answers 400 (malformed) so they read as syntax "
        "errors. Suggested: 409 Conflict for graph-existence errors (the Oxigraph server "
        "answers 500) and 501 for an unsupported function, keeping 400 for syntax errors. "
        "Endpoint fix (keeps the issue's 'never a 5xx for a client's mistake' with 409).",
    ),
    "gsp-direct": (
        "Graph Store Protocol: no direct graph identification",
        "These tests name a graph by the request URL itself (`PUT /store/person/1.ttl`). "
        "devgraph's `/store` supports indirect identification (`?graph=`, `?default`) only "
        "and answers 404; the Oxigraph server does not offer it either. Not in the core set.",
    ),
    "devgraph-gsp-accept-params": (
        "devgraph: Accept with parameters refused (406)",
        "HEAD (and GET) `/store?graph=...` with `Accept: text/turtle; charset=utf-8` answers "
        "406; media-type parameters such as charset must not defeat the match. Also a HEAD "
        "on a missing graph must be 404 whatever the Accept. Endpoint fix.",
    ),
    "oxigraph-head-content-type": (
        "Oxigraph: HEAD without Content-Type",
        "HEAD on an existing graph answers 200 without the Content-Type a GET would have.",
    ),
    "oxigraph-multipart": (
        "Oxigraph: multipart/form-data POST refused",
        "GSP POST with multipart/form-data answers 415 (documented in the recipe).",
    ),
    "oxigraph-update-get": (
        "Oxigraph: update by GET accepted",
        "`GET /update?update=CLEAR%20ALL` answers 200; the protocol requires a 4xx.",
    ),
    "oxigraph-nquads-default": (
        "Oxigraph: CONSTRUCT/DESCRIBE default format is N-Quads",
        "Without an Accept header the graph comes back as application/n-quads, not one of "
        "RDF/XML, Turtle, N-Triples or RDFa as the test requires.",
    ),
}

_ENGINE = {
    "aggregates/agg-empty-group-count-graph": "engine-graph-aggregate",
    "bindings/graph": "engine-graph-values",
    "aggregates/agg-groupconcat-04": "engine-groupconcat-lang",
    "aggregates/agg-groupconcat-06": "engine-groupconcat-lang",
    "property-path/zero_or_more_set_end": "engine-zero-length-path",
    "property-path/zero_or_more_set_start": "engine-zero-length-path",
    "property-path/zero_or_one_set_end": "engine-zero-length-path",
    "property-path/zero_or_one_set_start": "engine-zero-length-path",
    "negation/graph-minus": "engine-minus-graph",
    "functions/bnode01": "engine-bnode-function",
    "service/service5": "engine-service-variable",
    "csv-tsv-res/csv03": "format-csv-double",
    "csv-tsv-res/tsv03": "format-derived-integer",
    "graph-store-protocol/head_existing_direct": "gsp-direct",
    "graph-store-protocol/post_get_post_get_direct": "gsp-direct",
    "graph-store-protocol/put_delete_get_delete_direct": "gsp-direct",
    "graph-store-protocol/put_get_repeat_direct": "gsp-direct",
}
_DEVGRAPH = {
    "update-silent/load-silent": "devgraph-load",
    "update-silent/load-into-silent": "devgraph-load",
    **{f"syntax-update-1/test_{n}": "devgraph-load" for n in (1, 2, 3, 4, 37)},
    "syntax-update-1/test_8": "devgraph-eval-400",
    "syntax-update-1/test_18": "devgraph-eval-400",
    "syntax-query/test_4": "devgraph-eval-400",
    "graph-store-protocol/head_existing_indirect": "devgraph-gsp-accept-params",
    "graph-store-protocol/head_non_existing_indirect": "devgraph-gsp-accept-params",
}
_OXIGRAPH = {
    "graph-store-protocol/head_existing_indirect": "oxigraph-head-content-type",
    "graph-store-protocol/post_get_post_get_indirect": "oxigraph-multipart",
    "protocol/bad_update_get": "oxigraph-update-get",
    "protocol/query_content_type_construct": "oxigraph-nquads-default",
    "protocol/query_content_type_describe": "oxigraph-nquads-default",
}

# (target, test id) -> cause id; target "*" applies to every target.
TEST_CAUSES: dict[tuple[str, str], str] = {
    **{("*", k): v for k, v in _ENGINE.items()},
    **{("devgraph", k): v for k, v in _DEVGRAPH.items()},
    **{("oxigraph", k): v for k, v in _OXIGRAPH.items()},
}


def cause_of(target: str, test_id: str) -> str:
    return TEST_CAUSES.get((target, test_id)) or TEST_CAUSES.get(("*", test_id)) or "unexplained"

"""The /sparql endpoint: the three request forms, negotiation, and 4xx for mistakes."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

SELECT = (
    "PREFIX dg: <https://w3id.org/devgraph/ontology#> "
    "SELECT ?a ?t WHERE { ?a a dg:Activity ; dg:title ?t } ORDER BY ?t"
)
CONSTRUCT = (
    "PREFIX dg: <https://w3id.org/devgraph/ontology#> "
    "CONSTRUCT { ?a dg:title ?t } WHERE { ?a dg:title ?t }"
)


def bindings(response) -> list[dict]:
    return json.loads(response.data)["results"]["bindings"]


def test_get_returns_json_by_default(client):
    r = client.get("/sparql", query_string={"query": SELECT})
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    assert len(bindings(r)) == 3
    assert "Accept" in r.headers["Vary"]


def test_post_form_and_direct_post(client):
    form = client.post("/sparql", data={"query": SELECT})
    direct = client.post("/sparql", data=SELECT, content_type="application/sparql-query")
    assert bindings(form) == bindings(direct)
    assert len(bindings(form)) == 3


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        (
            "text/csv;q=0.5, application/sparql-results+json;q=0.9",
            "application/sparql-results+json",
        ),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_accept_negotiation_for_solutions(client, accept, media):
    r = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == media


def test_each_format_carries_the_same_rows(client):
    xml = client.get("/sparql", query_string={"query": SELECT, "format": "xml"})
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(xml.data).findall(".//r:result", ns)) == 3
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/sparql", query_string={"query": SELECT, "format": "csv"}).get_data(
                    as_text=True
                )
            )
        )
    )
    assert sorted(r["t"] for r in rows)[-1] == "Projet Alpha"


def test_construct_as_turtle_and_ntriples(client):
    r = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/turtle"})
    assert r.mimetype == "text/turtle"
    assert len(list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))) == 3
    nt = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "nt"})
    assert nt.mimetype == "application/n-triples"


def test_ask(client):
    r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(r.data)["boolean"] is True


def test_syntax_error_is_400_with_parser_position(client):
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "1:25" in r.get_data(as_text=True)  # line:column of the parser


def test_updates_are_refused_and_change_nothing(client, store):
    before = len(store)
    r1 = client.post("/sparql", data={"update": "DROP ALL"})
    r2 = client.post("/sparql", data="DROP ALL", content_type="application/sparql-update")
    r3 = client.get("/sparql", query_string={"query": "DROP ALL"})
    assert [r.status_code for r in (r1, r2, r3)] == [400, 400, 400]
    assert "read-only" in r3.get_data(as_text=True)
    assert len(store) == before


def test_client_mistakes_are_4xx(client):
    assert client.post("/sparql", data="x", content_type="text/plain").status_code == 415
    two = client.get("/sparql?query=ASK{}&query=ASK{}")
    assert two.status_code == 400
    assert client.get("/sparql", query_string={"format": "json"}).status_code == 400
    wrong = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"})
    assert wrong.status_code == 406
    bad_fmt = client.get("/sparql", query_string={"query": SELECT, "format": "ttl"})
    assert bad_fmt.status_code == 400


def test_query_size_limit(app, client):
    app.config["MAX_QUERY_LENGTH"] = 50
    r = client.get("/sparql", query_string={"query": SELECT})
    assert r.status_code == 413


def test_get_without_query_shows_a_form_to_browsers(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/sparql", headers={"Accept": browser})
    assert r.status_code == 200 and b"<form" in r.data and r.mimetype == "text/html"


# --- protocol dataset, formats, limits ----------------------------------------------

E = "http://example.org/"


@pytest.fixture
def graphs_app():
    """Three named graphs and one triple in the store's own default graph."""
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    store = EmbeddedStore(None)
    store.update(
        f"INSERT DATA {{ <{E}d> <{E}p> 'default' . "
        f"GRAPH <{E}g1> {{ <{E}a> <{E}p> 'one' }} GRAPH <{E}g2> {{ <{E}b> <{E}p> 'two' }} "
        f"GRAPH <{E}g3> {{ <{E}c> <{E}p> 'three' }} }}"
    )
    return create_app({"TESTING": True, "STORE": store})


def values(response, var: str = "o") -> list[str]:
    assert response.status_code == 200, response.data
    return sorted(b[var]["value"] for b in bindings(response) if var in b)


def test_default_graph_uri_selects_the_default_graph(graphs_app):
    c = graphs_app.test_client()
    q = f"SELECT ?o WHERE {{ ?s <{E}p> ?o }}"
    union = values(c.get("/sparql", query_string={"query": q}))
    assert union == ["default", "one", "three", "two"]  # every graph, the store default too
    one = c.get("/sparql", query_string={"query": q, "default-graph-uri": f"{E}g1"})
    assert values(one) == ["one"]
    both = c.get(f"/sparql?query={q}&default-graph-uri={E}g1&default-graph-uri={E}g2")
    assert values(both) == ["one", "two"]
    form = c.post("/sparql", data={"query": q, "default-graph-uri": [f"{E}g2", f"{E}g3"]})
    assert values(form) == ["three", "two"]


def test_named_graph_uri_limits_graph_and_empties_the_default(graphs_app):
    c = graphs_app.test_client()
    q = f"SELECT ?g ?o WHERE {{ {{ GRAPH ?g {{ ?s <{E}p> ?o }} }} UNION {{ ?s <{E}p> ?o }} }}"
    r = c.get("/sparql", query_string={"query": q, "named-graph-uri": [f"{E}g1", f"{E}g3"]})
    assert values(r, "g") == [f"{E}g1", f"{E}g3"]
    assert values(r) == ["one", "three"]  # nothing from a default graph


def test_protocol_dataset_overrides_from_clauses(graphs_app):
    c = graphs_app.test_client()
    q = f"SELECT ?o FROM <{E}g3> WHERE {{ ?s <{E}p> ?o }}"
    assert values(c.get("/sparql", query_string={"query": q})) == ["three"]  # FROM honoured
    r = c.post(f"/sparql?default-graph-uri={E}g1", data=q, content_type="application/sparql-query")
    assert values(r) == ["one"]


def test_union_default_graph_can_be_turned_off(graphs_app):
    graphs_app.config["UNION_DEFAULT_GRAPH"] = False
    c = graphs_app.test_client()
    q = f"SELECT ?o WHERE {{ ?s <{E}p> ?o }}"
    assert values(c.get("/sparql", query_string={"query": q})) == ["default"]


def test_bad_graph_iri_is_400(graphs_app):
    r = graphs_app.test_client().get(
        "/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"}
    )
    assert r.status_code == 400 and b"not an absolute IRI" in r.data


def test_relative_iris_resolve_against_the_endpoint(client):
    r = client.get("/sparql/", query_string={"query": "SELECT (<rel> AS ?x) {}"})
    assert bindings(r)[0]["x"]["value"] == "http://localhost/sparql/rel"


@pytest.mark.parametrize(
    ("params", "accept", "media", "rdf_format"),
    [
        ({}, "text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ({}, "application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ({}, "application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ({}, "application/trig", "application/trig", ox.RdfFormat.TRIG),
        ({}, "application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
        ({"format": "xml"}, "*/*", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ({"format": ["json-ld", "application/ld+json"]}, "*/*", "application/ld+json",
         ox.RdfFormat.JSON_LD),
        ({}, "text/n3", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)  # fmt: skip
def test_construct_in_every_graph_format(client, params, accept, media, rdf_format):
    r = client.get(
        "/sparql", query_string={"query": CONSTRUCT, **params}, headers={"Accept": accept}
    )
    assert r.status_code == 200 and r.mimetype == media
    assert len(list(ox.parse(r.data, format=rdf_format))) == 3


def test_format_names_sparqlwrapper_sends_for_solutions(client):
    r = client.get(
        "/sparql", query_string={"query": SELECT, "format": ["tsv", "text/tab-separated-values"]}
    )
    assert r.mimetype == "text/tab-separated-values" and r.data.count(b"\n") == 4


def test_row_cap_sets_header_and_body_flag(app, client):
    app.config["MAX_RESULT_ROWS"] = 2
    r = client.get("/sparql", query_string={"query": SELECT})
    assert r.status_code == 200 and r.headers["X-Devgraph-Truncated"] == "true"
    assert r.headers["X-Devgraph-Result-Limit"] == "2 rows"
    body = json.loads(r.data)
    assert len(body["results"]["bindings"]) == 2 and body["devgraph"]["truncated"] is True
    full = client.get("/sparql", query_string={"query": SELECT + " LIMIT 2"})
    assert "X-Devgraph-Truncated" not in full.headers


def test_timeout_parameter_is_checked(client):
    for bad in ("abc", "-1", "0"):
        r = client.get("/sparql", query_string={"query": "ASK {}", "timeout": bad})
        assert r.status_code == 400, bad
    assert (
        client.get("/sparql", query_string={"query": "ASK {}", "timeout": "5"}).status_code == 200
    )


def test_request_body_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = client.post("/sparql", data="ASK {}" + " " * 2000, content_type="application/sparql-query")
    assert r.status_code == 413
    form = client.post("/sparql", data={"query": "ASK {}" + " " * 2000})
    assert form.status_code == 413


def test_more_client_mistakes_are_4xx(client):
    utf16 = client.post(
        "/sparql",
        data="ASK {}".encode("utf-16"),
        content_type="application/sparql-query; charset=UTF-16",
    )
    assert utf16.status_code == 415
    both = client.post("/sparql?query=ASK{}", data={"query": "ASK {}"})
    assert both.status_code == 400
    assert client.put("/sparql", query_string={"query": "ASK {}"}).status_code == 405
    assert client.get("/sparql", query_string={"update": "CLEAR ALL"}).status_code == 400
    unknown = client.get("/sparql", query_string={"query": SELECT, "format": "png"})
    assert unknown.status_code == 400


# --- abuse: the server stays up and other clients keep being served ----------------------

EX = "http://example.org/"
CHAIN = 2000
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
"""2000³ solutions under an aggregate: nothing streams out, only a kill stops it."""


@pytest.fixture(scope="module")
def pool_app(tmp_path_factory):
    """The app over an on-disk store, as ``devgraph serve`` runs it: a pool of 2 workers."""
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    store = EmbeddedStore(tmp_path_factory.mktemp("abuse") / "store")
    nodes = [ox.NamedNode(f"{EX}n{i}") for i in range(CHAIN + 1)]
    graph = ox.NamedNode(f"{EX}chain")
    store._store.extend(  # noqa: SLF001 - test data straight into pyoxigraph
        ox.Quad(nodes[i], ox.NamedNode(f"{EX}next"), nodes[i + 1], graph) for i in range(CHAIN)
    )
    app = create_app({"TESTING": True, "STORE": store, "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 2.0})
    yield app
    app.extensions["devgraph.executor"].close()
    store.close()


def _pids(app, size: int = 2) -> list[int]:
    import time

    executor = app.extensions["devgraph.executor"]
    executor.start()
    for _ in range(500):
        pids = executor.worker_pids()
        if len(pids) == size:
            return pids
        time.sleep(0.02)
    raise AssertionError(f"the pool did not get back to {size} workers")


def _count(response) -> int:
    assert response.status_code == 200, response.data
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def test_a_runaway_times_out_frees_its_worker_while_a_normal_query_answers(pool_app):
    import os
    import threading
    import time

    client = pool_app.test_client()
    _count(client.get("/sparql", query_string={"query": "SELECT (1 AS ?n) {}"}))
    before = set(_pids(pool_app))
    runaway: dict = {}
    thread = threading.Thread(
        target=lambda: runaway.setdefault(
            "r", pool_app.test_client().get("/sparql", query_string={"query": RUNAWAY})
        )
    )
    thread.start()
    time.sleep(0.3)  # let the runaway reach its worker
    normal = client.get(
        "/sparql", query_string={"query": f"SELECT (COUNT(*) AS ?n) {{ ?s <{EX}next> ?o }}"}
    )
    runaway_still_running = thread.is_alive()
    thread.join()
    assert _count(normal) == CHAIN
    assert runaway_still_running, "the normal query must not wait for the runaway"
    r = runaway["r"]
    assert r.status_code == 503 and r.headers["X-Devgraph-Timeout"] == "2"
    assert "timed out" in r.get_data(as_text=True)
    after = set(_pids(pool_app))
    killed = before - after
    assert len(killed) == 1, (before, after)  # that worker was replaced
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # killed and reaped: its CPU is free
    assert _count(client.get("/sparql", query_string={"query": "SELECT (1 AS ?n) {}"})) == 1


def test_a_sorted_cartesian_product_times_out(pool_app):
    q = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?f ?a"
    r = pool_app.test_client().get("/sparql", query_string={"query": q, "timeout": "1"})
    assert r.status_code == 503 and r.headers["X-Devgraph-Timeout"] == "1"
    _pids(pool_app)


def test_a_billions_of_rows_result_is_capped_and_says_so(pool_app):
    pool_app.config["MAX_RESULT_ROWS"] = 1000
    try:
        q = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"  # 8·10⁹ rows
        r = pool_app.test_client().get("/sparql", query_string={"query": q})
        for fmt, accept in (("json", "application/sparql-results+json"), ("csv", "text/csv")):
            r = pool_app.test_client().get(
                "/sparql", query_string={"query": q}, headers={"Accept": accept}
            )
            assert r.status_code == 200, fmt
            assert r.headers["X-Devgraph-Truncated"] == "true"
            assert r.headers["X-Devgraph-Result-Limit"] == "1000 rows"
        assert r.data.count(b"\n") == 1001  # header line + exactly the cap
    finally:
        pool_app.config["MAX_RESULT_ROWS"] = 100_000


def test_load_and_updates_are_refused_on_the_public_endpoint(client, store):
    before = len(store)
    load = "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://e/g>"
    attempts = [
        client.get("/sparql", query_string={"query": load}),
        client.post("/sparql", data={"query": load}),
        client.post("/sparql", data={"update": load}),
        client.post("/sparql", data=load, content_type="application/sparql-update"),
        client.post("/sparql", data=load, content_type="application/sparql-query"),
        client.post("/sparql", data={"query": "INSERT DATA { <http://e/s> <http://e/p> 1 }"}),
    ]
    for r in attempts:
        assert r.status_code == 400, r.data
        assert "read-only" in r.get_data(as_text=True)
    assert len(store) == before


def test_a_huge_body_is_413_and_the_server_keeps_serving(client):
    big = "ASK {}" + "#" * 5_000_000  # five times the default MAX_CONTENT_LENGTH
    direct = client.post("/sparql", data=big, content_type="application/sparql-query")
    form = client.post("/sparql", data={"query": big})
    assert (direct.status_code, form.status_code) == (413, 413)
    ok = client.get("/sparql", query_string={"query": "ASK {}"})
    assert ok.status_code == 200


def test_the_editor_page_follows_the_language_switch(client):
    """``/sparql?lang=fr`` is the editor in French, not a 400 for a missing query."""
    page = client.get("/sparql?lang=fr", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'lang="fr"' in page.get_data(as_text=True)

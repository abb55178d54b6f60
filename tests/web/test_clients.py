"""Real clients against a real server: SPARQLWrapper and raw HTTP to waitress on 127.0.0.1.

The app serves an on-disk store, so queries go through the pool of worker processes
exactly as under ``devgraph serve``.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import waitress
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper
from waitress import wasyncore

from devgraph.load import load_paths
from devgraph.store import EmbeddedStore
from devgraph.web import create_app

DATA = Path(__file__).resolve().parents[1] / "data"

DG = "PREFIX dg: <https://w3id.org/devgraph/ontology#> "
SELECT = DG + "SELECT ?a ?t WHERE { ?a a dg:Activity ; dg:title ?t } ORDER BY ?t"
CONSTRUCT = DG + "CONSTRUCT { ?a dg:title ?t } WHERE { ?a dg:title ?t }"
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
)
"""A cartesian product of eight copies of the store (~10^10 rows) under an aggregate."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = EmbeddedStore(tmp_path_factory.mktemp("clients") / "store")
    load_paths(store, [DATA / "portfolio.ttl"], root=DATA)
    app = create_app({"STORE": store, "QUERY_WORKERS": 2, "MAX_CONTENT_LENGTH": 10_000})
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def serve() -> None:
        try:
            srv.run()
        except OSError:  # a socket closed under select() while stopping
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{srv.effective_port}"
    finally:
        stopping.set()
        srv.task_dispatcher.shutdown()
        wasyncore.close_all(srv._map)  # noqa: SLF001 - the listener and open keep-alives
        thread.join(timeout=5)
        assert not thread.is_alive()
        app.extensions["devgraph.executor"].close()
        store.close()


def wrapper(server: str, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"http://{server}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def request(
    server: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def qs(**params: str) -> str:
    return urllib.parse.urlencode(params)


# --- SPARQLWrapper --------------------------------------------------------------------


def test_sparqlwrapper_select_json_and_xml(server):
    rows = wrapper(server, SELECT, JSON).queryAndConvert()["results"]["bindings"]
    titles = [r["t"]["value"] for r in rows]
    assert len(titles) == 3 and titles == sorted(titles)
    doc = wrapper(server, SELECT, XML).queryAndConvert()  # a minidom Document
    assert len(doc.getElementsByTagName("result")) == 3


def test_sparqlwrapper_select_csv_and_tsv(server):
    text = wrapper(server, SELECT, CSV).queryAndConvert().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["t"] for r in rows] == sorted(r["t"] for r in rows) and len(rows) == 3
    tsv = wrapper(server, SELECT, TSV).queryAndConvert().decode().splitlines()
    assert tsv[0] == "?a\t?t" and len(tsv) == 4


def test_sparqlwrapper_ask(server):
    assert wrapper(server, "ASK { ?s ?p ?o }", JSON).queryAndConvert()["boolean"] is True
    doc = wrapper(server, "ASK { <http://e/none> ?p ?o }", XML).queryAndConvert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "false"


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [TURTLE, XML, JSONLD])
def test_sparqlwrapper_construct(server, fmt):
    result = wrapper(server, CONSTRUCT, fmt).query()
    converted = result.convert()
    if isinstance(converted, bytes):  # Turtle comes back as bytes
        graph = rdflib.Graph().parse(data=converted, format="turtle")
    else:
        graph = converted
    assert isinstance(graph, rdflib.Graph) and len(graph) == 3


def test_sparqlwrapper_post_form(server):
    sparql = wrapper(server, SELECT, JSON)
    sparql.setMethod("POST")
    assert len(sparql.queryAndConvert()["results"]["bindings"]) == 3


# --- raw HTTP edge cases --------------------------------------------------------------


def test_two_query_parameters_are_400(server):
    status, _, body = request(server, "GET", "/sparql?query=ASK{}&query=ASK{}")
    assert status == 400 and b"one 'query'" in body


def test_wrong_media_type_is_415(server):
    status, _, _ = request(server, "POST", "/sparql", b"ASK {}", {"Content-Type": "text/plain"})
    assert status == 415
    status, _, _ = request(server, "POST", "/sparql", b"ASK {}")  # no Content-Type at all
    assert status == 415


def test_update_by_get_or_post_is_refused(server):
    status, _, body = request(server, "GET", "/sparql?" + qs(update="DROP ALL"))
    assert status == 400 and b"read-only" in body
    form = qs(update="DROP ALL").encode()
    status, _, _ = request(
        server, "POST", "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 400
    ask = request(server, "GET", "/sparql?" + qs(query="ASK { ?s ?p ?o }"))
    assert json.loads(ask[2])["boolean"] is True  # nothing was dropped


def test_syntax_error_carries_the_position(server):
    status, headers, body = request(server, "GET", "/sparql?" + qs(query="SELECT * { ?s ?p }"))
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert b"1:" in body


def test_oversized_body_is_413(server):
    status, _, _ = request(
        server,
        "POST",
        "/sparql",
        b"ASK {}" + b" " * 20_000,
        {"Content-Type": "application/sparql-query"},
    )
    assert status == 413


def test_service_description_and_preflight_over_http(server):
    status, headers, body = request(server, "GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    endpoint = ox.NamedNode(f"http://{server}/sparql")
    sd_endpoint = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#endpoint")
    triples = {
        (t.subject, t.predicate, t.object) for t in ox.parse(body, format=ox.RdfFormat.TURTLE)
    }
    assert (endpoint, sd_endpoint, endpoint) in triples
    status, headers, _ = request(
        server,
        "OPTIONS",
        "/sparql",
        headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]


def test_runaway_times_out_while_lookups_are_served(server):
    """A 1.5 s timeout= stops a runaway with 503; a lookup meanwhile answers at once."""
    outcome: dict[str, object] = {}

    def runaway() -> None:
        outcome["r"] = request(server, "GET", "/sparql?" + qs(query=RUNAWAY, timeout="1.5"))

    thread = threading.Thread(target=runaway)
    start = time.monotonic()
    thread.start()
    time.sleep(0.2)
    status, _, body = request(server, "GET", "/sparql?" + qs(query=SELECT))
    lookup_done_while_running = thread.is_alive()
    thread.join()
    elapsed = time.monotonic() - start
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
    assert lookup_done_while_running
    r_status, r_headers, r_body = outcome["r"]  # type: ignore[misc]
    assert r_status == 503 and b"timed out after 1.5 s" in r_body
    assert r_headers["x-devgraph-timeout"] == "1.5"
    assert elapsed < 6
    after = request(server, "GET", "/sparql?" + qs(query="ASK { ?s ?p ?o }"))
    assert after[0] == 200

"""What only the remote backend has: configuration, chunked loads, the endpoint proxy.

The store-level behaviour shared with the embedded store is tested in tests/test_store.py
on every backend; these tests run on a real Oxigraph server (and Virtuoso when
``DEVGRAPH_TEST_BACKENDS`` names it: ``make test-virtuoso``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from tests.remote.servers import BACKENDS, Server, start_oxigraph

from devgraph.cli import main
from devgraph.executor import Limits, QueryJob, create_executor
from devgraph.iati import IatiImportError, import_paths
from devgraph.remote import RemoteStore, config_from_url
from devgraph.remote.config import with_overrides
from devgraph.remote.dialect import with_values
from devgraph.remote.proxy import RemoteExecutor
from devgraph.store import QueryError, StoreError
from devgraph.web import create_app, get_executor

EX = "http://example.org/"
P = ox.NamedNode(EX + "p")


def node(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


@pytest.fixture
def remote(oxigraph_server: Server) -> RemoteStore:
    store = RemoteStore(config_from_url(oxigraph_server.url))
    store.update("DROP ALL")
    return store


def test_a_bare_server_root_is_read_as_an_oxigraph_server():
    config = config_from_url("http://db.example:7878/", env={})
    assert (config.query_url, config.update_url, config.gsp_url, config.dialect) == (
        "http://db.example:7878/query",
        "http://db.example:7878/update",
        "http://db.example:7878/store",
        "oxigraph",
    )


def test_split_endpoints_and_credentials_come_from_url_and_environment():
    env = {
        "DEVGRAPH_STORE_UPDATE": "https://db.example/ds/update",
        "DEVGRAPH_STORE_GSP": "https://db.example/ds/data",
        "DEVGRAPH_STORE_AUTH": "digest",
        "DEVGRAPH_STORE_TIMEOUT": "2.5",
    }
    config = config_from_url("https://me:p%40ss@db.example/ds/query", env=env)
    assert config.query_url == "https://db.example/ds/query"  # no password left in the URL
    assert (config.user, config.password, config.auth) == ("me", "p@ss", "digest")
    assert config.update_url == "https://db.example/ds/update"
    assert config.gsp_url == "https://db.example/ds/data"
    assert config.timeout == 2.5 and config.dialect == "auto"
    plain = config_from_url("https://db.example/sparql", env={})
    assert plain.update_url == plain.query_url and plain.gsp_url is None
    qlever = config_from_url("http://db.example:7001", env={"DEVGRAPH_STORE_DIALECT": "generic"})
    assert qlever.query_url == "http://db.example:7001"  # a root that is the endpoint itself


@pytest.mark.parametrize(
    ("url", "env", "message"),
    [
        ("ftp://db.example/", {}, "not an http"),
        ("http://db.example/", {"DEVGRAPH_STORE_TIMEOUT": "soon"}, "must be a number"),
        ("http://db.example/", {"DEVGRAPH_STORE_DIALECT": "stardust"}, "unknown store dialect"),
    ],
)
def test_bad_configuration_is_a_clear_error(url, env, message):
    with pytest.raises(StoreError, match=message):
        config_from_url(url, env=env)


def test_values_open_the_where_group_even_after_a_construct_template():
    text = with_values(
        'CONSTRUCT { ?s <http://e/p> "{" } WHERE { ?s ?p ?o FILTER(?o != "}") }',
        {"o": ox.Literal('say "hi"\n', language="en")},
    )
    assert text.startswith('CONSTRUCT { ?s <http://e/p> "{" } WHERE { VALUES (?o) {')
    assert '("say \\"hi\\"\\n"@en)' in text
    with pytest.raises(QueryError, match="blank node"):
        with_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": ox.BlankNode()})


def shared_blank_node_triples() -> Iterator[ox.Triple]:
    """One blank node in triples far apart in the stream, as a streaming reader yields them."""
    b = ox.BlankNode()
    yield ox.Triple(node("a"), P, b)
    for i in range(5):
        yield ox.Triple(node(f"x{i}"), P, ox.Literal(str(i)))
    yield ox.Triple(b, P, ox.Literal("inner"))
    yield ox.Triple(b, node("q"), ox.Literal("more"))


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store", "insert-data"])
def test_chunked_loads_keep_blank_nodes_whole(remote: RemoteStore, gsp: bool):
    """Each request is its own blank-node scope: a node split over chunks must not split."""
    changes = {"chunk": 2} if gsp else {"chunk": 2, "gsp_url": None}
    store = RemoteStore(with_overrides(remote.config, **changes))
    store.replace_graphs({EX + "g": shared_blank_node_triples()})
    rows = list(
        store.query(f"SELECT ?v ?w WHERE {{ <{EX}a> <{EX}p> ?b . ?b <{EX}p> ?v ; <{EX}q> ?w }}")
    )
    assert [(r["v"].value, r["w"].value) for r in rows] == [("inner", "more")]
    assert store.graphs()[0].triples == 8


def test_a_refused_update_is_a_query_error_and_changes_nothing(remote: RemoteStore):
    remote.replace_graphs({EX + "g": [ox.Triple(node("a"), P, ox.Literal("x"))]})
    with pytest.raises(QueryError, match="refused the update"):
        remote.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}b> <{EX}p> 'y' }} }} ; NOT SPARQL")
    assert len(remote) == 1


def test_the_endpoint_proxies_to_the_server_with_its_row_cap(remote: RemoteStore):
    remote.replace_graphs(
        {EX + "g": [ox.Triple(node(f"s{i}"), P, ox.Literal("x")) for i in range(5)]}
    )
    app = create_app({"TESTING": True, "STORE": remote, "MAX_RESULT_ROWS": 3})
    with app.app_context():
        assert get_executor().mode == "remote"
    r = app.test_client().get(
        "/sparql",
        query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    body = r.get_json()
    assert r.status_code == 200 and len(body["results"]["bindings"]) == 3
    assert body["devgraph"]["truncated"] is True


def test_a_query_past_the_timeout_is_stopped_and_reported():
    """The HTTP wait ends at the endpoint's timeout; the server's own --timeout-s frees it."""
    server = start_oxigraph("--timeout-s", "2")
    try:
        store = RemoteStore(server.url)
        store.replace_graphs(
            {EX + "g": [ox.Triple(node(f"s{i}"), P, ox.Literal(i)) for i in range(300)]}
        )
        executor = create_executor(store, Limits(timeout=0.5))
        assert isinstance(executor, RemoteExecutor)
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        outcome = executor.run(QueryJob(slow))
        assert outcome.timed_out and b"did not answer in time" in outcome.body
        assert outcome.seconds < 5
        quick = executor.run(QueryJob("ASK { ?s ?p ?o }"))
        assert quick.status == 200 and b"true" in quick.body
    finally:
        server.stop()


virtuoso_only = pytest.mark.skipif(
    "virtuoso" not in BACKENDS, reason="Virtuoso runs in make test-virtuoso"
)


@pytest.fixture
def virtuoso(virtuoso_server: Server) -> RemoteStore:
    return RemoteStore(config_from_url(virtuoso_server.url, virtuoso_server.env))


@virtuoso_only
def test_virtuoso_refuses_wrong_credentials_clearly(virtuoso_server: Server):
    env = {**virtuoso_server.env, "DEVGRAPH_STORE_PASSWORD": "wrong"}
    with pytest.raises(StoreError, match="refused the credentials \\(401\\)"):
        RemoteStore(config_from_url(virtuoso_server.url, env))


@virtuoso_only
def test_virtuoso_row_cap_is_an_error_not_a_silent_cut(virtuoso: RemoteStore):
    graph = EX + "capped"
    virtuoso.replace_graphs(
        {graph: [ox.Triple(node(f"s{i}"), P, ox.Literal(i)) for i in range(150)]}
    )
    try:
        with pytest.raises(StoreError, match="cut the results at 10000 rows"):
            virtuoso.query(f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?a ?p ?b . ?c ?q ?d }} }}")
    finally:
        virtuoso.drop_graph(graph)


@virtuoso_only
def test_virtuoso_default_graph_is_a_graph_of_its_own(virtuoso: RemoteStore):
    virtuoso.update(f"INSERT DATA {{ <{EX}d> <{EX}p> 'default' }}")
    try:
        rows = virtuoso.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}", union_default_graph=False)
        assert [r["o"].value for r in rows] == ["default"]
        assert EX + "d" not in {g.iri for g in virtuoso.graphs()}
    finally:
        virtuoso.update("CLEAR SILENT DEFAULT")


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <http://127.0.0.1:9/x.ttl> INTO GRAPH <http://e/g>",
        "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
        "DEFINE input:grab-all 'yes' SELECT * WHERE { ?s ?p ?o }",
    ],
)
def test_updates_and_pragmas_never_reach_the_query_endpoint(remote: RemoteStore, text: str):
    """Virtuoso would run them as a query; every server gets the same refusal."""
    with pytest.raises(QueryError, match="only answers SELECT"):
        remote.query(text)
    ok = remote.query("SELECT ?load WHERE { BIND('DROP ALL' AS ?load) }")
    assert [r["load"].value for r in ok] == ["DROP ALL"]


IATI = Path(__file__).resolve().parents[1] / "iati" / "fixtures"


def test_iati_import_streams_into_the_server_and_a_broken_file_changes_nothing(
    remote: RemoteStore, tmp_path: Path
):
    """The importer hands over generators; a file breaking half-way must leave no trace."""
    store = RemoteStore(with_overrides(remote.config, chunk=50))
    report = import_paths(store, [IATI / "two-activities_v2.03.xml"], root=IATI)
    assert report.activities == 2
    before = store.dumps()
    text = (IATI / "two-activities_v2.03.xml").read_text()
    cut = text.rindex("<iati-activity")
    (tmp_path / "broken.xml").write_text(text[: cut + 200])
    with pytest.raises(IatiImportError):
        import_paths(store, [tmp_path / "broken.xml"], root=tmp_path)
    assert store.dumps() == before


def test_the_cli_runs_on_a_store_url(oxigraph_server: Server):
    RemoteStore(oxigraph_server.url).update("DROP ALL")
    cli = CliRunner()
    data = Path(__file__).resolve().parents[1] / "data"
    loaded = cli.invoke(main, ["--store", oxigraph_server.url, "load", str(data / "portfolio.ttl")])
    assert loaded.exit_code == 0, loaded.output
    listed = cli.invoke(main, ["--store", oxigraph_server.url, "graphs"])
    assert "portfolio.ttl" in listed.output
    down = cli.invoke(
        main, ["--store", "http://127.0.0.1:9/", "graphs"], env={"DEVGRAPH_STORE_RETRIES": "0"}
    )
    assert down.exit_code == 1 and "cannot reach the SPARQL server" in down.output


def test_an_answer_far_past_the_byte_cap_is_refused_not_buffered(remote: RemoteStore):
    triples = [ox.Triple(node(f"s{i}"), P, ox.Literal("x" * 100)) for i in range(20)]
    remote.replace_graphs({EX + "g": triples})
    executor = RemoteExecutor(remote, Limits(max_bytes=200))
    outcome = executor.run(QueryJob("SELECT ?s ?o WHERE { ?s ?p ?o }"))
    assert outcome.status == 413 and b"larger than 800 bytes" in outcome.body
    small = executor.run(QueryJob(f"SELECT ?s WHERE {{ VALUES ?s {{ <{EX}s1> }} ?s ?p ?o }}"))
    assert small.status == 200 and small.count == 1

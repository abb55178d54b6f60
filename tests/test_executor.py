"""The query executor: killable worker processes over an on-disk store, caps, refresh.

Real components only: an on-disk pyoxigraph store in a temp dir, held open read-write
by this process (as ``devgraph serve`` does), and real worker processes.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from devgraph.executor import (
    Limits,
    ProcessExecutor,
    QueryJob,
    ThreadExecutor,
    create_executor,
    has_dataset_clause,
)
from devgraph.store import EmbeddedStore

E = "http://example.org/"
CHAIN = 2000
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
"""A cartesian product of 2000³ solutions under an aggregate: nothing streams out."""
LOOKUP = f"ASK {{ <{E}n7> <{E}next> <{E}n8> }}"


def _fill(store: EmbeddedStore) -> None:
    nodes = [ox.NamedNode(f"{E}n{i}") for i in range(CHAIN + 1)]
    graph = ox.NamedNode(f"{E}chain")
    store._store.extend(  # noqa: SLF001 - test data straight into pyoxigraph
        ox.Quad(nodes[i], ox.NamedNode(f"{E}next"), nodes[i + 1], graph) for i in range(CHAIN)
    )


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path_factory.mktemp("executor") / "store")
    _fill(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def pool(disk_store: EmbeddedStore) -> ProcessExecutor:
    executor = create_executor(disk_store, Limits(timeout=10), workers=2)
    assert isinstance(executor, ProcessExecutor)
    yield executor
    executor.close()


def count(outcome) -> int:
    assert outcome.status == 200, outcome.body
    return int(json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"])


def wait_for_pool(pool: ProcessExecutor, size: int) -> list[int]:
    pool.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pids = pool.worker_pids()
        if len(pids) == size:
            return pids
        time.sleep(0.02)
    raise AssertionError(f"pool did not get back to {size} workers: {pool.worker_pids()}")


def test_pool_starts_lazily_and_answers(disk_store):
    executor = ProcessExecutor(disk_store.path, workers=1)
    try:
        assert executor.worker_pids() == []  # nothing spawned until the first query
        outcome = executor.run(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        assert count(outcome) == CHAIN  # union default graph: the chain graph's triples
        assert outcome.worker_pid in executor.worker_pids()
        assert outcome.worker_pid != os.getpid()
    finally:
        executor.close()
    assert executor.worker_pids() == []


def test_runaway_is_killed_at_its_timeout_and_the_next_query_is_served(pool):
    wait_for_pool(pool, 2)
    start = time.monotonic()
    outcome = pool.run(QueryJob(RUNAWAY, limits=Limits(timeout=1.5)))
    elapsed = time.monotonic() - start
    assert outcome.status == 503 and outcome.timed_out
    assert b"timed out after 1.5 s" in outcome.body
    assert 1.5 <= elapsed < 4
    with pytest.raises(ProcessLookupError):
        os.kill(outcome.worker_pid, 0)  # killed and reaped: the CPU is free
    assert outcome.worker_pid not in wait_for_pool(pool, 2)  # a fresh worker took its place
    assert pool.run(QueryJob(LOOKUP)).body == b'{"head":{},"boolean":true}'


def test_a_normal_query_answers_while_a_runaway_runs(pool):
    wait_for_pool(pool, 2)
    runaway: dict[str, object] = {}
    thread = threading.Thread(
        target=lambda: runaway.setdefault("outcome", pool.run(QueryJob(RUNAWAY, limits=Limits(5))))
    )
    thread.start()
    time.sleep(0.3)  # let the runaway reach its worker
    normal = pool.run(QueryJob(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{E}next> ?o }}"))
    still_running = thread.is_alive()
    thread.join()
    assert count(normal) == CHAIN
    assert still_running, "the normal query should finish while the runaway still runs"
    assert runaway["outcome"].status == 503  # type: ignore[attr-defined]


def test_row_cap_is_signalled_in_outcome_and_body(pool):
    limits = Limits(max_rows=10)
    select = f"SELECT ?s ?o WHERE {{ ?s <{E}next> ?o }}"
    formats = {"solutions": "json", "boolean": "json", "graph": "nt"}
    out = pool.run(QueryJob(select, formats=formats, limits=limits))
    assert out.status == 200 and out.truncated and out.reason == "rows" and out.limit == 10
    body = json.loads(out.body)
    assert len(body["results"]["bindings"]) == out.count == 10
    assert body["devgraph"] == {"truncated": True, "limit": 10, "reason": "rows"}

    xml = pool.run(QueryJob(select, formats={"solutions": "xml"}, limits=limits))
    assert xml.truncated and b'<link href="urn:devgraph:truncated:rows:10"/></head>' in xml.body
    assert xml.body.count(b"<result>") == 10

    csv = pool.run(QueryJob(select, formats={"solutions": "csv"}, limits=limits))
    assert csv.truncated and len(csv.body.decode().strip().splitlines()) == 11  # header + 10

    construct = f"CONSTRUCT WHERE {{ ?s <{E}next> ?o }}"
    graph = pool.run(QueryJob(construct, formats=formats, limits=limits))
    assert graph.truncated and graph.body.startswith(b"# devgraph: result truncated at 10 rows")
    assert len(list(ox.parse(graph.body, format=ox.RdfFormat.N_TRIPLES))) == 10


def test_a_result_exactly_at_the_cap_is_not_truncated(pool):
    out = pool.run(
        QueryJob(f"SELECT ?s WHERE {{ ?s <{E}next> ?o }} LIMIT 10", limits=Limits(max_rows=10))
    )
    assert out.status == 200 and not out.truncated
    assert len(json.loads(out.body)["results"]["bindings"]) == 10
    assert "devgraph" not in json.loads(out.body)


def test_byte_cap_cuts_on_a_row_boundary(pool):
    out = pool.run(
        QueryJob(f"SELECT ?s ?o WHERE {{ ?s <{E}next> ?o }}", limits=Limits(max_bytes=5000))
    )
    assert out.truncated and out.reason == "bytes"
    rows = json.loads(out.body)["results"]["bindings"]  # still valid JSON
    assert 0 < len(rows) < CHAIN and len(out.body) <= 5000


def test_refresh_makes_new_writes_visible(pool, disk_store):
    wait_for_pool(pool, 2)
    ask = f"ASK {{ <{E}new> ?p ?o }}"
    for _ in range(4):  # every worker has opened the store by now
        assert pool.run(QueryJob(ask)).body == b'{"head":{},"boolean":false}'
    disk_store.update(f"INSERT DATA {{ GRAPH <{E}g2> {{ <{E}new> <{E}p> 1 }} }}")
    pool.refresh()
    for _ in range(4):
        assert pool.run(QueryJob(ask)).body == b'{"head":{},"boolean":true}'


def test_client_mistakes_are_4xx_outcomes(pool):
    syntax = pool.run(QueryJob("SELECT * WHERE { ?s ?p }"))
    assert syntax.status == 400 and b"1:" in syntax.body
    refused = pool.run(
        QueryJob("ASK {}", formats={"boolean": (406, "no"), "solutions": "json", "graph": "ttl"})
    )
    assert refused.status == 406


def test_close_stops_every_worker(disk_store):
    executor = ProcessExecutor(disk_store.path, workers=2)
    executor.start()
    pids = wait_for_pool(executor, 2)
    executor.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert executor.run(QueryJob("ASK {}")).status == 503


# --- in-thread executor (in-memory stores) ------------------------------------------


@pytest.fixture
def memory_store() -> EmbeddedStore:
    store = EmbeddedStore(None)
    _fill(store)
    store.update(
        f"INSERT DATA {{ GRAPH <{E}g1> {{ <{E}a> <{E}p> 1 }} GRAPH <{E}g2> {{ <{E}b> <{E}p> 2 }} }}"
    )
    return store


def test_memory_store_gets_the_thread_executor_with_caps(memory_store):
    executor = create_executor(memory_store, Limits(max_rows=5))
    assert isinstance(executor, ThreadExecutor) and executor.mode == "thread"
    out = executor.run(QueryJob(f"SELECT * WHERE {{ ?s <{E}next> ?o }}"))
    assert out.truncated and len(json.loads(out.body)["results"]["bindings"]) == 5


def test_thread_executor_stops_a_streaming_runaway_between_chunks(memory_store):
    executor = ThreadExecutor(memory_store, Limits(timeout=0.5, max_rows=10**9, max_bytes=10**10))
    start = time.monotonic()
    out = executor.run(QueryJob("SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"))
    assert out.status == 503 and time.monotonic() - start < 5


def test_from_clause_wins_over_the_union_default_graph(memory_store):
    """pyoxigraph's union flag would silently replace FROM; the executor must not ask for it."""
    executor = ThreadExecutor(memory_store)
    out = executor.run(QueryJob(f"SELECT ?o FROM <{E}g1> WHERE {{ ?s <{E}p> ?o }}"))
    assert [b["o"]["value"] for b in json.loads(out.body)["results"]["bindings"]] == ["1"]


def test_has_dataset_clause_ignores_strings_iris_and_comments():
    assert has_dataset_clause("SELECT * FROM <http://e/g> { ?s ?p ?o }")
    assert has_dataset_clause("SELECT *\nfrom named <http://e/g> { GRAPH ?g { ?s ?p ?o } }")
    assert not has_dataset_clause('SELECT ?from WHERE { ?s ?p "from" } # from here')
    assert not has_dataset_clause("PREFIX from: <http://e/from> SELECT * { ?s from:x ?o }")
    assert not has_dataset_clause("SELECT * { ?s <http://e/FROM> '''a\nFROM b''' }")


def test_worker_opens_a_store_path_that_the_server_holds(tmp_path: Path):
    """Store.read_only works while this process holds the same path open read-write."""
    store = EmbeddedStore(tmp_path / "s")
    store.update(f"INSERT DATA {{ GRAPH <{E}g> {{ <{E}x> <{E}p> 1 }} }}")  # not flushed
    executor = create_executor(store, workers=1)
    try:
        out = executor.run(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert count(out) == 1
    finally:
        executor.close()
        store.close()

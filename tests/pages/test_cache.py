"""Whole-store page results: computed once at a time, kept until the store is written to."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from devgraph.load import load_paths
from devgraph.pages import cache, warm_up
from devgraph.store import EmbeddedStore, StoreError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def small() -> EmbeddedStore:
    store = EmbeddedStore(None)
    load_paths(store, [DATA / "portfolio.ttl"], root=DATA)
    return store


def test_every_write_bumps_the_generation_even_a_failed_one(small: EmbeddedStore) -> None:
    seen = [small.generation]
    small.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    seen.append(small.generation)
    small.replace_graphs({"urn:h": []})
    seen.append(small.generation)
    small.load("<urn:a> <urn:b> <urn:d> .", format="ntriples", graph="urn:g")
    seen.append(small.generation)
    small.drop_graph("urn:g")
    seen.append(small.generation)
    with pytest.raises(StoreError):
        small.load("not n-triples", format="ntriples", graph="urn:g")
    seen.append(small.generation)
    assert seen == sorted(set(seen)), seen  # strictly increasing
    before = small.generation
    list(small.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))
    assert small.generation == before  # reads do not


def test_one_computation_at_a_time_and_recomputed_after_a_write(small: EmbeddedStore) -> None:
    calls: list[int] = []

    def slow(store: EmbeddedStore) -> int:
        calls.append(1)
        time.sleep(0.3)
        return len(calls)

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.cached(small, "k", slow)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1, 1, 1, 1] and len(calls) == 1
    assert cache.peek(small, "k") == 1
    small.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    assert cache.peek(small, "k") is None  # stale after the write, without counting triples
    assert cache.cached(small, "k", slow) == 2


def test_warm_up_leaves_the_home_page_and_validation_ready(small: EmbeddedStore) -> None:
    warm_up(small).join(120)
    assert cache.peek(small, "home:en") is not None
    assert cache.peek(small, "flows") is not None
    assert cache.peek(small, "validation") is not None

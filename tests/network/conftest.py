"""Stores for the network tests: the seed portfolio, and the small fixtures beside this file."""

from __future__ import annotations

from pathlib import Path

import pytest

from devgraph import money
from devgraph.load import load_paths
from devgraph.network import FlowGraph, build_flows
from devgraph.store import EmbeddedStore

HERE = Path(__file__).parent
REPO = HERE.parents[1]


def _store(*paths: Path, normalise: bool = True) -> EmbeddedStore:
    store = EmbeddedStore(None)
    found = [p for p in paths if p.exists()]
    assert found == list(paths), f"missing input files: {set(paths) - set(found)}"
    load_paths(store, paths, root=REPO)
    if normalise:
        money.normalise(store)
    return store


@pytest.fixture(scope="module")
def seeds() -> EmbeddedStore:
    return _store(REPO / "data" / "ttl")


@pytest.fixture(scope="module")
def seed_flows(seeds: EmbeddedStore) -> FlowGraph:
    return build_flows(seeds)


@pytest.fixture(scope="module")
def two_publishers() -> EmbeddedStore:
    return _store(HERE / "two-publishers.ttl")


@pytest.fixture(scope="module")
def chain_store() -> EmbeddedStore:
    return _store(HERE / "chain-cycle.ttl", normalise=False)

"""Fixtures for the browser pages: the real seed portfolio, loaded once per session.

``seed_store`` holds what ``make serve`` loads (ontology, shapes, data/ttl) plus the
materialised inferences, in memory. Tests must not write to it; tests that write make
their own store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devgraph.load import load_paths
from devgraph.reason import materialise
from devgraph.store import EmbeddedStore
from devgraph.web import create_app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seed_store() -> EmbeddedStore:
    store = EmbeddedStore(None)
    load_paths(store, [REPO / "ontology", REPO / "shapes", REPO / "data" / "ttl"], root=REPO)
    materialise(store)
    return store


@pytest.fixture(scope="session")
def seed_app(seed_store: EmbeddedStore):
    return create_app({"TESTING": True, "STORE": seed_store, "QUERY_WORKERS": 0})


@pytest.fixture
def seed_client(seed_app):
    return seed_app.test_client()

"""The seed portfolio for the page library tests, loaded once (as tests/web does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devgraph.load import load_paths
from devgraph.reason import materialise
from devgraph.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seeds() -> EmbeddedStore:
    """Ontology, shapes, seed data and inferences, in memory. Tests must not write to it."""
    store = EmbeddedStore(None)
    load_paths(store, [REPO / "ontology", REPO / "shapes", REPO / "data" / "ttl"], root=REPO)
    materialise(store)
    return store

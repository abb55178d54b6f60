"""Fixtures for the export tests: the seed portfolio plus a fictitious publisher, in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from devgraph.load import load_paths
from devgraph.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def seed_export_store() -> EmbeddedStore:
    """``data/ttl`` (what ``make serve`` loads as data) and ``publisher.ttl``; read-only."""
    store = EmbeddedStore(None)
    load_paths(store, [REPO / "data" / "ttl", HERE / "publisher.ttl"], root=REPO)
    return store

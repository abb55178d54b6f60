"""Fixtures for the IATI importer tests: a fresh in-memory store."""

from __future__ import annotations

import pytest

from devgraph.store import EmbeddedStore


@pytest.fixture
def empty_store() -> EmbeddedStore:
    return EmbeddedStore(None)

"""Shared fixtures, after flaskr: ``store`` (in memory), ``app``, ``client``, ``runner``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from devgraph.cli import main
from devgraph.load import load_paths
from devgraph.store import EmbeddedStore
from devgraph.web import create_app

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store() -> EmbeddedStore:
    """An in-memory store holding ``tests/data/portfolio.ttl``."""
    s = EmbeddedStore(None)
    load_paths(s, [DATA / "portfolio.ttl"], root=DATA)
    return s


@pytest.fixture
def app(store: EmbeddedStore):
    return create_app({"TESTING": True, "STORE": store})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(tmp_path: Path) -> Callable[..., Result]:
    """Invoke the CLI against an on-disk store in a fresh temp dir."""
    cli = CliRunner()
    store_dir = tmp_path / "store"

    def invoke(*args: str) -> Result:
        return cli.invoke(main, ["--store", str(store_dir), *args], catch_exceptions=False)

    return invoke

"""Shared fixtures, after flaskr: ``store``, ``empty_store``, ``app``, ``client``, ``runner``.

``store`` and ``empty_store`` run each test on every backend named in
``DEVGRAPH_TEST_BACKENDS`` (default ``embedded,remote``): ``embedded`` is pyoxigraph in
memory, ``remote`` an Oxigraph server on 127.0.0.1 (one per session, in memory, emptied
before each test), ``virtuoso`` a throwaway Virtuoso 7 (``make test-virtuoso``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.remote.servers import BACKENDS, Server, start_oxigraph, start_virtuoso

from devgraph.cli import main
from devgraph.load import load_paths
from devgraph.remote import RemoteStore, config_from_url
from devgraph.store import EmbeddedStore, GraphStore
from devgraph.web import create_app

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[Server]:
    server = start_oxigraph()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[Server]:
    server = start_virtuoso()
    yield server
    server.stop()


def _clean(store: RemoteStore) -> None:
    """Empty the server: per graph, since Virtuoso ignores DROP ALL."""
    graphs = [g.iri for g in store.graphs()]
    store.drop_staging()
    ops = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
    ops.append(
        "CLEAR SILENT DEFAULT"
        if store.dialect.default_graph is None
        else f"CLEAR SILENT GRAPH <{store.dialect.default_graph}>"
    )
    store.update(" ;\n".join(ops))


def open_backend(request: pytest.FixtureRequest, backend: str) -> GraphStore:
    if backend == "embedded":
        return EmbeddedStore(None)
    server: Server = request.getfixturevalue(
        "oxigraph_server" if backend == "remote" else f"{backend}_server"
    )
    store = RemoteStore(config_from_url(server.url, server.env))
    _clean(store)
    return store


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest) -> GraphStore:
    """An empty store of each backend under test."""
    return open_backend(request, request.param)


@pytest.fixture
def store(empty_store: GraphStore) -> GraphStore:
    """A store of each backend under test holding ``tests/data/portfolio.ttl``."""
    load_paths(empty_store, [DATA / "portfolio.ttl"], root=DATA)
    return empty_store


@pytest.fixture
def app(store: GraphStore):
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

"""Basic and bearer authentication, through a checking reverse proxy in front of Oxigraph.

Oxigraph server has no authentication of its own; deployments put it behind a proxy that
checks ``Authorization``. This test does the same on 127.0.0.1: a small threaded HTTP
proxy that answers 401 unless the expected header arrives, and forwards everything else
to the real server, so the store round-trips through real authentication.
"""

from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from tests.remote.servers import Server

from devgraph.remote import RemoteStore, config_from_url
from devgraph.store import StoreError

TOKEN = "s3cret-token"
BASIC = "Basic " + base64.b64encode(b"devgraph:pa:ss").decode()


def _proxy(upstream: str) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            if self.headers.get("Authorization") not in (f"Bearer {TOKEN}", BASIC):
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Bearer realm="devgraph"')
                self.send_header("Content-Length", "12")
                self.end_headers()
                self.wfile.write(b"unauthorized")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            request = urllib.request.Request(upstream + self.path, data=body, method=self.command)
            for name in ("Content-Type", "Accept"):
                if self.headers.get(name):
                    request.add_header(name, self.headers[name])
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, headers, data = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as exc:
                status, headers, data = exc.code, exc.headers, exc.read()
            self.send_response(status)
            for name in ("Content-Type", "Server"):
                if headers.get(name):
                    self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815

        def log_message(self, *args: object) -> None:
            """Quiet: pytest captures nothing useful from it."""

    return Proxy


@pytest.fixture
def guarded(oxigraph_server: Server) -> Iterator[str]:
    """The URL of an authenticating proxy in front of the session's Oxigraph server."""
    RemoteStore(oxigraph_server.url).update("DROP ALL")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy(oxigraph_server.url))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _round_trip(store: RemoteStore) -> None:
    triple = ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
    store.replace_graphs({"http://e/g": [triple]})
    assert [(g.iri, g.triples) for g in store.graphs()] == [("http://e/g", 1)]


def test_bearer_token_opens_the_store(guarded: str):
    _round_trip(RemoteStore(config_from_url(guarded, {"DEVGRAPH_STORE_TOKEN": TOKEN})))


def test_basic_credentials_from_the_url(guarded: str):
    url = guarded.replace("http://", "http://devgraph:pa%3Ass@")
    _round_trip(RemoteStore(config_from_url(url, {})))


def test_missing_or_wrong_credentials_are_a_clear_error(guarded: str):
    for env in ({}, {"DEVGRAPH_STORE_TOKEN": "wrong"}):
        with pytest.raises(StoreError, match="refused the credentials \\(401\\)"):
            RemoteStore(config_from_url(guarded, env))

"""The servers under test, as three endpoint URLs plus the admin credentials.

:func:`devgraph_server` serves devgraph's own Flask app with waitress on 127.0.0.1 in
this process; :func:`oxigraph_server` starts the ``oxigraph`` binary from the
``oxigraph`` wheel (in memory) as the baseline. Both yield a :class:`Target`; the
runner knows nothing else about them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.http import request


@dataclass
class Target:
    """Where to send queries, updates and Graph Store Protocol requests."""

    name: str
    query_url: str
    update_url: str
    store_url: str
    admin_headers: dict[str, str] = field(default_factory=dict)
    # Base for GSP direct graph identification (a graph named by its own URL), if any.
    direct_store_base: str | None = None
    # Description of the server build for the report.
    version: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(target: Target, *, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``ASK {}`` every 50 ms for up to 60 s; fail fast if the process died."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{target.name} exited with {proc.returncode}")
        try:
            r = request("GET", target.query_url + "?query=ASK%7B%7D", timeout=2)
            if r.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{target.name} not ready after 60 s")


def oxigraph_binary() -> str:
    """The ``oxigraph`` server shipped by the ``oxigraph`` wheel (next to this Python first)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server binary is missing: pip install oxigraph")
    return found


@contextmanager
def oxigraph_server(*, name: str = "oxigraph") -> Iterator[Target]:
    """A bare in-memory Oxigraph server (real default graph, no union)."""
    binary = oxigraph_binary()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory(prefix="conformance-oxigraph-") as tmp:
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
        port = free_port()
        proc = subprocess.Popen(
            [binary, "serve", "--bind", f"127.0.0.1:{port}"],
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        target = Target(
            name=name,
            query_url=base + "/query",
            update_url=base + "/update",
            store_url=base + "/store",
            version=version.strip(),
        )
        try:
            wait_ready(target, proc=proc)
            yield target
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def devgraph_app(*, token: str, store: Any = ":memory:", extra: dict[str, Any] | None = None):
    """devgraph's app configured for the suites: admin writes on, real default graph.

    ``UNION_DEFAULT_GRAPH`` must be False: the W3C tests load data into the store's
    default graph and expect queries without FROM to see exactly that graph.
    """
    from devgraph.web import create_app

    config: dict[str, Any] = {
        "TESTING": True,
        "STORE": store,
        "ADMIN_TOKEN": token,
        "UNION_DEFAULT_GRAPH": False,
        "QUERY_TIMEOUT": 30,
        # The federation tests call SERVICE endpoints this harness starts on 127.0.0.1.
        "SERVICE_ALLOW": "http://127.0.0.1",
    }
    config.update(extra or {})
    return create_app(config)


@contextmanager
def devgraph_server(*, extra: dict[str, Any] | None = None) -> Iterator[Target]:
    """devgraph's own Flask app served by waitress on 127.0.0.1 in a daemon thread."""
    import waitress

    from devgraph import __version__ as dg_version

    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="conformance-devgraph-") as tmp:
        store = os.environ.get("CONFORMANCE_DEVGRAPH_STORE", ":memory:")
        if store == "tmp":
            store = str(Path(tmp) / "store")
        app = devgraph_app(token=token, store=store, extra=extra)
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
        stop = threading.Event()

        def serve() -> None:
            # waitress's own run() loops until its sockets are closed from outside,
            # which races with select() in this thread (EBADF, unclosed sockets).
            # Loop in short slices instead and close every socket here, in-thread.
            sockets = server._map  # type: ignore[union-attr]
            while not stop.is_set():
                server.asyncore.loop(timeout=0.05, map=sockets, count=1)  # type: ignore[union-attr]
            for channel in list(sockets.values()):
                channel.close()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
        target = Target(
            name="devgraph",
            query_url=base + "/sparql",
            update_url=base + "/update",
            store_url=base + "/store",
            admin_headers={"Authorization": f"Bearer {token}"},
            direct_store_base=base + "/store",
            version=f"devgraph {dg_version}",
        )
        try:
            wait_ready(target)
            yield target
        finally:
            stop.set()
            thread.join(timeout=10)
            server.task_dispatcher.shutdown()  # type: ignore[union-attr]

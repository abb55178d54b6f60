"""Throwaway SPARQL servers on 127.0.0.1 for the tests (../shared/recipes/sparql-servers.md).

Oxigraph server runs in memory (ready in ~25 ms); Virtuoso 7 gets its own directory and
``virtuoso.ini`` (ready in ~2 s). Both are stopped by their process id, never by name.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
BACKENDS = [b for b in os.environ.get("DEVGRAPH_TEST_BACKENDS", "embedded,remote").split(",") if b]
"""The store backends the ``store`` fixtures run on: embedded, remote (Oxigraph), virtuoso."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: its URL, process and scratch directory."""

    url: str
    process: subprocess.Popen[bytes]
    directory: Path
    env: dict[str, str] = field(default_factory=dict)
    """``DEVGRAPH_STORE_*`` settings a RemoteStore needs for this server."""

    def log(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def _wait(server: Server, probe: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    data = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited at start:\n{server.log()}")
        try:
            urllib.request.urlopen(urllib.request.Request(probe, data=data), timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"the server did not answer within {timeout} s:\n{server.log()}")


def _start(command: list[str], directory: Path) -> subprocess.Popen[bytes]:
    with (directory / "server.log").open("wb") as log:  # the child keeps its own copy
        return subprocess.Popen(
            command, cwd=directory, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_oxigraph(*options: str) -> Server:
    """``oxigraph serve`` in memory on a free port (``options``: e.g. ``--timeout-s 1``)."""
    for _attempt in range(5):
        directory = Path(tempfile.mkdtemp(prefix="devgraph-oxigraph-"))
        port = free_port()
        command = [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", *options]
        process = _start(command, directory)
        server = Server(f"http://127.0.0.1:{port}", process, directory)
        try:
            _wait(server, f"{server.url}/query")
            return server
        except RuntimeError:
            server.stop()
    raise RuntimeError("could not start an Oxigraph server")


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


def start_virtuoso(max_rows: int = 10_000) -> Server:
    """A fresh Virtuoso 7 database; updates through digest auth as dba/dba.

    ``max_rows`` is its ``ResultSetMaxRows``: small, so the tests can meet the cut.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed (virtuoso-opensource-7-bin)")
    for _attempt in range(3):
        directory = Path(tempfile.mkdtemp(prefix="devgraph-virtuoso-"))
        sql, http = free_port(), free_port()
        ini = VIRTUOSO_INI.format(d=directory, sql=sql, http=http, max_rows=max_rows)
        (directory / "virtuoso.ini").write_text(ini)
        process = _start([binary, "-f", "-c", str(directory / "virtuoso.ini")], directory)
        url = f"http://127.0.0.1:{http}"
        server = Server(
            f"{url}/sparql-auth",
            process,
            directory,
            env={
                "DEVGRAPH_STORE_GSP": f"{url}/sparql-graph-crud-auth",
                "DEVGRAPH_STORE_USER": "dba",
                "DEVGRAPH_STORE_PASSWORD": "dba",
                "DEVGRAPH_STORE_AUTH": "digest",
            },
        )
        try:
            _wait(server, f"{url}/sparql")
            return server
        except RuntimeError:
            server.stop()
    raise RuntimeError("could not start Virtuoso")

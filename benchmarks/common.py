"""Helpers shared by the benchmarks: servers as child processes, a keep-alive HTTP client,
statistics and the machine's description.

Every server is started here on 127.0.0.1 with a free port, in its own session, and
stopped by its process id (SIGTERM, then SIGKILL): a benchmark never leaves a process
behind and never touches one it did not start.
"""

from __future__ import annotations

import http.client
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
JSON_RESULTS = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """A SPARQL server in a child process, answering GET ``path?query=`` on 127.0.0.1."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        port: int,
        path: str,
        log: Path,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.port = port
        self.path = path
        self.log = log
        self.cwd = cwd
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_in = 0.0

    def start(self, *, timeout: float = 600.0) -> None:
        """Start and wait until ``ASK {}`` answers (loading may take minutes for rdflib)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **(self.env or {})},
            )
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                tail = self.log.read_text()[-3000:]
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{tail}")
            try:
                status, _ = Client(self).get("ASK {}", timeout=5)
                if status == 200:
                    self.started_in = time.perf_counter() - started
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        """SIGTERM the server's process group, then SIGKILL what is left after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the child's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        try:  # workers a server forked may outlive it: they share its session
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def rss_mb(self) -> float:
        """Resident memory of the server and every process in its session, in MB."""
        if self.proc is None:
            return 0.0
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                sid = int(stat.rsplit(")", 1)[1].split()[3])
                if sid != self.proc.pid:
                    continue
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (OSError, ValueError, IndexError):
                continue
        return total / 1024


class Client:
    """One keep-alive connection; ``get`` returns (status, body) and reconnects on error."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.conn: http.client.HTTPConnection | None = None

    def get(self, query: str, *, timeout: float = 600.0) -> tuple[int, bytes]:
        url = f"{self.server.path}?{urlencode({'query': query})}"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.server.port, timeout=timeout)
            try:
                self.conn.request("GET", url, headers={"Accept": JSON_RESULTS})
                resp = self.conn.getresponse()
                body = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, body
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Run:
    """Latencies of one load phase (seconds), its wall time and its failures."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> dict[str, float | int]:
        lat = sorted(self.latencies)
        return {
            "requests": len(lat),
            "errors": self.errors,
            "rps": len(lat) / self.wall if self.wall else 0.0,
            "p50_ms": percentile(lat, 50) * 1000,
            "p99_ms": percentile(lat, 99) * 1000,
            "wall_s": self.wall,
        }


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 100 values is the 99th, not an interpolation)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def load_phase(
    server: Server,
    queries: Callable[[int, int], str],
    *,
    clients: int,
    max_requests: int,
    max_seconds: float,
    timeout: float = 600.0,
) -> Run:
    """``clients`` threads send queries back to back until either bound is reached.

    ``queries(client, i)`` gives the i-th query of a client, so every run sends the
    same sequence. Threads are enough on the client side: they wait on sockets, and a
    server at ~2,000 req/s leaves the client's GIL mostly idle.
    """
    run = Run()
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + max_seconds

    def worker(c: int) -> None:
        client = Client(server)
        i = 0
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if issued[0] >= max_requests:
                        return
                    issued[0] += 1
                q = queries(c, i)
                i += 1
                t0 = time.perf_counter()
                try:
                    status, body = client.get(q, timeout=timeout)
                except OSError:
                    status, body = 0, b""
                took = time.perf_counter() - t0
                with lock:
                    run.statuses[status] = run.statuses.get(status, 0) + 1
                    if status == 200 and body:
                        run.latencies.append(took)
                    else:
                        run.errors += 1
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + max_seconds + 60)
    run.wall = time.perf_counter() - t0
    return run


def median(values: Sequence[float]) -> float:
    clean = [v for v in values if v == v]  # drop NaN
    return statistics.median(clean) if clean else float("nan")


def machine() -> dict[str, object]:
    """What the figures were measured on (they mean little without it)."""
    import pyoxigraph

    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "pyoxigraph": pyoxigraph.__version__,
        "platform": platform.platform(),
    }

"""`devgraph serve` for real: a waitress process on 127.0.0.1, queried over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"server not up after 30 s:\n{log.read_text()}")


def test_serve_answers_home_and_sparql(tmp_path):
    devgraph = str(Path(sys.executable).with_name("devgraph"))
    store = tmp_path / "store"
    subprocess.run(
        [devgraph, "--store", str(store), "load", str(DATA / "portfolio.ttl")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [devgraph, "--store", str(store), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", proc, log)
        with urllib.request.urlopen(base + "/") as r:
            assert r.status == 200 and b"portfolio.ttl" in r.read()
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        req = urllib.request.Request(
            f"{base}/sparql?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(req) as r:
            n = json.load(r)["results"]["bindings"][0]["n"]["value"]
        assert int(n) > 9  # the data plus its provenance record
        assert "waitress" in log.read_text().lower() or proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)

"""Resident memory of ``devgraph serve`` on a large store, while it answers real work.

Why: issue 10 asks for 10 M triples served in under 2 GB. What counts is the whole server —
the waitress process and its query worker processes — under load, not at rest: the RSS of
every process in the server's session is sampled every 0.2 s while 8 clients send lookups,
then the precomputed totals are read, then one portfolio-wide GROUP BY runs (the heaviest
thing a researcher can send, stopped by the server's own query timeout).

    .venv/bin/python benchmarks/bench_serve_memory.py /tmp/devgraph-bench-100000/devgraph-store

Writes ``results/serve-memory.json``. The store is opened as ``devgraph serve`` opens it; it
must hold the synthetic portfolio (``bench_endpoint.py`` builds one) and should hold its
summaries (``devgraph --store DIR summarise``).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the sibling modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_endpoint import AGGREGATE, LOOKUP, VENV_BIN
from common import Client, Server, free_port, load_phase, machine

RESULTS = Path(__file__).resolve().parent / "results"
ACT = "https://w3id.org/devgraph/id/activity/"
TOP = """PREFIX dg: <https://w3id.org/devgraph/ontology#>
SELECT ?rank ?funder ?total WHERE {
  { SELECT ?total ?rank WHERE { GRAPH <https://w3id.org/devgraph/graph/summary/funder> {
      ?total dg:rank ?rank } FILTER (?rank <= 20) } }
  GRAPH <https://w3id.org/devgraph/graph/summary/funder> {
    ?total dg:summaryProvider ?funder ; dg:totalEur ?total } }"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="Server query timeout (s).")
    args = parser.parse_args(argv)
    port = free_port()
    server = Server(
        "devgraph",
        [str(VENV_BIN / "devgraph"), "--store", str(args.store), "serve", "--port", str(port)],
        port=port,
        path="/sparql",
        log=Path("/tmp/devgraph-serve-memory.log"),
        env={
            "DEVGRAPH_QUERY_TIMEOUT": str(args.timeout),
            "DEVGRAPH_QUERY_TIMEOUT_MAX": str(args.timeout),
        },
    )
    samples: list[tuple[float, str, float]] = []
    phase = ["start"]
    stop = threading.Event()

    def sample() -> None:
        t0 = time.perf_counter()
        while not stop.is_set():
            samples.append((round(time.perf_counter() - t0, 1), phase[0], server.rss_mb()))
            time.sleep(0.2)

    server.start(timeout=600)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    figures: dict[str, object] = {}
    try:
        time.sleep(1)
        phase[0] = "lookups, 8 clients"
        n = args.activities

        def lookup(client: int, i: int) -> str:
            return LOOKUP % f"{ACT}syn-{(client * 7919 + i * 104_729 + 17) % n:07d}"

        run = load_phase(server, lookup, clients=8, max_requests=10**9, max_seconds=args.seconds)
        figures["lookups"] = run.summary()
        phase[0] = "top-20 funders (precomputed)"
        client = Client(server)
        for _ in range(20):
            status, _body = client.get(TOP)
            figures["top_status"] = status
        phase[0] = "portfolio-wide GROUP BY"
        t0 = time.perf_counter()
        status, _body = client.get(AGGREGATE, timeout=args.timeout + 60)
        figures["aggregate"] = {"status": status, "seconds": round(time.perf_counter() - t0, 1)}
        client.close()
        phase[0] = "idle"
        time.sleep(2)
    finally:
        stop.set()
        sampler.join(5)
        server.stop()
    peaks: dict[str, float] = {}
    for _t, name, mb in samples:
        peaks[name] = max(peaks.get(name, 0.0), mb)
    result = {
        "machine": machine(),
        "store": str(args.store),
        "activities": args.activities,
        "peak_rss_mb_by_phase": {k: round(v) for k, v in peaks.items()},
        "peak_rss_mb": round(max(peaks.values())),
        **figures,
    }
    for name, mb in peaks.items():
        print(f"{name:<32} peak RSS {mb:8.0f} MB")
    print(json.dumps({k: v for k, v in figures.items()}, default=str))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve-memory.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

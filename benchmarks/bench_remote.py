"""Bulk load and query round trips: embedded pyoxigraph against a remote SPARQL server.

Why: docs/scaling.md tells when to move from the embedded store to a server; this
measures what the move costs on one machine. The same synthetic portfolio
(benchmarks/generate.py, N-Triples) goes through ``devgraph.load.load_paths`` (parse,
chunked staging, one swap update, provenance) into each backend, then three queries
run: a count over the union, a one-activity lookup with a bound parameter, and a
full listing of activities.

    .venv/bin/python benchmarks/bench_remote.py --activities 1000 10000
    .venv/bin/python benchmarks/bench_remote.py --activities 10000 --virtuoso --chunk 20000

Backends: ``memory`` and ``disk`` (embedded), ``oxigraph`` (``oxigraph serve`` in memory),
``oxigraph-disk`` (``--location``, RocksDB), ``virtuoso`` (with ``--virtuoso``).
Results go to stdout as a table and to ``benchmarks/results/remote-<N>.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.remote.servers starts the servers

import pyoxigraph as ox  # noqa: E402
from tests.remote.servers import start_oxigraph, start_virtuoso  # noqa: E402

from devgraph.load import load_paths  # noqa: E402
from devgraph.namespaces import ACTIVITY, DG  # noqa: E402
from devgraph.remote import RemoteStore, config_from_url  # noqa: E402
from devgraph.remote.config import with_overrides  # noqa: E402
from devgraph.store import EmbeddedStore, GraphStore  # noqa: E402

COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{DG}Activity> }}"
LOOKUP = "SELECT ?a ?p ?o WHERE { ?a ?p ?o }"
LIST = f"SELECT ?a WHERE {{ ?a a <{DG}Activity> }}"


@contextmanager
def backend(name: str, scratch: Path, chunk: int) -> Iterator[GraphStore]:
    """Open one backend, empty; stop its server afterwards."""
    if name == "memory":
        yield EmbeddedStore(None)
        return
    if name == "disk":
        store = EmbeddedStore(scratch / "store")
        yield store
        store.close()
        return
    if name == "virtuoso":
        server = start_virtuoso(max_rows=10_000_000)
        config = config_from_url(server.url, server.env)
    else:
        options = ("--location", str(scratch / "oxigraph")) if name == "oxigraph-disk" else ()
        server = start_oxigraph(*options)
        config = config_from_url(server.url, {})
    try:
        yield RemoteStore(with_overrides(config, chunk=chunk, timeout=600.0))
    finally:
        server.stop()


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def run(name: str, data: Path, triples: int, chunk: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="devgraph-bench-") as tmp,
        backend(name, Path(tmp), chunk) as store,
    ):
        load_s, _ = timed(lambda: load_paths(store, [data], root=data.parent, force=True))
        count_s, rows = timed(lambda: list(store.query(COUNT)))
        one = {"a": ox.NamedNode(f"{ACTIVITY}syn-0000001")}
        lookup_s, found = timed(lambda: list(store.query(LOOKUP, bindings=one)))
        list_s, listed = timed(lambda: list(store.query(LIST)))
    return {
        "backend": name,
        "triples": triples,
        "load_s": round(load_s, 2),
        "triples_per_s": round(triples / load_s),
        "count_ms": round(count_s * 1000, 1),
        "lookup_ms": round(lookup_s * 1000, 1),
        "lookup_rows": len(found),
        "list_ms": round(list_s * 1000, 1),
        "activities": int(rows[0]["n"].value),
        "listed": len(listed),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, nargs="+", default=[1000])
    parser.add_argument("--chunk", type=int, default=50_000, help="triples per load request")
    parser.add_argument("--virtuoso", action="store_true", help="also Virtuoso 7")
    parser.add_argument(
        "--backends", nargs="+", default=["memory", "disk", "oxigraph", "oxigraph-disk"]
    )
    args = parser.parse_args(argv)
    names = args.backends + (["virtuoso"] if args.virtuoso else [])
    for n in args.activities:
        with tempfile.TemporaryDirectory(prefix="devgraph-bench-data-") as tmp:
            data = Path(tmp) / f"synthetic-{n}.nt"
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "generate.py"),
                    "--activities",
                    str(n),
                    "--rdf",
                    str(data),
                ],
                check=True,
                capture_output=True,
            )
            triples = sum(1 for _ in data.open("rb"))
            results = [run(name, data, triples, args.chunk) for name in names]
        print(f"\n{n} activities, {triples} triples, chunk {args.chunk}")
        keys = list(results[0])
        print(" | ".join(keys))
        for r in results:
            print(" | ".join(str(r[k]) for k in keys))
        out = ROOT / "benchmarks" / "results" / f"remote-{n}.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

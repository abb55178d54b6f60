"""Validation at scale: the SPARQL engine against pySHACL, on the same store, in one run.

Why: pySHACL copies the data into rdflib and checks focus node by focus node; the SPARQL
engine (``devgraph.shacl_sparql``) asks the store. The figures that matter are ratios
measured in the same run on this shared machine: pySHACL / SPARQL (same shapes, same data,
findings checked equal), and SPARQL / a bare ``COUNT(*)`` over every triple (what one pass
over the data costs the engine: the floor of any whole-graph check).

    .venv/bin/python benchmarks/bench_validate.py                        # 1 k and 10 k
    .venv/bin/python benchmarks/bench_validate.py --activities 100000 --pyshacl-max 0
    .venv/bin/python benchmarks/bench_validate.py --activities 1000 --repeat 1   # smoke

Portfolios come from ``generate.py`` (seed 42) into ``--workdir`` and are loaded into a fresh
on-disk store each run (or copied from ``--store-from``, e.g. the store bench_endpoint.py
built with ``oxigraph load`` at 100 k). pySHACL runs only up to ``--pyshacl-max``
activities: on these shapes it is superlinear (349 s at 100 activities on a loaded machine;
its SPARQL-based shapes run once per focus node in rdflib). Writes
``results/validate-<N>.json``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the sibling modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox
from common import machine
from generate import generate

from devgraph.store import EmbeddedStore
from devgraph.validate import validate_store

RESULTS = Path(__file__).resolve().parent / "results"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _key(f: Any) -> tuple:
    return (f.focus_node, f.path, f.component, f.severity, f.source_shape)


def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def portfolio(workdir: Path, activities: int) -> Path:
    path = workdir / f"portfolio-{activities}-42.nq"
    if not path.exists():
        generate(activities, seed=42, rdf=path)
    return path


def bench(activities: int, args: argparse.Namespace) -> dict[str, Any]:
    data = portfolio(args.workdir, activities) if not args.store_from else None
    store_dir = args.workdir / f"store-{activities}"
    shutil.rmtree(store_dir, ignore_errors=True)
    t0 = time.perf_counter()
    if args.store_from:  # a store already built from the same portfolio (e.g. oxigraph load)
        shutil.copytree(args.store_from, store_dir)
        store = EmbeddedStore(store_dir)
    else:
        store = EmbeddedStore(store_dir)
        quads = ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS)
        graph = f"https://w3id.org/devgraph/graph/synthetic/{activities}-42"
        store.replace_graphs({graph: (q.triple for q in quads)})
    load_s = time.perf_counter() - t0
    triples = len(store)
    row: dict[str, Any] = {"activities": activities, "triples": triples, "load_s": load_s}
    row["loadavg_1m_start"] = os.getloadavg()[0]  # the machine is shared: say how busy it was
    if args.store_from:
        row["store_from"] = str(args.store_from)

    def count() -> int:
        rows = store.query(COUNT_ALL)
        return int(next(iter(rows))["n"].value)  # type: ignore[call-overload, index]

    row["count_all_s"], _ = _timed(count, args.repeat)
    for workers in args.workers:
        seconds, report = _timed(
            lambda w=workers: validate_store(store, engine="sparql", workers=w), args.repeat
        )
        row[f"sparql_w{workers}_s"] = seconds
        row["sparql_findings"] = len(report.findings)
        row["sparql_engine"] = report.engine
        row["sparql_counts"] = report.counts()
        sparql_report = report
    row["loadavg_1m_end"] = os.getloadavg()[0]
    best = min(row[f"sparql_w{w}_s"] for w in args.workers)
    row["sparql_s"] = best
    row["sparql_per_count_all"] = best / row["count_all_s"]
    row["ms_per_activity"] = 1000 * best / activities
    if activities <= args.pyshacl_max:
        seconds, report = _timed(lambda: validate_store(store, engine="pyshacl"), 1)
        row["pyshacl_s"] = seconds
        row["pyshacl_findings"] = len(report.findings)
        row["pyshacl_over_sparql"] = seconds / best
        same = collections.Counter(map(_key, report.findings)) == collections.Counter(
            map(_key, sparql_report.findings)
        )
        row["identical_findings"] = same
    store.close()
    shutil.rmtree(store_dir, ignore_errors=True)
    return row


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'activities':>10} {'triples':>10} {'COUNT(*) s':>10} {'SPARQL s':>9} "
        f"{'×COUNT':>7} {'pySHACL s':>9} {'pySHACL/SPARQL':>14} {'same':>5} {'findings':>8}"
    )
    lines = [head]
    for r in rows:
        py = f"{r['pyshacl_s']:9.1f}" if "pyshacl_s" in r else f"{'—':>9}"
        ratio = f"{r['pyshacl_over_sparql']:14.1f}" if "pyshacl_s" in r else f"{'—':>14}"
        same = str(r.get("identical_findings", "—"))
        lines.append(
            f"{r['activities']:>10} {r['triples']:>10} {r['count_all_s']:10.2f} "
            f"{r['sparql_s']:9.2f} {r['sparql_per_count_all']:7.1f} {py} {ratio} "
            f"{same:>5} {r['sparql_findings']:>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--pyshacl-max", type=int, default=10000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3, help="SPARQL runs (median)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/devgraph-bench-validate"))
    parser.add_argument(
        "--store-from",
        type=Path,
        help="copy this store directory (built from the same portfolio) instead of loading; "
        "one --activities value only",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    RESULTS.mkdir(exist_ok=True)
    for n in args.activities:
        rows.append(bench(n, args))
        print(table(rows[-1:]), flush=True)
        out = RESULTS / f"validate-{n}.json"
        out.write_text(json.dumps({"machine": machine(), "result": rows[-1]}, indent=2) + "\n")
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The SPARQL endpoint under load: devgraph against a bare Oxigraph server and rdflib-endpoint.

    python benchmarks/bench_endpoint.py                      # 10 k activities, 3 rounds
    python benchmarks/bench_endpoint.py --activities 100000  # rdflib-endpoint skipped

One synthetic portfolio (``generate.py``) is loaded once with ``devgraph load``; the
Oxigraph server reads a byte-for-byte copy of that store (``serve-read-only
--union-default-graph``), so both engines see the same files, and rdflib-endpoint
parses the same N-Quads. All servers listen on 127.0.0.1 and run at once; each round
visits them in a rotated order and the figures are medians over rounds, so drifts of a
noisy machine hit every server alike. Ratios are computed within this one run.

Workloads (GET ``?query=``, ``Accept: application/sparql-results+json``, keep-alive):
- lookup: one activity's English title and its participants (a different activity per
  request), at 1 and 8 concurrent clients, bounded by requests and seconds;
- aggregate: disbursements (transaction type 3) summed by provider organisation ×
  recipient country, at 1 and 8 clients;
- a lookup sent while an aggregate is running (latency of each such lookup).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Client, Server, free_port, load_phase, machine, median  # noqa: E402
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
DG = "https://w3id.org/devgraph/ontology#"
ACT = "https://w3id.org/devgraph/id/activity/"

LOOKUP = """PREFIX dg: <https://w3id.org/devgraph/ontology#>
SELECT ?title ?org ?name ?role WHERE {
  <%s> dg:title ?title ; dg:participation ?p .
  FILTER(LANGMATCHES(LANG(?title), "en"))
  ?p dg:participant ?org ; dg:role ?role .
  ?org dg:name ?name .
}"""

AGGREGATE = """PREFIX dg: <https://w3id.org/devgraph/ontology#>
SELECT ?funder ?country (SUM(?amount) AS ?total) (COUNT(?t) AS ?transactions) WHERE {
  ?a dg:transaction ?t ; dg:recipientCountry ?country .
  ?t dg:transactionType <https://w3id.org/devgraph/codelist/TransactionType/3> ;
     dg:providerOrganisation ?funder ;
     dg:value/dg:amount ?amount .
}
GROUP BY ?funder ?country
ORDER BY DESC(?total)"""


def lookup_query(size: int):  # noqa: ANN201 - a small closure factory
    """Each client walks the activities in its own deterministic order."""

    def make(client: int, i: int) -> str:
        k = (client * 7919 + i * 104_729 + 17) % size
        return LOOKUP % f"{ACT}syn-{k:07d}"

    return make


def aggregate_query(_client: int, _i: int) -> str:
    return AGGREGATE


# --- preparing data and servers ----------------------------------------------------------


def prepare(
    work: Path, size: int, seed: int, *, fresh: bool, devgraph_load_max: int = 20_000
) -> dict[str, Any]:
    """Generate the portfolio and the two stores, reusing them when already there."""
    info: dict[str, Any] = {}
    data = work / f"portfolio-{size}-{seed}.nq"
    dg_store = work / "devgraph-store"
    ox_store = work / "oxigraph-store"
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    if not data.exists():
        t0 = time.perf_counter()
        counts = generate(size, seed=seed, rdf=data.with_suffix(".tmp.nq"))
        data.with_suffix(".tmp.nq").rename(data)
        info["generate_s"] = round(time.perf_counter() - t0, 1)
        info["triples"] = counts["triples"]
        _say(f"generated {data} ({counts['triples']} triples) in {info['generate_s']} s")
    if not (dg_store / "CURRENT").exists():
        shutil.rmtree(dg_store, ignore_errors=True)
        t0 = time.perf_counter()
        if size <= devgraph_load_max:
            loader = "devgraph load"
            command = [str(VENV_BIN / "devgraph"), "--store", str(dg_store), "load", "-q"]
            subprocess.run([*command, data.name], cwd=work, check=True)
        else:
            # `devgraph load` holds every parsed triple in Python before committing
            # (about 2 GB per million triples): past a few million it would exhaust
            # memory, so the same quads (in the generator's named graph) go in with
            # Oxigraph's bulk loader instead.
            loader = "oxigraph load"
            command = [str(VENV_BIN / "oxigraph"), "load", "--location", str(dg_store)]
            subprocess.run([*command, "--file", data.name], cwd=work, check=True)
        info["loader"] = loader
        info["load_s"] = round(time.perf_counter() - t0, 1)
        info["load_peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        )
        _say(f"{loader} took {info['load_s']} s")
        shutil.rmtree(ox_store, ignore_errors=True)
    if not (ox_store / "CURRENT").exists():
        shutil.copytree(dg_store, ox_store)
    if "triples" not in info:  # reused data: count its lines (one quad each)
        with data.open("rb") as f:
            info["triples"] = sum(1 for _ in f)
    info["data_file"] = str(data)
    info["data_mb"] = round(data.stat().st_size / 1e6, 1)
    return info


def make_servers(work: Path, data: Path, names: list[str], *, timeout: float) -> dict[str, Server]:
    servers: dict[str, Server] = {}
    logs = work / "logs"
    if "devgraph" in names:
        port = free_port()
        servers["devgraph"] = Server(
            "devgraph",
            [
                str(VENV_BIN / "devgraph"),
                "--store",
                str(work / "devgraph-store"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            port=port,
            path="/sparql",
            log=logs / "devgraph.log",
            cwd=work,
            # The benchmark measures latency, not the limit: lift the 10 s default so a
            # 100 k-activity aggregate is answered instead of stopped.
            env={
                "DEVGRAPH_QUERY_TIMEOUT": str(timeout),
                "DEVGRAPH_QUERY_TIMEOUT_MAX": str(timeout),
            },
        )
    if "oxigraph" in names:
        port = free_port()
        servers["oxigraph"] = Server(
            "oxigraph",
            [
                str(VENV_BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(work / "oxigraph-store"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            port=port,
            path="/query",
            log=logs / "oxigraph.log",
            cwd=work,
        )
    if "rdflib" in names:
        port = free_port()
        servers["rdflib"] = Server(
            "rdflib-endpoint",
            [
                str(VENV_BIN / "rdflib-endpoint"),
                "serve",
                str(data),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            port=port,
            path="/",
            log=logs / "rdflib-endpoint.log",
            cwd=work,
        )
    return servers


# --- measuring ---------------------------------------------------------------------------


def lookup_during_aggregate(server: Server, size: int, *, lookups: int = 10) -> dict[str, Any]:
    """Latencies of lookups sent one after another while one aggregate runs."""
    agg_done = threading.Event()
    agg_time: list[float] = []

    def aggregate() -> None:
        client = Client(server)
        t0 = time.perf_counter()
        try:
            client.get(AGGREGATE)
        finally:
            agg_time.append(time.perf_counter() - t0)
            client.close()
            agg_done.set()

    client = Client(server)
    client.get(LOOKUP % f"{ACT}syn-0000000")  # connect first: only the query is timed
    thread = threading.Thread(target=aggregate, daemon=True)
    thread.start()
    time.sleep(0.1)  # let the aggregate reach the engine
    latencies = []
    make = lookup_query(size)
    for i in range(lookups):
        if agg_done.is_set():
            break
        t0 = time.perf_counter()
        status, _ = client.get(make(99, i))
        took = time.perf_counter() - t0
        if status == 200:  # sent while the aggregate ran: a blocked lookup counts in full
            latencies.append(took)
        time.sleep(0.02)
    thread.join()
    client.close()
    return {
        "lookups": len(latencies),
        "p50_ms": median(latencies) * 1000 if latencies else None,
        "max_ms": max(latencies) * 1000 if latencies else None,
        "aggregate_s": agg_time[0] if agg_time else None,
    }


def phases(name: str, size: int, args: argparse.Namespace) -> list[tuple[str, dict[str, Any]]]:
    """The load phases of one round; rdflib-endpoint gets fewer, it is ~100× slower."""
    slow = name == "rdflib"
    look = lookup_query(size)
    out: list[tuple[str, dict[str, Any]]] = [
        (
            "lookup_c1",
            {
                "queries": look,
                "clients": 1,
                "max_requests": 300 if slow else 2000,
                "max_seconds": args.seconds,
            },
        ),
        (
            "lookup_c8",
            {
                "queries": look,
                "clients": 8,
                "max_requests": 300 if slow else 5000,
                "max_seconds": args.seconds,
            },
        ),
        (
            "aggregate_c1",
            {
                "queries": aggregate_query,
                "clients": 1,
                "max_requests": 1 if slow else args.aggregates,
                "max_seconds": 1 if slow else args.aggregate_seconds,
            },
        ),
    ]
    if not slow:
        out.append(
            (
                "aggregate_c8",
                {
                    "queries": aggregate_query,
                    "clients": 8,
                    "max_requests": 8,
                    "max_seconds": args.aggregate_seconds,
                },
            )
        )
    return out


def sanity(servers: dict[str, Server], size: int) -> dict[str, Any]:
    """Row counts of one lookup and of the aggregate per server: all must see the same data."""
    checks: dict[str, Any] = {}
    for name, server in servers.items():
        client = Client(server)
        row = {}
        for label, q in (
            ("lookup", LOOKUP % f"{ACT}syn-{size // 2:07d}"),
            ("aggregate", AGGREGATE),
        ):
            status, body = client.get(q)
            rows = len(json.loads(body)["results"]["bindings"]) if status == 200 else None
            row[label] = {"status": status, "rows": rows}
        client.close()
        checks[name] = row
    return checks


def run(
    args: argparse.Namespace, on_round: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    size = args.activities
    work = args.workdir or Path(f"/tmp/devgraph-bench-{size}")
    names = [n for n in args.servers.split(",") if n]
    notes = []
    if "rdflib" in names and size > args.rdflib_max:
        names.remove("rdflib")
        notes.append(
            f"rdflib-endpoint skipped above {args.rdflib_max} activities: it loads the graph "
            "in memory (1.3 GB at 10 k) and one aggregate takes minutes"
        )
    prep = prepare(work, size, args.seed, fresh=args.fresh)
    servers = make_servers(work, Path(prep["data_file"]), names, timeout=args.query_timeout)
    raw: dict[str, dict[str, list[Any]]] = {n: {} for n in servers}
    startup: dict[str, Any] = {}
    try:
        for name, server in servers.items():
            server.start(timeout=1800)
            startup[name] = {"ready_s": round(server.started_in, 2), "rss_mb": server.rss_mb()}
            _say(f"{name} ready in {server.started_in:.1f} s")
        checks = sanity(servers, size)
        _say(f"sanity: {checks}")
        for server in servers.values():  # warm caches once before any timing
            load_phase(server, lookup_query(size), clients=1, max_requests=50, max_seconds=20)
        order = list(servers)
        for r in range(args.rounds):
            for name in order[r % len(order) :] + order[: r % len(order)]:
                server = servers[name]
                if name == "rdflib" and r >= args.rdflib_rounds:
                    continue
                for phase, kw in phases(name, size, args):
                    result = load_phase(server, timeout=900, **kw).summary()
                    raw[name].setdefault(phase, []).append(result)
                    _say(f"round {r + 1} {name:9} {phase:13} {_fmt(result)}")
                during = lookup_during_aggregate(server, size)
                raw[name].setdefault("lookup_during_aggregate", []).append(during)
                _say(f"round {r + 1} {name:9} during-aggregate {during}")
            for name, server in servers.items():
                startup[name]["rss_mb_after"] = round(server.rss_mb())
            if on_round:  # a long run that is interrupted still leaves its figures
                on_round(_result(args, prep, startup, checks, notes, raw, rounds_done=r + 1))
    finally:
        for server in servers.values():
            server.stop()
    return _result(args, prep, startup, checks, notes, raw, rounds_done=args.rounds)


def _result(
    args: argparse.Namespace,
    prep: dict[str, Any],
    startup: dict[str, Any],
    checks: dict[str, Any],
    notes: list[str],
    raw: dict[str, dict[str, list[Any]]],
    *,
    rounds_done: int,
) -> dict[str, Any]:
    summary = {n: _medians(phases_) for n, phases_ in raw.items()}
    return {
        "rounds_done": rounds_done,
        "activities": args.activities,
        "seed": args.seed,
        "machine": machine(),
        "prepare": prep,
        "servers": startup,
        "sanity": checks,
        "notes": notes,
        "medians": summary,
        "ratios": ratios(summary),
        "raw": raw,
        "settings": {k: v for k, v in vars(args).items() if k not in ("workdir",)},
    }


def _medians(phase_runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    out = {}
    for phase, runs in phase_runs.items():
        keys = [k for k, v in runs[0].items() if isinstance(v, int | float) or v is None]
        out[phase] = {
            k: median([r[k] for r in runs if r.get(k) is not None])
            if any(r.get(k) is not None for r in runs)
            else None
            for k in keys
        }
        out[phase]["rounds"] = len(runs)
    return out


def ratios(m: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """The issue's goals as numbers from this run (None when a server was not measured)."""

    def get(server: str, phase: str, key: str) -> float | None:
        value = m.get(server, {}).get(phase, {}).get(key)
        return value if isinstance(value, int | float) and value == value and value else None

    def div(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    during = get("devgraph", "lookup_during_aggregate", "p50_ms")
    return {
        "lookup_rps_c8_vs_oxigraph": {
            "value": div(get("devgraph", "lookup_c8", "rps"), get("oxigraph", "lookup_c8", "rps")),
            "goal": ">= 0.8",
        },
        "lookup_rps_c1_vs_oxigraph": {
            "value": div(get("devgraph", "lookup_c1", "rps"), get("oxigraph", "lookup_c1", "rps")),
            "goal": "(no goal)",
        },
        "aggregate_p50_c1_vs_oxigraph": {
            "value": div(
                get("devgraph", "aggregate_c1", "p50_ms"), get("oxigraph", "aggregate_c1", "p50_ms")
            ),
            "goal": "<= 1.1",
        },
        "aggregate_p50_c8_vs_oxigraph": {
            "value": div(
                get("devgraph", "aggregate_c8", "p50_ms"), get("oxigraph", "aggregate_c8", "p50_ms")
            ),
            "goal": "<= 1.1",
        },
        "lookup_rps_c8_vs_rdflib": {
            "value": div(get("devgraph", "lookup_c8", "rps"), get("rdflib", "lookup_c8", "rps")),
            "goal": ">= 5",
        },
        "lookup_rps_c1_vs_rdflib": {
            "value": div(get("devgraph", "lookup_c1", "rps"), get("rdflib", "lookup_c1", "rps")),
            "goal": ">= 5",
        },
        "aggregate_speedup_c1_vs_rdflib": {
            "value": div(
                get("rdflib", "aggregate_c1", "p50_ms"), get("devgraph", "aggregate_c1", "p50_ms")
            ),
            "goal": ">= 10",
        },
        "lookup_during_aggregate_ms": {"value": during, "goal": "< 20"},
    }


# --- output ------------------------------------------------------------------------------


def _fmt(s: dict[str, Any]) -> str:
    return (
        f"{s['requests']:5d} req {s['rps']:8.1f} req/s  p50 {s['p50_ms']:9.1f} ms  "
        f"p99 {s['p99_ms']:9.1f} ms  errors {s['errors']}"
    )


def table(result: dict[str, Any]) -> str:
    lines = [
        f"SPARQL endpoint, {result['activities']} activities "
        f"({result['prepare'].get('triples', '?')} triples), medians of rounds",
        f"{'server':10} {'workload':24} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'n':>6}",
    ]
    for name, phases_ in result["medians"].items():
        for phase, s in phases_.items():
            if phase == "lookup_during_aggregate":
                lines.append(
                    f"{name:10} {'lookup during aggregate':24} {'':>9} "
                    f"{_num(s.get('p50_ms')):>9} {_num(s.get('max_ms')):>9} "
                    f"{_num(s.get('lookups'), 0):>6}  (max shown as p99)"
                )
            else:
                lines.append(
                    f"{name:10} {phase:24} {_num(s['rps']):>9} {_num(s['p50_ms']):>9} "
                    f"{_num(s['p99_ms']):>9} {_num(s['requests'], 0):>6}"
                )
    lines.append("ratios (goal):")
    for key, r in result["ratios"].items():
        lines.append(f"  {key:34} {_num(r['value'], 2):>8}   goal {r['goal']}")
    lines += [f"note: {n}" for n in result["notes"]]
    return "\n".join(lines)


def _num(v: Any, digits: int = 1) -> str:
    return "—" if v is None or v != v else f"{v:.{digits}f}"


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--activities", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--rdflib-rounds", type=int, default=1, help="rounds for rdflib-endpoint")
    p.add_argument("--rdflib-max", type=int, default=10_000, help="skip rdflib above this size")
    p.add_argument("--servers", default="devgraph,oxigraph,rdflib")
    p.add_argument("--seconds", type=float, default=8.0, help="time bound of a lookup phase")
    p.add_argument("--aggregates", type=int, default=5, help="aggregates at 1 client per round")
    p.add_argument("--aggregate-seconds", type=float, default=60.0)
    p.add_argument("--workdir", type=Path, help="data and stores (default /tmp/devgraph-bench-N)")
    p.add_argument("--query-timeout", type=float, default=600.0, help="devgraph's query timeout")
    p.add_argument("--fresh", action="store_true", help="regenerate data and stores")
    p.add_argument(
        "--out", type=Path, help="JSON output (default benchmarks/results/endpoint-N.json)"
    )
    p.add_argument("--prepare-only", action="store_true", help="build data and stores, then stop")
    args = p.parse_args(argv)
    if args.prepare_only:
        work = args.workdir or Path(f"/tmp/devgraph-bench-{args.activities}")
        print(json.dumps(prepare(work, args.activities, args.seed, fresh=args.fresh), indent=2))
        return 0
    out = args.out or ROOT / "results" / f"endpoint-{args.activities}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    def write(result: dict[str, Any]) -> None:
        out.write_text(json.dumps(result, indent=2, default=str) + "\n")

    # SIGTERM must unwind through run()'s finally, which stops the servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = run(args, on_round=write)
    write(result)
    print(table(result))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load test: N concurrent clients against `devgraph serve` on the seeds and IATI samples.

    python benchmarks/loadtest.py --clients 16 --duration 120      # or: make loadtest

Builds a store in a temporary folder (ontology, shapes, seed portfolio, inferences, then a
set of the IATI samples in /work/shared/iati/samples), starts ``devgraph serve`` (waitress,
query worker pool) on 127.0.0.1 with a free port, discovers what to ask from the running
app (the listing pages' links to activities and organisations, the named queries without
parameters), then runs N client threads for a bounded time. Each client mixes page views
(HTML and their JSON twins), named queries and raw SPARQL (lookups, aggregates, a
CONSTRUCT) at the weights given. Any answer other than the expected status is an error;
a healthy server has 0. Prints p50/p90/p99 per kind and writes a JSON result file.
Only 127.0.0.1 is contacted; the server is stopped by its process id at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

if __package__ in (None, ""):  # run as a script: make the sibling modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import HOST, Server, free_port, machine, percentile  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLES = Path("/work/shared/iati/samples")
DEFAULT_SAMPLES = (
    "mixed-foodsecurity_v2.03_dportal-7acts.xml",
    "worldbank-44000_v2.03_5acts-results.xml",
    "wri-US-EIN-521257057_v2.03_strategic-plan.xml",
    "afd-FR-3_v2.03_dportal2021-p18.xml",
    "undp-XM-DAC-41114_v2.03_dportal2021-p110.xml",
    "dfid-GB-1-drc_v1.01.xml",
    "ORG_rikolto-BE-BCE_KBO-0420656336_v2.02.xml",
)
SLOW_PAGES = ("/validation",)
"""Left out unless --with-slow: /validation runs SHACL over the whole store per request
(over 300 s on the default data on the test machine), and the server keeps computing it
after the client gives up, which skews every other figure."""
PAGES = (
    "/",
    "/activities",
    "/organisations",
    "/places",
    "/sectors",
    "/queries",
    "/network",
    "/flows",
    "/index.json",
    "/activities.json",
    "/organisations.json",
)
DG = "https://w3id.org/devgraph/ontology#"
RAW_SPARQL = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{DG}Activity> }}",
    f"SELECT ?c (COUNT(?a) AS ?n) WHERE {{ ?a <{DG}recipientCountry> ?c }} "
    "GROUP BY ?c ORDER BY DESC(?n)",
    f"SELECT ?a ?t WHERE {{ ?a a <{DG}Activity> ; <{DG}title> ?t }} ORDER BY ?t LIMIT 50",
    f"SELECT ?a ?t WHERE {{ ?a <{DG}title> ?t FILTER(CONTAINS(LCASE(STR(?t)), 'water')) }} "
    "LIMIT 20",
    f"CONSTRUCT {{ ?a <{DG}title> ?t }} WHERE {{ ?a a <{DG}Activity> ; <{DG}title> ?t }} LIMIT 100",
    "ASK { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
)


@dataclass
class Target:
    """One kind of request: its URLs and the Accept header to send."""

    kind: str
    urls: list[str]
    accept: str = "text/html"


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def run_cli(store: Path, *args: str) -> None:
    cmd = [sys.executable, "-m", "devgraph", "--store", str(store), *args]
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


def build_store(store: Path, samples: list[Path]) -> float:
    """Seeds + inferences + IATI samples, as `make load` and `devgraph load` would."""
    started = time.perf_counter()
    run_cli(store, "load", "-q", "ontology", "shapes", "data/ttl")
    run_cli(store, "reason", "--no-consistency")
    if samples:
        run_cli(store, "load", "-q", *map(str, samples))
    return time.perf_counter() - started


def fetch(port: int, path: str, accept: str = "text/html") -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=FETCH_TIMEOUT)
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Accept": accept})
        resp = conn.getresponse()
        return resp.status, resp.read(), time.perf_counter() - started
    except TimeoutError:
        return 0, b"", time.perf_counter() - started
    finally:
        conn.close()


FETCH_TIMEOUT = 300.0


def discover(
    port: int, per_kind: int, budget: float, *, with_slow: bool = False
) -> tuple[list[Target], dict[str, str]]:
    """What to request: the pages that answer within ``budget`` s, entity pages, named queries.

    A page slower than the budget on its own is left out of the mix (and reported): under
    N clients it would only measure that one page.
    """
    pages, excluded = [], {}
    for p in PAGES + (SLOW_PAGES if with_slow else ()):
        status, _body, took = fetch(port, p)
        if status == 200 and took <= budget:
            pages.append(p)
        else:
            excluded[p] = f"status {status} in {took:.1f} s"
    entities: list[str] = []
    for listing, prefix in (("/activities", "/activity/"), ("/organisations", "/organisation/")):
        status, body, _took = fetch(port, listing)
        if status == 200:
            links = re.findall(rf'href="({re.escape(prefix)}[^"?#]+)"', body.decode())
            entities += list(dict.fromkeys(links))[:per_kind]
    named: list[str] = []
    status, body, _took = fetch(port, "/queries.json", "application/json")
    if status == 200:
        for q in json.loads(body)["queries"]:
            url = f"/queries/{quote(q['name'])}.json"
            if q.get("params"):
                continue
            status, _body, took = fetch(port, url, "application/json")
            if status == 200 and took <= budget:
                named.append(url)
            else:
                excluded[url] = f"status {status} in {took:.1f} s"
    raw = [f"/sparql?{urlencode({'query': q})}" for q in RAW_SPARQL]
    targets = [
        Target("page", pages),
        Target("entity", entities),
        Target("named-query", named, "application/json"),
        Target("sparql", raw, "application/sparql-results+json, text/turtle;q=0.9"),
    ]
    return [t for t in targets if t.urls], excluded


def client_loop(
    port: int,
    targets: list[Target],
    weights: list[float],
    seed: int,
    deadline: float,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    rng = random.Random(seed)
    conn: http.client.HTTPConnection | None = None
    while time.perf_counter() < deadline:
        target = rng.choices(targets, weights)[0]
        url = rng.choice(target.urls)
        started = time.perf_counter()
        error = None
        try:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=120)
            conn.request("GET", url, headers={"Accept": target.accept})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or not body:
                error = f"{resp.status} {url[:120]}"
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc} {url[:120]}"
            if conn is not None:
                conn.close()
            conn = None
        took = time.perf_counter() - started
        with lock:
            if error:
                tally.errors.setdefault(target.kind, []).append(error)
            else:
                tally.latencies.setdefault(target.kind, []).append(took)
    if conn is not None:
        conn.close()


def summarise(tally: Tally, wall: float) -> dict[str, dict[str, float | int]]:
    kinds = sorted(set(tally.latencies) | set(tally.errors))
    everything = [t for k in kinds for t in tally.latencies.get(k, [])]
    out: dict[str, dict[str, float | int]] = {}
    for kind, values in [(k, tally.latencies.get(k, [])) for k in kinds] + [("all", everything)]:
        lat = sorted(values)
        errors = (
            sum(len(v) for v in tally.errors.values())
            if kind == "all"
            else len(tally.errors.get(kind, []))
        )
        out[kind] = {
            "requests": len(lat) + errors,
            "errors": errors,
            "rps": round(len(lat) / wall, 1) if wall else 0.0,
            "p50_ms": round(percentile(lat, 50) * 1000, 1),
            "p90_ms": round(percentile(lat, 90) * 1000, 1),
            "p99_ms": round(percentile(lat, 99) * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else float("nan"),
        }
    return out


def table(summary: dict[str, dict[str, float | int]]) -> str:
    lines = [
        "| kind | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, s in summary.items():
        lines.append(
            f"| {kind} | {s['requests']} | {s['errors']} | {s['rps']} | {s['p50_ms']} | "
            f"{s['p90_ms']} | {s['p99_ms']} | {s['max_ms']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--workers", type=int, default=4, help="query worker processes")
    parser.add_argument("--samples", default="default", help="'default', 'all' or 'none'")
    parser.add_argument(
        "--weights", default="35,25,20,20", help="page,entity,named-query,sparql weights"
    )
    parser.add_argument(
        "--page-budget", type=float, default=10.0, help="leave out pages slower than this (s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (store, log)")
    parser.add_argument("--with-slow", action="store_true", help="include SLOW_PAGES")
    parser.add_argument("--store", type=Path, help="reuse this store instead of building one")
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks" / "results" / "loadtest.json"
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="devgraph-loadtest-"))
    store = args.store or work / "store"
    build_s = 0.0
    if args.store is None:
        samples = {
            "default": [SAMPLES / n for n in DEFAULT_SAMPLES if (SAMPLES / n).exists()],
            "all": sorted(SAMPLES.glob("*.xml")),
            "none": [],
        }[args.samples]
        print(f"building the store: seeds + {len(samples)} IATI sample file(s) ...", flush=True)
        build_s = build_store(store, samples)
    port = free_port()
    server = Server(
        "devgraph",
        [
            sys.executable, "-m", "devgraph", "--store", str(store), "serve",
            "--host", HOST, "--port", str(port),
            "--threads", str(args.threads), "--workers", str(args.workers),
        ],
        port=port,
        path="/sparql",
        log=work / "serve.log",
        cwd=REPO,
    )  # fmt: skip
    server.start(timeout=120)
    try:
        targets, excluded = discover(
            port, per_kind=60, budget=args.page_budget, with_slow=args.with_slow
        )
        excluded.update({p: "slow page, see SLOW_PAGES" for p in SLOW_PAGES if not args.with_slow})
        for url, why in excluded.items():
            print(f"left out of the mix: {url} ({why})", flush=True)
        kinds = ("page", "entity", "named-query", "sparql")
        weight_of = dict(zip(kinds, map(float, args.weights.split(",")), strict=True))
        weights = [weight_of[t.kind] for t in targets]
        print(
            "targets: "
            + ", ".join(f"{t.kind} {len(t.urls)}" for t in targets)
            + f"; {args.clients} clients for {args.duration:g} s",
            flush=True,
        )
        tally, lock = Tally(), threading.Lock()
        deadline = time.perf_counter() + args.duration
        threads = [
            threading.Thread(
                target=client_loop,
                args=(port, targets, weights, seed, deadline, tally, lock),
                daemon=True,
            )
            for seed in range(args.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.duration + 180)
        wall = time.perf_counter() - started
        rss = server.rss_mb()
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    summary = summarise(tally, wall)
    result = {
        "clients": args.clients,
        "duration_s": round(wall, 1),
        "server": {"threads": args.threads, "workers": args.workers, "rss_mb": round(rss)},
        "store_build_s": round(build_s, 1),
        "targets": {t.kind: len(t.urls) for t in targets},
        "left_out": excluded,
        "summary": summary,
        "first_errors": {k: v[:10] for k, v in tally.errors.items()},
        "machine": machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(summary))
    for kind, errors in tally.errors.items():
        print(f"errors ({kind}): {errors[:5]}")
    print(f"written to {args.out}")
    return 1 if summary["all"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Every named query (queries/*.rq) on a synthetic portfolio, against COUNT baselines.

Why: a named query's seconds mean little on a shared 2-core machine; its ratio to a query
that any engine must answer — counting activities (an index lookup) and counting every
triple (one full pass) — measured in the same run does. Parameters are bound the way
``devgraph query NAME --param`` binds them (SPARQL substitution), to the synthetic
portfolio's first funder activity, its reporting organisation (as ?funder and ?provider), and
Senegal; a query whose parameters are all optional also runs unbound.

    .venv/bin/python benchmarks/bench_queries.py                      # 10 k activities
    .venv/bin/python benchmarks/bench_queries.py --activities 1000 --repeat 3   # quick

Writes ``results/queries-<N>.json``; p50 and p95 are over ``--repeat`` runs, each reading
every row. The load is followed by ``summaries.refresh`` (timed: it is what every load now
pays), and the portfolio-wide GROUP BYs that the ``totals-*``/``who-funds-whom`` queries
replace run as "raw:" rows, so the gain is read in the same run. ``--store-from DIR`` copies
a store already holding the portfolio (e.g. the one ``bench_endpoint.py`` built) instead of
loading the N-Quads again; ``--only REGEX`` keeps the matching rows.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the sibling modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox
from common import machine, percentile
from generate import generate

from devgraph import summaries
from devgraph.queries import NamedQuery, list_queries, run_query
from devgraph.store import EmbeddedStore

RESULTS = Path(__file__).resolve().parent / "results"
ACT = "https://w3id.org/devgraph/id/activity/"
BASELINES = {
    "baseline: count activities": (
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/devgraph/ontology#Activity> }"
    ),
    "baseline: count all triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}
_EUR = "<https://w3id.org/devgraph/codelist/Currency/EUR>"
_TX = f"""?tx dg:transactionType ?type ; dg:value ?value .
  ?value dg:amount ?amount ; dg:currency ?currency .
  OPTIONAL {{ ?value dg:convertedAmount ?c . ?c dg:currency ?cc ; dg:amount ?ceur
             FILTER (sameTerm(?cc, {_EUR})) }}
  BIND (IF(sameTerm(?currency, {_EUR}), ?amount, ?ceur) AS ?eur)"""
_SUMS = "(COUNT(?tx) AS ?n) (SUM(COALESCE(?eur, 0)) AS ?total) (SUM(IF(BOUND(?eur), 0, 1)) AS ?no)"
RAW = {  # what the precomputed totals answer, computed from the transactions at query time
    "raw: who funds whom (GROUP BY)": f"""PREFIX dg: <https://w3id.org/devgraph/ontology#>
SELECT ?provider ?receiver ?type {_SUMS} WHERE {{
  ?tx dg:providerOrganisation ?provider ; dg:receiverOrganisation ?receiver . {_TX}
}} GROUP BY ?provider ?receiver ?type ORDER BY DESC(?total)""",
    "raw: totals by funder (GROUP BY)": f"""PREFIX dg: <https://w3id.org/devgraph/ontology#>
SELECT ?provider ?type {_SUMS} WHERE {{
  ?tx dg:providerOrganisation ?provider . {_TX}
}} GROUP BY ?provider ?type ORDER BY DESC(?total)""",
    "raw: totals by country, whole amounts (GROUP BY)": f"""PREFIX dg: <https://w3id.org/devgraph/ontology#>
SELECT ?country ?type {_SUMS} WHERE {{
  ?activity dg:recipientCountry ?country ; dg:transaction ?tx . {_TX}
}} GROUP BY ?country ?type ORDER BY DESC(?total)""",
}


def parameters(store: EmbeddedStore) -> dict[str, ox.NamedNode | ox.Literal]:
    """Values for the named queries' parameters, taken from the loaded portfolio."""
    rows = store.query(
        "PREFIX dg: <https://w3id.org/devgraph/ontology#>\n"
        f"SELECT ?org WHERE {{ <{ACT}syn-0000000> dg:reportingOrganisation ?org }} LIMIT 1"
    )
    funder = next(iter(rows))["org"]  # type: ignore[call-overload, index]
    receivers = store.query(
        "PREFIX dg: <https://w3id.org/devgraph/ontology#>\n"
        f"SELECT ?r WHERE {{ ?tx dg:providerOrganisation {funder} ; "
        "dg:receiverOrganisation ?r } LIMIT 1"
    )
    receiver = next(iter(receivers))["r"]  # type: ignore[call-overload, index]
    return {
        "activity": ox.NamedNode(f"{ACT}syn-0000000"),
        "start": ox.NamedNode(f"{ACT}syn-0000000"),
        "country": ox.NamedNode("https://w3id.org/devgraph/id/place/SN"),
        "cc": ox.Literal("SN"),
        "funder": funder,
        "provider": funder,
        "receiver": receiver,
    }


def variants(
    params: dict[str, ox.NamedNode | ox.Literal],
) -> list[tuple[NamedQuery, str, dict[str, ox.NamedNode | ox.Literal]]]:
    """Each named query with its parameters bound; a query whose parameters are all optional
    (flows-transactions' ?provider) runs unbound too, because its bound form is a lookup (one
    organisation) and its unbound form a portfolio-wide listing: two different goals."""
    out = []
    for q in list_queries():
        bound = {p.name: params[p.name] for p in q.params if p.name in params}
        optional = bool(q.params) and all("(optional)" in p.description for p in q.params)
        label = f"{q.name} (one {'/'.join(bound)})" if optional and bound else q.name
        out.append((q, label, bound))
        if optional:
            out.append((q, f"{q.name} (all)", {}))
    return out


def consume(result: Any) -> int:
    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in result)


def timed(fn: Any, repeat: int) -> tuple[list[float], int]:
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = consume(fn())
        times.append(time.perf_counter() - t0)
    return sorted(times), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/devgraph-bench-validate"))
    parser.add_argument("--store-from", type=Path, help="Copy this store instead of loading.")
    parser.add_argument("--only", help="Run only the rows whose label matches this regex.")
    parser.add_argument("--raw-repeat", type=int, help="Runs of the raw: rows (default --repeat).")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    store_dir = args.workdir / f"queries-store-{args.activities}"
    shutil.rmtree(store_dir, ignore_errors=True)
    if args.store_from:
        shutil.copytree(args.store_from, store_dir)
        store = EmbeddedStore(store_dir)
        data = args.store_from
    else:
        data = args.workdir / f"portfolio-{args.activities}-42.nq"
        if not data.exists():
            generate(args.activities, seed=42, rdf=data)
        store = EmbeddedStore(store_dir)
        quads = ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS)
        graph = f"https://w3id.org/devgraph/graph/synthetic/{args.activities}-42"
        store.replace_graphs({graph: (q.triple for q in quads)})
    params = parameters(store)
    refresh = summaries.refresh(store)
    print(refresh.summary(), file=sys.stderr, flush=True)
    keep = re.compile(args.only) if args.only else None

    rows: list[dict[str, Any]] = []
    for name, text in {**BASELINES, **RAW}.items():
        if keep and name not in BASELINES and not keep.search(name):
            continue
        repeat = args.raw_repeat or args.repeat if name in RAW else args.repeat
        times, n = timed(lambda t=text: store.query(t), repeat)
        rows.append(
            {
                "query": name,
                "rows": n,
                "p50_s": statistics.median(times),
                "p95_s": percentile(times, 95),
            }
        )
        print(f"{name:<40} {rows[-1]['p50_s']:8.3f} s", file=sys.stderr, flush=True)
    base = rows[1]["p50_s"]
    for q, label, bound in variants(params):
        if keep and not keep.search(label):
            continue
        times, n = timed(lambda q=q, b=bound: run_query(store, q, b), args.repeat)
        rows.append(
            {
                "query": label,
                "rows": n,
                "params": {k: str(v) for k, v in bound.items()},
                "p50_s": statistics.median(times),
                "p95_s": percentile(times, 95),
            }
        )
        print(f"{label:<40} {rows[-1]['p50_s']:8.3f} s", file=sys.stderr, flush=True)
    for r in rows:
        r["per_count_all"] = r["p50_s"] / base
    print(f"{'query':<40} {'rows':>7} {'p50 ms':>9} {'p95 ms':>9} {'×COUNT(*)':>10}")
    for r in rows:
        print(
            f"{r['query']:<40} {r['rows']:>7} {1000 * r['p50_s']:9.1f} "
            f"{1000 * r['p95_s']:9.1f} {r['per_count_all']:10.3f}"
        )
    store.close()
    shutil.rmtree(store_dir, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"queries-{args.activities}.json"
    out.write_text(
        json.dumps(
            {
                "machine": machine(),
                "activities": args.activities,
                "triples_file": data.name,
                "refresh_summaries_s": round(refresh.seconds, 2),
                "summary_rows": refresh.rows,
                "summary_triples": refresh.triples,
                "transactions": refresh.transactions,
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

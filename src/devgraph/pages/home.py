"""The home page: the portfolio at a glance.

Funding is each activity's total budget in EUR (:mod:`devgraph.pages.amounts`). By
country, an activity's budget is split by its stated country shares, or evenly between its
recipient countries when no share is stated; by funder, the budget of every activity a
funder funds counts in full (an activity with two funders appears under both, so that
column is not summed). Where transactions name who paid whom, the funder table also shows
the disbursements in EUR from the who-funds-whom flow graph.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from devgraph import load
from devgraph.namespaces import META_GRAPH
from devgraph.network.flows import pair_totals
from devgraph.pages.amounts import activity_totals
from devgraph.pages.cache import cached, flows
from devgraph.pages.labels import labels_for, number, select, value
from devgraph.store import GraphStore

LATEST_SOURCES = 10


def _country_split(store: GraphStore) -> dict[str, dict[str, Decimal]]:
    """Per activity: country → fraction of its budget."""
    stated: dict[str, dict[str, Decimal]] = defaultdict(dict)
    plain: dict[str, set[str]] = defaultdict(set)
    for r in select(store, "activity_places"):
        a, c, pct = str(value(r["activity"])), str(value(r["country"])), number(r.get("percentage"))
        if pct is not None:
            stated[a][c] = pct / 100
        else:
            plain[a].add(c)
    out = {}
    for a in set(stated) | set(plain):
        if stated.get(a):
            out[a] = stated[a]
        else:
            out[a] = {c: Decimal(1) / len(plain[a]) for c in plain[a]}
    return out


def home_page(store: GraphStore, *, lang: str = "en") -> dict[str, object]:
    """Counts, funding by country and by funder (EUR), graphs and the latest loaded sources.

    Computed once per store state and language (it reads the whole store).
    """
    return cached(store, f"home:{lang}", lambda s: _home(s, lang))


def _home(store: GraphStore, lang: str) -> dict[str, object]:
    counts_row = select(store, "home_counts")[0]
    counts = {
        k: int(value(counts_row.get(k)) or 0)
        for k in ("activities", "organisations", "countries", "sectors")
    }
    graphs = [g for g in store.graphs() if g.iri != META_GRAPH]
    counts["graphs"] = len(graphs)
    counts["triples"] = sum(g.triples for g in graphs)
    totals = {a: Decimal(str(v)) for a, v in activity_totals(store).items()}

    by_country: dict[str, Decimal] = defaultdict(Decimal)
    activities_in: dict[str, set[str]] = defaultdict(set)
    for a, shares in _country_split(store).items():
        for country, fraction in shares.items():
            activities_in[country].add(a)
            if a in totals:
                by_country[country] += totals[a] * fraction
    funded: dict[str, set[str]] = defaultdict(set)
    for r in select(store, "funders"):
        funded[str(value(r["org"]))].add(str(value(r["activity"])))
    disbursed: dict[str, float] = defaultdict(float)
    for (source, _target), t in pair_totals(flows(store).edges).items():
        if t["disbursed_eur"]:  # inferred (role-based) edges carry no money
            disbursed[source] += float(t["disbursed_eur"])  # type: ignore[arg-type]
            funded.setdefault(source, set())
    funded = {o: acts for o, acts in funded.items() if acts or disbursed.get(o)}
    labels = labels_for(store, set(activities_in) | set(funded), lang)
    return {
        "counts": counts,
        "budget_eur": float(sum(totals.values(), Decimal(0))),
        "funding_by_country": sorted(
            (
                {
                    "iri": c,
                    "label": labels[c],
                    "activities": len(activities_in[c]),
                    "budget_eur": round(float(by_country[c]), 2) if c in by_country else None,
                }
                for c in activities_in
            ),
            key=lambda row: (-(row["budget_eur"] or 0), row["label"]),
        ),
        "funding_by_funder": sorted(
            (
                {
                    "iri": o,
                    "label": labels[o],
                    "activities": len(acts),
                    "budget_eur": round(
                        float(sum((totals[a] for a in acts if a in totals), Decimal(0))), 2
                    ),
                    "disbursed_eur": round(disbursed[o], 2) if o in disbursed else None,
                }
                for o, acts in funded.items()
            ),
            key=lambda row: (-(row["budget_eur"] or 0), row["label"]),
        ),
        "graphs": [{"iri": g.iri, "triples": g.triples} for g in graphs],
        "sources": list(load.iter_sources(store))[:LATEST_SOURCES],
    }

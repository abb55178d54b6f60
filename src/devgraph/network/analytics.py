"""Partner-network analytics with networkx: centralities, communities, overlap, 3W/4W.

Betweenness is exact on small graphs and sampled (``k`` pivots, fixed seed) above
``sample_above`` nodes: exact betweenness of a 100 k-activity portfolio takes about half an
hour here, a 100-pivot sample seconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import pyoxigraph as ox

from devgraph.namespaces import DG, SKOS
from devgraph.network.flows import FlowGraph
from devgraph.store import GraphStore


@dataclass(frozen=True)
class Centrality:
    iri: str
    label: str
    in_degree: int
    out_degree: int
    betweenness: float
    pagerank: float


def centralities(
    fg: FlowGraph, *, sample_above: int = 1000, k: int = 100, seed: int = 0
) -> list[Centrality]:
    """Degree, betweenness and PageRank of every organisation, highest PageRank first."""
    g = fg.weighted_graph()
    if g.number_of_nodes() == 0:
        return []
    if g.number_of_nodes() > sample_above:
        between = nx.betweenness_centrality(g, k=min(k, g.number_of_nodes()), seed=seed)
    else:
        between = nx.betweenness_centrality(g)
    rank = pagerank(g)
    rows = [
        Centrality(n, fg.label(n), g.in_degree(n), g.out_degree(n), between[n], rank[n]) for n in g
    ]
    return sorted(rows, key=lambda c: (-c.pagerank, c.label))


def pagerank(
    g: nx.DiGraph, *, alpha: float = 0.85, tol: float = 1.0e-6, max_iter: int = 100
) -> dict[str, float]:
    """Weighted PageRank by power iteration, in pure Python (networkx's defaults).

    networkx's ``pagerank`` needs numpy and scipy, which devgraph does not depend on; this
    is the textbook iteration (dangling nodes spread their rank evenly), linear in edges,
    stopping when the L1 change falls under ``n * tol`` as networkx does.
    """
    nodes = list(g)
    n = len(nodes)
    out_weight = dict.fromkeys(nodes, 0.0)
    edges = [(u, v, float(d.get("weight", 1.0))) for u, v, d in g.edges(data=True)]
    for u, _, w in edges:
        out_weight[u] += w
    shares = [(u, v, w / out_weight[u]) for u, v, w in edges]
    dangling_nodes = [u for u in nodes if out_weight[u] == 0]
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        base = (1.0 - alpha) / n + alpha * sum(rank[u] for u in dangling_nodes) / n
        new = dict.fromkeys(nodes, base)
        for u, v, share in shares:
            new[v] += alpha * rank[u] * share
        if sum(abs(new[u] - rank[u]) for u in nodes) < n * tol:
            return new
        rank = new
    return rank


def communities(fg: FlowGraph, *, seed: int = 0) -> list[set[str]]:
    """Louvain communities of the undirected partner network (funding and co-implementation)."""
    g = nx.Graph()
    g.add_edges_from((e.source, e.target) for e in fg.edges)
    for orgs in fg.partners.values():
        g.add_edges_from(combinations(sorted(orgs), 2))
    if g.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(g, seed=seed)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), sorted(c)))


@dataclass(frozen=True)
class Overlap:
    a: str
    b: str
    shared: tuple[str, ...]
    """Activities both implement (IATI role 3 or 4)."""
    jaccard: float


def partner_overlap(fg: FlowGraph) -> list[Overlap]:
    """Pairs of organisations co-implementing activities, most shared activities first."""
    by_org: dict[str, set[str]] = defaultdict(set)
    for activity, orgs in fg.partners.items():
        for org, role in orgs.items():
            if role in ("3", "4"):
                by_org[org].add(activity)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for activity, orgs in fg.partners.items():
        doers = sorted(o for o, role in orgs.items() if role in ("3", "4"))
        for a, b in combinations(doers, 2):
            pairs[(a, b)].add(activity)
    out = [
        Overlap(a, b, tuple(sorted(acts)), len(acts) / len(by_org[a] | by_org[b]))
        for (a, b), acts in pairs.items()
    ]
    return sorted(out, key=lambda o: (-len(o.shared), o.a, o.b))


@dataclass(frozen=True)
class Cell:
    """One who-does-what-where-when row."""

    region: str
    region_label: str
    sector: str
    sector_label: str
    organisation: str
    organisation_label: str
    year: str
    activities: tuple[str, ...]


@dataclass
class Matrix3W:
    cells: list[Cell]
    overlaps: list[tuple[str, str, tuple[str, ...]]]
    """(region, sector, organisations): more than one organisation does the same thing there."""
    gaps: list[tuple[str, str]]
    """(region, sector): a sector active in the country, absent from that region."""


_3W = f"""PREFIX dg: <{DG}>
PREFIX skos: <{SKOS}>
SELECT ?cc ?activity ?region ?regionName ?sector ?sectorLabel ?org ?orgName ?start ?end WHERE {{
  ?activity dg:recipientCountry ?country ; dg:participation ?p .
  ?country dg:isoCode ?cc .
  ?p dg:participant ?org ; dg:role ?role .
  FILTER (?role IN (<https://w3id.org/devgraph/codelist/OrganisationRole/3>,
                    <https://w3id.org/devgraph/codelist/OrganisationRole/4>))
  OPTIONAL {{
    ?activity dg:location/dg:locationPlace ?here .
    ?here dg:within* ?region . ?region a dg:AdminArea1 ; dg:within ?country .
  }}
  OPTIONAL {{ ?region dg:name ?regionName }}
  OPTIONAL {{ ?activity dg:sector ?sector OPTIONAL {{ ?sector skos:prefLabel ?sectorLabel
              FILTER (LANGMATCHES(LANG(?sectorLabel), "en")) }} }}
  OPTIONAL {{ ?org dg:name ?orgName }}
  OPTIONAL {{ ?activity dg:plannedStart|dg:actualStart ?start }}
  OPTIONAL {{ ?activity dg:plannedEnd|dg:actualEnd ?end }}
}}"""


def matrix_3w(store: GraphStore, *, country: str | None = None) -> Matrix3W:
    """Region × sector × organisation × year, with overlaps and gaps.

    Region is the first-level administrative area of the activity's locations (the country
    itself when none is known); years run from the start year to the end year.
    """
    bindings = {"cc": ox.Literal(country)} if country else None
    rows = store.query(_3W, bindings=bindings)
    assert isinstance(rows, ox.QuerySolutions)
    found: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for r in rows:
        region = r["region"].value if r["region"] is not None else "(whole country)"
        sector = r["sector"].value.rsplit("/", 1)[-1] if r["sector"] is not None else ""
        org = r["org"].value
        for key, term in (
            (region, r["regionName"]),
            (sector, r["sectorLabel"]),
            (org, r["orgName"]),
        ):
            if term is not None:
                labels.setdefault(key, term.value)
        for year in _years(r["start"], r["end"]):
            found[(region, sector, org, year)].add(r["activity"].value)
    cells = [
        Cell(
            reg,
            labels.get(reg, reg),
            sec,
            labels.get(sec, sec),
            org,
            labels.get(org, org),
            y,
            tuple(sorted(acts)),
        )
        for (reg, sec, org, y), acts in sorted(found.items())
    ]
    who: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in cells:
        who[(c.region, c.sector)].add(c.organisation)
    overlaps = [(r, s, tuple(sorted(o))) for (r, s), o in sorted(who.items()) if len(o) > 1]
    regions = {c.region for c in cells if c.region != "(whole country)"}
    sectors = {c.sector for c in cells if c.sector}
    gaps = sorted((r, s) for r in regions for s in sectors if (r, s) not in who)
    return Matrix3W(cells, overlaps, gaps)


def _years(start: object, end: object) -> list[str]:
    """Every year from start to end (one year when only one is known; none when neither)."""
    first = int(start.value[:4]) if start is not None else None  # type: ignore[attr-defined]
    last = int(end.value[:4]) if end is not None else None  # type: ignore[attr-defined]
    if first is None and last is None:
        return [""]
    first = first if first is not None else last
    last = last if last is not None else first
    assert first is not None and last is not None
    return [str(y) for y in range(first, max(first, last) + 1)]

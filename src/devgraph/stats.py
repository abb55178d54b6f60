"""Portfolio counts for ``devgraph stats`` and the home page."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from devgraph.namespaces import DG, META_GRAPH, RDF
from devgraph.store import GraphStore


@dataclass(frozen=True)
class Stats:
    triples: int
    graphs: int
    classes: dict[str, int]
    """Instances per devgraph class (local name → count), largest first."""


def compute(store: GraphStore) -> Stats:
    """Count triples, graphs and instances of each ``dg:`` class (one pass each)."""
    infos = store.graphs()
    rows = store.query(
        f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              ?s <{RDF}type> ?c . FILTER(STRSTARTS(STR(?c), "{DG}")) }}
            GROUP BY ?c ORDER BY DESC(?n) ?c"""
    )
    assert isinstance(rows, ox.QuerySolutions)
    classes = {r["c"].value[len(DG) :]: int(r["n"].value) for r in rows}
    data = [g for g in infos if g.iri != META_GRAPH]
    return Stats(triples=sum(g.triples for g in data), graphs=len(data), classes=classes)

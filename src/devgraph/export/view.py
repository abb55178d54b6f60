"""A read-only view of the part of the graph one export needs: subjects → properties.

Why a view and not one SPARQL query per element: an activity is a tree of sub-nodes
(participations, transactions, values, results …) plus the organisations and places it names.
The view fetches that tree breadth-first, one ``VALUES`` query per level for a whole batch of
activities, and the XML writers then walk plain dictionaries. Only data graphs are read: the
provenance graph and derived graphs (``graph:inferred``, ``graph:money``, the totals under
``graph:summary``) would add facts the publisher never stated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox

from devgraph.namespaces import (
    CODELIST,
    DG,
    GRAPH,
    INFERRED_GRAPH,
    META_GRAPH,
    STAGING_GRAPH,
    is_summary_graph,
)
from devgraph.store import GraphStore

__all__ = ["DERIVED_GRAPHS", "View", "data_graphs"]

DERIVED_GRAPHS = frozenset({META_GRAPH, INFERRED_GRAPH, GRAPH + "money"})
"""Derived graphs an export leaves out, besides the summaries (``is_summary_graph``)."""
_SAFE_IRI = re.compile(r'^[^<>"{}|^`\\\s]+$')
_BATCH = 400
Term = ox.NamedNode | ox.Literal | ox.BlankNode
# Links to nodes described elsewhere: fetched one level deep (names, codes), never followed.
_REFERENCE_PROPS = frozenset(
    DG + p
    for p in (
        "participant",
        "reportingOrganisation",
        "providerOrganisation",
        "receiverOrganisation",
        "recipientCountry",
        "recipientRegion",
        "country",
        "locationPlace",
    )
)
_NEVER = frozenset(
    DG + p
    for p in (
        "source",
        "mentionedIn",
        "relatedActivity",
        "relatedTo",
        "participantActivity",
        "providerActivity",
        "receiverActivity",
        "within",
    )
)


def data_graphs(store: GraphStore) -> list[str]:
    """Named graphs holding published facts (not provenance, inferences or conversions)."""
    return [
        g.iri
        for g in store.graphs()
        if g.iri not in DERIVED_GRAPHS
        and not is_summary_graph(g.iri)
        and not g.iri.startswith(STAGING_GRAPH)
    ]


class View:
    """Properties of the subjects reachable from some roots, as ``{s: {p: [o, …]}}``."""

    def __init__(self, store: GraphStore, *, graphs: list[str] | None = None) -> None:
        self.store = store
        self.graphs = graphs if graphs is not None else data_graphs(store)
        self.props: dict[str, dict[str, list[Term]]] = {}
        self.mentions: dict[str, int] = {}
        """How many times the writers have named each organisation (see ``org_element``)."""

    def fetch(self, roots: Iterable[str]) -> None:
        """Fetch ``roots`` and everything they own; organisations and places one level deep."""
        frontier = [r for r in dict.fromkeys(roots) if r not in self.props]
        shallow: set[str] = set()
        while frontier:
            found = self._describe(frontier)
            nxt: list[str] = []
            queued: set[str] = set()
            for s in frontier:
                self.props[s] = found.get(s, {})
                if s in shallow:
                    continue
                for p, objects in self.props[s].items():
                    if p in _NEVER:
                        continue
                    for o in objects:
                        if not isinstance(o, ox.NamedNode) or o.value.startswith(CODELIST):
                            continue
                        if o.value in self.props or o.value in queued:
                            continue
                        if p in _REFERENCE_PROPS:
                            shallow.add(o.value)
                        queued.add(o.value)
                        nxt.append(o.value)
            frontier = nxt

    def _describe(self, subjects: list[str]) -> dict[str, dict[str, list[Term]]]:
        out: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        seen: set[tuple[str, str, Term]] = set()
        if not self.graphs:
            return out
        for start in range(0, len(subjects), _BATCH):
            chunk = [s for s in subjects[start : start + _BATCH] if _SAFE_IRI.match(s)]
            values = " ".join(f"<{s}>" for s in chunk)
            rows = self.store.query(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}",
                default_graphs=self.graphs,
            )
            assert isinstance(rows, ox.QuerySolutions)
            for row in rows:
                s, p, o = row["s"].value, row["p"].value, row["o"]
                if (s, p, o) not in seen:  # the same fact stated in two graphs counts once
                    seen.add((s, p, o))
                    out[s][p].append(o)
        return out

    def owned(self, root: str) -> list[str]:
        """``root`` and the nodes under its IRI reachable from it (its sub-tree)."""
        out, stack, prefix = [], [root], root + "/"
        seen = {root}
        while stack:
            s = stack.pop()
            out.append(s)
            for objects in self.props.get(s, {}).values():
                for o in objects:
                    if isinstance(o, ox.NamedNode) and o.value.startswith(prefix):
                        if o.value not in seen:
                            seen.add(o.value)
                            stack.append(o.value)
        return out

    # --- accessors ---------------------------------------------------------------------
    def objects(self, s: str, prop: str) -> list[Term]:
        return self.props.get(s, {}).get(DG + prop, [])

    def iris(self, s: str, prop: str) -> list[str]:
        """IRIs a property points to, in document order when the importer numbered them."""
        return sorted(
            (o.value for o in self.objects(s, prop) if isinstance(o, ox.NamedNode)), key=order_key
        )

    def iri(self, s: str, prop: str) -> str | None:
        found = self.iris(s, prop)
        return found[0] if found else None

    def literal(self, s: str, prop: str) -> ox.Literal | None:
        for o in self.objects(s, prop):
            if isinstance(o, ox.Literal):
                return o
        return None

    def text(self, s: str, prop: str) -> str | None:
        lit = self.literal(s, prop)
        return lit.value if lit is not None else None

    def literals(self, s: str, prop: str) -> list[ox.Literal]:
        return sorted(
            (o for o in self.objects(s, prop) if isinstance(o, ox.Literal)),
            key=lambda lit: (lit.language or "", lit.value),
        )


_NUMBERED = re.compile(r"/(\d+)$")


@lru_cache(maxsize=1 << 16)
def order_key(iri: str) -> tuple[str, int, str]:
    """Sort ``…/kind/10`` after ``…/kind/9``: the importer numbers sub-nodes in document order."""
    m = _NUMBERED.search(iri)
    if m:
        return (iri[: m.start()], int(m.group(1)), iri)
    return (iri, 0, iri)

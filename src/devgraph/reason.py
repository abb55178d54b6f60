"""Reasoning: the entailments users need, materialised by SPARQL rules on the store.

owlrl computes whole RDFS/OWL-RL closures and is far too slow beyond toy data (its RDFS
closure of a 1 k-activity portfolio took minutes here), so devgraph runs a handful of
CONSTRUCT rules (``src/devgraph/rules/*.rq``: class and property hierarchy, role
shortcuts, transitive containment and sub-organisation, DAC sector roll-up) to a
fixpoint and writes what they derive into one named graph, ``graph:inferred``.

Each rule only derives triples not already in the data (``FILTER NOT EXISTS``): the
union default graph counts a triple once per graph that holds it, so duplicates would
inflate counts. Consistency is a separate, heavier check by HermiT (owlready2) in
:mod:`devgraph.owl`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from devgraph.namespaces import INFERRED_GRAPH, META_GRAPH, STAGING_GRAPH, is_summary_graph
from devgraph.queries import NamedQuery, list_queries
from devgraph.store import GraphStore, StoreError

RULES_DIR = Path(__file__).parent / "rules"


@dataclass
class MaterialiseReport:
    """How many new triples each rule derived, and in how many rounds."""

    derived: dict[str, int] = field(default_factory=dict)
    rounds: int = 0

    @property
    def total(self) -> int:
        return sum(self.derived.values())


def rules(directory: Path | None = None) -> list[NamedQuery]:
    """The rule files, in name order (the order they run in each round)."""
    found = list_queries(directory or RULES_DIR)
    for rule in found:
        if rule.form != "CONSTRUCT":
            raise StoreError(f"rule {rule.name} is not a CONSTRUCT query")
    return found


def materialise(
    store: GraphStore,
    *,
    max_rounds: int = 10,
    progress: Callable[[str], None] | None = None,
) -> MaterialiseReport:
    """Recompute ``graph:inferred`` from the current data, atomically.

    Rules see the data graphs plus a staging graph that collects this run's
    inferences, so later rules and rounds build on earlier ones; the previous
    inferred graph is ignored, so stale inferences from changed data disappear.
    """
    say = progress or (lambda _msg: None)
    # The summaries are totals over the data: nothing follows from them, and at 100 k
    # activities they are ~1 M triples the rules would scan for nothing.
    data_graphs = [
        g.iri
        for g in store.graphs()
        if g.iri not in (INFERRED_GRAPH, META_GRAPH) and not is_summary_graph(g.iri)
    ]
    stage = f"{STAGING_GRAPH}inferred-{uuid.uuid4().hex}"
    report = MaterialiseReport()
    inferred: list[ox.Triple] = []
    all_rules = rules()
    try:
        for round_no in range(1, max_rounds + 1):
            new_this_round = 0
            for rule in all_rules:
                result = store.query(rule.text, default_graphs=[*data_graphs, stage])
                triples = list(dict.fromkeys(result))  # a CONSTRUCT may repeat a triple
                if triples:
                    store.load(_ntriples(triples), format="ntriples", graph=stage)
                    inferred.extend(triples)
                report.derived[rule.name] = report.derived.get(rule.name, 0) + len(triples)
                new_this_round += len(triples)
                say(f"round {round_no}: {rule.name} derived {len(triples)}")
            report.rounds = round_no
            if new_this_round == 0:
                break
        else:
            raise StoreError(f"rules still deriving new triples after {max_rounds} rounds")
        store.replace_graphs({INFERRED_GRAPH: inferred}, then=f"DROP SILENT GRAPH <{stage}>")
    except BaseException:
        store.drop_graph(stage)
        raise
    return report


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def data_graphs(store: GraphStore) -> list[str]:
    """Named graphs holding portfolio data: not the ontology, shapes, codelists or bookkeeping.

    Graphs are told apart by what they declare (an owl:Ontology, SHACL shapes, a SKOS concept
    scheme), not by file names, so data loaded from anywhere is recognised.
    """
    rows = store.query(
        """SELECT DISTINCT ?g WHERE { GRAPH ?g {
             { ?x a <http://www.w3.org/2002/07/owl#Ontology> }
             UNION { ?x a <http://www.w3.org/ns/shacl#NodeShape> }
             UNION { ?x a <http://www.w3.org/ns/shacl#PropertyShape> }
             UNION { ?x a <http://www.w3.org/2004/02/skos/core#ConceptScheme> } } }"""
    )
    schema = {r["g"].value for r in rows}
    return [
        g.iri
        for g in store.graphs()
        if g.iri not in schema
        and g.iri not in (META_GRAPH, INFERRED_GRAPH)
        and not is_summary_graph(g.iri)
    ]


def check_store_consistency(store: GraphStore, *, ontology_dir: Path | None = None):
    """HermiT over the ontology (with its alignments) plus the store's data graphs."""
    import io

    from devgraph import owl

    folder = ontology_dir or Path(__file__).resolve().parents[2] / "ontology"
    graph = owl.load_ontology(folder)
    for iri in data_graphs(store):
        buffer = io.BytesIO()
        store.dump(buffer, format="ntriples", graph=iri)
        graph.parse(data=buffer.getvalue(), format="nt")
    return owl.check_consistency(graph)

"""OWL 2 reasoning over devgraph graphs with HermiT (through owlready2).

Why this module exists: the ontology is written in Turtle and spread over modules that
``owl:imports`` each other by IRI, but owlready2 reads neither Turtle nor offline imports.
So the modules are resolved through the local XML catalog (``ontology/catalog-v001.xml``)
and merged with rdflib, the merged graph is handed to owlready2 as N-Triples in a fresh
``World``, and HermiT checks it. The reasoning part (:func:`check_consistency`) is plain
library code that ``devgraph reason`` and the tests call alike.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

__all__ = [
    "ONTOLOGY_IRI",
    "ALIGNED_ONTOLOGY_IRI",
    "ConsistencyResult",
    "read_catalog",
    "load_ontology",
    "check_consistency",
]

ONTOLOGY_IRI = "https://w3id.org/devgraph/ontology"
ALIGNED_ONTOLOGY_IRI = "https://w3id.org/devgraph/ontology/aligned"
_CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
_OWL_NS = str(OWL)


@dataclass(frozen=True)
class ConsistencyResult:
    """Outcome of one HermiT run.

    ``inferred_types`` lists (individual IRI, class IRI) pairs that follow from the graph but
    were not asserted in it (domains, ranges, subclasses, defined classes), sorted; it is
    empty when the graph is inconsistent, since then everything follows.
    ``unsatisfiable_classes`` lists classes that can have no member (equivalent to
    owl:Nothing): a modelling error even when no individual exposes it yet.
    """

    consistent: bool
    inferred_types: list[tuple[str, str]] = field(default_factory=list)
    unsatisfiable_classes: list[str] = field(default_factory=list)
    message: str = ""


def read_catalog(catalog: Path) -> dict[str, Path]:
    """Map ontology IRIs to local files from an OASIS XML catalog (Protégé's format).

    The catalog is what lets ``owl:imports`` resolve without the network.
    """
    root = ET.parse(catalog).getroot()
    mapping: dict[str, Path] = {}
    for uri in root.iter(f"{_CATALOG_NS}uri"):
        mapping[uri.attrib["name"]] = (catalog.parent / uri.attrib["uri"]).resolve()
    return mapping


def load_ontology(
    ontology_dir: Path, *, iri: str = ONTOLOGY_IRI, catalog: Path | None = None
) -> rdflib.Graph:
    """Parse the ontology ``iri`` and everything it imports, transitively, into one graph.

    Imports are resolved through the catalog only; an import the catalog does not map is an
    error, because silently skipping it would reason over half an ontology.
    """
    mapping = read_catalog(catalog or ontology_dir / "catalog-v001.xml")
    graph = rdflib.Graph()
    pending, seen = [iri], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current not in mapping:
            raise LookupError(f"owl:imports {current} is not mapped in the catalog")
        part = rdflib.Graph().parse(mapping[current], format="turtle")
        graph += part
        pending.extend(str(o) for o in part.objects(rdflib.URIRef(current), OWL.imports))
    return graph


def _asserted_types(graph: rdflib.Graph) -> set[tuple[str, str]]:
    return {
        (str(s), str(o))
        for s, o in graph.subject_objects(RDF.type)
        if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)
    }


def check_consistency(
    graph: rdflib.Graph, *, ignore_unsupported_datatypes: bool = True
) -> ConsistencyResult:
    """Run HermiT on ``graph`` (ontology and/or data) and report consistency and new types.

    ``ignore_unsupported_datatypes`` is on by default because devgraph data uses xsd:date and
    xsd:gYear, which are not in the OWL 2 datatype map: HermiT would otherwise refuse the
    whole graph. A Java failure other than inconsistency is raised (owlready2's
    ``OwlReadyJavaError``), since it says nothing about the graph.
    """
    # Imported here only: importing owlready2 creates its default quadstore, which the rest of
    # devgraph (loading, querying) never needs.
    import owlready2
    from owlready2.base import OwlReadyInconsistentOntologyError

    # owlready2 would try to fetch every owl:imports from the web; the caller already merged
    # what it wants reasoned over, so imports are dropped from the copy handed over.
    copy = rdflib.Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    ntriples = copy.serialize(format="nt", encoding="utf-8")

    world = owlready2.World()
    try:
        onto = world.get_ontology("https://w3id.org/devgraph/check#")
        onto.load(fileobj=io.BytesIO(ntriples), format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(
                world,
                infer_property_values=False,
                debug=0,
                ignore_unsupported_datatypes=ignore_unsupported_datatypes,
            )
        except OwlReadyInconsistentOntologyError:
            return ConsistencyResult(
                consistent=False,
                message="HermiT: the graph is inconsistent (no model satisfies its axioms)",
            )
        nodes = {str(node) for node in graph.all_nodes() if isinstance(node, rdflib.URIRef)}
        entailed: set[tuple[str, str]] = set()
        # world.individuals() only lists declared individuals; data subjects are usually typed
        # by the reasoner alone, so read every type triple back from the quadstore instead.
        for subject, cls in world.sparql("SELECT ?s ?c WHERE { ?s a ?c . FILTER(isIRI(?s)) }"):
            if not isinstance(cls, owlready2.ThingClass) or not hasattr(subject, "iri"):
                continue
            if subject.iri not in nodes:
                continue  # owlready2's own bookkeeping resources
            for ancestor in cls.ancestors():
                if not ancestor.iri.startswith(_OWL_NS):
                    entailed.add((subject.iri, ancestor.iri))
        inferred = sorted(entailed - _asserted_types(graph))
        unsatisfiable = sorted(
            cls.iri for cls in world.inconsistent_classes() if not cls.iri.startswith(_OWL_NS)
        )
        return ConsistencyResult(
            consistent=True,
            inferred_types=inferred,
            unsatisfiable_classes=unsatisfiable,
            message=(
                f"HermiT: consistent; {len(inferred)} inferred class memberships, "
                f"{len(unsatisfiable)} unsatisfiable classes"
            ),
        )
    finally:
        world.close()

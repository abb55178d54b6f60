"""HermiT (through owlready2) on the whole ontology with all alignments.

Why: alignments add subclass/subproperty axioms over external terms, and disjointness axioms
can quietly make classes empty; only a reasoner sees that. The negative tests prove the check
can fail.
"""

from __future__ import annotations

import io
from pathlib import Path

import owlready2
import pytest
import rdflib
from owlready2.base import OwlReadyInconsistentOntologyError
from rdflib.namespace import OWL, RDF

from devgraph.owl import ALIGNED_ONTOLOGY_IRI, check_consistency, load_ontology

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
DGM = "https://w3id.org/devgraph/ontology/"
EXPECTED_ONTOLOGIES = {
    "https://w3id.org/devgraph/ontology",
    "https://w3id.org/devgraph/ontology/aligned",
    *(DGM + m for m in ("core", "finance", "results", "geography", "people", "documents")),
    *(
        DGM + "alignments/" + a
        for a in ("iati", "org", "prov", "geosparql", "skos", "frapo", "schema")
    ),
}


@pytest.fixture(scope="module")
def aligned() -> rdflib.Graph:
    return load_ontology(ONTOLOGY_DIR, iri=ALIGNED_ONTOLOGY_IRI)


def test_loaded_every_module_and_alignment(aligned: rdflib.Graph) -> None:
    found = {str(s) for s in aligned.subjects(RDF.type, OWL.Ontology)}
    assert found == EXPECTED_ONTOLOGIES


def test_ontology_with_alignments_is_consistent(aligned: rdflib.Graph) -> None:
    result = check_consistency(aligned)
    assert result.consistent, result.message
    assert result.unsatisfiable_classes == []


def test_unsatisfiable_class_is_reported(aligned: rdflib.Graph) -> None:
    broken = rdflib.Graph().parse(
        data="""
        @prefix dg: <https://w3id.org/devgraph/ontology#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://example.org/ActivityOrganisation> a owl:Class ;
            rdfs:subClassOf dg:Activity , dg:Organisation .
        """,
        format="turtle",
    )
    result = check_consistency(aligned + broken)
    assert result.consistent
    assert result.unsatisfiable_classes == ["https://example.org/ActivityOrganisation"]


def test_owlready2_raises_on_an_inconsistent_individual(aligned: rdflib.Graph) -> None:
    """The raw owlready2 route: one IRI typed both dg:Activity and dg:Organisation."""
    bad = rdflib.Graph().parse(
        data="""
        @prefix dg: <https://w3id.org/devgraph/ontology#> .
        <https://w3id.org/devgraph/id/activity/both> a dg:Activity , dg:Organisation .
        """,
        format="turtle",
    )
    graph = aligned + bad
    graph.remove((None, OWL.imports, None))  # owlready2 would fetch imports from the web
    world = owlready2.World()
    try:
        onto = world.get_ontology("https://w3id.org/devgraph/check#")
        onto.load(fileobj=io.BytesIO(graph.serialize(format="nt", encoding="utf-8")))
        with pytest.raises(OwlReadyInconsistentOntologyError):
            owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    finally:
        world.close()

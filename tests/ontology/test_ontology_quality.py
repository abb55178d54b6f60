"""Quality checks on the OWL ontology itself (ODK/SOSA style): QC queries, imports, contract.

Every check first asserts it found its input, so a wrong glob cannot pass silently.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD

from devgraph.owl import ONTOLOGY_IRI, read_catalog

REPO = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = REPO / "ontology"
QC_DIR = ONTOLOGY_DIR / "qc"
CONTRACT = REPO / "docs" / "vocabulary-contract.md"
DG = rdflib.Namespace("https://w3id.org/devgraph/ontology#")
DGM = "https://w3id.org/devgraph/ontology/"
TERM_KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}

MODULES = ["core", "finance", "results", "geography", "people", "documents"]
ALIGNMENTS = ["iati", "org", "prov", "geosparql", "skos", "frapo", "schema"]
EXPECTED_FILES = (
    {f"{m}.ttl" for m in MODULES}
    | {"devgraph.ttl", "devgraph-aligned.ttl"}
    | {f"alignments/{a}.ttl" for a in ALIGNMENTS}
)


def ontology_files() -> list[Path]:
    """Every Turtle file of the ontology except the generated SKOS codelists."""
    return sorted(
        p
        for p in ONTOLOGY_DIR.rglob("*.ttl")
        if "codelists" not in p.relative_to(ONTOLOGY_DIR).parts
    )


@pytest.fixture(scope="module")
def merged() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


def declared_terms(graph: rdflib.Graph) -> set[str]:
    return {
        str(s)[len(str(DG)) :]
        for s, kind in graph.subject_objects(RDF.type)
        if kind in TERM_KINDS and str(s).startswith(str(DG))
    }


def test_found_the_ontology_files() -> None:
    found = {p.relative_to(ONTOLOGY_DIR).as_posix() for p in ontology_files()}
    assert found == EXPECTED_FILES


def qc_queries() -> list[Path]:
    return sorted(QC_DIR.glob("*-violation.rq"))


def test_found_the_qc_queries() -> None:
    names = {p.name for p in qc_queries()}
    assert len(names) >= 10
    assert {"missing-label-en-violation.rq", "missing-label-fr-violation.rq"} <= names


@pytest.mark.parametrize("query", qc_queries(), ids=lambda p: p.stem)
def test_qc_query_finds_no_violation(merged: rdflib.Graph, query: Path) -> None:
    assert len(merged) > 1000, "the merged ontology looks empty"
    rows = list(merged.query(query.read_text(encoding="utf-8")))
    assert rows == [], f"{query.name}: {[tuple(str(v) for v in row) for row in rows]}"


BROKEN = """
@prefix dg: <https://w3id.org/devgraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/devgraph/ontology> a owl:Ontology ;
    owl:versionIRI <https://w3id.org/devgraph/ontology/latest> ;
    owl:imports <https://w3id.org/devgraph/ontology/core> .
<https://w3id.org/devgraph/ontology/core> a owl:Ontology .
<https://w3id.org/devgraph/ontology/elsewhere> a owl:Ontology .
dg:Broken a owl:Class ; rdfs:subClassOf dg:Undeclared ;
    rdfs:label "broken"@en , "cassé"@en , "same"@fr .
dg:Twin a owl:Class , owl:ObjectProperty , owl:DatatypeProperty ;
    rdfs:label "broken"@en , "jumeau"@fr ;
    rdfs:isDefinedBy <https://w3id.org/devgraph/ontology/core> ,
        <https://w3id.org/devgraph/ontology/elsewhere> .
dg:NoLabel a owl:AnnotationProperty .
dg:Broken dg:iatiPath "iati-activity/title" .
dg:Twin dg:iatiCodelist "Sector" .
"""


@pytest.mark.parametrize("query", qc_queries(), ids=lambda p: p.stem)
def test_qc_query_can_fail(query: Path) -> None:
    """Each QC query flags a deliberately broken ontology, so a pass above means something."""
    graph = rdflib.Graph().parse(data=BROKEN, format="turtle")
    rows = list(graph.query(query.read_text(encoding="utf-8")))
    assert rows, f"{query.name} found nothing in a broken ontology"


def test_every_import_resolves_to_a_local_file() -> None:
    catalog = read_catalog(ONTOLOGY_DIR / "catalog-v001.xml")
    assert len(catalog) == len(EXPECTED_FILES)
    mapped_files = {p.relative_to(ONTOLOGY_DIR).as_posix() for p in catalog.values()}
    assert mapped_files == EXPECTED_FILES
    imports_checked = 0
    for path in ontology_files():
        graph = rdflib.Graph().parse(path, format="turtle")
        ontologies = set(graph.subjects(RDF.type, OWL.Ontology))
        assert len(ontologies) == 1, path
        (iri,) = ontologies
        assert catalog[str(iri)] == path.resolve()
        for target in graph.objects(iri, OWL.imports):
            imports_checked += 1
            local = catalog.get(str(target))
            assert local is not None and local.is_file(), f"{path.name} imports {target}"
            declared = rdflib.Graph().parse(local, format="turtle")
            assert (target, RDF.type, OWL.Ontology) in declared
    assert imports_checked >= 20


def test_aggregator_metadata() -> None:
    graph = rdflib.Graph().parse(ONTOLOGY_DIR / "devgraph.ttl", format="turtle")
    root = rdflib.URIRef(ONTOLOGY_IRI)
    version = graph.value(root, OWL.versionIRI)
    assert re.fullmatch(re.escape(ONTOLOGY_IRI) + r"/\d{4}-\d{2}-\d{2}", str(version))
    assert str(version) == "https://w3id.org/devgraph/ontology/2026-11-23"
    assert str(graph.value(root, OWL.versionInfo)) == "0.1.0"
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    for prop in (dcterms.title, dcterms.description, dcterms.license, dcterms.creator):
        assert graph.value(root, prop) is not None, prop
    imported = {str(o) for o in graph.objects(root, OWL.imports)}
    assert imported == {DGM + m for m in MODULES}


def test_contract_terms_exist(merged: rdflib.Graph) -> None:
    """Every backticked dg: name of the vocabulary contract is declared in the ontology."""
    text = CONTRACT.read_text(encoding="utf-8")
    spans = re.findall(r"`([^`]+)`", text)
    names = {n for span in spans for n in re.findall(r"(?<![\w/])dg:([A-Za-z]\w*)", span)}
    assert len(names) > 100, "the contract parse found too few dg: terms"
    assert {"Activity", "Participation", "fundedBy", "iatiPath"} <= names
    missing = sorted(names - declared_terms(merged))
    assert missing == []


def test_terms_are_defined_by_their_module(merged: rdflib.Graph) -> None:
    by_module: dict[str, set[str]] = {}
    for term in declared_terms(merged):
        module = merged.value(DG[term], RDFS.isDefinedBy)
        by_module.setdefault(str(module).removeprefix(DGM), set()).add(term)
    assert set(by_module) == set(MODULES)
    assert {"Activity", "Participation"} <= by_module["core"]
    assert {"MonetaryAmount", "CurrencyConversion"} <= by_module["finance"]
    assert {"within", "Location"} <= by_module["geography"]


def test_required_property_characteristics(merged: rdflib.Graph) -> None:
    for prop in ("within", "subOrganisationOf"):
        assert (DG[prop], RDF.type, OWL.TransitiveProperty) in merged
    for prop in (
        "providerOrganisation",
        "receiverOrganisation",
        "providerActivity",
        "receiverActivity",
    ):
        assert (DG[prop], RDF.type, OWL.ObjectProperty) in merged
    for prop in ("fundedBy", "implementedBy", "extendedBy", "accountableOrganisation"):
        assert (DG[prop], RDFS.subPropertyOf, DG.hasParticipant) in merged


DATE_PROPERTIES = [
    "plannedStart",
    "plannedEnd",
    "actualStart",
    "actualEnd",
    "periodStart",
    "periodEnd",
    "transactionDate",
    "valueDate",
    "rateDate",
    "baselineDate",
]


@pytest.mark.parametrize("prop", DATE_PROPERTIES)
def test_date_properties_accept_years(merged: rdflib.Graph, prop: str) -> None:
    """Seed data states some dates as xsd:gYear: no date property may exclude it."""
    assert (DG[prop], RDF.type, OWL.DatatypeProperty) in merged
    ranges = set(merged.objects(DG[prop], RDFS.range))
    assert ranges <= {RDFS.Literal}, f"dg:{prop} has range {ranges}"
    assert XSD.date not in ranges

"""Tests for devgraph.owl: catalog-based loading and HermiT consistency checks on data."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from devgraph.owl import ONTOLOGY_IRI, check_consistency, load_ontology, read_catalog

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
DG = "https://w3id.org/devgraph/ontology#"
ACT = "https://w3id.org/devgraph/id/activity/"

PREFIXES = """
@prefix dg: <https://w3id.org/devgraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix act: <https://w3id.org/devgraph/id/activity/> .
@prefix dgo: <https://w3id.org/devgraph/id/organisation/> .
@prefix place: <https://w3id.org/devgraph/id/place/> .
"""

# Seed-like data as the contract describes it: gYear and date values, language-tagged text,
# a WKT point, a coded transaction and a participation, with no rdf:type on most nodes.
SAMPLE = (
    PREFIXES
    + """
act:kimalakan dg:title "KiMaLaKan"@fr ;
    dg:plannedStart "2019"^^xsd:gYear ; dg:plannedEnd "2023"^^xsd:gYear ;
    dg:statedDuration "P4Y"^^xsd:duration ;
    dg:participation <https://w3id.org/devgraph/id/activity/kimalakan/participation/eu> ;
    dg:transaction <https://w3id.org/devgraph/id/activity/kimalakan/transaction/1> ;
    dg:countryShare <https://w3id.org/devgraph/id/activity/kimalakan/country-share/GN> ;
    dg:location <https://w3id.org/devgraph/id/activity/kimalakan/location/1> .
<https://w3id.org/devgraph/id/activity/kimalakan/participation/eu>
    dg:participant dgo:eu ;
    dg:role <https://w3id.org/devgraph/codelist/OrganisationRole/1> .
<https://w3id.org/devgraph/id/activity/kimalakan/transaction/1>
    dg:transactionType <https://w3id.org/devgraph/codelist/TransactionType/3> ;
    dg:transactionDate "2020-03-01"^^xsd:date ;
    dg:value <https://w3id.org/devgraph/id/activity/kimalakan/transaction/1/value> .
<https://w3id.org/devgraph/id/activity/kimalakan/transaction/1/value>
    dg:amount 400000.00 ; dg:valueDate "2020-03-01"^^xsd:date .
<https://w3id.org/devgraph/id/activity/kimalakan/country-share/GN>
    dg:country place:GN ; dg:percentage 100 .
<https://w3id.org/devgraph/id/activity/kimalakan/location/1>
    dg:locationPlace place:GN-D ; dg:point "POINT(-12.86 10.05)"^^geo:wktLiteral .
place:GN-D a dg:AdminArea1 ; dg:within place:GN .
"""
)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return load_ontology(ONTOLOGY_DIR)


def data(turtle: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=turtle, format="turtle")


def test_read_catalog_maps_to_existing_files() -> None:
    mapping = read_catalog(ONTOLOGY_DIR / "catalog-v001.xml")
    assert mapping[ONTOLOGY_IRI] == (ONTOLOGY_DIR / "devgraph.ttl").resolve()
    assert all(path.is_file() for path in mapping.values())


def test_load_ontology_follows_imports(ontology: rdflib.Graph) -> None:
    activity = rdflib.URIRef(DG + "Activity")
    budget = rdflib.URIRef(DG + "Budget")
    assert (activity, None, None) in ontology  # core, imported by the aggregator
    assert (budget, None, None) in ontology  # finance


def test_load_ontology_rejects_unmapped_import(tmp_path: Path) -> None:
    (tmp_path / "catalog-v001.xml").write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        '<uri name="https://example.org/a" uri="a.ttl"/></catalog>',
        encoding="utf-8",
    )
    (tmp_path / "a.ttl").write_text(
        "<https://example.org/a> a <http://www.w3.org/2002/07/owl#Ontology> ;"
        " <http://www.w3.org/2002/07/owl#imports> <https://example.org/missing> .",
        encoding="utf-8",
    )
    with pytest.raises(LookupError, match="missing"):
        load_ontology(tmp_path, iri="https://example.org/a")


def test_seed_like_data_is_consistent_and_classified(ontology: rdflib.Graph) -> None:
    result = check_consistency(ontology + data(SAMPLE))
    assert result.consistent, result.message
    inferred = set(result.inferred_types)
    expected = {
        (ACT + "kimalakan", DG + "Activity"),
        (ACT + "kimalakan/participation/eu", DG + "Participation"),
        ("https://w3id.org/devgraph/id/organisation/eu", DG + "Organisation"),
        (ACT + "kimalakan/transaction/1", DG + "Transaction"),
        (ACT + "kimalakan/transaction/1", DG + "Disbursement"),
        (ACT + "kimalakan/transaction/1/value", DG + "MonetaryAmount"),
        ("https://w3id.org/devgraph/id/place/GN", DG + "Country"),
        ("https://w3id.org/devgraph/id/place/GN", DG + "Place"),
        ("https://w3id.org/devgraph/id/place/GN-D", DG + "AdministrativeArea"),
        ("https://w3id.org/devgraph/id/place/GN-D", DG + "Place"),
    }
    assert expected <= inferred
    # asserted types are not reported as inferred, only what follows from them
    assert ("https://w3id.org/devgraph/id/place/GN-D", DG + "AdminArea1") not in inferred
    # a transaction of type 3 is not classified under another transaction type
    assert (ACT + "kimalakan/transaction/1", DG + "Expenditure") not in inferred


def test_disjoint_types_make_data_inconsistent(ontology: rdflib.Graph) -> None:
    turtle = PREFIXES + "act:x dg:participation dgo:eclosio . dgo:eclosio a dg:Organisation ."
    result = check_consistency(ontology + data(turtle))
    assert not result.consistent
    assert result.inferred_types == []
    assert "inconsistent" in result.message


def test_percentage_above_100_is_inconsistent(ontology: rdflib.Graph) -> None:
    turtle = PREFIXES + "<https://w3id.org/devgraph/id/activity/x/share/1> dg:percentage 120 ."
    result = check_consistency(ontology + data(turtle))
    assert not result.consistent

"""The synthetic portfolio generator: deterministic, the size asked for, contract terms only,
and IATI XML that the official 2.03 schema accepts.

Benchmarks are only as meaningful as their data: a generator that drifted from the
vocabulary would measure queries that match nothing, so these checks run in
``make test`` on a small portfolio.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

from generate import generate  # noqa: E402

IATI = REPO.parent / "shared" / "iati"
DG = "https://w3id.org/devgraph/ontology#"
CL = "https://w3id.org/devgraph/codelist/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SIZE = 200


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("synthetic")
    paths = {"nq": d / "p.nq", "ttl": d / "p.ttl", "xml": d / "p.xml"}
    generate(SIZE, seed=42, rdf=paths["nq"], iati=paths["xml"])
    generate(SIZE, seed=42, rdf=paths["ttl"])
    return paths


@pytest.fixture(scope="module")
def quads(outputs: dict[str, Path]) -> list[ox.Quad]:
    return list(ox.parse(path=str(outputs["nq"]), format=ox.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def store(quads: list[ox.Quad]) -> ox.Store:
    s = ox.Store()
    s.extend(quads)
    return s


def _select(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(f"PREFIX dg: <{DG}>\n{query}", use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, outputs: dict[str, Path]):
    generate(SIZE, seed=42, rdf=tmp_path / "a.nq", iati=tmp_path / "a.xml")
    generate(SIZE, seed=43, rdf=tmp_path / "b.nq")
    assert (tmp_path / "a.nq").read_bytes() == outputs["nq"].read_bytes()
    assert (tmp_path / "a.xml").read_bytes() == outputs["xml"].read_bytes()
    assert (tmp_path / "b.nq").read_bytes() != outputs["nq"].read_bytes()


def test_size_and_triples_per_activity(store: ox.Store, quads: list[ox.Quad]):
    rows = _select(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dg:Activity }")
    assert int(rows[0]["n"].value) == SIZE
    per_activity = len(quads) / SIZE
    assert 90 <= per_activity <= 140, per_activity


def test_turtle_and_nquads_hold_the_same_triples(outputs: dict[str, Path], quads: list[ox.Quad]):
    ttl = ox.parse(path=str(outputs["ttl"]), format=ox.RdfFormat.TURTLE)
    assert {q.triple for q in ttl} == {q.triple for q in quads}


def test_no_blank_nodes_and_contract_namespaces_only(quads: list[ox.Quad]):
    allowed = re.compile(
        r"^https://w3id\.org/devgraph/(ontology#|codelist/|id/(activity|organisation|place)/)"
    )
    for q in quads:
        for term in (q.subject, q.object):
            assert not isinstance(term, ox.BlankNode), q
        assert q.predicate.value == RDF_TYPE or q.predicate.value.startswith(DG), q
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode):
                assert allowed.match(term.value), term


def test_terms_are_declared_in_the_ontology_and_the_contract(quads: list[ox.Quad]):
    ontology = ox.Store()
    modules = sorted((REPO / "ontology").glob("*.ttl"))
    assert modules, "no ontology modules found"
    for path in modules:
        ontology.load(path=str(path), format=ox.RdfFormat.TURTLE)
    declared = {
        r["t"].value: r["k"].value.rsplit("#", 1)[1]
        for r in ontology.query(
            f"SELECT ?t ?k WHERE {{ ?t a ?k FILTER(STRSTARTS(STR(?t), '{DG}')) }}"
        )
    }
    contract = (REPO / "docs" / "vocabulary-contract.md").read_text()
    predicates = {q.predicate.value for q in quads} - {RDF_TYPE}
    classes = {q.object.value for q in quads if q.predicate.value == RDF_TYPE}
    assert len(predicates) > 40 and len(classes) > 15
    for p in predicates:
        assert declared.get(p) in ("ObjectProperty", "DatatypeProperty"), p
        assert f"dg:{p.removeprefix(DG)}" in contract, p
    for c in classes:
        assert declared.get(c) == "Class", c
        assert f"dg:{c.removeprefix(DG)}" in contract, c


def test_codelist_values_exist_as_concepts(quads: list[ox.Quad]):
    used = {q.object.value for q in quads if q.object.value.startswith(CL)}
    schemes = {v[len(CL) :].split("/")[0] for v in used}
    assert {"TransactionType", "Currency", "Sector", "OrganisationRole"} <= schemes
    concepts = ox.Store()
    for scheme in schemes:
        concepts.load(path=str(REPO / "ontology" / "codelists" / f"{scheme}.ttl"),
                      format=ox.RdfFormat.TURTLE)  # fmt: skip
    known = {
        r["c"].value
        for r in concepts.query(
            "SELECT ?c WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> }"
        )
    }
    assert used - known == set()


def test_sectors_are_active_dac_codes():
    if not IATI.exists():
        pytest.skip(f"{IATI} (IATI codelists) not available")
    from portfolio import SECTORS

    root = etree.parse(str(IATI / "codelists" / "non-embedded" / "Sector.xml"))
    active = set(root.xpath("//codelist-item[not(@status='withdrawn')]/code/text()"))
    assert {code for code, _ in SECTORS} <= active


def test_shares_sum_to_100(store: ox.Store):
    for prop in ("countryShare", "sectorShare"):
        rows = _select(
            store,
            f"SELECT ?a (SUM(?p) AS ?total) WHERE {{ ?a dg:{prop}/dg:percentage ?p }} GROUP BY ?a",
        )
        assert len(rows) == SIZE
        assert {float(r["total"].value) for r in rows} == {100.0}, prop


def test_transactions_chain_over_two_hops_to_existing_activities(store: ox.Store):
    dangling = _select(
        store,
        """SELECT ?x WHERE { ?t dg:providerActivity|dg:receiverActivity ?x
                             FILTER NOT EXISTS { ?x a dg:Activity } }""",
    )
    assert dangling == []
    chains = _select(
        store,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{
             ?t1 dg:transactionType <{CL}TransactionType/3> ;
                 dg:providerOrganisation ?funder ; dg:receiverActivity ?mid .
             ?t2 dg:providerActivity ?mid ; dg:receiverActivity ?leaf ;
                 dg:receiverOrganisation ?implementer .
             FILTER(?mid != ?leaf) }}""",
    )
    assert int(chains[0]["n"].value) >= SIZE // 10  # about one chain per block of ten


def test_partner_counts_follow_a_power_law(store: ox.Store):
    rows = _select(
        store,
        """SELECT ?o (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a dg:participation/dg:participant ?o }
           GROUP BY ?o ORDER BY DESC(?n)""",
    )
    counts = [int(r["n"].value) for r in rows]
    assert counts[0] >= 10 * counts[len(counts) // 2]  # a few big partners, a long tail


def test_iati_xml_is_valid_2_03_and_matches_the_rdf(outputs: dict[str, Path], store: ox.Store):
    xsd = IATI / "schemas" / "iati-activities-schema.xsd"
    if not xsd.exists():
        pytest.skip(f"{xsd} not available")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.parse(str(outputs["xml"]))
    assert schema.validate(doc), schema.error_log.filter_from_errors()[:3]
    root = doc.getroot()
    assert root.get("version") == "2.03"
    ids = root.xpath("iati-activity/iati-identifier/text()")
    assert len(ids) == len(set(ids)) == SIZE
    linked = set(root.xpath("//@provider-activity-id | //@receiver-activity-id"))
    assert linked and linked <= set(ids)
    n_tx = _select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a dg:transaction ?t }")
    assert len(root.xpath("//transaction")) == int(n_tx[0]["n"].value)
    kinds = Counter(root.xpath("//transaction/transaction-type/@code"))
    assert set(kinds) == {"2", "3", "4"}
    assert set(root.xpath("//@default-currency")) == {"EUR", "USD", "GBP", "XOF"}

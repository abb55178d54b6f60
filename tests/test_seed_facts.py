"""Spot checks that the seed Turtle says what the five seed pages say, and nothing more.

The pages are /work/shared/seeds/*.txt; each figure below is read off a page. Absences are
facts too: where a page gives no funder, budget, dates or IATI identifier, none may appear.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph

REPO = Path(__file__).resolve().parents[1]
DATA_TTL = REPO / "data" / "ttl"
GRAPH = "https://w3id.org/devgraph/graph/"
PREFIXES = """
PREFIX dg: <https://w3id.org/devgraph/ontology#>
PREFIX act: <https://w3id.org/devgraph/id/activity/>
PREFIX place: <https://w3id.org/devgraph/id/place/>
PREFIX dgo: <https://w3id.org/devgraph/id/organisation/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
PROJECT_FILES = {
    "kimalakan.ttl": "000_5ec32a32fb5917ae.txt",
    "imaj.ttl": "001_8f3354aaf76d6d8e.txt",
    "ensemble-avenir-meilleur.ttl": "002_9b14684e3fc4e143.txt",
    "kayes-participation-numerique.ttl": "003_e4017398896b33ff.txt",
    "ajee.ttl": "004_921506086c27e566.txt",
}
ALL_FILES = sorted(DATA_TTL.glob("*.ttl"))


@pytest.fixture(scope="module")
def seed_store() -> ox.Store:
    """Every ``data/ttl/*.ttl`` file in its own named graph (stand-in for devgraph's store)."""
    assert len(ALL_FILES) >= 7, f"expected the seed files under {DATA_TTL}"
    store = ox.Store()
    for path in ALL_FILES:
        graph = ox.NamedNode(GRAPH + path.relative_to(REPO).as_posix())
        store.load(path=path, format=ox.RdfFormat.TURTLE, to_graph=graph)
    return store


def select(store: ox.Store, query: str) -> list[tuple[object, ...]]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(solution) for solution in result]


def ask(store: ox.Store, query: str) -> bool:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def local(term: object) -> str:
    """The last path segment of an IRI: an organisation slug or a codelist code."""
    assert isinstance(term, ox.NamedNode), term
    return term.value.rsplit("/", 1)[1]


def lit(term: object) -> ox.Literal:
    assert isinstance(term, ox.Literal), term
    return term


# ---------------------------------------------------------------- files


def test_expected_files_present() -> None:
    names = {p.name for p in ALL_FILES}
    assert set(PROJECT_FILES) | {"places.ttl", "organisations.ttl"} <= names


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_parses_without_blank_nodes(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 0
    assert not [t for t in graph if any(isinstance(x, BNode) for x in t)]
    ox.Store().load(path=path, format=ox.RdfFormat.TURTLE)  # pyoxigraph parses it too


@pytest.mark.parametrize("name", sorted(PROJECT_FILES))
def test_project_file_names_its_source_page(name: str, seed_store: ox.Store) -> None:
    page = PROJECT_FILES[name]
    first = (DATA_TTL / name).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#") and page in first
    rows = select(
        seed_store,
        f"""SELECT ?file WHERE {{
              GRAPH <{GRAPH}data/ttl/{name}> {{ ?a dg:source ?doc . ?doc a dg:SourceDocument ;
                                                  dg:sourceFile ?file }} }}""",
    )
    assert [lit(r[0]).value for r in rows] == [f"../shared/seeds/{page}"]
    seeds = REPO.parent / "shared" / "seeds"
    if seeds.is_dir():  # the pages themselves sit outside the repository
        assert (REPO / lit(rows[0][0]).value).resolve().is_file()


def test_organisations_and_places_are_declared_once_in_their_files(seed_store: ox.Store) -> None:
    """Project files refer to organisations and places; only the shared files describe them."""
    stray = select(
        seed_store,
        f"""SELECT ?g ?x WHERE {{ GRAPH ?g {{ ?x a ?c }}
              VALUES ?c {{ dg:Organisation dg:Country dg:AdminArea1 dg:AdminArea2
                           dg:AdminArea3 dg:Locality }}
              FILTER (?g NOT IN (<{GRAPH}data/ttl/organisations.ttl>,
                                 <{GRAPH}data/ttl/places.ttl>)) }}""",
    )
    assert stray == []
    undeclared = select(
        seed_store,
        f"""SELECT DISTINCT ?x WHERE {{
              {{ ?p dg:participant ?x }} UNION {{ ?l dg:locationPlace ?x }}
              UNION {{ ?a dg:recipientCountry ?x }} UNION {{ ?o dg:basedIn ?x }}
              FILTER NOT EXISTS {{ GRAPH <{GRAPH}data/ttl/organisations.ttl> {{ ?x a ?t1 }} }}
              FILTER NOT EXISTS {{ GRAPH <{GRAPH}data/ttl/places.ttl> {{ ?x a ?t2 }} }} }}""",
    )
    assert undeclared == []


# ---------------------------------------------------------------- absences


def test_no_activity_has_an_iati_identifier(seed_store: ox.Store) -> None:
    assert not ask(seed_store, "ASK { ?a a dg:Activity ; dg:iatiIdentifier ?id }")


def test_no_reporting_organisation(seed_store: ox.Store) -> None:
    assert not ask(seed_store, "ASK { ?a dg:reportingOrganisation ?o }")


@pytest.mark.parametrize("activity", ["kayes-participation-numerique", "ajee"])
def test_no_funder_budget_or_dates_where_none_stated(activity: str, seed_store: ox.Store) -> None:
    for prop in (
        "dg:budget",
        "dg:fundedBy",
        "dg:plannedStart",
        "dg:plannedEnd",
        "dg:actualStart",
        "dg:actualEnd",
        "dg:statedDuration",
        "dg:transaction",
    ):
        assert not ask(seed_store, f"ASK {{ act:{activity} {prop} ?x }}"), prop
    funder = "<https://w3id.org/devgraph/codelist/OrganisationRole/1>"
    assert not ask(seed_store, f"ASK {{ act:{activity} dg:participation/dg:role {funder} }}")


def test_kayes_project_has_no_participating_organisation(seed_store: ox.Store) -> None:
    assert not ask(seed_store, "ASK { act:kayes-participation-numerique dg:participation ?p }")


# ---------------------------------------------------------------- stated facts


def test_kimalakan_years_and_duration(seed_store: ox.Store) -> None:
    (row,) = select(
        seed_store,
        "SELECT ?s ?e ?d WHERE { act:kimalakan dg:plannedStart ?s ; dg:plannedEnd ?e ;"
        " dg:statedDuration ?d }",
    )
    gyear = "http://www.w3.org/2001/XMLSchema#gYear"
    assert [(lit(x).value, lit(x).datatype.value) for x in row[:2]] == [
        ("2019", gyear),
        ("2023", gyear),
    ]
    assert lit(row[2]).value == "P4Y"


def test_imaj_dates(seed_store: ox.Store) -> None:
    (row,) = select(
        seed_store, "SELECT ?s ?e WHERE { act:imaj dg:plannedStart ?s ; dg:plannedEnd ?e }"
    )
    assert [lit(x).value for x in row] == ["2024-01-01", "2026-12-31"]
    assert {lit(x).datatype.value for x in row} == {"http://www.w3.org/2001/XMLSchema#date"}


def test_imaj_phase_values_kept_as_stated(seed_store: ox.Store) -> None:
    rows = select(seed_store, "SELECT ?p WHERE { act:imaj dg:phase ?p }")
    assert {int(lit(r[0]).value) for r in rows} == {2, 3}


def test_imaj_phase_one_as_the_page_states_it(seed_store: ox.Store) -> None:
    assert ask(seed_store, "ASK { act:imaj dg:previousPhase act:imaj-phase-1 }")
    (count,) = select(
        seed_store, "SELECT ?n WHERE { act:imaj-phase-1 dg:beneficiaryCount/dg:count ?n }"
    )
    assert int(lit(count[0]).value) == 278
    roles = select(
        seed_store,
        """SELECT ?o ?r WHERE { act:imaj-phase-1 dg:participation ?p .
                                ?p dg:participant ?o ; dg:partnerRole ?r }""",
    )
    assert {(local(o), local(r)) for o, r in roles} == {
        ("sos-villages-enfants-france", "lead-implementer"),
        ("sos-villages-enfants-mali", "implementing-partner"),
    }
    # Mentioned, not described by a page of its own.
    assert not ask(seed_store, "ASK { act:imaj-phase-1 dg:source ?d }")


def test_imaj_28_professionals_split_10_9_9(seed_store: ox.Store) -> None:
    (total,) = select(
        seed_store,
        """SELECT ?t WHERE { act:imaj dg:beneficiaryCount ?b . ?b dg:count ?t .
                             FILTER EXISTS { ?part dg:ofTotal ?b ; dg:count ?n } }
           ORDER BY DESC(?t) LIMIT 1""",
    )
    parts = select(
        seed_store,
        """SELECT ?n WHERE { act:imaj dg:beneficiaryCount ?b . ?b dg:count 28 .
                             ?part dg:ofTotal ?b ; dg:count ?n }""",
    )
    assert int(lit(total[0]).value) == 28
    assert sorted(int(lit(r[0]).value) for r in parts) == [9, 9, 10]


def test_imaj_girls_and_boys_shares_uncorrected(seed_store: ox.Store) -> None:
    rows = select(
        seed_store,
        """SELECT ?sex ?pct WHERE { act:imaj dg:beneficiaryCount ?b .
                                     ?b dg:sex ?sex ; dg:percentage ?pct }""",
    )
    shares = {local(s): Decimal(lit(p).value) for s, p in rows}
    assert shares == {"female": Decimal(34), "male": Decimal(56)}


def test_ensemble_result_codes_and_r32_actual(seed_store: ox.Store) -> None:
    codes = select(
        seed_store, "SELECT ?c WHERE { act:ensemble-avenir-meilleur dg:result/dg:resultCode ?c }"
    )
    assert {lit(r[0]).value for r in codes} == {
        "R1.1", "R1.2", "R2.2", "R3.1", "R3.2", "R3.3", "R4.1", "R4.2", "R4.3",
    }  # fmt: skip
    rows = select(
        seed_store,
        """SELECT ?v ?c WHERE { act:ensemble-avenir-meilleur dg:result ?r .
                                 ?r dg:resultCode "R3.2" ; dg:indicator/dg:actual ?a .
                                 ?a dg:numericValue ?v ; dg:comment ?c }""",
    )
    assert [Decimal(lit(v).value) for v, _ in rows] == [Decimal(200)]
    assert "200 jeunes sont formés" in lit(rows[0][1]).value


def test_ensemble_contribution_notes_and_contacts(seed_store: ox.Store) -> None:
    (row,) = select(
        seed_store,
        """SELECT ?amount ?cur WHERE { act:ensemble-avenir-meilleur dg:participation ?p .
              ?p dg:participant dgo:plan-international-mali ;
                 dg:contribution/dg:value ?v . ?v dg:amount ?amount ; dg:currency ?cur }""",
    )
    assert Decimal(lit(row[0]).value) == Decimal(96303057)
    assert str(row[1]).endswith("/Currency/XOF>")
    notes = select(seed_store, "SELECT ?n WHERE { act:ensemble-avenir-meilleur dg:note ?n }")
    joined = " ".join(lit(r[0]).value for r in notes)
    assert "Toutes les activités prévues ont été réalisées" in joined
    assert "Poursuite des activités du projet en 2024" in joined
    phones = select(
        seed_store,
        """SELECT ?name ?tel WHERE { act:ensemble-avenir-meilleur dg:contactInfo ?c .
                                      ?c dg:name ?name ; dg:telephone ?tel }""",
    )
    assert {(lit(n).value, lit(t).value) for n, t in phones} == {
        ("Tbtou", "+223 21 92 10 48"),
        ("Bamako", "+223 20 20 27 28"),
    }


def test_conversion_is_derived_from_the_published_amount(seed_store: ox.Store) -> None:
    assert ask(
        seed_store,
        """ASK { act:ensemble-avenir-meilleur dg:budget/dg:value ?xof .
                 ?xof dg:convertedAmount ?eur . ?eur prov:wasDerivedFrom ?xof ;
                 dg:conversion ?c . ?c a dg:CurrencyConversion ;
                 dg:exchangeRate 655.957 ; dg:rateSource ?src }""",
    )


def test_ajee_targets(seed_store: ox.Store) -> None:
    rows = select(
        seed_store,
        "SELECT ?v WHERE { act:ajee dg:result/dg:indicator/dg:target/dg:numericValue ?v }",
    )
    assert sorted(Decimal(lit(r[0]).value) for r in rows) == sorted(
        Decimal(n) for n in (5, 50, 250, 20, 250, 20, 200, 60, 18)
    )


def test_ajee_partners_and_groups(seed_store: ox.Store) -> None:
    rows = select(
        seed_store,
        """SELECT ?o ?role WHERE { act:ajee dg:participation ?p .
                                    ?p dg:participant ?o ; dg:partnerRole ?role }""",
    )
    roles = {local(o): local(r) for o, r in rows}
    assert roles.pop("iecd-maroc") == "lead-implementer"
    assert roles.pop("iecd-france") == "support-partner"
    assert len(roles) == 8 and set(roles.values()) == {"implementing-partner"}
    counts = select(
        seed_store,
        """SELECT ?note WHERE { act:ajee dg:participation/dg:participant ?o .
                                 ?o dg:note ?note FILTER (CONTAINS(?note, "Groupe de")) }""",
    )
    stated = sorted(int(re.search(r"Groupe de (\d+)", lit(r[0]).value)[1]) for r in counts)
    assert stated == [3, 5, 8]


def test_ajee_related_projects(seed_store: ox.Store) -> None:
    rows = select(
        seed_store,
        """SELECT ?r ?title WHERE { act:ajee dg:relatedActivity ?r . ?r dg:title ?title .
                                     FILTER NOT EXISTS { ?r dg:source ?d } }""",
    )
    assert len(rows) == 6
    assert any(lit(t).value.startswith("IGNITE") for _, t in rows)


def test_kayes_indirect_beneficiaries(seed_store: ox.Store) -> None:
    (row,) = select(
        seed_store,
        """SELECT ?w ?t ?reach WHERE { act:kayes-participation-numerique dg:beneficiaryCount ?b .
              ?b dg:count ?w ; dg:reach ?reach ; dg:ofTotal ?tot . ?tot dg:count ?t ;
              dg:reach ?reach }""",
    )
    assert (int(lit(row[0]).value), int(lit(row[1]).value)) == (601551, 1193417)
    assert str(row[2]).endswith("/Reach/indirect>")
    results = select(
        seed_store, "SELECT ?r WHERE { act:kayes-participation-numerique dg:result ?r }"
    )
    assert len(results) == 4


def test_gounzoureye_containment_chain(seed_store: ox.Store) -> None:
    commune = "place:ML-gao-commune-gounzoureye"
    for parent in ("place:ML-gao-cercle-gao", "place:ML-7", "place:ML"):
        assert ask(seed_store, f"ASK {{ {commune} dg:within+ {parent} }}"), parent
    assert not ask(seed_store, f"ASK {{ {commune} dg:within+ place:ML-gao-cercle-ansongo }}")
    # Only the direct parent is stated; the rest is left to the reasoner.
    assert not ask(seed_store, f"ASK {{ {commune} dg:within place:ML-7 }}")


def test_iso_subdivision_codes_match_their_country(seed_store: ox.Store) -> None:
    rows = select(
        seed_store,
        """SELECT ?code ?countryCode WHERE { ?p dg:isoCode ?code ; dg:within+ ?c .
                                              ?c a dg:Country ; dg:isoCode ?countryCode }""",
    )
    assert len(rows) >= 14
    for code, country in rows:
        assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", lit(code).value), code
        assert lit(code).value.startswith(lit(country).value + "-")

"""Tests for devgraph.codelists: the committed SKOS files against the IATI XML they come from.

Expected values are read from the XML with lxml here, independently of the module's reader, so
a reader bug cannot pass by agreeing with itself.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from lxml import etree
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, SKOS

from devgraph import codelists

SOURCE = codelists.DEFAULT_SOURCE
COMMITTED = codelists.DEFAULT_OUTPUT
SCRIPT = codelists.REPO_ROOT / "scripts" / "build_codelists.py"
CL = "https://w3id.org/devgraph/codelist/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

V2_XML = sorted([*SOURCE.glob("embedded/*.xml"), *SOURCE.glob("non-embedded/*.xml")])
V1_XML = sorted(SOURCE.glob("v1.05-embedded/*.xml"))
REQUIRED = """OrganisationRole OrganisationType TransactionType ActivityStatus ActivityDateType
Currency Country Region Sector SectorCategory SectorVocabulary BudgetType BudgetStatus ResultType
IndicatorMeasure AidType FinanceType FlowType TiedStatus CollaborationType PolicyMarker
PolicySignificance DocumentCategory ActivityScope DescriptionType GeographicVocabulary Language
RelatedActivityType RegionVocabulary IndicatorVocabulary""".split()


def _root(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _items(path: Path) -> list[etree._Element]:
    return _root(path).findall("codelist-items/codelist-item")


def _code(item: etree._Element) -> str:
    return (item.findtext("code") or "").strip()


def _fr_name(item: etree._Element) -> str | None:
    """The French name in either layout (2.0x narrative, 1.0x repeated name)."""
    for element in item.findall("name/narrative") + item.findall("name"):
        if element.get(XML_LANG) == "fr" and element.text:
            return " ".join(element.text.split())
    return None


def _concept(name: str, code: str, *, v1: bool = False) -> URIRef:
    return codelists.concept_iri(name, code, v1=v1)


@pytest.fixture(scope="module")
def committed() -> dict[str, Graph]:
    files = sorted(COMMITTED.rglob("*.ttl"))
    assert files, f"no Turtle files under {COMMITTED}"
    return {p.relative_to(COMMITTED).as_posix(): Graph().parse(p) for p in files}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fresh build per session, through the script as a user would run it."""
    out = tmp_path_factory.mktemp("codelists")
    main = runpy.run_path(str(SCRIPT))["main"]
    assert main(["--source", str(SOURCE), "--out", str(out)]) == 0
    return out


def test_source_files_found() -> None:
    # 9 embedded + 61 non-embedded + 10 v1 lists, as listed in ../shared/iati/SOURCES.md.
    assert len(V2_XML) == 70
    assert len(V1_XML) == 10


def test_required_lists_generated(committed: dict[str, Graph]) -> None:
    missing = [name for name in REQUIRED if f"{name}.ttl" not in committed]
    assert not missing
    expected = {f"{p.stem}.ttl" for p in V2_XML} | {f"v1/{p.stem}.ttl" for p in V1_XML}
    assert set(committed) == expected | {"devgraph.ttl"}


def test_regenerated_files_are_isomorphic_to_committed(
    regenerated: Path, committed: dict[str, Graph]
) -> None:
    fresh = sorted(p.relative_to(regenerated).as_posix() for p in regenerated.rglob("*.ttl"))
    assert fresh == sorted(committed)
    different = [
        name for name in fresh if not isomorphic(Graph().parse(regenerated / name), committed[name])
    ]
    assert not different, f"stale committed files, rerun scripts/build_codelists.py: {different}"


@pytest.mark.parametrize(
    ("path", "v1"),
    [(p, False) for p in V2_XML] + [(p, True) for p in V1_XML],
    ids=lambda x: x.stem if isinstance(x, Path) else "",
)
def test_concept_count_matches_xml(path: Path, v1: bool, committed: dict[str, Graph]) -> None:
    graph = committed[f"{'v1/' if v1 else ''}{path.stem}.ttl"]
    scheme = codelists.scheme_iri(_root(path).get("name"), v1=v1)
    # Distinct codes: FileFormat repeats two MIME types, and a code is one concept.
    codes = {_code(item) for item in _items(path)}
    concepts = set(graph.subjects(SKOS.inScheme, scheme))
    assert len(concepts) == len(codes) > 0
    assert {str(graph.value(c, SKOS.notation)) for c in concepts} == codes


def test_french_labels_from_xml(committed: dict[str, Graph]) -> None:
    path = SOURCE / "embedded" / "OrganisationRole.xml"
    funding = next(item for item in _items(path) if _code(item) == "1")
    label = Literal(_fr_name(funding), lang="fr")
    assert label.value == "Financement"
    graph = committed["OrganisationRole.ttl"]
    assert (_concept("OrganisationRole", "1"), SKOS.prefLabel, label) in graph


@pytest.mark.parametrize("path", V2_XML + V1_XML, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_french_name_is_a_label(path: Path, committed: dict[str, Graph]) -> None:
    v1 = path.parent.name.startswith("v1")
    graph = committed[f"{'v1/' if v1 else ''}{path.stem}.ttl"]
    name = _root(path).get("name")
    french = {_code(i): _fr_name(i) for i in _items(path) if _fr_name(i)}
    for code, text in french.items():
        labels = set(graph.objects(_concept(name, code, v1=v1), SKOS.prefLabel))
        assert Literal(text, lang="fr") in labels, (name, code)


def test_sector_broader_is_its_xml_category(committed: dict[str, Graph]) -> None:
    sector, categories = committed["Sector.ttl"], committed["SectorCategory.ttl"]
    items = _items(SOURCE / "non-embedded" / "Sector.xml")
    assert len(items) > 300
    for item in items:
        code, category = _code(item), item.findtext("category")
        assert len(code) == 5 and code[:3] == category  # DAC 5-digit under its 3-digit group
        broader = list(sector.objects(_concept("Sector", code), SKOS.broader))
        assert broader == [_concept("SectorCategory", category)]
        assert (broader[0], SKOS.inScheme, URIRef(CL + "SectorCategory")) in categories
        assert (_concept("Sector", code), SKOS.topConceptOf, None) not in sector


@pytest.mark.parametrize(
    "name", ["AidType", "FinanceType", "DocumentCategory", "LocationType", "BudgetIdentifier"]
)
def test_category_becomes_broader(name: str, committed: dict[str, Graph]) -> None:
    path = next(p for p in V2_XML if p.stem == name)
    category_list = _root(path).get("category-codelist")
    category_path = next(p for p in V2_XML if p.stem == category_list)
    in_category_list = {_code(i) for i in _items(category_path)}
    graph = committed[f"{name}.ttl"]
    linked = 0
    for item in _items(path):
        category = item.findtext("category")
        if category in in_category_list:
            broader = _concept(category_list, category)
            assert (_concept(name, _code(item)), SKOS.broader, broader) in graph
            linked += 1
    assert linked > 0


def test_withdrawn_items_are_deprecated(committed: dict[str, Graph]) -> None:
    checked = 0
    for path in V2_XML:
        graph, name = committed[f"{path.stem}.ttl"], _root(path).get("name")
        for item in _items(path):
            deprecated = graph.value(_concept(name, _code(item)), OWL.deprecated)
            if item.get("status") == "withdrawn":
                assert deprecated == Literal(True), (name, _code(item))
                checked += 1
    assert checked > 100  # Sector, FinanceType, CRSChannelCode, Currency, ... withdraw codes
    assert (
        committed["OrganisationRole.ttl"].value(_concept("OrganisationRole", "1"), OWL.deprecated)
        is None
    )


def test_v1_to_v2_mapping() -> None:
    assert codelists.v1_to_v2("TransactionType", "C") == "2"
    assert codelists.v1_to_v2("TransactionType", "D") == "3"
    assert codelists.v1_to_v2("TransactionType", "IF") == "1"
    assert codelists.v1_to_v2("OrganisationRole", "Funding") == "1"
    assert codelists.v1_to_v2("OrganisationRole", "funding") == "1"
    assert codelists.v1_to_v2("OrganisationRole", " IMPLEMENTING ") == "4"
    assert codelists.v1_to_v2("ActivityDateType", "start-planned") == "1"
    assert codelists.v1_to_v2("Vocabulary", "DAC") == "1"
    assert codelists.v2_list_for_v1("Vocabulary") == "SectorVocabulary"
    assert codelists.v1_to_v2("Vocabulary", "WB") is None
    assert codelists.v1_to_v2("TransactionType", "Z") is None
    with pytest.raises(KeyError):
        codelists.v1_to_v2("Currency", "EUR")


def test_v1_graph_links_to_the_right_2x_concepts(committed: dict[str, Graph]) -> None:
    cases = [
        ("TransactionType", "C", SKOS.closeMatch, "2", "commitment"),
        ("TransactionType", "D", SKOS.exactMatch, "3", "disbursement"),
        ("OrganisationRole", "Funding", SKOS.exactMatch, "1", "funding"),
        ("ActivityDateType", "start-planned", SKOS.exactMatch, "1", "planned start"),
    ]
    for name, v1_code, predicate, v2_code, words in cases:
        target = _concept(name, v2_code)
        assert (_concept(name, v1_code, v1=True), predicate, target) in committed[f"v1/{name}.ttl"]
        labels = committed[f"{name}.ttl"].objects(target, SKOS.prefLabel)
        english = [str(label) for label in labels if label.language == "en"]
        assert len(english) == 1 and words in english[0].lower(), (name, v2_code, english)


@pytest.mark.parametrize("path", V1_XML, ids=lambda p: p.stem)
def test_every_v1_code_is_mapped(path: Path, committed: dict[str, Graph]) -> None:
    unmapped = {("Vocabulary", "ISO"), ("Vocabulary", "WB")}  # no 2.0x equivalent
    name = _root(path).get("name")
    target_list = codelists.v2_list_for_v1(name)
    target_graph = committed[f"{target_list}.ttl"]
    graph = committed[f"v1/{name}.ttl"]
    for item in _items(path):
        code = _code(item)
        v2_code = codelists.v1_to_v2(name, code)
        if (name, code) in unmapped:
            assert v2_code is None
            continue
        assert v2_code is not None, (name, code)
        target = _concept(target_list, v2_code)
        assert (target, SKOS.inScheme, URIRef(CL + target_list)) in target_graph
        matches = {
            *graph.objects(_concept(name, code, v1=True), SKOS.exactMatch),
            *graph.objects(_concept(name, code, v1=True), SKOS.closeMatch),
        }
        assert target in matches


def test_every_concept_has_one_scheme_and_a_notation(committed: dict[str, Graph]) -> None:
    total = 0
    for file, graph in committed.items():
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            assert isinstance(concept, URIRef), file
            assert len(list(graph.objects(concept, SKOS.inScheme))) == 1, concept
            notations = list(graph.objects(concept, SKOS.notation))
            assert len(notations) == 1 and notations[0].datatype is None, concept
            langs = [label.language for label in graph.objects(concept, SKOS.prefLabel)]
            assert langs and len(langs) == len(set(langs)), concept  # one per language
            total += 1
    assert total > 5000


def test_no_iri_contains_a_space_or_blank_node(committed: dict[str, Graph]) -> None:
    for file, graph in committed.items():
        for triple in graph:
            for term in triple:
                assert not isinstance(term, URIRef) or " " not in term, (file, term)
                assert isinstance(term, URIRef | Literal), (file, term)


def test_unsafe_codes_are_percent_encoded(committed: dict[str, Graph]) -> None:
    iri = _concept("FileFormat", "application/json")
    assert str(iri) == CL + "FileFormat/application%2Fjson"
    assert committed["FileFormat.ttl"].value(iri, SKOS.notation) == Literal("application/json")


def test_schemes_carry_iati_metadata(committed: dict[str, Graph]) -> None:
    for path in V2_XML:
        name = _root(path).get("name")
        graph, scheme = committed[f"{path.stem}.ttl"], URIRef(CL + name)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
        assert graph.value(scheme, codelists.DG.iatiCodelist) == Literal(name)
        assert str(graph.value(scheme, DCTERMS.source)).endswith(f"/xml/{path.name}")
        assert any(label.language == "en" for label in graph.objects(scheme, SKOS.prefLabel))


def test_organisation_registration_agency_country_is_spatial(committed: dict[str, Graph]) -> None:
    graph = committed["OrganisationRegistrationAgency.ttl"]
    path = SOURCE / "non-embedded" / "OrganisationRegistrationAgency.xml"
    item = next(i for i in _items(path) if i.findtext("category") == "GB")
    concept = _concept("OrganisationRegistrationAgency", _code(item))
    assert graph.value(concept, DCTERMS.spatial) == _concept("Country", "GB")
    assert graph.value(concept, SKOS.broader) is None


def test_devgraph_own_schemes(committed: dict[str, Graph]) -> None:
    graph = committed["devgraph.ttl"]
    implementing = _concept("OrganisationRole", "4")
    roles = {
        "lead-implementer": implementing,
        "implementing-partner": implementing,
        "operational-partner": implementing,
        "technical-partner": None,
        "support-partner": None,
    }
    expected = {f"PartnerRole/{r}" for r in roles} | {
        "Reach/direct",
        "Reach/indirect",
        "Sex/female",
        "Sex/male",
    }
    concepts = {str(c)[len(CL) :] for c in graph.subjects(RDF.type, SKOS.Concept)}
    assert concepts == expected
    for suffix in expected:
        concept = URIRef(CL + suffix)
        langs = {label.language for label in graph.objects(concept, SKOS.prefLabel)}
        assert langs == {"en", "fr"}, suffix
        assert graph.value(concept, SKOS.definition) is not None, suffix
    for role, match in roles.items():
        concept = URIRef(f"{CL}PartnerRole/{role}")
        assert graph.value(concept, SKOS.broadMatch) == match, role
        assert graph.value(concept, SKOS.closeMatch) is None, role


def test_links_point_to_generated_concepts(committed: dict[str, Graph]) -> None:
    concepts = {c for g in committed.values() for c in g.subjects(RDF.type, SKOS.Concept)}
    links = (SKOS.broader, DCTERMS.spatial, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
    targets = [
        (file, o) for file, g in committed.items() for p in links for o in g.objects(None, p)
    ]
    assert len(targets) > 1000
    dangling = [(file, str(o)) for file, o in targets if o not in concepts]
    assert not dangling[:10]

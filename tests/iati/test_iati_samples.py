"""Every shared IATI sample imports; graph counts equal an independent lxml count of the XML.

Why: the counts are computed here with plain lxml XPath, never with the importer's code, so
an element the mapping drops or duplicates shows up as a difference.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from devgraph.iati import import_paths
from devgraph.load import iter_sources
from devgraph.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DEVGRAPH_SHARED", REPO.parent / "shared"))
SAMPLES = SHARED / "iati" / "samples"

FILES = sorted(SAMPLES.rglob("*.xml"))
ORG_BUDGETS = (
    "total-budget|recipient-org-budget|recipient-country-budget|"
    "recipient-region-budget|total-expenditure"
)
DG = "https://w3id.org/devgraph/ontology#"


def test_samples_are_there() -> None:
    assert len(FILES) >= 21, FILES


@pytest.fixture(scope="module")
def loaded() -> tuple[EmbeddedStore, object]:
    store = EmbeddedStore(None)
    report = import_paths(store, [SAMPLES], root=SHARED)
    return store, report


def xml_counts(path: Path) -> dict[str, int]:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    if root.tag == "iati-organisations":
        budgets = [e for e in root.iter() if e.tag in ORG_BUDGETS.split("|")]
        return {"Organisation": len(root.findall("iati-organisation")), "Budget": len(budgets)}
    idents = {(a.findtext("iati-identifier") or "").strip() for a in root.iter("iati-activity")}
    return {
        "Activity": len(idents),
        "Transaction": len(tree.xpath("//iati-activity/transaction")),
        "Budget": len(tree.xpath("//iati-activity/budget")),
        "Result": len(tree.xpath("//iati-activity/result")),
        "Participation": len(tree.xpath("//iati-activity/participating-org")),
        "PlannedDisbursement": len(tree.xpath("//iati-activity/planned-disbursement")),
    }


def graph_count(store: EmbeddedStore, graph: str, cls: str) -> int:
    """Instances of ``cls`` in one file's graph; organisations only when the file describes them."""
    described = f"; <{DG}source> ?doc" if cls == "Organisation" else ""
    rows = store.query(
        f"""SELECT (COUNT(DISTINCT ?x) AS ?n)
            WHERE {{ GRAPH <{graph}> {{ ?x a <{DG}{cls}> {described} }} }}""",
        union_default_graph=False,
    )
    return int(next(iter(rows))["n"].value)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_counts_match_the_xml(loaded, path: Path) -> None:
    store, report = loaded
    (file_report,) = [f for f in report.files if f.source == str(path)]
    expected = xml_counts(path)
    got = {cls: graph_count(store, file_report.graph, cls) for cls in expected}
    assert got == expected
    if "Activity" in expected:
        assert file_report.activities == sum(
            1 for _ in etree.parse(str(path)).iter("iati-activity")
        )


def test_every_activity_points_to_its_source_document(loaded) -> None:
    store, _ = loaded
    rows = store.query(
        f"""SELECT (COUNT(?a) AS ?n) WHERE {{ ?a a <{DG}Activity> .
            FILTER NOT EXISTS {{ ?a <{DG}source> ?d . ?d a <{DG}SourceDocument> }} }}"""
    )
    assert int(next(iter(rows))["n"].value) == 0


def test_fcdo_ngo_chain_resolves(loaded) -> None:
    """DEC appeal GB-CHC-1062638-CVA20 funds member charities: links land on a loaded activity."""
    store, _ = loaded
    rows = store.query(
        f"""SELECT DISTINCT ?a ?title WHERE {{
              ?a <{DG}transaction> ?t . ?t <{DG}providerActivity> ?p .
              ?p <{DG}iatiIdentifier> "GB-CHC-1062638-CVA20" ; a <{DG}Activity> ;
                 <{DG}title> ?title }}"""
    )
    found = list(rows)
    assert len(found) >= 2
    assert all(
        r["a"].value.startswith("https://w3id.org/devgraph/id/activity/GB-CHC-") for r in found
    )


def test_provider_activity_links_resolve_when_loaded(loaded) -> None:
    """Of the p20 provider-activity-ids that name activities in the samples, all resolve."""
    store, _ = loaded
    path = SAMPLES / "uk-fcdo-ngos_mixed-2.02-2.03_dportal2021-p20.xml"
    tree = etree.parse(str(path))
    loaded_ids = {
        (i.text or "").strip() for f in FILES for i in etree.parse(str(f)).iter("iati-identifier")
    }
    wanted = {
        v.strip() for v in tree.xpath("//transaction/provider-org/@provider-activity-id")
    } & loaded_ids
    assert len(wanted) >= 5
    rows = store.query(
        f"""SELECT DISTINCT ?id WHERE {{ ?t <{DG}providerActivity> ?p .
              ?p a <{DG}Activity> ; <{DG}iatiIdentifier> ?id }}"""
    )
    assert wanted <= {r["id"].value for r in rows}


@pytest.mark.parametrize(
    "name", ["dfid-GB-1-drc_v1.01.xml", "sida-SE-6_v1.00.xml", "globalfund-47045_v1.0x_results.xml"]
)
def test_v1_files_produce_v2_codes(loaded, name: str) -> None:
    store, report = loaded
    (fr,) = [f for f in report.files if f.source.endswith(name)]
    rows = store.query(
        f"""SELECT DISTINCT ?c WHERE {{ GRAPH <{fr.graph}> {{
              {{ ?x <{DG}transactionType> ?c }} UNION {{ ?x <{DG}role> ?c }} }} }}""",
        union_default_graph=False,
    )
    codes = {r["c"].value.rsplit("/", 1)[1] for r in rows}
    xml = etree.parse(str(SAMPLES / name))
    v1_text = set(xml.xpath("//transaction-type/@code | //participating-org/@role"))
    assert codes and all(c.isdigit() for c in codes), codes
    assert any(not c.isdigit() for c in v1_text)  # the file really used 1.0x text codes


def test_provenance_records_version_and_datasets(loaded) -> None:
    store, report = loaded
    (fr,) = [f for f in report.files if f.source.endswith("p20.xml")]
    sources = {s["g"]: s for s in iter_sources(store)}
    assert fr.graph in sources and len(sources[fr.graph]["sum"]) == 64
    rows = store.query(
        f"""SELECT ?v ?d ?n WHERE {{ GRAPH <https://w3id.org/devgraph/graph/meta> {{
              <{fr.graph}> <http://purl.org/dc/terms/conformsTo> ?v ;
                 <http://www.w3.org/ns/prov#wasDerivedFrom> ?d ;
                 <http://rdfs.org/ns/void#triples> ?n }} }}""",
        union_default_graph=False,
    )
    found = list(rows)
    assert {r["v"].value for r in found} == {"https://iatistandard.org/en/iati-standard/203/"}
    xml = etree.parse(str(SAMPLES / "uk-fcdo-ngos_mixed-2.02-2.03_dportal2021-p20.xml"))
    datasets = set(xml.xpath("//@*[local-name()='dataset']"))
    assert {r["d"].value.rsplit("/", 1)[1] for r in found} == datasets
    assert int(found[0]["n"].value) == fr.triples
    assert fr.versions == {"2.02": 15, "2.03": 85}


def test_schema_findings_are_data(loaded) -> None:
    store, report = loaded
    (fr,) = [f for f in report.files if f.source.endswith("afd-FR-3_v2.03_dportal2021-p18.xml")]
    assert fr.xsd_invalid_activities == 1
    rows = store.query(
        f"""SELECT ?a ?msg ?line WHERE {{ GRAPH <{fr.graph}> {{ ?a <{DG}xsdFinding> ?f .
              ?f <{DG}findingMessage> ?msg ; <{DG}sourceLine> ?line ;
                 <{DG}severity> "error" }} }}""",
        union_default_graph=False,
    )
    found = list(rows)
    assert found and "point" in found[0]["msg"].value and int(found[0]["line"].value) > 1


def test_report_json_counts_fallbacks_by_xpath(loaded) -> None:
    import json

    _, report = loaded
    data = json.loads(report.to_json())
    eu = next(f for f in data["files"] if f["source"].endswith("p88.xml"))
    assert eu["fallbacks"]["/iati-activities/iati-activity/policy-marker"] == 1200
    assert eu["participating_orgs"] == 400

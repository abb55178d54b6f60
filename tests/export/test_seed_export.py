"""The seed portfolio exports as IATI 2.03: valid files, and exact reasons for what is not.

The XSD check here compiles the official schema itself (not through devgraph's helper), so a
writer bug and a checker bug cannot hide each other.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest
from lxml import etree

from devgraph.export import export_activities
from devgraph.iati.xsd import SCHEMA_DIR

ACT = "https://w3id.org/devgraph/id/activity/"
TODAY = date(2026, 11, 23)


@cache
def schema(name: str = "iati-activities-schema.xsd") -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name), parser))


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))


def test_without_a_publisher_nothing_is_complete(seed_export_store) -> None:
    result = export_activities(seed_export_store, shacl=False, today=TODAY)
    assert result.files == []
    skipped = {p.iri.removeprefix(ACT): p.notes.missing for p in result.skipped}
    assert set(skipped) == {
        "ajee", "ensemble-avenir-meilleur", "imaj", "kayes-participation-numerique", "kimalakan"
    }  # fmt: skip
    for missing in skipped.values():
        assert any(m.startswith("iati-identifier") for m in missing)
        assert any(m.startswith("reporting-org") for m in missing)


def test_kayes_is_skipped_naming_dates_and_organisations(seed_export_store) -> None:
    result = export_activities(
        seed_export_store, reporting_org="XM-EXAMPLE-NGO", shacl=False, today=TODAY
    )
    kayes = next(p for p in result.skipped if p.iri == ACT + "kayes-participation-numerique")
    assert kayes.notes.missing == [
        "participating-org (no funder, implementer or other organisation)",
        "activity-date (no start or end date)",
        "activity-status",
    ]
    assert ACT + "kayes-participation-numerique" not in {p.iri for p in result.written}


def test_complete_seeds_are_xsd_valid_iati_203(seed_export_store) -> None:
    result = export_activities(
        seed_export_store, reporting_org="XM-EXAMPLE-NGO", shacl=False, today=TODAY
    )
    assert {p.iri.removeprefix(ACT) for p in result.written} == {"imaj", "kimalakan"}
    assert {p.iri.removeprefix(ACT) for p in result.skipped} == {
        "ajee", "ensemble-avenir-meilleur", "kayes-participation-numerique"
    }  # fmt: skip
    [file] = result.files
    root = parse(file.xml)
    assert schema().validate(root), schema().error_log
    assert root.get("version") == "2.03"
    assert root.get("linked-data-default") == ACT
    activities = root.findall("iati-activity")
    assert {a.get("linked-data-uri") for a in activities} == {ACT + "imaj", ACT + "kimalakan"}
    assert {a.findtext("iati-identifier") for a in activities} == {
        "XM-EXAMPLE-NGO-imaj", "XM-EXAMPLE-NGO-kimalakan"
    }  # fmt: skip
    assert all(a.get("default-currency") == "EUR" for a in activities)
    values = root.findall(".//value")
    assert values and all(v.get("value-date") for v in values)
    kimalakan = next(a for a in activities if a.get("linked-data-uri").endswith("kimalakan"))
    # The seed says "2019-2023" (years only): widened, and said so in a comment before it.
    dates = {d.get("type"): d.get("iso-date") for d in kimalakan.findall("activity-date")}
    assert dates == {"1": "2019-01-01", "3": "2023-12-31"}
    comment = kimalakan.getprevious()
    assert isinstance(comment, etree._Comment) and "2019-01-01" in comment.text
    funders = [p for p in kimalakan.findall("participating-org") if p.get("role") == "1"]
    assert [n.text for n in funders[0].findall("narrative")] == [
        "European Union", "Union Européenne"
    ]  # fmt: skip
    assert kimalakan.find("budget/value").text == "1600000"


def test_allow_incomplete_writes_kayes_marked(seed_export_store) -> None:
    result = export_activities(
        seed_export_store,
        reporting_org="XM-EXAMPLE-NGO",
        activities=["kayes-participation-numerique"],
        allow_incomplete=True,
        shacl=False,
        today=TODAY,
    )
    [file] = result.files
    root = parse(file.xml)
    [kayes] = root.findall("iati-activity")
    comment = kayes.getprevious()
    assert isinstance(comment, etree._Comment)
    assert "INCOMPLETE" in comment.text and "activity-date" in comment.text
    # What is there is written; the schema then names exactly the missing parts.
    assert kayes.find("title/narrative") is not None
    assert file.xsd_errors and any("participating-org" in e for e in file.xsd_errors)


def test_unknown_activity_is_a_clear_error(seed_export_store) -> None:
    from devgraph.export import ExportError

    with pytest.raises(ExportError, match="no-such-project"):
        export_activities(seed_export_store, activities=["no-such-project"], shacl=False)


def test_country_filter(seed_export_store) -> None:
    result = export_activities(
        seed_export_store, reporting_org="XM-EXAMPLE-NGO", country="GN", shacl=False, today=TODAY
    )
    assert [p.iri for p in result.written] == [ACT + "kimalakan"]


def test_split_by_country(seed_export_store) -> None:
    result = export_activities(
        seed_export_store, reporting_org="XM-EXAMPLE-NGO", split="country", shacl=False,
        today=TODAY,
    )  # fmt: skip
    files = {f.key: [p.iri.removeprefix(ACT) for p in f.activities] for f in result.files}
    assert files == {"GN": ["kimalakan"], "ML": ["imaj"]}
    assert all(schema().validate(parse(f.xml)) for f in result.files)

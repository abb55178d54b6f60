"""Registry records, linked-data dumps and the ``devgraph export`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from devgraph.export import registry_record, registry_records, write_dumps

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
SAMPLES = REPO.parent / "shared" / "iati" / "samples"


def test_registry_record_fields(tmp_path: Path) -> None:
    src = SAMPLES / "wri-US-EIN-521257057_v2.03_strategic-plan.xml"
    path = tmp_path / "wri-strategic.xml"
    path.write_bytes(src.read_bytes())
    record = registry_record(path, publisher="wri", base_url="https://example.org/iati/")
    assert record["name"] == "wri-strategic"
    assert record["filetype"] == "activity"
    assert record["activity_count"] == 1
    assert record["iati_version"] == "2.03"
    assert record["source_url"] == "https://example.org/iati/wri-strategic.xml"
    assert record["licence"] == "cc-by"
    assert record["countries"] == ["BR", "CN", "CO", "ID", "IN", "MX"]
    assert record["country"] == ""  # several countries: the Registry's single field stays empty
    assert record["title"] and record["data_updated"]
    extras = {e["key"]: e["value"] for e in record["ckan"]["extras"]}
    assert extras["filetype"] == "activity" and extras["activity_count"] == "1"
    assert record["ckan"]["resources"] == [
        {"url": "https://example.org/iati/wri-strategic.xml", "format": "IATI-XML"}
    ]


def test_registry_refuses_duplicate_names_and_bad_licence(tmp_path: Path) -> None:
    src = (SAMPLES / "wri-US-EIN-521257057_v2.03_strategic-plan.xml").read_bytes()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "pub-ml.xml").write_bytes(src)
    with pytest.raises(ValueError, match="same Registry name"):
        registry_records(
            [tmp_path / "a" / "pub-ml.xml", tmp_path / "b" / "pub-ml.xml"],
            publisher="pub",
            base_url="https://example.org",
        )
    with pytest.raises(ValueError, match="licence"):
        registry_record(tmp_path / "a" / "pub-ml.xml", publisher="pub", base_url="x", licence="?")


def test_linked_data_dumps_and_void(seed_export_store, tmp_path: Path) -> None:
    dumps = write_dumps(seed_export_store, tmp_path, base_url="https://example.org/data")
    names = sorted(d.path.name for d in dumps)
    assert names == ["portfolio.jsonld", "portfolio.nq", "portfolio.ttl", "void.ttl"]
    ttl = list(ox.parse(path=str(tmp_path / "portfolio.ttl"), format=ox.RdfFormat.TURTLE))
    nq = list(ox.parse(path=str(tmp_path / "portfolio.nq"), format=ox.RdfFormat.N_QUADS))
    jsonld = list(ox.parse(path=str(tmp_path / "portfolio.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len({q.triple for q in nq}) == len(ttl) == len(jsonld) > 1000
    void = {
        (t.predicate.value.rsplit("#", 1)[-1], t.object.value)
        for t in ox.parse(path=str(tmp_path / "void.ttl"), format=ox.RdfFormat.TURTLE)
    }
    assert ("triples", str(len(ttl))) in void
    rows = seed_export_store.query(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE "
        "{ ?a a <https://w3id.org/devgraph/ontology#Activity> }"
    )
    activities = next(iter(rows))["n"].value
    assert int(activities) >= 5
    assert ("entities", activities) in void
    assert ("dataDump", "https://example.org/data/portfolio.ttl") in void


def test_cli_export_iati_strict_and_registry(runner, tmp_path: Path) -> None:
    assert runner("load", str(HERE / "wrong-dates.ttl")).exit_code == 0
    out = tmp_path / "late.xml"
    refused = runner("export", "iati", "--strict", "-o", str(out))
    assert refused.exit_code == 1
    assert "PlannedDateOrder" in refused.output or "planned start" in refused.output
    assert not out.exists()
    written = runner("export", "iati", "-o", str(out))
    assert written.exit_code == 0, written.output
    assert "XSD-valid" in written.output and out.exists()
    assert "error" in written.output and "planned start 2025-06-01" in written.output
    registry = runner(
        "export", "registry", str(out), "--publisher", "example-ngo",
        "--base-url", "https://example.org/iati",
    )  # fmt: skip
    [record] = json.loads(registry.output)
    assert record["name"] == "example-ngo-late" and record["activity_count"] == 1


def test_cli_export_iati_org_needs_an_identifier(runner, tmp_path: Path) -> None:
    assert runner("load", str(REPO / "data" / "ttl" / "organisations.ttl")).exit_code == 0
    result = runner("export", "iati-org", "eclosio", "-o", str(tmp_path / "o.xml"))
    assert result.exit_code == 1
    assert "organisation-identifier" in result.output


def test_cli_split_and_compare(runner, tmp_path: Path) -> None:
    src = SAMPLES / "worldvision-uk_v1.0x_provider-activity-id.xml"
    assert runner("import-iati", str(src)).exit_code == 0
    out = tmp_path / "by-publisher"
    result = runner(
        "export", "iati", "--no-shacl", "--split", "publisher", "--compare-with", str(src),
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["gb-chc-285908.xml"]
    assert "XSD-valid" in result.output
    assert "- iati-activity/activity-date @type 'start-actual' ×2" in result.output


def test_findings_in_iati_validator_terms() -> None:
    from devgraph.export import export_activities
    from devgraph.load import load_paths
    from devgraph.store import EmbeddedStore

    store = EmbeddedStore(None)
    load_paths(store, [HERE / "wrong-dates.ttl"], root=HERE)
    result = export_activities(store, strict=True)
    assert result.refused and result.files == []
    found = {(f.rule, f.severity, f.activity, f.path) for f in result.findings}
    assert (
        "PlannedDateOrderShape",
        "error",
        "XM-EXAMPLE-NGO-late",
        "/iati-activities/iati-activity/activity-date[@type='1']/@iso-date",
    ) in found
    assert {f.severity for f in result.findings} <= {"error", "warning", "advisory"}
    written = export_activities(store)  # not strict: written, findings still reported
    assert len(written.files) == 1 and written.violations

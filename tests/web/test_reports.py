"""The validation report and ontology documentation pages with their JSON twins."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DGSH = "https://w3id.org/devgraph/shapes#"
ACT = "https://w3id.org/devgraph/id/activity/"


@pytest.fixture(scope="module")
def data_app():
    """Only data/ttl: validating the ontology and codelist graphs too takes 3x longer."""
    from devgraph.load import load_paths
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    store = EmbeddedStore(None)
    load_paths(store, [REPO / "data" / "ttl"], root=REPO)
    return create_app({"TESTING": True, "STORE": store, "QUERY_WORKERS": 0})


def test_validation_report_by_severity_shape_and_activity(data_app):
    client = data_app.test_client()
    data = client.get("/validation.json").get_json()
    assert set(data) == {"conforms", "counts", "summary", "findings", "by_activity"}
    assert set(data["counts"]) == {"Violation", "Warning", "Info"}
    assert sum(data["counts"].values()) == len(data["findings"]) > 0
    assert sum(r["count"] for r in data["summary"]) == len(data["findings"])
    assert sum(sum(r["counts"].values()) for r in data["by_activity"]) == len(data["findings"])
    # the seed pages state no IATI identifiers: a real finding for every full activity
    missing_id = {
        f["focus_node"] for f in data["findings"] if f["shape"] == DGSH + "ActivityIdentifierShape"
    }
    assert ACT + "ajee" in missing_id and ACT + "kimalakan" in missing_id
    assert data["conforms"] is (data["counts"]["Violation"] == 0)

    html = client.get("/validation").get_data(as_text=True)
    assert "<h1>Validation report</h1>" in html
    assert "dgsh:ActivityIdentifierShape" in html
    assert '<a href="/activity/ajee">AJEE</a>' in html
    labels = {r["focus_node"]: r["label"] for r in data["by_activity"]}
    assert labels[ACT + "ajee"] == "AJEE"
    for severity in data["counts"]:
        assert f'<th scope="col" class="dg-severity-{severity}">{severity}</th>' in html
    assert f'<td class="num">{data["counts"]["Violation"]}</td>' in html


def test_validation_report_is_kept_until_the_store_changes(data_app):
    from devgraph.web.reports import current_report

    with data_app.app_context():
        first = current_report()
        assert current_report() is first


def test_validation_page_in_french(data_app):
    html = data_app.test_client().get("/validation?lang=fr").get_data(as_text=True)
    assert "<h1>Rapport de validation</h1>" in html
    assert "Avertissement" in html


def test_ontology_docs_list_classes_and_properties(seed_client):
    data = seed_client.get("/docs/ontology.json").get_json()
    terms = {t["name"]: t for t in data["terms"]}
    activity = terms["dg:Activity"]
    assert activity["kind"] == "class"
    assert activity["labels"] == {"en": "activity", "fr": "activité"}
    assert activity["iati_paths"] == ["/iati-activities/iati-activity"]
    assert "/iati-activities/iati-activity/title" in terms["dg:title"]["iati_paths"]
    assert terms["dg:title"]["kind"] == "datatype property"
    assert all(t["labels"].get("en") and t["labels"].get("fr") for t in data["terms"])
    html = seed_client.get("/docs/ontology").get_data(as_text=True)
    assert '<tr id="Activity">' in html
    assert '<span lang="fr">activité</span>' in html
    assert "A development-cooperation project or programme" in html
    french = seed_client.get("/docs/ontology?lang=fr").get_data(as_text=True)
    assert "Un projet ou programme de coopération au développement" in french
    assert "<h1>Documentation de l’ontologie</h1>" in french

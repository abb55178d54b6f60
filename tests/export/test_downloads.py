"""Browser downloads: ``/export/iati.xml`` and ``/export/iati-org.xml`` on the seed portfolio."""

from __future__ import annotations

import pytest
from lxml import etree

from devgraph.iati.xsd import SCHEMA_DIR
from devgraph.web import create_app

ACT = "https://w3id.org/devgraph/id/activity/"


@pytest.fixture(scope="module")
def client(seed_export_store):
    app = create_app({"TESTING": True, "STORE": seed_export_store, "QUERY_WORKERS": 0})
    return app.test_client()


def _valid(xml: bytes) -> bool:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd"), parser))
    return schema.validate(etree.fromstring(xml, parser))


def test_portfolio_download(client) -> None:
    resp = client.get("/export/iati.xml?reporting_org=XM-EXAMPLE-NGO")
    assert resp.status_code == 200
    assert resp.mimetype == "application/xml"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.headers["X-Devgraph-Activities"] == "2"
    assert "kayes-participation-numerique" in resp.headers["X-Devgraph-Skipped"]
    assert _valid(resp.data)


def test_one_activity_and_country(client) -> None:
    one = client.get("/export/iati.xml?reporting_org=XM-EXAMPLE-NGO&activity=kimalakan")
    root = etree.fromstring(one.data)
    assert [a.get("linked-data-uri") for a in root.findall("iati-activity")] == [ACT + "kimalakan"]
    by_country = client.get("/export/iati.xml?reporting_org=XM-EXAMPLE-NGO&country=ML")
    assert by_country.headers["X-Devgraph-Activities"] == "1"  # IMAJ; Kayes is incomplete


def test_incomplete_only_on_request(client) -> None:
    url = "/export/iati.xml?reporting_org=XM-EXAMPLE-NGO&activity=kayes-participation-numerique"
    refused = client.get(url)
    assert refused.status_code == 404
    assert b"activity-date" in refused.data and b"participating-org" in refused.data
    marked = client.get(url + "&allow_incomplete=1")
    assert marked.status_code == 200 and b"INCOMPLETE" in marked.data


def test_unknown_activity_and_org(client) -> None:
    assert client.get("/export/iati.xml?activity=nope").status_code == 404
    assert client.get("/export/iati-org.xml").status_code == 400
    assert client.get("/export/iati-org.xml?org=nobody").status_code == 404
    lacking = client.get("/export/iati-org.xml?org=eclosio")
    assert lacking.status_code == 422 and b"organisation-identifier" in lacking.data


def test_org_download(client) -> None:
    resp = client.get("/export/iati-org.xml?org=XM-EXAMPLE-NGO")
    assert resp.status_code == 200
    root = etree.fromstring(resp.data)
    assert root.findtext("iati-organisation/organisation-identifier") == "XM-EXAMPLE-NGO"

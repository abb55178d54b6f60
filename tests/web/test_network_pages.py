"""The partner network and flows pages, their pictures and JSON twins, on the seeds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

ORG = "https://w3id.org/devgraph/id/organisation/"
SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script>'


def _no_inline_code(html: str) -> None:
    """The pages obey a CSP without 'unsafe-inline': no inline script, style or handler."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_network_page_draws_and_lists_the_seed_network(seed_client):
    page = seed_client.get("/network")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Partner network</h1>" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="dg-picture"' in html
    data = seed_client.get("/network.json").get_json()
    assert set(data) == {"filters", "nodes", "links"}
    for node in data["nodes"]:
        assert node["label"].replace("'", "&#39;") in html
    layers = {n["label"]: n["layer"] for n in data["nodes"]}
    assert layers["European Union"] == "funder"
    assert layers["SOS Villages d'Enfants France"] == "intermediary"
    assert layers["CADES"] == "implementer"
    assert {x["source"] for x in data["links"]} | {x["target"] for x in data["links"]} == {
        n["iri"] for n in data["nodes"]
    }
    # boxes link to the organisations' own pages on this server
    assert 'href="/organisation/eu"' in html
    _no_inline_code(html)


@pytest.mark.parametrize(
    ("args", "present", "absent"),
    [
        ("country=GN", "CADES", "SOS Villages d'Enfants Mali"),
        ("country=ML", "SOS Villages d'Enfants Mali", "CADES"),
        (f"funder={ORG}bmz", "Plan International Mali", "European Union"),
        ("sector=250", "ANAPEC", "CADES"),
    ],
)
def test_filters_keep_only_matching_relations(seed_client, args, present, absent):
    data = seed_client.get(f"/network.json?{args}").get_json()
    names = {n["label"] for n in data["nodes"]}
    assert present in names and absent not in names
    key, value = args.split("=")
    assert data["filters"] == {key: value}
    html = seed_client.get(f"/network?{args}").get_data(as_text=True)
    assert f'value="{value}" selected' in html


def test_network_svg_is_a_standalone_accessible_file(seed_client):
    response = seed_client.get("/network.svg?country=ML")
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.find(SVG + "title").text == "Partner network: who funds whom"
    assert "funding relations" in root.find(SVG + "desc").text


def test_flows_page_and_twin(seed_client):
    data = seed_client.get("/flows.json").get_json()
    assert set(data) == {"filters", "nodes", "links", "total_eur"}
    assert data["total_eur"] == 0  # the seed pages publish no transactions
    assert all(x["inferred"] for x in data["links"])
    assert {"source_label", "target_label"} <= set(data["links"][0])
    html = seed_client.get("/flows").get_data(as_text=True)
    assert "No amounts published for these relations." in html
    assert 'class="dg-band"' in html
    assert html.count("<tr>") >= len(data["links"])
    _no_inline_code(html)
    assert seed_client.get("/flows.svg").mimetype == "image/svg+xml"


def test_ego_network_picture(seed_client):
    response = seed_client.get(f"/network/ego.svg?org={ORG}sos-villages-enfants-france")
    assert response.status_code == 200
    svg = response.get_data(as_text=True)
    root = ET.fromstring(svg)
    assert "SOS Villages d&#x27;Enfants France" in svg or "SOS Villages d&#39;Enfants France" in svg
    assert "Directorate of International Cooperation" in svg  # funds it
    assert "SOS Villages d" in root.find(SVG + "title").text
    assert seed_client.get("/network/ego.svg").status_code == 400
    assert seed_client.get(f"/network/ego.svg?org={ORG}nobody").status_code == 404


def test_french_interface(seed_client):
    html = seed_client.get("/network?lang=fr").get_data(as_text=True)
    assert "<h1>Réseau des partenaires</h1>" in html
    assert ">Bailleurs</text>" in html  # the picture's headings too
    assert "Appliquer" in html
    assert "Union Européenne" in html  # organisations named in French where the graph can
    assert '<option value="GN">Guinée (GN)</option>' in html  # filters name countries too
    assert '<option value="16010">Protection sociale (16010)</option>' in html
    assert "European Union" in seed_client.get("/network?lang=en").get_data(as_text=True)
    flows = seed_client.get("/flows?lang=fr").get_data(as_text=True)
    assert "Qui finance qui" in flows


@pytest.fixture
def evil_client(tmp_path):
    from devgraph.load import load_paths
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    ttl = tmp_path / "evil.ttl"
    ttl.write_text(
        f"""@prefix dg: <https://w3id.org/devgraph/ontology#> .
@prefix role: <https://w3id.org/devgraph/codelist/OrganisationRole/> .
<https://w3id.org/devgraph/id/activity/x> a dg:Activity ; dg:title "X"@en ;
  dg:participation [ dg:participant <{ORG}evil> ; dg:role role:1 ] ,
                   [ dg:participant <{ORG}good> ; dg:role role:4 ] .
<{ORG}evil> a dg:Organisation ; dg:name '''{EVIL}'''@en .
<{ORG}good> a dg:Organisation ; dg:name "Good"@en .
"""
    )
    store = EmbeddedStore(None)
    load_paths(store, [ttl], root=tmp_path)
    return create_app({"TESTING": True, "STORE": store, "QUERY_WORKERS": 0}).test_client()


@pytest.mark.parametrize(
    "url", ["/network", "/flows", "/network.svg", "/flows.svg", f"/network/ego.svg?org={ORG}good"]
)
def test_a_name_holding_markup_shows_as_text(evil_client, url):
    body = evil_client.get(url).get_data(as_text=True)
    assert "&lt;script&gt;alert(" in body
    assert EVIL not in body

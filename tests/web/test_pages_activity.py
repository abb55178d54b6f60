"""The activity page: every fact, money in EUR, results as bars, findings, downloads."""

from __future__ import annotations

import re
import time


def test_kimalakan_facts_participants_and_budget(seed_client):
    data = seed_client.get("/activity/kimalakan.json").get_json()
    assert data["title"]["text"] == "KiMaLaKan"
    roles = {p["organisation"]["iri"].rsplit("/", 1)[-1]: p["roles"][0]["label"]
             for p in data["participants"]}  # fmt: skip
    assert roles == {"eu": "Funding", "eclosio": "Implementing", "trias": "Implementing",
                     "ose-innover": "Implementing", "cades": "Implementing"}  # fmt: skip
    assert data["budget_eur"] == 1600000.0
    assert data["budgets"][0]["eur_from"] == "published"
    places = {x["place"]["label"] for x in data["locations"]}
    assert places == {"Kindia", "Mamou", "Labé", "Kankan"}
    assert any(s["graph"].endswith("data/ttl/kimalakan.ttl") for s in data["sources"])
    assert {f["source"]["label"] for f in data["chains"]["flows"]} == {"European Union"}


def test_xof_budget_is_shown_with_its_eur_figure(seed_client):
    data = seed_client.get("/activity/ensemble-avenir-meilleur.json").get_json()
    budget = data["budgets"][0]
    assert (budget["amount"], budget["currency"]) == (96303057.0, "XOF")
    assert (budget["eur"], budget["eur_from"]) == (146813.06, "converted")
    html = seed_client.get("/activity/ensemble-avenir-meilleur").get_data(as_text=True)
    assert "96,303,057 XOF" in html and "146,813" in html


def test_results_draw_target_bars(seed_client):
    data = seed_client.get("/activity/ajee.json").get_json()
    periods = [p for r in data["results"] for i in r["indicators"] for p in i["periods"]]
    assert periods and all(p["target"]["value"] for p in periods)
    assert {p["bar"]["target"] for p in periods} == {100.0}
    html = seed_client.get("/activity/ajee").get_data(as_text=True)
    assert len(re.findall(r'<rect class="target"[^>]* width="100.0"', html)) == len(periods)


def test_related_activities_and_previous_phase(seed_client):
    data = seed_client.get("/activity/imaj.json").get_json()
    related = {(r["activity"]["iri"].rsplit("/", 1)[-1], r["direction"]) for r in data["related"]}
    assert ("imaj-phase-1", "out") in related
    back = seed_client.get("/activity/imaj-phase-1.json").get_json()
    assert back["mentioned_only"] is True
    assert ("imaj", "in") in {(r["activity"]["iri"].rsplit("/", 1)[-1], r["direction"])
                              for r in back["related"]}  # fmt: skip


def test_validation_findings_for_the_activity(seed_client, seed_store):
    from devgraph.pages import cache

    cache.validation(seed_store)  # what the background thread computes, done here and now
    data = seed_client.get("/activity/kimalakan.json").get_json()
    assert data["findings_status"] == "done"
    messages = [f["message"] for f in data["findings"]]
    assert any("IATI identifier" in m for m in messages)
    kimalakan = "https://w3id.org/devgraph/id/activity/kimalakan"
    assert all(f["focus_node"].startswith(kimalakan) for f in data["findings"])


def test_downloads_and_landmarks(seed_client):
    html = seed_client.get("/activity/kimalakan").get_data(as_text=True)
    assert 'href="/id/activity/kimalakan.ttl"' in html
    assert 'href="/id/activity/kimalakan.jsonld"' in html
    assert 'href="/activity/kimalakan.json"' in html
    for landmark in ("<header>", "<nav ", "<main ", "<footer>", 'class="skip"'):
        assert landmark in html
    assert html.count("<h1") == 1


def test_unknown_activity_is_404_in_both_formats(seed_client):
    assert seed_client.get("/activity/no-such-thing").status_code == 404
    missing = seed_client.get("/activity/no-such-thing.json")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not found"
    assert seed_client.get("/activity/bad%20iri%3E").status_code == 404


def test_every_note_shown_and_objective_not_repeated_as_description(seed_client):
    data = seed_client.get("/activity/kimalakan.json?lang=fr").get_json()
    assert len(data["texts"]["note"]) == 2
    objectives = {t["text"] for t in data["texts"]["objective"]}
    assert objectives and not objectives & {t["text"] for t in data["texts"]["description"]}


def test_linked_data_view_links_to_the_page(seed_client):
    html = seed_client.get("/id/activity/kimalakan", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert 'href="/activity/kimalakan"' in html
    page = seed_client.get("/activity/kimalakan").get_data(as_text=True)
    assert "Open its page in the browser" not in page


def test_findings_off_and_pending(tmp_path):
    from devgraph.load import load_paths
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    path = tmp_path / "a.ttl"
    path.write_text(
        "@prefix dg: <https://w3id.org/devgraph/ontology#> .\n"
        '<https://w3id.org/devgraph/id/activity/a> a dg:Activity ; dg:title "A"@en .'
    )
    store = EmbeddedStore(None)
    load_paths(store, [path], root=tmp_path)
    off = create_app({"TESTING": True, "STORE": store, "PAGE_FINDINGS": "off"}).test_client()
    data = off.get("/activity/a.json").get_json()
    assert (data["findings"], data["findings_status"]) == (None, "off")
    assert "Validation is switched off" in off.get("/activity/a").get_data(as_text=True)
    # In the background (the default), the page answers at once, then the findings come.
    background = create_app({"TESTING": True, "STORE": store}).test_client()
    first = background.get("/activity/a.json").get_json()
    assert first["findings_status"] in ("pending", "done")
    deadline = time.monotonic() + 120
    while first["findings_status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.2)
        first = background.get("/activity/a.json").get_json()
    assert first["findings_status"] == "done"
    assert any("IATI identifier" in f["message"] for f in first["findings"])
    waiting = create_app({"TESTING": True, "STORE": store, "PAGE_FINDINGS": "wait"})
    done = waiting.test_client().get("/activity/a.json").get_json()
    assert done["findings"] == first["findings"]


def test_percent_encoded_iris_round_trip_through_page_links(tmp_path):
    """IATI identifiers with "/" or spaces mint %-encoded IRIs; their page links find them."""
    from devgraph.load import load_paths
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    act = "https://w3id.org/devgraph/id/activity/XM-DAC-1%2F2%20b"
    org = "https://w3id.org/devgraph/id/organisation/pub/name/ministry%20of%20health"
    (tmp_path / "x.ttl").write_text(
        f"""@prefix dg: <https://w3id.org/devgraph/ontology#> .
<{act}> a dg:Activity ; dg:title "Slash"@en ; dg:participation <{act}/p> .
<{act}/p> dg:participant <{org}> ;
  dg:role <https://w3id.org/devgraph/codelist/OrganisationRole/4> .
<{org}> a dg:Organisation ; dg:name "Ministry of Health"@en .
"""
    )
    store = EmbeddedStore(None)
    load_paths(store, [tmp_path / "x.ttl"], root=tmp_path)
    client = create_app({"TESTING": True, "STORE": store, "PAGE_FINDINGS": "off"}).test_client()
    listing = client.get("/activities").get_data(as_text=True)
    (href,) = re.findall(r'href="(/activity/[^"?]+)"', listing)
    page = client.get(href)
    assert page.status_code == 200
    assert client.get(href + ".json").get_json()["iri"] == act
    (org_href,) = re.findall(r'href="(/organisation/[^"?]+)"', page.get_data(as_text=True))
    assert client.get(org_href + ".json").get_json()["iri"] == org

"""Organisation, place and sector pages with the 3W matrix, funders and totals."""

from __future__ import annotations


def _tails(items):
    return {x["iri"].rsplit("/", 1)[-1] for x in items}


def test_organisation_roles_funding_and_partners(seed_client):
    data = seed_client.get("/organisation/eu.json").get_json()
    assert [r["label"] for r in data["roles"]] == ["Funding"]
    assert _tails(data["activities"]) == {"kimalakan"}
    assert {x["organisation"]["label"] for x in data["funds"]} == {
        "CADES", "Eclosio", "Ose Innover", "Trias"}  # fmt: skip
    assert all(x["inferred"] for x in data["funds"])
    assert data["funded_by"] == []
    trias = seed_client.get("/organisation/trias.json").get_json()
    assert {x["organisation"]["label"] for x in trias["funded_by"]} == {"European Union"}
    assert "Eclosio" in {p["organisation"]["label"] for p in trias["partners"]}


def test_organisation_html_ego_picture_only_when_served(seed_app, seed_client):
    html = seed_client.get("/organisation/eu").get_data(as_text=True)
    if "network.ego_svg" in seed_app.view_functions:
        assert '<img class="ego" src="/network/ego.svg?org=https' in html and 'alt="' in html
    else:
        assert "<img" not in html


def test_country_page_3w_and_totals(seed_client):
    data = seed_client.get("/place/GN.json").get_json()
    assert data["kind"] == "Country" and data["iso_code"] == "GN"
    assert _tails(data["contains"]) == {"GN-D", "GN-M", "GN-L", "GN-K"}
    w = data["threew"]
    assert w["totals"] == {"activities": 1, "organisations": 4, "budget_eur": 1600000.0,
                           "activities_without_budget": 0}  # fmt: skip
    assert {x["label"] for r in w["rows"] for x in r["where"]} == {"Kindia", "Mamou", "Labé",
                                                                   "Kankan"}  # fmt: skip
    # One row per implementer and sector: 4 implementers × 2 sectors.
    assert len(w["rows"]) == 8
    assert [f["organisation"]["label"] for f in w["funders"]] == ["European Union"]


def test_region_and_commune_pages(seed_client):
    region = seed_client.get("/place/ML-BKO.json").get_json()
    assert region["kind"] == "AdminArea1" and _tails(region["within"]) == {"ML"}
    assert "imaj" in _tails(region["threew"]["activities"])
    commune = seed_client.get("/place/ML-koulikoro-commune-sanankoroba.json").get_json()
    assert commune["kind"] == "AdminArea3"
    assert [x["label"] for x in commune["within"]][0] in ("Mali",)
    assert "imaj" in _tails(commune["threew"]["activities"])


def test_sector_page_and_indexes(seed_client):
    data = seed_client.get("/sector/16020.json").get_json()
    assert data["label"]["text"] == "Employment creation"
    assert "kimalakan" in _tails(data["threew"]["activities"])
    fr = seed_client.get("/sector/16020.json?lang=fr").get_json()
    assert fr["label"] == {"text": "Création d'emplois", "lang": "fr"}
    sectors = seed_client.get("/sectors.json").get_json()["sectors"]
    employment = next(s for s in sectors if s["code"] == "16020")
    assert employment["activities"] == len(data["threew"]["activities"])
    # The ?lang=fr above is remembered in the client's cookie: ask for English again.
    places = seed_client.get("/places.json?lang=en").get_json()["countries"]
    assert {p["label"] for p in places} >= {"Guinea", "Mali"}
    for url in ("/organisations", "/places", "/sectors", "/place/GN", "/sector/16020"):
        assert seed_client.get(url).status_code == 200
    assert seed_client.get("/sector/99999").status_code == 404

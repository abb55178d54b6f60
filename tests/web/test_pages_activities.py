"""The activity list: search in both languages, facets, JSON twin, a form that needs no JS."""

from __future__ import annotations

ML = "https://w3id.org/devgraph/id/place/ML"
EU = "https://w3id.org/devgraph/id/organisation/eu"


def _titles(data):
    return {a["iri"].rsplit("/", 1)[-1] for a in data["activities"]}


def test_search_finds_french_and_english_text(seed_client):
    fr = seed_client.get("/activities.json?q=bassins+d%E2%80%99emploi").get_json()
    en = seed_client.get("/activities.json?q=employment+basins").get_json()
    assert "kimalakan" in _titles(fr) and "kimalakan" in _titles(en)
    assert fr["total"] == len(fr["activities"])


def test_search_ignores_case_and_accents(seed_client):
    plain = seed_client.get("/activities.json?q=guinee").get_json()
    accented = seed_client.get("/activities.json?q=GUIN%C3%89E").get_json()
    assert _titles(plain) == _titles(accented)


def test_facets_filter_and_count(seed_client):
    data = seed_client.get("/activities.json", query_string={"country": ML}).get_json()
    assert data["total"] >= 3 and "kimalakan" not in _titles(data)
    funders = {f["value"]: f["count"] for f in data["facets"]["funder"]}
    assert EU not in funders  # the EU funds only KiMaLaKan, in Guinea
    both = seed_client.get("/activities.json", query_string={"country": ML, "year": "2025"})
    assert _titles(both.get_json()) <= _titles(data)
    assert "imaj" in _titles(both.get_json())


def test_html_list_is_a_plain_get_form_with_labels(seed_client):
    html = seed_client.get("/activities?q=emploi").get_data(as_text=True)
    assert '<form class="facets" method="get"' in html
    assert '<label for="q">' in html and 'type="checkbox" name="country"' in html
    assert 'href="/activity/kimalakan"' in html


def test_no_match_says_so(seed_client):
    data = seed_client.get("/activities.json?q=zzzzqqq").get_json()
    assert data["total"] == 0 and data["activities"] == []
    assert "No activity matches." in seed_client.get("/activities?q=zzzzqqq").get_data(as_text=True)


def test_pages_link_to_each_other_keeping_search_and_filters(seed_client, monkeypatch):
    from devgraph.pages import activities

    monkeypatch.setattr(activities, "PAGE_SIZE", 2)
    html = seed_client.get("/activities", query_string={"q": "mali", "country": ML}).get_data(
        as_text=True
    )
    assert '<strong aria-current="page">1</strong>' in html
    assert "page=2" in html and "q=mali" in html and "country=https" in html
    second = seed_client.get("/activities.json", query_string={"q": "mali", "page": 2}).get_json()
    assert second["page"] == 2 and len(second["activities"]) <= 2

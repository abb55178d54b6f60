"""The home page and its JSON twin."""

from __future__ import annotations

from devgraph.load import load_paths
from devgraph.store import EmbeddedStore
from devgraph.web import create_app


def test_home_lists_counts_and_sources(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "portfolio.ttl" in html
    assert '<main id="content"' in html and "<footer>" in html


def test_home_json_twin_has_documented_keys(client):
    data = client.get("/index.json").get_json()
    assert set(data) == {
        "counts", "budget_eur", "funding_by_country", "funding_by_funder", "graphs", "sources"
    }  # fmt: skip
    assert data["counts"]["triples"] == sum(g["triples"] for g in data["graphs"])
    assert data["sources"][0]["path"].endswith("portfolio.ttl")


def test_seed_home_funding_in_eur(seed_client):
    data = seed_client.get("/index.json").get_json()
    assert data["counts"]["activities"] == 5
    by_country = {row["label"]: row for row in data["funding_by_country"]}
    # KiMaLaKan: 1,600,000 EUR in Guinea, the only Guinean activity.
    assert by_country["Guinea"]["budget_eur"] == 1600000.0
    funders = {row["iri"].rsplit("/", 1)[-1]: row for row in data["funding_by_funder"]}
    # Ensemble pour un avenir meilleur: 96,303,057 XOF at the fixed parity 655.957.
    assert funders["bmz"]["budget_eur"] == 146813.06
    assert data["budget_eur"] == sum(
        row["budget_eur"] for row in data["funding_by_country"] if row["budget_eur"]
    )


def test_untrusted_text_is_escaped(tmp_path):
    """A source file name holding markup is shown as text on the home page."""
    evil = tmp_path / '<img src=x onerror="alert(1)">.ttl'
    evil.write_text("<http://e/a> <http://e/b> 1 .")
    store = EmbeddedStore(None)
    load_paths(store, [evil], root=tmp_path)
    html = (
        create_app({"TESTING": True, "STORE": store}).test_client().get("/").get_data(as_text=True)
    )
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.ttl" in html
    assert "<img src=x" not in html


def test_empty_store_home_page_says_how_to_load():
    app = create_app({"TESTING": True, "STORE": ":memory:"})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "devgraph load data/ttl" in html

"""The home page and its JSON twin."""

from __future__ import annotations


def test_home_lists_graphs_counts_and_sources(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "portfolio.ttl" in html
    assert '<td>Activity</td><td class="num">2</td>' in html


def test_home_json_twin_has_stable_keys(client):
    data = client.get("/index.json").get_json()
    assert set(data) == {"triples", "graphs", "classes", "sources"}
    assert data["classes"]["Activity"] == 2
    assert data["triples"] == sum(g["triples"] for g in data["graphs"])
    assert data["sources"][0]["path"].endswith("portfolio.ttl")


def test_untrusted_text_is_escaped(tmp_path):
    """A source file name holding markup is shown as text on the home page."""
    from devgraph.load import load_paths
    from devgraph.store import EmbeddedStore
    from devgraph.web import create_app

    evil = tmp_path / '<img src=x onerror="alert(1)">.ttl'
    evil.write_text("<http://e/a> <http://e/b> 1 .")
    store = EmbeddedStore(None)
    load_paths(store, [evil], root=tmp_path)
    html = (
        create_app({"TESTING": True, "STORE": store}).test_client().get("/").get_data(as_text=True)
    )
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.ttl" in html
    assert "<img src=x" not in html


def test_empty_store_home_page_says_how_to_load(tmp_path):
    from devgraph.web import create_app

    app = create_app({"TESTING": True, "STORE": ":memory:"})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "devgraph load data/ttl" in html

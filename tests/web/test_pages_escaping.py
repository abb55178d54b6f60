"""Untrusted text from the graph shows as text on every core page, never as markup."""

from __future__ import annotations

import pytest

from devgraph.load import load_paths
from devgraph.store import EmbeddedStore
from devgraph.web import create_app

EVIL = '<script>alert(1)</script>" onload="alert(2)'
TTL = f"""@prefix dg: <https://w3id.org/devgraph/ontology#> .
@prefix act: <https://w3id.org/devgraph/id/activity/> .
@prefix dgo: <https://w3id.org/devgraph/id/organisation/> .
@prefix place: <https://w3id.org/devgraph/id/place/> .
act:evil a dg:Activity ; dg:title {EVIL!r}@en ; dg:description {EVIL!r}@en ;
  dg:recipientCountry place:XX ; dg:participation act:evil\\/p .
act:evil\\/p dg:participant dgo:evil ;
  dg:role <https://w3id.org/devgraph/codelist/OrganisationRole/1> .
dgo:evil a dg:Organisation ; dg:name {EVIL!r}@en .
place:XX a dg:Country ; dg:name {EVIL!r}@en ; dg:isoCode "XX" .
"""


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory):
    path = tmp_path_factory.mktemp("evil") / "evil.ttl"
    path.write_text(TTL, encoding="utf-8")
    store = EmbeddedStore(None)
    load_paths(store, [path], root=path.parent)
    app = create_app({"TESTING": True, "STORE": store, "PAGE_FINDINGS": False})
    return app.test_client()


@pytest.mark.parametrize(
    "url",
    ["/", "/activities", "/activities?q=script", "/activity/evil", "/organisation/evil",
     "/organisations", "/place/XX", "/places"],
)  # fmt: skip
def test_markup_in_literals_is_escaped(evil_client, url):
    response = evil_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34; onload=&#34;alert(2)" in html
    assert "<script" not in html
    assert '" onload="' not in html


def test_search_words_are_escaped_when_echoed(evil_client):
    html = evil_client.get("/activities", query_string={"q": EVIL}).get_data(as_text=True)
    assert "<script" not in html and 'value="&lt;script&gt;' in html

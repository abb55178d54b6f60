"""Linked data: minted IRIs dereference as HTML, Turtle, JSON-LD, N-Triples and RDF/XML."""

from __future__ import annotations

import json
import warnings

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from devgraph.namespaces import ACTIVITY, DG, ORGANISATION
from devgraph.store import EmbeddedStore
from devgraph.web import create_app

ALPHA = ACTIVITY + "alpha"
BETA = ACTIVITY + "beta"


@pytest.fixture
def client(app):
    return app.test_client()


def triples(data: bytes, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(data, format=fmt)}


def test_browser_gets_html_with_every_value_escaped(client):
    r = client.get("/id/activity/beta", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &#34; onload=&#34;alert(1)" in html
    assert "<script" not in html.lower()  # no inline script of our own either
    assert 'href="/id/organisation/fund"' in html  # a minted IRI links to its local route
    assert ">Fonds Exemple</a>" in html  # shown by its label
    assert 'href="/ontology#Activity"' in html  # hash IRIs link into the ontology document
    assert {v.strip() for v in r.headers["Vary"].split(",")} >= {"Accept", "Accept-Language"}
    assert r.headers["Content-Location"] == "/id/activity/beta.html"


def test_html_shows_languages_and_incoming_links(client):
    html = client.get("/id/organisation/fund", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert '<span class="literal" lang="fr">Fonds Exemple</span>' in html
    assert "Links to this resource" in html
    assert 'href="/id/activity/alpha"' in html and 'href="/id/activity/beta"' in html


def test_non_http_iris_are_never_links():
    store = EmbeddedStore(None)
    store.load(
        f"<{ACTIVITY}x> <{DG}documentLink> <javascript:alert(1)> .",
        format="turtle",
        graph="http://e/g",
    )
    app = create_app({"TESTING": True, "STORE": store})
    html = app.test_client().get("/id/activity/x.html").get_data(as_text=True)
    assert "javascript:alert(1)" in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
        ("text/html;q=0.5, application/n-triples", "application/n-triples", None),
    ],
)
def test_rdf_by_accept_holds_the_resource_triples(client, accept, media, fmt):
    r = client.get("/id/activity/alpha", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == media
    got = triples(r.data, fmt or ox.RdfFormat.N_TRIPLES)
    assert (f"<{ALPHA}>", f"<{DG}title>", '"Projet Alpha"@fr') in got
    assert (f"<{ALPHA}>", f"<{DG}fundedBy>", f"<{ORGANISATION}fund>") in got
    assert not any(s == f"<{BETA}>" and p != f"<{DG}title>" for s, p, _ in got)


def test_extension_and_format_parameter_override_accept(client):
    html = {"Accept": "text/html"}
    ext = client.get("/id/activity/alpha.nt", headers=html)
    param = client.get("/id/activity/alpha", query_string={"format": "turtle"}, headers=html)
    assert ext.mimetype == "application/n-triples"
    assert param.mimetype == "text/turtle"
    assert triples(ext.data, ox.RdfFormat.N_TRIPLES) == triples(param.data, ox.RdfFormat.TURTLE)
    assert ext.headers["Content-Location"] == "/id/activity/alpha.nt"
    assert "Vary" not in ext.headers
    assert client.get("/id/activity/alpha", query_string={"format": "xls"}).status_code == 400


def test_a_graph_iri_ending_in_an_extension_is_itself(client):
    r = client.get("/graph/portfolio.ttl", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert any("sourcePath" in p for _, p, _ in triples(r.data, ox.RdfFormat.TURTLE))
    as_nt = client.get("/graph/portfolio.ttl.nt")
    assert as_nt.mimetype == "application/n-triples"


def test_jsonld_uses_the_published_context(client):
    r = client.get("/id/activity/alpha", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    doc = json.loads(r.data)
    assert doc["@context"] == "http://localhost/context.jsonld"
    ctx = client.get("/context.jsonld")
    assert ctx.mimetype == "application/ld+json"
    assert ctx.headers["Access-Control-Allow-Origin"] == "*"
    doc["@context"] = ctx.get_json()["@context"]  # what a JSON-LD processor would fetch
    with warnings.catch_warnings():  # rdflib's JSON-LD parser warns about its own internals
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    nt = client.get("/id/activity/alpha.nt").get_data(as_text=True)
    expected = rdflib.Graph().parse(data=nt, format="nt")
    assert isomorphic(parsed, expected)
    assert (
        rdflib.URIRef(ALPHA),
        rdflib.URIRef(DG + "title"),
        rdflib.Literal("Projet Alpha", lang="fr"),
    ) in parsed


def test_unknown_iri_is_404_with_a_helpful_body(client):
    text = client.get("/id/activity/nope", headers={"Accept": "text/turtle"})
    assert text.status_code == 404
    assert f"<{ACTIVITY}nope>" in text.get_data(as_text=True)
    page = client.get("/id/activity/nope", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "SPARQL query" in page.get_data(as_text=True)
    assert client.get("/codelist/Nope/1").status_code == 404


def test_unacceptable_media_type_is_406(client):
    r = client.get("/id/activity/alpha", headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406


def test_ontology_document_describes_hash_terms():
    store = EmbeddedStore(None)
    store.load(
        f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{DG[:-1]}> a owl:Ontology ; rdfs:label "devgraph"@en .
        <{DG}Activity> a owl:Class ; rdfs:label "Activity"@en, "Activité"@fr .
        <{DG}fundedBy> a owl:ObjectProperty ; rdfs:label "funded by"@en .""",
        format="turtle",
        graph="http://e/onto",
    )
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    html = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="Activity"' in html and 'id="fundedBy"' in html
    ttl = client.get("/ontology.ttl")
    subjects = {s for s, _, _ in triples(ttl.data, ox.RdfFormat.TURTLE)}
    assert {f"<{DG}Activity>", f"<{DG}fundedBy>", f"<{DG[:-1]}>"} <= subjects


def test_base_iri_is_configurable():
    store = EmbeddedStore(None)
    store.load(
        '<https://example.org/dg/id/activity/x> <http://purl.org/dc/terms/title> "X" .',
        format="turtle",
        graph="https://example.org/dg/graph/x",
    )
    app = create_app({"TESTING": True, "STORE": store, "BASE_IRI": "https://example.org/dg/"})
    client = app.test_client()
    r = client.get("/id/activity/x.nt")
    assert r.status_code == 200
    assert triples(r.data, ox.RdfFormat.N_TRIPLES) == {
        ("<https://example.org/dg/id/activity/x>", "<http://purl.org/dc/terms/title>", '"X"')
    }
    ctx = client.get("/context.jsonld").get_json()["@context"]
    assert ctx["act"] == "https://example.org/dg/id/activity/"


def test_percent_encoded_paths_match_minted_graph_iris():
    store = EmbeddedStore(None)
    iri = "https://w3id.org/devgraph/graph/data/my%20file.ttl"
    store.load(f'<{iri}> <http://purl.org/dc/terms/title> "T" .', format="turtle", graph=iri)
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    r = client.get("/graph/data/my%20file.ttl", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert f"<{iri}>" in r.get_data(as_text=True)

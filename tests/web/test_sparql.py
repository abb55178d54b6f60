"""The /sparql endpoint: the three request forms, negotiation, and 4xx for mistakes."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

SELECT = (
    "PREFIX dg: <https://w3id.org/devgraph/ontology#> "
    "SELECT ?a ?t WHERE { ?a a dg:Activity ; dg:title ?t } ORDER BY ?t"
)
CONSTRUCT = (
    "PREFIX dg: <https://w3id.org/devgraph/ontology#> "
    "CONSTRUCT { ?a dg:title ?t } WHERE { ?a dg:title ?t }"
)


def bindings(response) -> list[dict]:
    return json.loads(response.data)["results"]["bindings"]


def test_get_returns_json_by_default(client):
    r = client.get("/sparql", query_string={"query": SELECT})
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    assert len(bindings(r)) == 3
    assert "Accept" in r.headers["Vary"]


def test_post_form_and_direct_post(client):
    form = client.post("/sparql", data={"query": SELECT})
    direct = client.post("/sparql", data=SELECT, content_type="application/sparql-query")
    assert bindings(form) == bindings(direct)
    assert len(bindings(form)) == 3


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        (
            "text/csv;q=0.5, application/sparql-results+json;q=0.9",
            "application/sparql-results+json",
        ),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_accept_negotiation_for_solutions(client, accept, media):
    r = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == media


def test_each_format_carries_the_same_rows(client):
    xml = client.get("/sparql", query_string={"query": SELECT, "format": "xml"})
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(xml.data).findall(".//r:result", ns)) == 3
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/sparql", query_string={"query": SELECT, "format": "csv"}).get_data(
                    as_text=True
                )
            )
        )
    )
    assert sorted(r["t"] for r in rows)[-1] == "Projet Alpha"


def test_construct_as_turtle_and_ntriples(client):
    r = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/turtle"})
    assert r.mimetype == "text/turtle"
    assert len(list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))) == 3
    nt = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "nt"})
    assert nt.mimetype == "application/n-triples"


def test_ask(client):
    r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(r.data)["boolean"] is True


def test_syntax_error_is_400_with_parser_position(client):
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "1:25" in r.get_data(as_text=True)  # line:column of the parser


def test_updates_are_refused_and_change_nothing(client, store):
    before = len(store)
    r1 = client.post("/sparql", data={"update": "DROP ALL"})
    r2 = client.post("/sparql", data="DROP ALL", content_type="application/sparql-update")
    r3 = client.get("/sparql", query_string={"query": "DROP ALL"})
    assert [r.status_code for r in (r1, r2, r3)] == [400, 400, 400]
    assert "read-only" in r3.get_data(as_text=True)
    assert len(store) == before


def test_client_mistakes_are_4xx(client):
    assert client.post("/sparql", data="x", content_type="text/plain").status_code == 415
    two = client.get("/sparql?query=ASK{}&query=ASK{}")
    assert two.status_code == 400
    assert client.get("/sparql", query_string={"format": "json"}).status_code == 400
    wrong = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"})
    assert wrong.status_code == 406
    bad_fmt = client.get("/sparql", query_string={"query": SELECT, "format": "ttl"})
    assert bad_fmt.status_code == 400


def test_query_size_limit(app, client):
    app.config["MAX_QUERY_LENGTH"] = 50
    r = client.get("/sparql", query_string={"query": SELECT})
    assert r.status_code == 413


def test_get_without_query_shows_a_form(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and b"<form" in r.data

"""Service Description at GET /sparql, VoID at /.well-known/void, and CORS.

The descriptions are parsed with pyoxigraph and checked triple by triple; the expected
counts come from the fixture data (tests/data/portfolio.ttl: two activities) and from
direct queries on the store, not from the code under test.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from devgraph.namespaces import VOID
from devgraph.web import create_app

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DG = "https://w3id.org/devgraph/ontology#"


def parse(response, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> list:
    assert response.status_code == 200, response.data
    return list(ox.parse(response.data, format=fmt))


def objects(ds: list, s, p: str) -> list:
    return [t.object for t in ds if t.subject == s and t.predicate == ox.NamedNode(p)]


def one(ds: list, s, p: str):
    found = objects(ds, s, p)
    assert len(found) == 1, (s, p, found)
    return found[0]


def store_counts(store) -> dict[str, int]:
    rows = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        union_default_graph=False,
    )
    return {r["g"].value: int(r["n"].value) for r in rows}


def test_service_description_is_turtle_for_non_browsers(client, store):
    r = client.get("/sparql")  # no Accept: a script, not a browser
    assert r.mimetype == "text/turtle"
    ds = parse(r)
    endpoint = ox.NamedNode("http://localhost/sparql")
    assert ox.NamedNode(SD + "Service") in objects(ds, endpoint, RDF_TYPE.value)
    assert one(ds, endpoint, SD + "endpoint") == endpoint
    assert ox.NamedNode(SD + "SPARQL11Query") in objects(ds, endpoint, SD + "supportedLanguage")
    formats = {f.value.rsplit("/", 1)[1] for f in objects(ds, endpoint, SD + "resultFormat")}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "RDF_XML"} <= formats
    assert ox.NamedNode(SD + "UnionDefaultGraph") in objects(ds, endpoint, SD + "feature")

    dataset = one(ds, endpoint, SD + "defaultDataset")
    default_graph = one(ds, dataset, SD + "defaultGraph")
    assert int(one(ds, default_graph, VOID + "triples").value) == len(store)
    described = {}
    for named in objects(ds, dataset, SD + "namedGraph"):
        graph = one(ds, named, SD + "graph")
        described[one(ds, named, SD + "name").value] = int(one(ds, graph, VOID + "triples").value)
    assert described == store_counts(store)
    assert len(described) >= 2  # the data graph and the meta graph


def test_service_description_follows_the_union_setting(store):
    app = create_app({"TESTING": True, "STORE": store, "UNION_DEFAULT_GRAPH": False})
    ds = parse(app.test_client().get("/sparql", headers={"Accept": "text/turtle"}))
    endpoint = ox.NamedNode("http://localhost/sparql")
    assert ox.NamedNode(SD + "UnionDefaultGraph") not in objects(ds, endpoint, SD + "feature")
    default_graph = one(ds, one(ds, endpoint, SD + "defaultDataset"), SD + "defaultGraph")
    assert one(ds, default_graph, VOID + "triples").value == "0"  # nothing outside graphs


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("*/*", ox.RdfFormat.TURTLE),
    ],
)
def test_service_description_is_negotiated(client, accept, fmt):
    ds = parse(client.get("/sparql", headers={"Accept": accept}), fmt)
    endpoint = ox.NamedNode("http://localhost/sparql")
    assert one(ds, endpoint, SD + "endpoint") == endpoint


def test_service_description_refuses_what_it_cannot_write(client):
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


def test_void_describes_the_store_and_each_graph(client, store):
    ds = parse(client.get("/.well-known/void"))
    dataset = ox.NamedNode("http://localhost/.well-known/void#dataset")
    assert ox.NamedNode(VOID + "Dataset") in objects(ds, dataset, RDF_TYPE.value)
    assert one(ds, dataset, VOID + "sparqlEndpoint") == ox.NamedNode("http://localhost/sparql")
    counts = store_counts(store)
    assert int(one(ds, dataset, VOID + "triples").value) == sum(counts.values())
    subsets = objects(ds, dataset, VOID + "subset")
    assert {s.value for s in subsets} == set(counts)
    for graph in subsets:
        assert int(one(ds, graph, VOID + "triples").value) == counts[graph.value]
        for key in ("classes", "properties", "distinctSubjects"):
            assert int(one(ds, graph, VOID + key).value) > 0
        partitions = objects(ds, graph, VOID + "propertyPartition")
        total = sum(int(one(ds, p, VOID + "triples").value) for p in partitions)
        assert total == counts[graph.value]  # the property partitions cover the graph

    activities = [
        int(one(ds, part, VOID + "entities").value)
        for graph in subsets
        for part in objects(ds, graph, VOID + "classPartition")
        if one(ds, part, VOID + "class") == ox.NamedNode(DG + "Activity")
    ]
    assert activities == [2]  # portfolio.ttl holds two activities


@pytest.mark.parametrize(
    ("query", "accept", "fmt"),
    [
        ("?format=jsonld", "*/*", ox.RdfFormat.JSON_LD),
        ("?format=nt", "*/*", ox.RdfFormat.N_TRIPLES),
        ("", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_void_is_negotiated(client, query, accept, fmt):
    ds = parse(client.get("/.well-known/void" + query, headers={"Accept": accept}), fmt)
    dataset = ox.NamedNode("http://localhost/.well-known/void#dataset")
    assert len(objects(ds, dataset, VOID + "subset")) >= 2


def test_void_unknown_format_is_406(client):
    assert client.get("/.well-known/void?format=png").status_code == 406


# --- CORS ---------------------------------------------------------------------------


def test_cors_is_on_by_default(client):
    r = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"}
    )
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Devgraph-Truncated" in r.headers["Access-Control-Expose-Headers"]


def test_cors_preflight_answers_methods_and_headers(client):
    r = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-requested-with",
        },
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    headers = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept", "authorization", "x-requested-with"} <= headers
    assert int(r.headers["Access-Control-Max-Age"]) > 0


def test_cors_origin_list_echoes_only_listed_origins(store):
    app = create_app(
        {"TESTING": True, "STORE": store, "CORS_ORIGINS": "https://a.org, https://b.org"}
    )
    c = app.test_client()
    ok = c.get("/sparql?query=ASK{}", headers={"Origin": "https://b.org"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://b.org"
    assert "Origin" in ok.headers["Vary"]
    other = c.get("/sparql?query=ASK{}", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_can_be_turned_off(store, monkeypatch):
    monkeypatch.setenv("DEVGRAPH_CORS_ORIGINS", "")
    app = create_app({"TESTING": True, "STORE": store})
    r = app.test_client().get("/sparql?query=ASK{}", headers={"Origin": "https://a.org"})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers

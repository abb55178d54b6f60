"""Admin writes: bearer-token auth, SPARQL Update at /update, Graph Store Protocol at /store."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest

from devgraph.namespaces import META_GRAPH
from devgraph.web import admin, create_app

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "http://example.org/g/1"
TTL = "text/turtle; charset=utf-8"


@pytest.fixture
def app(store):
    return create_app({"TESTING": True, "STORE": store, "ADMIN_TOKEN": TOKEN})


@pytest.fixture
def client(app):
    return app.test_client()


def ask(client, query: str) -> bool:
    r = client.get("/sparql", query_string={"query": query, "format": "json"})
    assert r.status_code == 200, r.data
    return json.loads(r.data)["boolean"]


def graph_triples(client, graph: str) -> set[str]:
    r = client.get("/store", query_string={"graph": graph}, headers={**AUTH, "Accept": "*/*"})
    assert r.status_code == 200, r.data
    return {str(t) for t in ox.parse(r.data, format=ox.RdfFormat.TURTLE)}


# ---- authentication ----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("POST", "/update"), ("GET", "/store")])
def test_missing_credentials_is_401_with_challenge(client, method, path):
    r = client.open(path, method=method, data={"update": "CLEAR ALL"})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="devgraph"'
    basic = client.open(path, method=method, headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401


def test_wrong_token_is_403_and_changes_nothing(client, store):
    before = len(store)
    r = client.post("/update", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer x"})
    assert r.status_code == 403
    assert len(store) == before


def test_writes_are_disabled_without_a_configured_token(store):
    for token in (None, ""):
        app = create_app({"TESTING": True, "STORE": store, "ADMIN_TOKEN": token})
        c = app.test_client()
        r = c.post("/update", data={"update": "CLEAR ALL"}, headers=AUTH)
        assert r.status_code == 403 and "disabled" in r.get_data(as_text=True)
        assert c.put("/store?graph=" + G, data="", headers=AUTH).status_code == 403
    assert len(store) > 0


# ---- SPARQL Update ---------------------------------------------------------------------------


def test_update_by_form_and_direct_post_is_visible_through_sparql(client):
    insert = f'INSERT DATA {{ GRAPH <{G}> {{ <http://e/s> <http://e/p> "form" }} }}'
    r = client.post("/update", data={"update": insert}, headers=AUTH)
    assert r.status_code == 204 and r.data == b""
    assert ask(client, 'ASK { <http://e/s> <http://e/p> "form" }')
    direct = insert.replace('"form"', '"direct"')
    r = client.post("/update", data=direct, content_type="application/sparql-update", headers=AUTH)
    assert r.status_code == 204
    assert ask(client, 'ASK { <http://e/s> <http://e/p> "direct" }')


def test_update_protocol_mistakes_are_4xx(client):
    assert client.get("/update", query_string={"update": "CLEAR ALL"}).status_code == 405
    two = client.post("/update", data={"update": ["CLEAR ALL", "CLEAR ALL"]}, headers=AUTH)
    assert two.status_code == 400
    wrong_type = client.post("/update", data="CLEAR ALL", content_type="text/plain", headers=AUTH)
    assert wrong_type.status_code == 415
    utf16 = client.post(
        "/update",
        data="CLEAR ALL".encode("utf-16"),
        content_type="application/sparql-update; charset=UTF-16",
        headers=AUTH,
    )
    assert utf16.status_code == 415


def test_update_syntax_error_is_400_with_the_clients_position(client, store):
    before = len(store)
    r = client.post(
        "/update",
        data="INSERT DATA { <http://a> <http://b> }",
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert r.status_code == 400
    assert "1:37" in r.get_data(as_text=True)  # as in the client's text, not after our BASE
    assert len(store) == before


def test_relative_iris_resolve_against_the_endpoint(client):
    update = f"INSERT DATA {{ GRAPH <{G}> {{ <http://e/s> <http://e/p> <rel> }} }}"
    client.post("/update", data=update, content_type="application/sparql-update", headers=AUTH)
    assert ask(client, "ASK { <http://e/s> <http://e/p> <http://localhost/rel> }")


def test_using_graph_uri_sets_the_update_dataset(client):
    setup = """INSERT DATA { GRAPH <http://e/d1> { <http://e/a> a <http://e/Doc> }
                             GRAPH <http://e/d2> { <http://e/b> a <http://e/Doc> } }"""
    client.post("/update", data={"update": setup}, headers=AUTH)
    copy = (
        "INSERT { GRAPH <http://e/out> { ?s a <http://e/Copied> } } WHERE { ?s a <http://e/Doc> }"
    )
    r = client.post(
        "/update?using-graph-uri=http%3A%2F%2Fe%2Fd1",
        data=copy,
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert r.status_code == 204
    assert ask(client, "ASK { GRAPH <http://e/out> { <http://e/a> a <http://e/Copied> } }")
    assert not ask(client, "ASK { GRAPH <http://e/out> { <http://e/b> ?p ?o } }")
    conflict = client.post(
        "/update?using-named-graph-uri=http%3A%2F%2Fe%2Fd1",
        data="WITH <http://e/d1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        content_type="application/sparql-update",
        headers=AUTH,
    )
    assert conflict.status_code == 400


def test_update_naming_the_provenance_graph_is_refused(client, store):
    before = len(store)
    for text in (
        f"DROP GRAPH <{META_GRAPH}>",
        "PREFIX graph: <https://w3id.org/devgraph/graph/> CLEAR GRAPH graph:meta",
    ):
        r = client.post("/update", data={"update": text}, headers=AUTH)
        assert r.status_code == 403, text
    assert len(store) == before


def test_dropping_a_loaded_graph_drops_its_provenance(client, store):
    loaded = "https://w3id.org/devgraph/graph/portfolio.ttl"
    assert ask(client, f"ASK {{ GRAPH <{META_GRAPH}> {{ <{loaded}> ?p ?o }} }}")
    r = client.post("/update", data={"update": f"DROP GRAPH <{loaded}>"}, headers=AUTH)
    assert r.status_code == 204
    assert not ask(client, f"ASK {{ GRAPH <{META_GRAPH}> {{ <{loaded}> ?p ?o }} }}")


def test_failing_operation_is_409_not_500(client):
    """Well-formed but not executable: a conflict with the store's state, never a 5xx."""
    r = client.post("/update", data={"update": "DROP GRAPH <http://e/none>"}, headers=AUTH)
    assert r.status_code == 409
    assert "nothing changed" in r.get_data(as_text=True)


def test_load_is_not_implemented_but_load_silent_succeeds(client, store):
    before = len(store)
    r = client.post("/update", data={"update": "LOAD <http://example.org/x.ttl>"}, headers=AUTH)
    assert r.status_code == 501 and "POST data to /store" in r.get_data(as_text=True)
    silent = client.post(
        "/update",
        data={"update": "LOAD SILENT <http://example.org/x.ttl> INTO GRAPH <http://e/g>"},
        headers=AUTH,
    )
    assert silent.status_code == 204
    assert len(store) == before


def test_accept_with_media_type_parameters_is_honoured(client):
    client.put(
        "/store?graph=" + G,
        data="<http://e/a> <http://e/b> 1 .",
        headers={**AUTH, "Content-Type": "text/turtle"},
    )
    r = client.get("/store?graph=" + G, headers={**AUTH, "Accept": TTL})
    assert r.status_code == 200 and r.mimetype == "text/turtle"


# ---- Graph Store Protocol --------------------------------------------------------------------


def test_gsp_put_get_post_delete_round_trip(client):
    url = "/store?graph=" + G
    assert client.get(url, headers=AUTH).status_code == 404
    r = client.put(url, data="<http://e/a> <http://e/p> 1 .", content_type=TTL, headers=AUTH)
    assert r.status_code == 201
    assert graph_triples(client, G) == {
        '<http://e/a> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    }
    r = client.put(url, data="<http://e/a> <http://e/p> 2 .", content_type=TTL, headers=AUTH)
    assert r.status_code == 204  # replaced, not merged
    assert len(graph_triples(client, G)) == 1
    r = client.post(
        url, data='<http://e/b> <http://e/p> "x" .', content_type="application/n-triples",
        headers=AUTH,
    )  # fmt: skip
    assert r.status_code == 204
    assert len(graph_triples(client, G)) == 2
    assert client.head(url, headers=AUTH).status_code == 200
    assert client.delete(url, headers=AUTH).status_code == 204
    assert client.get(url, headers=AUTH).status_code == 404
    assert client.head(url, headers=AUTH).status_code == 404
    assert client.delete(url, headers=AUTH).status_code == 404


def test_gsp_post_creates_a_new_graph(client):
    r = client.post("/store?graph=http://e/new", data="<http://e/a> <http://e/p> 1 .",
                    content_type=TTL, headers=AUTH)  # fmt: skip
    assert r.status_code == 201
    r = client.post("/store", data="<http://e/a> <http://e/p> 1 .", content_type=TTL, headers=AUTH)
    assert r.status_code == 201
    location = r.headers["Location"]
    assert location.startswith("https://w3id.org/devgraph/graph/store/")
    assert len(graph_triples(client, location)) == 1


def test_gsp_default_graph(client):
    url = "/store?default"
    r = client.put(url, data="<http://e/d> <http://e/p> 1 .", content_type=TTL, headers=AUTH)
    assert r.status_code == 204  # the default graph always exists
    got = client.get(url, headers={**AUTH, "Accept": "application/n-triples"})
    assert got.mimetype == "application/n-triples"
    assert len(list(ox.parse(got.data, format=ox.RdfFormat.N_TRIPLES))) == 1


def test_gsp_whole_dataset_as_nquads_and_trig(client):
    r = client.get("/store", headers={**AUTH, "Accept": "application/n-quads"})
    quads = list(ox.parse(r.data, format=ox.RdfFormat.N_QUADS))
    assert r.status_code == 200 and r.mimetype == "application/n-quads"
    assert {q.graph_name.value for q in quads} >= {META_GRAPH}
    trig = client.get("/store", headers={**AUTH, "Accept": "application/trig"})
    assert len(list(ox.parse(trig.data, format=ox.RdfFormat.TRIG))) == len(quads)


def test_gsp_parse_error_is_400_with_position_and_leaves_the_graph(client):
    url = "/store?graph=" + G
    client.put(url, data="<http://e/a> <http://e/p> 1 .", content_type=TTL, headers=AUTH)
    before = graph_triples(client, G)
    for method in ("PUT", "POST"):
        r = client.open(url, method=method, data="<http://e/b> <http://e/p> .",
                        content_type=TTL, headers=AUTH)  # fmt: skip
        assert r.status_code == 400
        assert "line 1 column" in r.get_data(as_text=True)
        assert graph_triples(client, G) == before


def test_gsp_unknown_media_type_is_415(client):
    r = client.put("/store?graph=" + G, data="a,b", content_type="text/csv", headers=AUTH)
    assert r.status_code == 415


def test_gsp_meta_graph_is_read_only(client):
    url = "/store?graph=" + META_GRAPH
    assert client.get(url, headers=AUTH).status_code == 200
    for method in ("PUT", "POST", "DELETE"):
        r = client.open(url, method=method, data="", content_type=TTL, headers=AUTH)
        assert r.status_code == 403
    assert len(graph_triples(client, META_GRAPH)) > 0


def test_gsp_write_to_a_loaded_graph_forgets_its_provenance(client):
    loaded = "https://w3id.org/devgraph/graph/portfolio.ttl"
    r = client.post("/store?graph=" + loaded, data="<http://e/a> <http://e/p> 1 .",
                    content_type=TTL, headers=AUTH)  # fmt: skip
    assert r.status_code == 204
    assert not ask(client, f"ASK {{ GRAPH <{META_GRAPH}> {{ <{loaded}> ?p ?o }} }}")


@pytest.mark.parametrize(
    "graph", ["http://x/> } ; DROP ALL ; <", "not an iri", "relative/path", "http://x/a b"]
)
def test_gsp_hostile_or_bad_graph_iri_is_400(client, store, graph):
    before = len(store)
    r = client.put("/store", query_string={"graph": graph}, data="", content_type=TTL,
                   headers=AUTH)  # fmt: skip
    assert r.status_code == 400
    assert len(store) == before


def test_gsp_graph_and_default_together_is_400(client):
    r = client.get("/store?graph=http://e/g&default", headers=AUTH)
    assert r.status_code == 400


def test_gsp_multipart_post_adds_every_part(client):
    data = {
        "a": (io.BytesIO(b"<http://e/m1> <http://e/p> 1 ."), "a.ttl", "text/turtle"),
        "b": (io.BytesIO(b'<http://e/m2> <http://e/p> "2" .'), "b.nt", "application/n-triples"),
    }
    r = client.post("/store?graph=" + G, data=data, content_type="multipart/form-data",
                    headers=AUTH)  # fmt: skip
    assert r.status_code == 201
    assert len(graph_triples(client, G)) == 2


def test_successful_writes_refresh_the_executor(app, client):
    class Spy:
        refreshed = 0

        def refresh(self) -> None:
            Spy.refreshed += 1

    app.extensions["devgraph.executor"] = Spy()
    client.post("/update", data={"update": "CLEAR SILENT GRAPH <http://e/x>"}, headers=AUTH)
    client.put("/store?graph=" + G, data="", content_type=TTL, headers=AUTH)
    client.put("/store?graph=" + G, data="<a", content_type=TTL, headers=AUTH)  # fails: no refresh
    assert Spy.refreshed == 2


def test_dataset_clauses_go_before_top_level_where_only():
    text = (
        "DELETE WHERE { ?a ?b ?c } ;\n"
        'INSERT { ?s ?p "WHERE" } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } # WHERE'
    )
    out = admin.with_dataset(text, ["http://e/d"], ["http://e/n"])
    assert out.count("USING <http://e/d> USING NAMED <http://e/n> WHERE") == 1
    assert out.startswith("DELETE WHERE {")
    assert '"WHERE"' in out and "SELECT ?s WHERE" in out


def test_direct_graph_identification_round_trip(client):
    """PUT/GET/DELETE on /store/<path>: the request URL itself names the graph."""
    url = "/store/person/1.ttl"
    put = client.put(
        url, data="<http://e/a> <http://e/b> 1 .", headers={**AUTH, "Content-Type": "text/turtle"}
    )
    assert put.status_code == 201
    got = client.get(url, headers={**AUTH, "Accept": "application/n-triples"})
    assert got.status_code == 200 and b"<http://e/a>" in got.data
    same = client.get(
        "/store",
        query_string={"graph": "http://localhost/store/person/1.ttl"},
        headers={**AUTH, "Accept": "application/n-triples"},
    )
    assert same.data == got.data
    assert client.delete(url, headers=AUTH).status_code == 204
    assert client.get(url, headers=AUTH).status_code == 404


def test_gsp_rdf_xml_entity_bomb_is_refused_before_parsing(client):
    """pyoxigraph expands internal entities: nine levels would take ~1 GB (tests/hostile)."""
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{ents}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
        '<rdf:Description rdf:about="http://e/s"><ex:p>&i;</ex:p></rdf:Description></rdf:RDF>'
    )
    url = "/store?graph=" + G
    client.put(url, data="<http://e/a> <http://e/p> 1 .", content_type=TTL, headers=AUTH)
    before = graph_triples(client, G)
    for method in ("PUT", "POST"):
        r = client.open(url, method=method, data=bomb, content_type="application/rdf+xml",
                        headers=AUTH)  # fmt: skip
        assert r.status_code == 400 and "entity" in r.get_data(as_text=True)
    assert graph_triples(client, G) == before
    plain = bomb.split("]>", 1)[1].replace("&i;", "ok")
    r = client.put(url, data=plain, content_type="application/rdf+xml", headers=AUTH)
    assert r.status_code in (201, 204)

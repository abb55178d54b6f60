"""Security headers on every response, SERVICE refused unless allowed, malformed headers.

The escaping of hostile data on every page is checked in tests/web/test_escaping.py.
"""

from __future__ import annotations

import json

import pytest

from devgraph.web import create_app
from devgraph.web.security import ServiceRefused, check_services, service_targets

ASK = "ASK { ?s ?p ?o }"


@pytest.mark.parametrize("path", ["/", "/sparql", "/sparql?query=ASK{}", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    csp = r.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_security_headers_can_be_overridden_or_removed(store):
    app = create_app(
        {
            "TESTING": True,
            "STORE": store,
            "SECURITY_HEADERS": {"Referrer-Policy": "same-origin", "X-Frame-Options": None},
        }
    )
    r = app.test_client().get("/sparql", query_string={"query": ASK})
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "X-Frame-Options" not in r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_hold_no_inline_script_or_style(client):
    """The CSP forbids inline code, so a page that used some would break in browsers."""
    for path in ("/", "/sparql"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        lowered = html.lower()
        assert "<script>" not in lowered and "<style" not in lowered, path
        assert " style=" not in lowered and " onload=" not in lowered, path


# --- SERVICE ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        (
            "SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }",
            ["http://a.example/sparql"],
        ),
        ("SELECT * { service silent <http://b/> { ?s ?p ?o } }", ["http://b/"]),
        ("SELECT * {SERVICE<http://c/>{?s ?p ?o}}", ["http://c/"]),
        ("PREFIX e: <http://d/> SELECT * { SERVICE e:q { ?s ?p ?o } }", ["http://d/q"]),
        ("SELECT * { SERVICE ?svc { ?s ?p ?o } }", ["?svc"]),
        (r"SELECT * { \u0053ERVICE <http://e/> { ?s ?p ?o } }", ["http://e/"]),
        ('SELECT * { ?s ?p "SERVICE <http://f/>" }', []),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://g/>", []),
        ("SELECT * { ?s <http://h/x#SERVICE> ?o }", []),
        ("SELECT ?service { ?service ?p ?o }", []),
    ],
)
def test_service_targets_are_found_outside_strings_and_comments(query, targets):
    assert service_targets(query) == targets


@pytest.mark.parametrize(
    ("target", "allow", "ok"),
    [
        ("http://127.0.0.1:7878/query", "http://127.0.0.1", True),
        ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878", True),
        ("http://127.0.0.1:7879/query", "http://127.0.0.1:7878", False),
        ("https://query.wikidata.org/sparql", "https://query.wikidata.org/sparql", True),
        ("https://query.wikidata.org/other", "https://query.wikidata.org/sparql", False),
        ("http://query.wikidata.org/sparql", "https://query.wikidata.org/sparql", False),
        ("http://evil.example/?x=http://127.0.0.1", "http://127.0.0.1", False),
        ("http://127.0.0.1.evil.example/", "http://127.0.0.1", False),
        ("file:///etc/passwd", "http://127.0.0.1", False),
    ],
)
def test_allow_list_matches_scheme_host_port_and_path(target, allow, ok):
    query = f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    if ok:
        check_services(query, allow)
    else:
        with pytest.raises(ServiceRefused):
            check_services(query, allow)


def test_service_is_refused_by_default_and_nothing_is_called(client):
    for target in ("http://127.0.0.1:9/", "http://169.254.169.254/latest/meta-data/"):
        q = f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        r = client.get("/sparql", query_string={"query": q})
        assert r.status_code == 403
        assert "allow-list" in r.get_data(as_text=True)
    silent = client.post(
        "/sparql",
        data="SELECT * { SERVICE SILENT ?x { ?s ?p ?o } }",
        content_type="application/sparql-query",
    )
    assert silent.status_code == 403


def test_service_on_the_allow_list_is_called(oxigraph_server):
    """A real Oxigraph server on 127.0.0.1 answers the federated part."""
    from devgraph.store import EmbeddedStore

    remote_ask = f"SELECT ?x {{ SERVICE <{oxigraph_server.url}/query> {{ BIND(42 AS ?x) }} }}"
    app = create_app(
        {"TESTING": True, "STORE": EmbeddedStore(None), "SERVICE_ALLOW": "http://127.0.0.1"}
    )
    r = app.test_client().get("/sparql", query_string={"query": remote_ask})
    assert r.status_code == 200, r.data
    assert json.loads(r.data)["results"]["bindings"][0]["x"]["value"] == "42"


# --- malformed headers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        ";;;,,,",
        "*/*;q=abc",
        "application/sparql-results+json;q=2;q=-1",
        "text/html;" + "a=b;" * 2000,
        "\x00\x01garbage/\x7f",
        "application/" + "x" * 10_000,
        ", ,",
        "*/*;q=0",
    ],
)
def test_malformed_accept_is_never_a_server_error(client, accept):
    r = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": accept})
    assert r.status_code in (200, 406), (accept[:40], r.status_code, r.data[:200])
    if r.status_code == 200:
        assert r.mimetype in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )

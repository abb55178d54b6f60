"""Every page escapes data: a seed-like activity with a hostile title shows only as text.

The probe is the seed activity ``kimalakan`` cloned under new IRIs with every string
literal (title, description, names, narratives) replaced by ``HOSTILE``. The test then
visits every GET route the app has *now* (so pages added later are covered without
touching this file): routes without parameters directly, routes with parameters through
the links found on the listing pages (activities, organisations, places, sectors,
queries) and the probe's own IRIs, each with an HTML, a ``*/*`` and a malformed
``Accept``. Routes it cannot fill are printed, so a new kind of route is noticed. Nowhere
may the raw markup appear, no response may be a 5xx, and no HTML page may hold inline
script, ``<style>``, ``style=`` or ``on…=`` (the Content-Security-Policy blocks them, so
the page would break); the activity page must show the escaped text, so a page cannot
pass by hiding the title.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
import pytest

from devgraph.load import load_paths
from devgraph.store import EmbeddedStore
from devgraph.web import create_app

REPO = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert(1)</script>" onload="x'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
STRING_TYPES = {
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
}
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|<[a-zA-Z][^>]*\s(?:style|on[a-z]+)\s*=",
    re.IGNORECASE,
)
"""Inline script, style element or attribute, event handler: all blocked by the CSP."""
SKIP = {"static", "admin.graph_store", "admin.graph_store_direct", "admin.update"}
"""Static files and the token-only write routes (tested in test_admin.py)."""


def probe_file(tmp: Path) -> Path:
    """kimalakan.ttl with its IRIs renamed and every string replaced by HOSTILE."""
    text = (REPO / "data" / "ttl" / "kimalakan.ttl").read_text(encoding="utf-8")
    text = text.replace("kimalakan", "xss-probe")
    base = (REPO / "data" / "ttl" / "xss-probe.ttl").resolve().as_uri()
    out = []
    for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=base):
        o = q.object
        if isinstance(o, ox.Literal) and o.datatype.value in STRING_TYPES:
            o = ox.Literal(HOSTILE, language=o.language) if o.language else ox.Literal(HOSTILE)
        out.append(ox.Triple(q.subject, q.predicate, o))
    path = tmp / "xss-probe.ttl"
    path.write_bytes(ox.serialize(out, format=ox.RdfFormat.N_TRIPLES))
    return path.rename(tmp / "xss-probe.nt")


@pytest.fixture(scope="module")
def probe_client(seed_store, tmp_path_factory):
    store = EmbeddedStore(None)
    seeds = io.BytesIO()
    seed_store.dump(seeds, format="nquads")
    store._store.load(seeds.getvalue(), format=ox.RdfFormat.N_QUADS)  # noqa: SLF001
    tmp = tmp_path_factory.mktemp("xss")
    load_paths(store, [probe_file(tmp)], root=tmp)
    app = create_app({"TESTING": True, "STORE": store, "QUERY_WORKERS": 0})
    return app, app.test_client()


def links(client, page: str, prefix: str) -> list[str]:
    r = client.get(page, headers={"Accept": "text/html"})
    if r.status_code != 200:
        return []
    found = re.findall(rf'href="({re.escape(prefix)}[^"#]*)"', r.get_data(as_text=True))
    return list(dict.fromkeys(u.replace("&amp;", "&") for u in found))


def urls_to_visit(app, client) -> tuple[list[str], list[str]]:
    """Every GET route, filled where possible; and the rules that could not be filled."""
    fill = {
        "/activity/": links(client, "/activities", "/activity/"),
        "/organisation/": links(client, "/organisations", "/organisation/"),
        "/place/": links(client, "/places", "/place/"),
        "/sector/": links(client, "/sectors", "/sector/"),
        "/queries/": [u for u in links(client, "/queries", "/queries/") if "?" not in u],
        "/id/": ["/id/activity/xss-probe"],
        "/graph/": ["/graph/xss-probe.nt"],
        "/codelist/": ["/codelist/Sector/15110"],
        "/ontology.": ["/ontology.ttl"],
    }
    urls, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        if not rule.arguments or set(rule.arguments) <= set(rule.defaults or {}):
            urls.append(rule.rule)
            continue
        prefix = rule.rule.split("<", 1)[0]
        matches = [u for u in fill.get(prefix, []) if u.startswith(prefix)]
        if rule.rule.endswith(".json"):
            matches = [u + ".json" for u in matches if not u.endswith(".json")]
        if matches:
            urls.extend(matches)
        else:
            unfilled.append(rule.rule)
    return list(dict.fromkeys(urls)), unfilled


def test_the_probe_is_linked_from_the_activity_list(probe_client):
    _app, client = probe_client
    assert "/activity/xss-probe" in [unquote(u) for u in links(client, "/activities", "/activity/")]


def test_every_page_shows_hostile_data_only_as_text(probe_client):
    app, client = probe_client
    urls, unfilled = urls_to_visit(app, client)
    assert len(urls) > 10, urls
    visited, failures = [], []
    for url in urls:
        for accept in ("text/html", "*/*", ";;;,,*/*;q=abc"):
            r = client.get(url, headers={"Accept": accept})
            body = r.get_data(as_text=True)
            visited.append((url, accept, r.status_code, r.mimetype))
            if r.status_code >= 500:
                failures.append(f"{url} [{accept}]: {r.status_code}")
            if r.mimetype in ("text/html", "image/svg+xml", "application/xhtml+xml"):
                if "<script>alert(1)" in body or '" onload="x' in body:
                    failures.append(f"{url} [{accept}] {r.mimetype}: unescaped hostile markup")
                if found := INLINE.search(body):
                    failures.append(f"{url}: inline code the CSP blocks: {found.group(0)[:80]!r}")
            elif "<script>alert(1)" in body and r.mimetype not in (
                "application/json",
                "application/ld+json",
                "application/sparql-results+json",
                "text/turtle",
                "application/n-triples",
                "application/n-quads",
                "application/trig",
                "text/csv",
                "text/plain",
                "application/rdf+xml",
                "application/xml",
            ):
                failures.append(f"{url} [{accept}]: raw markup served as {r.mimetype}")
            if r.headers.get("X-Content-Type-Options") != "nosniff":
                failures.append(f"{url}: no nosniff, a browser could sniff data as HTML")
    assert not failures, failures
    page = client.get("/activity/xss-probe", headers={"Accept": "text/html"})
    assert page.status_code == 200 and ESCAPED in page.get_data(as_text=True)
    print(f"visited {len(visited)} responses; routes not filled: {unfilled}")

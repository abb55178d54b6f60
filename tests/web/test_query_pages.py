"""Named queries as pages: the list, the parameter forms, result tables and downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest

from devgraph.queries import list_queries

CQ1 = "/queries/cq-01-kimalakan-implementers"


def test_index_lists_every_query_file_with_its_title(seed_client):
    html = seed_client.get("/queries").get_data(as_text=True)
    named = list_queries()
    assert len(named) >= 12
    for q in named:
        assert f'href="/queries/{q.name}"' in html
    data = seed_client.get("/queries.json").get_json()
    assert [q["name"] for q in data["queries"]] == [q.name for q in named]
    assert set(data["queries"][0]) == {"name", "title", "description", "form", "params"}


def test_form_is_built_from_param_headers_and_waits_for_values(seed_client):
    html = seed_client.get(CQ1).get_data(as_text=True)
    assert '<input type="text" id="p-activity" name="activity" value="" required' in html
    assert "IRI of the activity" in html  # the header's description is the hint
    assert "Fill in the parameters" in html
    data = seed_client.get(CQ1 + ".json").get_json()
    assert data["ran"] is False and data["rows"] == []


def test_results_table_and_twin(seed_client):
    html = seed_client.get(CQ1 + "?activity=act:kimalakan").get_data(as_text=True)
    data = seed_client.get(CQ1 + ".json?activity=act:kimalakan").get_json()
    assert data["ran"] is True and data["kind"] == "solutions"
    assert data["variables"] == ["activity", "organisation", "name", "partnerRole"]
    names = {row[2] for row in data["rows"]}
    assert {"CADES", "Eclosio", "Ose Innover", "Trias"} <= names
    for name in names:
        assert f'lang="fr">{name}<' in html
    assert 'href="/organisation/cades">dgo:cades</a>' in html
    assert "https://w3id.org/devgraph/id/organisation/cades" in {row[1] for row in data["rows"]}
    assert f"{len(data['rows'])} row(s)." in html


def test_downloads_have_the_same_rows(seed_client):
    rows = seed_client.get(CQ1 + ".json?activity=act:kimalakan").get_json()["rows"]
    got = seed_client.get(CQ1 + "?activity=act:kimalakan&format=csv")
    assert got.mimetype == "text/csv"
    assert 'filename="cq-01-kimalakan-implementers.csv"' in got.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert table[0] == ["activity", "organisation", "name", "partnerRole"]
    assert sorted(r[2] for r in table[1:]) == sorted(r[2] for r in rows)
    tsv = seed_client.get(CQ1 + "?activity=act:kimalakan&format=tsv")
    assert tsv.mimetype == "text/tab-separated-values"
    srj = seed_client.get(CQ1 + "?activity=act:kimalakan&format=json")
    assert srj.mimetype == "application/sparql-results+json"
    assert len(srj.get_json()["results"]["bindings"]) == len(rows)
    html = seed_client.get(CQ1 + "?activity=act:kimalakan").get_data(as_text=True)
    assert "format=csv" in html and "format=tsv" in html


def test_query_without_parameters_runs_at_once(seed_client):
    data = seed_client.get("/queries/cq-09-no-declared-funder.json").get_json()
    assert data["ran"] is True and data["params"] == []


def test_a_hostile_value_stays_a_literal(seed_client):
    data = seed_client.get(CQ1 + '.json?activity="} ; DROP ALL').get_json()
    assert data["ran"] is True and data["rows"] == []
    html = seed_client.get(CQ1 + "?activity=<script>x</script>").get_data(as_text=True)
    assert "<script>x</script>" not in html


def test_bad_names_and_formats(seed_client):
    assert seed_client.get("/queries/no-such-query").status_code == 404
    assert seed_client.get("/queries/..%2Fetc%2Fpasswd").status_code == 404
    assert seed_client.get(CQ1 + "?activity=act:kimalakan&format=ttl").status_code == 400
    assert seed_client.get(CQ1 + "?format=csv").status_code == 400


def test_sparql_editor_has_prefixes_and_examples(seed_client):
    html = seed_client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<textarea id="sparql-query" name="query"' in html
    assert "PREFIX dg: &lt;https://w3id.org/devgraph/ontology#&gt;" in html
    for q in list_queries():
        assert q.name in html
    assert "sparql.js" in html and "<script>" not in html


@pytest.mark.parametrize(
    "url", ["/queries", CQ1 + "?activity=act:kimalakan", "/sparql", "/docs/ontology"]
)
def test_pages_hold_no_inline_code(seed_client, url):
    """The CSP forbids inline script, style and event handlers: the pages need none."""
    html = seed_client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<main" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)

"""Named queries: header parsing, term parsing, binding, and every shipped .rq file."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from devgraph.queries import (
    default_queries_dir,
    get_query,
    list_queries,
    parse_header,
    parse_term,
    run_query,
)
from devgraph.store import QueryError

ACT = "https://w3id.org/devgraph/id/activity/"

HEADER = """#+ title: Funders of an activity
#+ description: Organisations that fund
#+ description: the given activity.
#+ param: activity — the activity's IRI
PREFIX dg: <https://w3id.org/devgraph/ontology#>
SELECT ?activity ?funder WHERE { ?activity dg:fundedBy ?funder }
"""


def test_header_is_parsed():
    q = parse_header("funders", Path("funders.rq"), HEADER)
    assert q.title == "Funders of an activity"
    assert q.description == "Organisations that fund the given activity."
    assert [(p.name, p.description) for p in q.params] == [("activity", "the activity's IRI")]
    assert q.form == "SELECT"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<http://example.org/x>", ox.NamedNode("http://example.org/x")),
        ("act:alpha", ox.NamedNode(ACT + "alpha")),
        ('"Mali"@fr', ox.Literal("Mali", language="fr")),
        (
            '"1600000"^^<http://www.w3.org/2001/XMLSchema#decimal>',
            ox.Literal(
                "1600000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
            ),
        ),
        ("plain text: with colon", ox.Literal("plain text: with colon")),
        ('"} ; DROP ALL', ox.Literal('"} ; DROP ALL')),
    ],
)
def test_parse_term(text, expected):
    assert parse_term(text) == expected


def test_malformed_iri_term_is_refused():
    with pytest.raises(QueryError, match="cannot read .* as an IRI"):
        parse_term("<http://bad iri>")


def test_run_query_binds_parameters_as_terms(store):
    q = parse_header("funders", Path("funders.rq"), HEADER)
    rows = list(run_query(store, q, {"activity": "act:alpha"}))
    assert [r["activity"].value for r in rows] == [ACT + "alpha"]
    hostile = list(run_query(store, q, {"activity": '"} ; DROP ALL ; #'}))
    assert hostile == []
    assert len(list(run_query(store, q, {}))) == 2
    assert len(store) > 0


def test_unknown_parameter_is_refused(store):
    q = parse_header("funders", Path("funders.rq"), HEADER)
    with pytest.raises(QueryError, match="no parameter 'activty'"):
        run_query(store, q, {"activty": "act:alpha"})


def test_get_query_by_name_and_path(tmp_path):
    (tmp_path / "one.rq").write_text(HEADER)
    assert get_query("one", tmp_path).title == "Funders of an activity"
    assert get_query(str(tmp_path / "one.rq")).name == "one"
    with pytest.raises(QueryError, match="no query named 'two'"):
        get_query("two", tmp_path)
    with pytest.raises(QueryError, match="not a query name"):
        get_query("../etc/passwd", tmp_path)


def test_every_shipped_query_is_documented_and_runs(store):
    """Every queries/*.rq parses, has a title and description, and runs on fixture data."""
    folder = default_queries_dir()
    assert folder.is_dir()
    shipped = list_queries(folder)
    assert shipped, f"no .rq files found in {folder}"
    for q in shipped:
        assert q.title != q.name, f"{q.name}: missing '#+ title:'"
        assert q.description, f"{q.name}: missing '#+ description:'"
        assert q.form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}, q.name
        run_query(store, q, {})  # raises on a syntax error

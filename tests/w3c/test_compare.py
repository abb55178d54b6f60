"""The harness's own comparison rules, on small hand-made results (no server needed).

A conformance number is only as good as its comparison: these pin down blank-node
matching, multisets, ORDER BY, literal equality and the suite's definition.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, URIRef

from conformance import W3C_ROOT, compare
from conformance.compare import Results, compare_results, has_outer_order_by, lit
from conformance.httptests import status_ok

XSD = "http://www.w3.org/2001/XMLSchema#"
A, B = URIRef("http://example.org/a"), URIRef("http://example.org/b")


def rows(*solutions: dict) -> Results:
    variables = sorted({v for s in solutions for v in s})
    return Results(variables=variables, rows=list(solutions))


def test_blank_nodes_match_under_a_renaming() -> None:
    expected = rows({"x": BNode("a"), "y": BNode("a")}, {"x": BNode("b"), "y": A})
    actual = rows({"x": BNode("r1"), "y": A}, {"x": BNode("r2"), "y": BNode("r2")})
    assert compare_results(expected, actual) is None


def test_blank_node_mapping_is_a_bijection() -> None:
    # One blank node twice is not two different blank nodes, and vice versa.
    same = rows({"x": BNode("a")}, {"x": BNode("a")})
    different = rows({"x": BNode("p")}, {"x": BNode("q")})
    assert compare_results(same, different) is not None
    assert compare_results(different, same) is not None


def test_blank_nodes_are_matched_across_rows_not_per_row() -> None:
    expected = rows({"x": BNode("a"), "y": A}, {"x": BNode("a"), "y": B})
    actual = rows({"x": BNode("p"), "y": A}, {"x": BNode("q"), "y": B})
    assert compare_results(expected, actual) is not None


def test_solutions_are_a_multiset() -> None:
    one, two = lit("1", datatype=XSD + "integer"), lit("2", datatype=XSD + "integer")
    assert compare_results(rows({"x": one}, {"x": one}), rows({"x": one})) is not None
    assert (
        compare_results(
            rows({"x": one}, {"x": one}, {"x": two}), rows({"x": one}, {"x": two}, {"x": two})
        )
        is not None
    )
    assert compare_results(rows({"x": one}, {"x": two}), rows({"x": two}, {"x": one})) is None


def test_unbound_is_not_a_value() -> None:
    assert compare_results(rows({"x": A}, {"y": B}), rows({"x": A, "y": B}, {})) is not None


def test_order_counts_only_when_asked() -> None:
    expected, actual = rows({"x": A}, {"x": B}), rows({"x": B}, {"x": A})
    assert compare_results(expected, actual, ordered=False) is None
    assert "ORDER BY" in (compare_results(expected, actual, ordered=True) or "")
    with_bnodes = rows({"x": A, "b": BNode("1")}, {"x": B, "b": BNode("2")})
    swapped = rows({"x": B, "b": BNode("3")}, {"x": A, "b": BNode("4")})
    assert compare_results(with_bnodes, swapped, ordered=False) is None
    assert compare_results(with_bnodes, swapped, ordered=True) is not None


@pytest.mark.parametrize(
    ("query", "ordered"),
    [
        ("SELECT * { ?s ?p ?o } ORDER BY ?s", True),
        ("select * { ?s ?p ?o } order   by desc(?o) limit 2", True),
        ("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }", False),
        ('SELECT * { ?s ?p "ORDER BY" } # ORDER BY ?s', False),
        ("PREFIX : <http://ex/order#by> SELECT * { ?s ?p ?o }", False),
    ],
)
def test_outer_order_by_is_detected(query: str, ordered: bool) -> None:
    assert has_outer_order_by(query) is ordered


def test_numbers_compare_by_value_within_their_datatype() -> None:
    def same(a: str, b: str, dt: str) -> bool:
        x, y = lit(a, datatype=XSD + dt), lit(b, datatype=XSD + dt)
        return compare_results(rows({"v": x}), rows({"v": y})) is None

    assert same("1.0", "1", "decimal")
    assert same("2.0E-1", "0.2", "double")
    assert same("01", "1", "integer")
    assert same("0", "false", "boolean")
    assert not same("1.5", "1.50001", "decimal")
    decimal_one, integer_one = (
        lit("1.0", datatype=XSD + "decimal"),
        lit("1", datatype=XSD + "integer"),
    )
    assert compare_results(rows({"v": decimal_one}), rows({"v": integer_one})) is not None


def test_strings_keep_their_lexical_form_and_tags_ignore_case() -> None:
    assert compare_results(rows({"v": lit("01")}), rows({"v": lit("1")})) is not None
    assert (
        compare_results(rows({"v": lit("chat", lang="FR")}), rows({"v": lit("chat", lang="fr")}))
        is None
    )
    assert (
        compare_results(rows({"v": lit("chat", lang="fr")}), rows({"v": lit("chat")})) is not None
    )


def test_booleans() -> None:
    assert compare_results(Results(boolean=True), Results(boolean=True)) is None
    assert compare_results(Results(boolean=True), Results(boolean=False)) is not None


def test_the_four_result_formats_read_the_same_solutions() -> None:
    srx = """<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">
      <head><variable name="s"/><variable name="o"/></head><results>
      <result><binding name="s"><bnode>b0</bnode></binding>
              <binding name="o"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">4</literal></binding></result>
      <result><binding name="s"><uri>http://example.org/a</uri></binding>
              <binding name="o"><literal xml:lang="en">a\tb</literal></binding></result>
      </results></sparql>"""
    srj = """{"head": {"vars": ["s", "o"]}, "results": {"bindings": [
      {"s": {"type": "bnode", "value": "x"},
       "o": {"type": "literal", "value": "4", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
      {"s": {"type": "uri", "value": "http://example.org/a"},
       "o": {"type": "literal", "value": "a\\tb", "xml:lang": "en"}}]}}"""
    tsv = '?s\t?o\n_:z\t4\n<http://example.org/a>\t"a\\tb"@en\n'
    parsed = [compare.parse_srx(srx), compare.parse_srj(srj), compare.parse_tsv(tsv)]
    for other in parsed[1:]:
        assert compare_results(parsed[0], other) is None
    csv_a = compare.parse_csv('s,o\r\n_:a,4\r\nhttp://example.org/a,"a\tb"\r\n')
    csv_b = compare.parse_csv('s,o\r\nhttp://example.org/a,"a\tb"\r\n_:q,4\r\n')
    assert compare_results(csv_a, csv_b) is None


def test_graphs_compare_by_isomorphism() -> None:
    g1 = compare.parse_graph("_:x <http://ex/p> _:y . _:y <http://ex/p> 1 .", "turtle")
    g2 = compare.parse_graph("_:a <http://ex/p> _:b . _:b <http://ex/p> 1 .", "turtle")
    g3 = compare.parse_graph("_:a <http://ex/p> _:b . _:a <http://ex/p> 1 .", "turtle")
    assert compare.compare_graphs(g1, g2) is None
    assert compare.compare_graphs(g1, g3) is not None
    assert compare.compare_graphs(g1, Graph()) is not None


def test_parsing_keeps_lexical_forms() -> None:
    g = compare.parse_graph(
        '<http://ex/s> <http://ex/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .', "nt"
    )
    assert [str(o) for o in g.objects()] == ["01"]


def test_expected_status_classes() -> None:
    assert status_ok(204, ["StatusCode2xx", "StatusCode3xx"])
    assert status_ok(404, ["NotFound"])
    assert not status_ok(200, ["StatusCode4xx"])
    assert not status_ok(201, ["NoContent", "OK"])


@pytest.mark.skipif(not W3C_ROOT.exists(), reason="W3C suites not found")
def test_the_core_set_is_539_tests() -> None:
    from conformance.manifest import CORE_SUITES, load_suite

    sizes = {s: len(load_suite(s)) for s in CORE_SUITES}
    assert sizes == {"query": 328, "update": 157, "results": 10, "fed": 10, "protocol": 34}
    ids = [t.iri for s in CORE_SUITES for t in load_suite(s)]
    assert len(set(ids)) == 539

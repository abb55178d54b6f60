"""Every store backend: graphs, atomic replacement, bound parameters, dumps.

Tests taking ``empty_store`` run on each backend of ``DEVGRAPH_TEST_BACKENDS`` (see
tests/conftest.py); those building an ``EmbeddedStore`` test the embedded one only.
"""

from __future__ import annotations

import hashlib
import io

import pyoxigraph as ox
import pytest

from devgraph.namespaces import META_GRAPH, STAGING_GRAPH, VOID
from devgraph.store import EmbeddedStore, GraphStore, QueryError, StoreError, open_store

EX = "http://example.org/"


def triple(s: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o))


def staging_graphs(store: GraphStore) -> list[str]:
    rows = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", union_default_graph=False
    )
    return [r["g"].value for r in rows if r["g"].value.startswith(STAGING_GRAPH)]


def everything(store: GraphStore) -> set[str]:
    out = io.BytesIO()
    store.dump(out, format="nquads")
    return {str(q) for q in ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS)}


def values(store: GraphStore, graph: str) -> set[str]:
    rows = store.query(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {r["o"].value for r in rows}


def test_load_into_named_graph_and_list_counts(empty_store: GraphStore):
    s = empty_store
    s.load(b"<http://e/a> <http://e/b> 1 , 2 .", format="turtle", graph=EX + "g1")
    s.load(b"<http://e/a> <http://e/b> 3 .", format="turtle", graph=EX + "g2")
    assert [(g.iri, g.triples) for g in s.graphs()] == [(EX + "g1", 2), (EX + "g2", 1)]


def test_load_refuses_malformed_data_and_keeps_graph(empty_store: GraphStore):
    s = empty_store
    s.load(b"<http://e/a> <http://e/b> 1 .", format="turtle", graph=EX + "g")
    with pytest.raises(StoreError, match="line 1"):
        s.load(b"<http://e/a> <http://e/b> .", format="turtle", graph=EX + "g")
    assert s.graphs()[0].triples == 1


def test_replace_graphs_swaps_content(empty_store: GraphStore):
    s = empty_store
    s.replace_graphs({EX + "g": [triple("a", "old1"), triple("b", "old2")]})
    s.replace_graphs({EX + "g": [triple("a", "new")]})
    assert values(s, EX + "g") == {"new"}


def test_replace_graphs_is_all_or_nothing_when_the_final_update_fails(empty_store: GraphStore):
    s = empty_store
    s.replace_graphs({EX + "g1": [triple("a", "keep1")], EX + "g2": [triple("a", "keep2")]})
    with pytest.raises(StoreError):
        s.replace_graphs(
            {EX + "g1": [triple("a", "lost1")], EX + "g2": [triple("a", "lost2")]},
            then="THIS IS NOT SPARQL",
        )
    assert values(s, EX + "g1") == {"keep1"}
    assert values(s, EX + "g2") == {"keep2"}
    assert not staging_graphs(s)


def test_drop_staging_cleans_leftovers_of_an_interrupted_replacement():
    s = EmbeddedStore(None)
    s._store.add(
        ox.Quad(
            ox.NamedNode(EX + "a"),
            ox.NamedNode(EX + "p"),
            ox.Literal("x"),
            ox.NamedNode(STAGING_GRAPH + "dead"),
        )
    )
    assert s.drop_staging() == 1
    assert len(s) == 0


def test_drop_graph(empty_store: GraphStore):
    s = empty_store
    s.replace_graphs({EX + "g": [triple("a", "x")], EX + "h": [triple("a", "y")]})
    s.drop_graph(EX + "g")
    assert [g.iri for g in s.graphs()] == [EX + "h"]


def test_bound_parameter_is_data_not_syntax(empty_store: GraphStore):
    s = empty_store
    s.replace_graphs({EX + "g": [triple("a", "x")]})
    hostile = '"} ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    rows = list(s.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": ox.Literal(hostile)}))
    assert rows == []
    assert len(s) == 1
    rows = list(s.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": ox.Literal("x")}))
    assert [r["s"].value for r in rows] == [EX + "a"]


def test_parameter_outside_the_projection_is_a_clear_error(empty_store: GraphStore):
    s = empty_store
    with pytest.raises(QueryError, match="must appear in the SELECT clause"):
        s.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", bindings={"s": ox.Literal("x")})


def test_query_forms_and_errors(empty_store: GraphStore):
    s = empty_store
    s.replace_graphs({EX + "g": [triple("a", "x")]})
    assert bool(s.query("ASK { ?s ?p 'x' }"))
    assert len(list(s.query(f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"))) == 1
    assert len(list(s.query(f"DESCRIBE <{EX}a>"))) == 1
    with pytest.raises(QueryError, match="syntax"):
        s.query("SELEKT * WHERE { ?s ?p ?o }")


def test_union_default_graph_and_restricted_default_graphs(empty_store: GraphStore):
    s = empty_store
    s.replace_graphs({EX + "g1": [triple("a", "1")], EX + "g2": [triple("a", "2")]})
    q = f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}"  # Virtuoso's union holds its own graphs too
    assert {r["o"].value for r in s.query(q)} == {"1", "2"}
    assert list(s.query(q, union_default_graph=False)) == []
    assert {r["o"].value for r in s.query(q, default_graphs=[EX + "g2"])} == {"2"}


def test_dump_dataset_and_one_graph(empty_store: GraphStore):
    s = empty_store
    s.replace_graphs({EX + "g1": [triple("a", "1")], EX + "g2": [triple("b", "2")]})
    out = io.BytesIO()
    s.dump(out, format="nquads")
    assert len(list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))) == 2
    out = io.BytesIO()
    s.dump(out, format="turtle", graph=EX + "g2")
    assert [t.object.value for t in ox.parse(out.getvalue(), format=ox.RdfFormat.TURTLE)] == ["2"]
    with pytest.raises(StoreError, match="single graph"):
        s.dump(io.BytesIO(), format="turtle")


def test_refuses_iri_that_would_break_an_update(empty_store: GraphStore):
    s = empty_store
    with pytest.raises(StoreError, match="not a valid IRI"):
        s.drop_graph("http://e/g> } ; DROP ALL ; #")


def test_on_disk_store_persists_across_opens(tmp_path):
    path = tmp_path / "store"
    first = EmbeddedStore(path)
    first.replace_graphs({EX + "g": [triple("a", "x")]})
    first.close()
    again = open_store(path)
    assert again.graphs()[0].triples == 1
    again.close()


def test_open_store_reports_an_unreachable_server_clearly(monkeypatch):
    monkeypatch.setenv("DEVGRAPH_STORE_RETRIES", "1")
    with pytest.raises(StoreError, match="cannot reach the SPARQL server.*2 attempt"):
        open_store("http://127.0.0.1:9/")


def test_a_query_with_from_keeps_its_dataset_under_the_union_default(empty_store: GraphStore):
    """pyoxigraph's union flag would silently drop FROM; the store must not let it."""
    s = empty_store
    s.replace_graphs({EX + "g1": [triple("a", "1")], EX + "g2": [triple("a", "2")]})
    rows = s.query(f"SELECT ?o FROM <{EX}g2> WHERE {{ ?s ?p ?o }}")
    assert {r["o"].value for r in rows} == {"2"}
    assert {r["o"].value for r in s.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}")} == {"1", "2"}


@pytest.mark.parametrize("on_disk", [False, True])
def test_a_stream_failing_half_way_leaves_the_embedded_store_as_it_was(tmp_path, on_disk):
    """Streaming readers hand over generators: an error mid-stream must undo every write."""
    s = EmbeddedStore(tmp_path / "store" if on_disk else None)
    stream_fails_half_way(s)


def test_a_stream_failing_half_way_leaves_the_store_as_it_was(empty_store: GraphStore):
    stream_fails_half_way(empty_store)


def stream_fails_half_way(s: GraphStore) -> None:
    s.replace_graphs({EX + "old": [triple("a", "keep")]})
    before = everything(s)

    def broken():
        yield triple("a", "partial-1")
        yield triple("b", "partial-2")
        raise ValueError("malformed input at line 3")

    with pytest.raises(ValueError, match="line 3"):
        s.replace_graphs({EX + "new": [triple("n", "x")], EX + "old": broken()})
    with pytest.raises(ValueError, match="line 3"):
        s.replace_graphs({EX + "old": [triple("a", "new")], EX + "new": broken()})
    assert everything(s) == before
    assert not staging_graphs(s)


def test_reloading_a_changed_file_replaces_its_graph_and_provenance(
    empty_store: GraphStore, tmp_path
):
    """The loader's closing update deletes the old record with GRAPH <meta> patterns."""
    from devgraph.load import load_paths, recorded_checksums

    source = tmp_path / "a.ttl"
    source.write_text(f"<{EX}a> <{EX}p> 'one' .")
    load_paths(empty_store, [source], root=tmp_path)
    source.write_text(f"<{EX}a> <{EX}p> 'two' .")
    load_paths(empty_store, [source], root=tmp_path)
    (graph, checksum), *others = recorded_checksums(empty_store).items()
    assert others == [] and checksum == hashlib.sha256(source.read_bytes()).hexdigest()
    assert values(empty_store, graph) == {"two"}
    rows = empty_store.query(
        f"SELECT ?n WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{VOID}triples> ?n }} }}",
        union_default_graph=False,
    )
    assert [r["n"].value for r in rows] == ["1"]


def test_load_adds_to_an_existing_graph(empty_store: GraphStore):
    empty_store.load(b"<http://e/a> <http://e/b> 1 .", format="turtle", graph=EX + "g")
    empty_store.load(b'<http://e/a> <http://e/b> "2" .', format="ntriples", graph=EX + "g")
    assert values(empty_store, EX + "g") == {"1", "2"}
    assert not staging_graphs(empty_store)


def test_graphs_a_killed_bulk_write_was_creating_are_removed_on_the_next_open(tmp_path):
    """What a process killed mid-bulk-write leaves (a pending entry and part of a new graph)
    is gone once the store is opened for writing again; committed graphs stay."""
    from devgraph.store import PENDING

    store = EmbeddedStore(tmp_path / "s")
    kept = "https://example.org/kept"
    store.replace_graphs(
        {kept: [ox.Triple(ox.NamedNode(kept), ox.NamedNode(kept), ox.Literal("1"))]}
    )
    assert not list(store._store.quads_for_pattern(None, None, None, ox.NamedNode(PENDING)))
    half = "https://example.org/half"
    store.update(f"INSERT DATA {{ GRAPH <{PENDING}> {{ <{half}> <{PENDING}> true }} }}")
    store.update(f"INSERT DATA {{ GRAPH <{half}> {{ <{half}> <{half}> 1 }} }}")
    store.close()
    del store
    reopened = EmbeddedStore(tmp_path / "s")
    assert [g.iri for g in reopened.graphs()] == [kept]
    assert not any(g.value.startswith(STAGING_GRAPH) for g in reopened._store.named_graphs())

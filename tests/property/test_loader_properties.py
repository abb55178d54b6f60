"""Properties of the RDF loader, over generated graphs and damaged files.

For every graph of generated terms (IRIs with any legal character, literals with any
text, language tags, datatypes) written in any of the loader's formats, loading gives
back exactly that graph in the file's named graph; a file cut or spoiled anywhere is
either still valid or refused with :class:`LoadError`, and a refusal, even of one file
among several, changes nothing in the store.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devgraph.load import LoadError, graph_iri_for, load_paths
from devgraph.store import EmbeddedStore

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

iri_char = st.one_of(
    st.sampled_from("abcXYZ019-._~!$&'()*+,;=:@/"),
    st.characters(whitelist_categories=("L", "N"), min_codepoint=0xA0),
)
"""What RFC 3987 allows in a path, unescaped: unreserved, sub-delims, ':', '@', non-ASCII."""
iri = st.builds(
    lambda path: ox.NamedNode("http://example.org/" + path), st.text(iri_char, max_size=12)
)
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"), max_size=20
)
literal = st.one_of(
    st.builds(ox.Literal, text),
    st.builds(
        lambda t, lang: ox.Literal(t, language=lang), text, st.sampled_from(["en", "fr", "es-419"])
    ),
    st.builds(
        lambda n: ox.Literal(
            str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        ),
        st.integers(),
    ),
)
triples = st.sets(st.builds(ox.Triple, iri, iri, st.one_of(iri, literal)), min_size=1, max_size=15)


def write(path: Path, graph: set[ox.Triple]) -> None:
    path.write_bytes(ox.serialize(sorted(graph, key=str), format=FORMATS[path.suffix]))


def dump(store: EmbeddedStore) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, format="nquads")
    return sorted(out.getvalue().splitlines())


@SETTINGS
@given(triples, st.sampled_from(sorted(FORMATS)))
def test_a_loaded_file_is_exactly_its_graph(graph, suffix):
    store = EmbeddedStore(None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"gen{suffix}"
        write(path, graph)
        report = load_paths(store, [path], root=Path(tmp))
        name = ox.NamedNode(graph_iri_for(path, root=Path(tmp)))
    rows = store.query(
        "SELECT ?s ?p ?o { ?s ?p ?o }", default_graphs=[name.value], union_default_graph=False
    )
    stored = {ox.Triple(r["s"], r["p"], r["o"]) for r in rows}
    assert stored == graph
    assert report.triples == len(graph)


@SETTINGS
@given(
    triples,
    st.sampled_from(sorted(FORMATS)),
    st.data(),
)
def test_a_damaged_file_among_good_ones_is_loaded_whole_or_changes_nothing(graph, suffix, data):
    store = EmbeddedStore(None)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.nt"
        write(
            base,
            {ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("base"))},
        )
        load_paths(store, [base], root=Path(tmp))
        before = dump(store)
        good, bad = Path(tmp) / f"good{suffix}", Path(tmp) / f"bad{suffix}"
        write(good, graph)
        write(bad, graph)
        raw = bad.read_bytes()
        cut = data.draw(st.integers(0, len(raw)), label="cut")
        junk = data.draw(st.binary(max_size=8), label="junk")
        bad.write_bytes(raw[:cut] + junk)
        try:
            load_paths(store, [good, bad], root=Path(tmp))
        except LoadError as exc:
            assert "bad" in str(exc)
            assert dump(store) == before

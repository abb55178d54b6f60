"""The loader: graph per file, provenance, skip unchanged, all-or-nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from devgraph.load import LoadError, graph_iri_for, load_paths, recorded_checksums
from devgraph.namespaces import GRAPH, META_GRAPH
from devgraph.store import EmbeddedStore

FORMATS = Path(__file__).parent / "data" / "formats"


def snapshot(store: EmbeddedStore) -> set[str]:
    """Every quad as text: two equal snapshots mean an unchanged store."""
    return {str(q) for q in store._store}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_rdf_format_loads_into_its_own_graph():
    s = EmbeddedStore(None)
    report = load_paths(s, [FORMATS], root=FORMATS)
    assert [p.name for p in report.skipped] == ["README.txt"]
    counts = {g.iri.removeprefix(GRAPH): g.triples for g in s.graphs() if g.iri != META_GRAPH}
    assert counts == {"a.ttl": 1, "b.nt": 1, "c.nq": 2, "d.trig": 1, "e.jsonld": 1, "f.rdf": 1}
    rows = s.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}f.rdf> {{ ?s ?p ?o }} }}")
    assert [r["o"].value for r in rows] == ["rdfxml"]


def test_graph_iri_is_relative_path_inside_root_and_absolute_outside(tmp_path):
    inside = tmp_path / "data" / "ttl" / "my file.ttl"
    assert graph_iri_for(inside, root=tmp_path) == GRAPH + "data/ttl/my%20file.ttl"
    outside = graph_iri_for(Path("/etc/x.ttl"), root=tmp_path)
    assert outside == GRAPH + "file/etc/x.ttl"


def test_provenance_is_recorded(tmp_path):
    f = write(tmp_path / "a.ttl", "<http://e/a> <http://e/b> 1, 2 .")
    s = EmbeddedStore(None)
    load_paths(s, [f], root=tmp_path)
    g = GRAPH + "a.ttl"
    q = f"""PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcat: <http://www.w3.org/ns/dcat#>
      PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/>
      SELECT ?n ?size ?src ?t WHERE {{ GRAPH <{META_GRAPH}> {{
        <{g}> void:triples ?n ; dcat:byteSize ?size ; dct:source ?src ;
              prov:generatedAtTime ?t }} }}"""
    (row,) = list(s.query(q))
    assert int(row["n"].value) == 2
    assert int(row["size"].value) == f.stat().st_size
    assert row["src"].value == f.resolve().as_uri()

    assert recorded_checksums(s)[g] == hashlib.sha256(f.read_bytes()).hexdigest()


def test_unchanged_file_is_skipped_and_changed_file_replaces_only_its_graph(tmp_path):
    a = write(tmp_path / "a.ttl", "<http://e/a> <http://e/b> 1 .")
    b = write(tmp_path / "b.ttl", "<http://e/a> <http://e/b> 2 .")
    s = EmbeddedStore(None)
    first = load_paths(s, [tmp_path], root=tmp_path)
    assert len(first.loaded) == 2
    again = load_paths(s, [tmp_path], root=tmp_path)
    assert again.loaded == [] and len(again.unchanged) == 2
    write(a, "<http://e/a> <http://e/b> 10, 11 .")
    third = load_paths(s, [tmp_path], root=tmp_path)
    assert [src.path.name for src, _ in third.loaded] == ["a.ttl"]
    rows = s.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}a.ttl> {{ ?s ?p ?o }} }}")
    assert sorted(int(r["o"].value) for r in rows) == [10, 11]
    rows = s.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}b.ttl> {{ ?s ?p ?o }} }}")
    assert [int(r["o"].value) for r in rows] == [2]
    assert b.exists()


def test_force_reloads_unchanged_files(tmp_path):
    a = write(tmp_path / "a.ttl", "<http://e/a> <http://e/b> 1 .")
    s = EmbeddedStore(None)
    load_paths(s, [a], root=tmp_path)
    assert len(load_paths(s, [a], root=tmp_path, force=True).loaded) == 1


@pytest.mark.parametrize("on_disk", [False, True])
def test_folder_whose_last_file_is_broken_leaves_store_exactly_as_it_was(tmp_path, on_disk):
    src = tmp_path / "src"
    write(src / "1-good.ttl", "<http://e/a> <http://e/b> 1 .")
    s = EmbeddedStore(tmp_path / "store" if on_disk else None)
    load_paths(s, [src], root=tmp_path)
    before = snapshot(s)
    write(src / "1-good.ttl", "<http://e/a> <http://e/b> 99 .")  # changed: would be replaced
    write(src / "2-new.ttl", "<http://e/a> <http://e/b> 2 .")
    write(src / "3-broken.ttl", '<http://e/a> <http://e/b> "unterminated .\n')
    with pytest.raises(LoadError) as err:
        load_paths(s, [src], root=tmp_path)
    message = str(err.value)
    assert "3-broken.ttl" in message and "line 1" in message and "column" in message
    assert snapshot(s) == before


def test_missing_path_and_unknown_extension_are_refused(tmp_path):
    s = EmbeddedStore(None)
    with pytest.raises(LoadError, match="no such file"):
        load_paths(s, [tmp_path / "nope.ttl"])
    odd = write(tmp_path / "x.csv", "a,b")
    with pytest.raises(LoadError, match="unknown RDF file type"):
        load_paths(s, [odd])
    assert len(s) == 0


def test_blank_nodes_of_two_files_never_merge(tmp_path):
    write(tmp_path / "a.ttl", "_:x <http://e/p> 1 .")
    write(tmp_path / "b.ttl", "_:x <http://e/p> 2 .")
    s = EmbeddedStore(None)
    load_paths(s, [tmp_path], root=tmp_path)
    rows = s.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <http://e/p> ?o }")
    assert int(next(iter(rows))["n"].value) == 2


def test_repository_data_folders_load(tmp_path):
    """The folders `make serve` loads must parse (whatever they hold today)."""
    repo = Path(__file__).resolve().parents[1]
    folders = [repo / d for d in ("ontology", "shapes", "data/ttl") if (repo / d).is_dir()]
    assert folders, "expected ontology/, shapes/ and data/ttl/ in the repository"
    copy = tmp_path / "repo"
    for folder in folders:
        shutil.copytree(folder, copy / folder.relative_to(repo))
    s = EmbeddedStore(None)
    report = load_paths(s, [copy / f.relative_to(repo) for f in folders], root=copy)
    assert report.triples == sum(g.triples for g in s.graphs() if g.iri != META_GRAPH)

"""The hostile-input corpus: every file gets a clear refusal or a recorded finding.

Each file in ``corpus/`` is loaded the way a user would (IATI XML through the importer,
RDF through the loader) into a store that already holds data. A refused file must name
itself and say why, and leave the store byte-for-byte as it was (full N-Quads dump before
and after). An accepted file must record what was odd about it. The table below is the
expected outcome of each file; ``README.md`` in this folder describes them for people.

Files too big to commit (the 50 MB narrative) or dangerous to the test process itself
(RDF/XML entity bombs, pathological nesting) are generated here, and the dangerous ones
run in a child process under a memory and time limit.
"""

from __future__ import annotations

import gc
import io
import os
import resource
import subprocess
import sys
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from devgraph.cli import main
from devgraph.iati import IatiImportError, import_paths
from devgraph.load import LoadError, load_paths
from devgraph.store import EmbeddedStore

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
REPO = HERE.parents[1]
SEED = REPO / "tests" / "data" / "portfolio.ttl"
DG = "https://w3id.org/devgraph/ontology#"

REFUSED: dict[str, str] = {
    # IATI XML, through the importer
    "xxe-file.xml": "declares entities",
    "xxe-network.xml": "declares entities",
    "xxe-parameter-entity.xml": "declares entities",
    "billion-laughs.xml": "declares entities",
    "external-dtd.xml": "external DTD",
    "truncated.xml": r":3:57: malformed XML",
    "empty.xml": r"empty file \(0 bytes\)",
    "latin1-declared-utf8.xml": "malformed XML: Invalid bytes in character encoding",
    "utf8-declared-utf16.xml": ":1:38: malformed XML",
    "control-character.xml": "malformed XML: xmlParseCharRef: invalid xmlChar value 7",
    "not-xml.xml": "malformed XML: Start tag expected",
    "wrong-root.xml": "root element is <html>",
    "root-with-colons.xml": "root-with-colons.xml",
    "deeply-nested.xml": "Excessive depth in document",
    # RDF, through the loader
    "malformed.ttl": "line 3",
    "truncated.ttl": "line 3",
    "iri-with-space.ttl": "Invalid IRI code point ' '",
    "iri-with-control.ttl": "Invalid IRI code point",
    "latin1.ttl": "Invalid UTF-8",
    "binary.nt": "line 1 column 1",
    "malformed.jsonld": "line 2",
    "remote-context.jsonld": "remote contexts",
    "xxe.rdf": "external entity",
    "malformed.rdf": "tag mismatch",
}
"""File → what the error must say (a regular expression)."""

ACCEPTED = {"odd-values.xml", "utf16-with-bom.xml", "empty.ttl", "version-with-space.xml"}
"""Files that load, with what was odd recorded (see the tests below)."""


def dump(store: EmbeddedStore) -> bytes:
    out = io.BytesIO()
    store.dump(out, format="nquads")
    return b"\n".join(sorted(out.getvalue().splitlines()))


def load_any(store: EmbeddedStore, path: Path, root: Path) -> object:
    """Route a file as ``devgraph load`` means to: IATI XML to the importer, else the loader."""
    if path.suffix == ".xml":
        return import_paths(store, [path], root=root)
    return load_paths(store, [path], root=root)


@pytest.fixture
def store() -> EmbeddedStore:
    """A store that already holds data, so "unchanged" compares something real."""
    s = EmbeddedStore(None)
    load_paths(s, [SEED], root=SEED.parent)
    return s


def test_every_corpus_file_has_an_expected_outcome():
    files = {p.name for p in CORPUS.iterdir() if p.is_file()}
    assert files == set(REFUSED) | ACCEPTED
    documented = (HERE / "README.md").read_text(encoding="utf-8")
    for name in files:
        assert f"`{name}`" in documented, f"{name} is not described in tests/hostile/README.md"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_a_clear_error_and_the_store_unchanged(store, name):
    path = CORPUS / name
    before = dump(store)
    with pytest.raises((IatiImportError, LoadError), match=REFUSED[name]) as info:
        load_any(store, path, CORPUS)
    assert name in str(info.value), "the error must name the file"
    assert dump(store) == before
    del info  # the traceback may hold the parser; then collect, watching for unclosed files
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, f"the refusal of {name} left files open: {leaks}"


def test_odd_values_are_kept_and_recorded(store):
    """Unknown codes, bad and absurd numbers, year-9999 dates, IRI-breaking identifiers."""
    report = load_any(store, CORPUS / "odd-values.xml", CORPUS)
    counts = report.files[0].warnings  # type: ignore[attr-defined]
    assert counts["unknown-code"] == 7 and counts["bad-number"] == 2
    rows = store.query(
        f"""SELECT ?a ?id ?start ?amount WHERE {{
              ?a <{DG}iatiIdentifier> ?id ; <{DG}plannedStart> ?start ;
                 <{DG}transaction>/<{DG}value>/<{DG}amount> ?amount }}"""
    )
    found = [(r["a"], r["id"].value, r["start"].value, r["amount"].value) for r in rows]
    assert len(found) == 1, found  # only the one transaction with a decimal value
    activity, identifier, start, amount = found[0]
    assert identifier == 'XM-ODD 1 <x> "q" {b}|^`\\'  # kept exactly as published
    assert " " not in activity.value and "<" not in activity.value  # yet a valid IRI
    assert start == "9999-12-31"
    assert amount == "9" * 41  # exact decimal, never through float
    negative = store.query(f"ASK {{ ?v <{DG}amount> -300000.1 }}")
    assert bool(negative)
    kept = store.query(f'ASK {{ ?k <{DG}xmlValue> "1e308" }}')
    assert bool(kept), "a value that is not a decimal is kept as published text"


def test_a_version_that_cannot_be_an_iri_is_imported_or_refused_cleanly(store):
    before = dump(store)
    try:
        load_any(store, CORPUS / "version-with-space.xml", CORPUS)
    except IatiImportError as exc:
        assert "version-with-space.xml" in str(exc)
        assert dump(store) == before


def test_utf16_with_a_byte_order_mark_is_read_correctly(store):
    load_any(store, CORPUS / "utf16-with-bom.xml", CORPUS)
    titles = {r["t"].value for r in store.query(f"SELECT ?t {{ ?a <{DG}title> ?t }}")}
    assert "Coopération à Ségou" in titles


def test_an_empty_turtle_file_is_an_empty_graph_with_provenance(store):
    report = load_any(store, CORPUS / "empty.ttl", CORPUS)
    assert report.triples == 0  # type: ignore[attr-defined]
    graphs = {g.iri for g in store.graphs()}
    assert "https://w3id.org/devgraph/graph/empty.ttl" not in graphs  # no triples, no graph
    recorded = store.query(
        "ASK { GRAPH ?m { <https://w3id.org/devgraph/graph/empty.ttl> "
        "<http://rdfs.org/ns/void#triples> 0 } }",
        union_default_graph=False,
    )
    assert bool(recorded)


def test_a_50_mb_single_line_narrative_is_refused(store, tmp_path):
    path = tmp_path / "huge-narrative.xml"
    with path.open("wb") as fh:
        fh.write(b'<?xml version="1.0"?><iati-activities version="2.03"><iati-activity>')
        fh.write(b"<iati-identifier>XM-HUGE-1</iati-identifier><title><narrative>")
        chunk = b"lorem ipsum " * 87_381  # ~1 MiB
        for _ in range(50):
            fh.write(chunk)
        fh.write(b"</narrative></title></iati-activity></iati-activities>")
    assert path.stat().st_size > 50_000_000
    before = dump(store)
    with pytest.raises(IatiImportError, match="huge-narrative.xml:1:.*malformed XML"):
        import_paths(store, [path], root=tmp_path)
    assert dump(store) == before


def test_a_deeply_nested_json_ld_is_refused(store, tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text('{"@id": "http://e/s", "http://e/p": ' + "[" * 100_000 + "]" * 100_000 + "}")
    before = dump(store)
    with pytest.raises(LoadError, match="deep.jsonld: .*Max stack size"):
        load_paths(store, [path], root=tmp_path)
    assert dump(store) == before


def test_a_bad_file_among_good_ones_loads_nothing(store, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text("<http://example.org/new> <http://example.org/p> 1 .\n")
    before = dump(store)
    with pytest.raises(LoadError, match="malformed.ttl"):
        load_paths(store, [good, CORPUS / "malformed.ttl"], root=tmp_path)
    assert dump(store) == before


def test_the_cli_refuses_with_the_reason_and_exit_status_1(tmp_path):
    runner = CliRunner()
    store_dir = str(tmp_path / "store")
    ok = runner.invoke(main, ["--store", store_dir, "load", str(SEED)])
    assert ok.exit_code == 0, ok.output
    result = runner.invoke(
        main, ["--store", store_dir, "import-iati", str(CORPUS / "xxe-file.xml")]
    )
    assert result.exit_code == 1
    assert "declares entities" in result.output


def test_devgraph_load_gives_the_readers_reason_for_refused_xml(tmp_path):
    result = CliRunner().invoke(
        main, ["--store", str(tmp_path / "s"), "load", str(CORPUS / "xxe-file.xml")]
    )
    assert result.exit_code == 1 and "declares entities" in result.output


# --- inputs that could hurt the process itself: run in a limited child ------------------


def _limited() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


def _load_in_child(path: Path, seconds: float) -> subprocess.CompletedProcess[str] | None:
    """``load_paths`` on ``path`` in a child with 1.5 GB of address space; None on timeout."""
    code = (
        "import sys; from pathlib import Path; from devgraph.store import EmbeddedStore;"
        "from devgraph.load import load_paths, LoadError\n"
        "p = Path(sys.argv[1])\n"
        "try:\n    load_paths(EmbeddedStore(None), [p], root=p.parent)\n"
        "except LoadError as e:\n    print('REFUSED', e); sys.exit(1)\n"
        "print('LOADED')\n"
    )
    try:
        return subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            timeout=seconds,
            preexec_fn=_limited,
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
    except subprocess.TimeoutExpired:
        return None


def test_an_rdf_xml_entity_bomb_is_refused_cleanly(tmp_path):
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    path = tmp_path / "bomb.rdf"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{ents}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://e/"><rdf:Description rdf:about="http://e/s"><ex:p>&i;</ex:p>'
        "</rdf:Description></rdf:RDF>"
    )
    done = _load_in_child(path, 20)
    assert done is not None and done.returncode == 1 and "REFUSED" in done.stdout, done


def test_a_deeply_nested_rdf_xml_is_refused_quickly(tmp_path):
    n = 20_000
    path = tmp_path / "deep.rdf"
    path.write_text(
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
        '<rdf:Description rdf:about="http://e/s">'
        + "<ex:p><rdf:Description>" * n
        + "</rdf:Description></ex:p>" * n
        + "</rdf:Description></rdf:RDF>"
    )
    done = _load_in_child(path, 2)
    assert done is not None and done.returncode == 1 and "REFUSED" in done.stdout, done


def test_turtle_nesting_is_handled(tmp_path):
    """Deep collections in Turtle are parsed iteratively: no stack overflow, all triples."""
    n = 10_000
    path = tmp_path / "deep.ttl"
    path.write_text("<http://e/s> <http://e/p> " + "(" * n + ")" * n + " .\n")
    done = _load_in_child(path, 60)
    assert done is not None and done.returncode == 0 and "LOADED" in done.stdout, done
    assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) == 2 * n - 1

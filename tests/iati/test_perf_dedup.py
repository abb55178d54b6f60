"""De-duplication before the store: fewer triples written, never a different graph.

Why: ``SharedStatements`` drops statements about shared nodes (organisations, places,
linked activities) already emitted for the file. Dropping a statement the graph did not
already hold would lose data silently, so these tests compare what is emitted with what
the mappers said, and with what the store holds, on real samples.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from devgraph.iati import import_paths, importer
from devgraph.iati.builder import ActivityContext, FileContext, dg
from devgraph.iati.emit import SharedStatements
from devgraph.iati.reader import discover, read_root
from devgraph.iati.report import FileReport
from devgraph.namespaces import ORGANISATION, PLACE
from devgraph.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
SAMPLES = Path(os.environ.get("DEVGRAPH_SHARED", REPO.parent / "shared")) / "iati" / "samples"
FILES = [
    SAMPLES / "uk-fcdo-ngos_mixed-2.02-2.03_dportal2021-p20.xml",
    SAMPLES / "mixed-foodsecurity_v2.03_dportal-7acts.xml",
]


def _emitted(path: Path, limit: int) -> list[ox.Triple]:
    source = discover([path], root=SAMPLES)[0]
    report = FileReport(source=source.name, graph=source.graph)
    clock = importer._Clock(None, 1000)
    batches = importer._file_batches(
        source, read_root(source), report, strict=False, clock=clock, shared_limit=limit
    )
    return [t for batch in batches for t in batch]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_emitted_triples_are_distinct_and_the_same_set(path: Path) -> None:
    remembered = _emitted(path, limit=1_000_000)
    forgetful = _emitted(path, limit=0)  # forgets after every activity
    assert set(remembered) == set(forgetful)
    repeated = Counter(remembered) - Counter(set(remembered))
    # Only an activity's own nodes may repeat (left to the store); organisations and
    # places, named again and again across activities, are written once.
    assert not [t for t in repeated if t.subject.value.startswith((ORGANISATION, PLACE))]
    assert sum(repeated.values()) < len(remembered) / 100
    assert len(remembered) < len(forgetful)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_store_holds_exactly_what_the_mappers_said(path: Path) -> None:
    store = EmbeddedStore(None)
    report = import_paths(store, [path], root=SAMPLES)
    graph = ox.NamedNode(report.files[0].graph)
    # The reference store gets every statement, repeats included (the forgetful emitter):
    # it normalises literals (e.g. decimals) exactly as the import's store does.
    reference = ox.Store()
    reference.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in _emitted(path, 0))
    assert set(store._store.quads_for_pattern(None, None, None, graph)) == set(reference)


def _context(file: FileContext, ident: str) -> ActivityContext:
    subject = ox.NamedNode(f"https://example.org/act/{ident}")
    return ActivityContext(file, subject, subject.value, v1=False, lang=None)


def test_own_nodes_always_pass_shared_nodes_once_until_the_limit() -> None:
    report = FileReport(source="x", graph="https://example.org/g")
    file = FileContext(report, ox.NamedNode("https://example.org/g#file"), "2.03", None)
    org = ox.NamedNode("https://example.org/org/XM-1")
    shared = SharedStatements(limit=2)

    def emit(ident: str) -> list[ox.Triple]:
        ctx = _context(file, ident)
        sub = ctx.node("transaction")
        ctx.typed(ctx.subject, "Activity")
        ctx.typed(sub, "Transaction")
        ctx.typed(sub, "Transaction")  # an own node's repeat is left to the store
        ctx.typed(org, "Organisation")
        ctx.add(org, dg("orgIdentifier"), ox.Literal("XM-1"))
        return shared.triples(ctx)

    first = emit("A")
    assert len(first) == 5
    second = emit("A")  # same activity again (a duplicate identifier): own nodes pass
    assert len(second) == 3 and all(t.subject != org for t in second)
    assert shared.dropped == 2
    shared.limit = 1  # the set holds 2: the next activity still drops, then clears it
    assert len(emit("B")) == 3
    assert len(shared.seen) == 0
    assert len(emit("C")) == 5  # after the clear, shared statements are emitted again

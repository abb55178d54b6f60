"""Data-driven shape tests: every named shape has a valid and an invalid example.

``examples/<ShapeLocalName>/valid.ttl`` must give no finding from that shape;
``invalid.ttl`` must give at least one, with the severity its ``# expect:`` header line states
(written by hand, not read from the shape). A new shape without examples fails
:func:`test_every_named_shape_has_examples`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SH

from devgraph.report import DGSH
from devgraph.validate import default_shapes_dir, load_graph, validate

HERE = Path(__file__).parent
EXAMPLES = HERE / "examples"
CODELISTS = HERE / "codelists.ttl"
EXAMPLE_NAMES = (
    sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) if EXAMPLES.is_dir() else []
)


def _named_shapes() -> dict[str, URIRef]:
    graph = load_graph([default_shapes_dir()])
    return {
        str(s).removeprefix(str(DGSH)): s
        for s in set(graph.subjects(SH.name, None))
        if isinstance(s, URIRef) and str(s).startswith(str(DGSH))
    }


def _expected_severity(path: Path) -> str:
    match = re.search(r"^# expect: (Violation|Warning|Info)$", path.read_text("utf-8"), re.M)
    assert match, f"{path} has no '# expect: <severity>' line"
    return match.group(1)


def test_example_folders_and_shapes_are_found() -> None:
    # Guard against a glob that silently matches nothing (SOSA's validation script did).
    assert len(EXAMPLE_NAMES) >= 30
    assert len(list(default_shapes_dir().glob("*.ttl"))) >= 7
    for name in EXAMPLE_NAMES:
        assert (EXAMPLES / name / "valid.ttl").is_file(), name
        assert (EXAMPLES / name / "invalid.ttl").is_file(), name


def test_every_named_shape_has_examples() -> None:
    shapes = _named_shapes()
    assert len(shapes) >= 30
    assert sorted(set(shapes) - set(EXAMPLE_NAMES)) == [], "shapes without examples"
    assert sorted(set(EXAMPLE_NAMES) - set(shapes)) == [], "examples without a shape"


def test_every_named_shape_is_documented() -> None:
    """sh:name, sh:description, an English sh:message, a severity and the IATI rule it mirrors."""
    graph = load_graph([default_shapes_dir()])
    problems = []
    for name, shape in sorted(_named_shapes().items()):
        messages = [m for m in graph.objects(shape, SH.message) if isinstance(m, Literal)]
        if not any(m.language == "en" for m in messages):
            problems.append(f"{name}: no English sh:message")
        if graph.value(shape, SH.description) is None:
            problems.append(f"{name}: no sh:description")
        if graph.value(shape, SH.severity) not in (SH.Violation, SH.Warning, SH.Info):
            problems.append(f"{name}: no sh:severity")
        if not str(graph.value(shape, DGSH.iatiRule) or "").strip():
            problems.append(f"{name}: no dgsh:iatiRule")
    assert problems == []


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_valid_example_gives_no_finding(name: str) -> None:
    report = validate([EXAMPLES / name / "valid.ttl"], codelists=CODELISTS, only=[name])
    assert [f for f in report.findings if f.shape == str(DGSH[name])] == []


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_invalid_example_gives_findings(name: str) -> None:
    path = EXAMPLES / name / "invalid.ttl"
    report = validate([path], codelists=CODELISTS, only=[name])
    own = [f for f in report.findings if f.shape == str(DGSH[name])]
    assert own, f"{name}: invalid example gave no finding"
    assert {f.severity for f in own} == {_expected_severity(path)}
    assert all(f.message and not f.message.startswith("Node ") for f in own), own

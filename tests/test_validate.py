"""devgraph.validate and devgraph.report: inputs, conformance semantics and report formats."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from devgraph.load import LoadError
from devgraph.report import DGSH, ValidationReport
from devgraph.store import EmbeddedStore
from devgraph.validate import default_shapes_dir, load_graph, validate, validate_store

SHAPES_TESTS = Path(__file__).parent / "shapes"
CODELISTS = SHAPES_TESTS / "codelists.ttl"
COMPLETE = SHAPES_TESTS / "fixtures" / "complete_activity.ttl"
EXAMPLES = SHAPES_TESTS / "examples"

DG = Namespace("https://w3id.org/devgraph/ontology#")
ACT = Namespace("https://w3id.org/devgraph/id/activity/")


def _complete() -> Graph:
    return load_graph([COMPLETE])


def _check(graph: Graph) -> ValidationReport:
    return validate(graph, codelists=CODELISTS)


# -- conformance -----------------------------------------------------------------------------


def test_complete_activity_has_no_finding() -> None:
    report = _check(_complete())
    assert report.findings == []
    assert report.conforms is True


def test_warnings_only_still_conform() -> None:
    graph = _complete()
    graph.remove((ACT.complete, DG.sector, None))  # missing sector: a Warning
    report = _check(graph)
    assert [(f.shape, f.severity) for f in report.findings] == [
        (str(DGSH.ActivitySectorShape), "Warning")
    ]
    assert report.conforms is True
    assert report.counts() == {"Violation": 0, "Warning": 1, "Info": 0}


def test_infos_only_still_conform() -> None:
    graph = _complete()
    graph.add((ACT.complete, DG.relatedActivity, ACT["not-loaded"]))
    report = _check(graph)
    assert {f.severity for f in report.findings} == {"Info"}
    assert report.conforms is True


def test_a_violation_does_not_conform() -> None:
    graph = _complete()
    graph.remove((ACT.complete, DG.iatiIdentifier, None))
    report = _check(graph)
    assert report.conforms is False
    assert (str(DGSH.ActivityIdentifierShape), str(ACT.complete), "Violation") in {
        (f.shape, f.focus_node, f.severity) for f in report.findings
    }


def test_callers_graph_is_not_modified() -> None:
    graph = _complete()
    before = len(graph)
    _check(graph)
    assert len(graph) == before


# -- inputs ----------------------------------------------------------------------------------


def test_validate_from_paths_equals_validate_from_graph(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("ActivityPhaseConflictShape", "SexPercentageSumShape"):
        source = EXAMPLES / name / "invalid.ttl"
        (tmp_path / "sub" / f"{name}.ttl").write_text(source.read_text("utf-8"), "utf-8")
    from_folder = validate([tmp_path], codelists=CODELISTS)
    from_files = validate(sorted((tmp_path / "sub").glob("*.ttl")), codelists=CODELISTS)
    from_graph = validate(load_graph([tmp_path]), codelists=CODELISTS)
    assert from_folder.findings == from_files.findings == from_graph.findings
    shapes = {f.shape for f in from_folder.findings}
    assert {str(DGSH.ActivityPhaseConflictShape), str(DGSH.SexPercentageSumShape)} <= shapes


def test_missing_input_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        validate([tmp_path / "nope.ttl"], codelists=CODELISTS)


def test_codelists_off_deactivates_membership_shapes() -> None:
    bad_currency = [EXAMPLES / "CurrencyCodeShape" / "invalid.ttl"]
    with_codelists = validate(bad_currency, codelists=CODELISTS)
    without = validate(bad_currency, codelists=False)
    assert str(DGSH.CurrencyCodeShape) in {f.shape for f in with_codelists.findings}
    assert str(DGSH.CurrencyCodeShape) not in {f.shape for f in without.findings}


def test_missing_codelists_is_an_error_not_a_flood_of_findings(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="codelists=False"):
        validate(_complete(), codelists=tmp_path)


def test_repository_codelists_accept_the_complete_activity() -> None:
    codelists = Path(__file__).parents[1] / "ontology" / "codelists"
    if not any(codelists.glob("*.ttl")):
        pytest.skip("ontology/codelists/ not generated yet")
    report = validate(_complete())  # default: the repository's codelists
    assert report.findings == []


def test_shapes_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("finance.ttl", "targets.ttl"):  # finance shapes use the shared targets
        (tmp_path / name).write_text((default_shapes_dir() / name).read_text("utf-8"), "utf-8")
    monkeypatch.setenv("DEVGRAPH_SHAPES", str(tmp_path))
    assert default_shapes_dir() == tmp_path
    graph = _complete()
    graph.remove((ACT.complete, DG.iatiIdentifier, None))  # an activity.ttl rule: not loaded
    graph.remove((ACT.complete, DG.budget, None))  # a finance.ttl rule
    report = _check(graph)
    assert {f.shape for f in report.findings} == {str(DGSH.BudgetPresenceShape)}


def test_only_runs_the_named_shapes() -> None:
    graph = _complete()
    graph.remove((ACT.complete, DG.iatiIdentifier, None))
    graph.remove((ACT.complete, DG.budget, None))
    report = validate(graph, codelists=CODELISTS, only=["dgsh:BudgetPresenceShape"])
    assert {f.shape for f in report.findings} == {str(DGSH.BudgetPresenceShape)}
    with pytest.raises(ValueError, match="unknown shapes"):
        validate(graph, codelists=CODELISTS, only=["NoSuchShape"])


def test_validate_store_one_graph_or_union() -> None:
    store = EmbeddedStore(None)
    store.load(COMPLETE.read_bytes(), format="turtle", graph="urn:g:complete")
    store.replace_graphs(
        {
            "urn:g:other": [
                pyoxigraph.Triple(
                    pyoxigraph.NamedNode(str(ACT.other)),
                    pyoxigraph.NamedNode(str(RDF.type)),
                    pyoxigraph.NamedNode(str(DG.Activity)),
                )
            ]
        }
    )
    one = validate_store(store, graph="urn:g:complete", codelists=CODELISTS)
    union = validate_store(store, codelists=CODELISTS)
    assert one.findings == []
    assert {f.focus_node for f in union.findings} == {str(ACT.other)}
    assert union.conforms is False


# -- report formats --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_report() -> ValidationReport:
    """A report with Violations, Warnings and an Info, and a hostile value in the data."""
    graph = _complete()
    graph.add((ACT.complete, DG.phase, Literal(2)))
    graph.add((ACT.complete, DG.phase, Literal(3)))
    graph.add((ACT.complete, DG.relatedActivity, ACT["not-loaded"]))
    script = Literal("<script>alert('x')</script>")
    graph.set((ACT.complete, DG.iatiIdentifier, script))
    graph.add((ACT.copy, RDF.type, DG.Activity))
    graph.add((ACT.copy, DG.iatiIdentifier, script))
    return _check(graph)


def test_report_has_every_severity(mixed_report: ValidationReport) -> None:
    counts = mixed_report.counts()
    assert counts["Violation"] > 0 and counts["Warning"] > 0 and counts["Info"] > 0
    assert mixed_report.conforms is False


def test_json_has_stable_keys(mixed_report: ValidationReport) -> None:
    data = json.loads(mixed_report.to_json())
    assert list(data) == ["conforms", "counts", "summary", "findings"]
    assert list(data["counts"]) == ["Violation", "Warning", "Info"]
    assert data["conforms"] is False
    assert len(data["findings"]) == len(mixed_report.findings)
    for finding in data["findings"]:
        assert list(finding) == [
            "severity",
            "shape",
            "focus_node",
            "path",
            "value",
            "message",
            "source_shape",
            "component",
        ]
    for row in data["summary"]:
        assert list(row) == ["shape", "name", "severity", "count"]
    assert sum(row["count"] for row in data["summary"]) == len(data["findings"])


def test_summary_groups_by_shape_and_severity(mixed_report: ValidationReport) -> None:
    rows = {(r.shape, r.severity): r.count for r in mixed_report.summary()}
    assert rows[(str(DGSH.DuplicateIdentifierShape), "Violation")] == 2
    assert rows[(str(DGSH.ActivityPhaseConflictShape), "Warning")] == 1
    assert rows[(str(DGSH.UnresolvedActivityLinkShape), "Info")] == 1
    names = {r.shape: r.name for r in mixed_report.summary()}
    assert names[str(DGSH.ActivityPhaseConflictShape)] == "conflicting phase statements"


def test_findings_are_sorted_most_severe_first(mixed_report: ValidationReport) -> None:
    order = ["Violation", "Warning", "Info"]
    ranks = [order.index(f.severity) for f in mixed_report.findings]
    assert ranks == sorted(ranks)


def test_turtle_is_a_shacl_validation_report(mixed_report: ValidationReport) -> None:
    graph = Graph().parse(data=mixed_report.to_turtle(), format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert len(list(graph.objects(reports[0], SH.result))) == len(mixed_report.findings)


def test_html_escapes_values_from_the_data(mixed_report: ValidationReport) -> None:
    page = mixed_report.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count("<tr class=") == len(mixed_report.findings) + len(mixed_report.summary())


def test_text_starts_with_the_verdict(mixed_report: ValidationReport) -> None:
    text = mixed_report.to_text()
    assert text.startswith("Conforms: False (")
    assert (
        "dgsh:ActivityPhaseConflictShape: act:complete dg:phase: conflicting phase statements"
        in text
    )


def test_sparql_message_is_english_after_placeholder_substitution() -> None:
    """pySHACL drops the language tag when it fills {?value}: the English text must win."""
    report = validate(
        [EXAMPLES / "SexPercentageSumShape" / "invalid.ttl"],
        codelists=CODELISTS,
        engine="pyshacl",
    )
    (finding,) = [f for f in report.findings if f.shape == str(DGSH.SexPercentageSumShape)]
    assert (
        finding.message == "percentages by sex add up to 90.0, not 100 (34.0 % female, 56.0 % male)"
    )
    assert finding.value == "90.0"


def test_sparql_engine_fills_placeholders_with_canonical_numbers() -> None:
    """The store canonicalises decimals ("34.0" is read back as 34), so the message does too."""
    report = validate([EXAMPLES / "SexPercentageSumShape" / "invalid.ttl"], codelists=CODELISTS)
    (finding,) = [f for f in report.findings if f.shape == str(DGSH.SexPercentageSumShape)]
    assert finding.message == "percentages by sex add up to 90, not 100 (34 % female, 56 % male)"
    assert float(finding.value or "nan") == 90.0
    assert finding.component == str(SH.SPARQLConstraintComponent)


def test_sh_node_details_are_not_reported_twice() -> None:
    report = validate([EXAMPLES / "CurrencyCodeShape" / "invalid.ttl"], codelists=CODELISTS)
    assert [f.shape for f in report.findings] == [str(DGSH.CurrencyCodeShape)]
    assert report.findings[0].path == str(DG.currency)
    assert report.findings[0].value == "https://w3id.org/devgraph/codelist/Currency/FCFA"


def test_alternative_path_is_rendered() -> None:
    graph = _complete()
    graph.remove((ACT.complete, DG.description, None))
    (finding,) = _check(graph).findings
    assert finding.shape == str(DGSH.ActivityDescriptionShape)
    assert finding.path is not None
    assert finding.path.split("|") == [
        str(DG.description),
        str(DG.objective),
        str(DG.targetGroupDescription),
        str(DG.otherDescription),
    ]
    assert isinstance(URIRef(finding.source_shape), URIRef)


def test_mentioned_activity_skips_completeness_but_not_stated_fact_rules() -> None:
    """A reference (dg:mentionedIn) is not a full record; what it does state is still checked."""
    graph = Graph().parse(
        format="turtle",
        data="""
        @prefix dg: <https://w3id.org/devgraph/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/devgraph/id/activity/ref> a dg:Activity ;
            dg:title "Phase 1"@fr ; dg:actualStart "2021"^^xsd:gYear ;
            dg:mentionedIn <https://w3id.org/devgraph/id/activity/main/source/page> .
        <https://w3id.org/devgraph/id/activity/full> a dg:Activity ; dg:title "Phase 2"@fr .
        """,
    )
    report = validate(graph, codelists=CODELISTS)
    by_node: dict[str, set[str]] = {}
    for f in report.findings:
        by_node.setdefault(f.focus_node, set()).add(f.shape.removeprefix(str(DGSH)))
    assert by_node[str(ACT.ref)] == {"ImpreciseDateShape"}
    assert {"ActivityIdentifierShape", "FundingOrganisationShape"} <= by_node[str(ACT.full)]


def test_cli_engines_give_the_same_report(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`devgraph validate --engine` picks the engine; both report the same findings."""
    graph = _complete()
    graph.add((ACT.complete, DG.relatedActivity, ACT["not-loaded"]))  # an Info
    graph.add((ACT.complete, DG.phase, Literal(2)))
    graph.add((ACT.complete, DG.phase, Literal(3)))  # two phases: a Warning
    data = tmp_path / "data.ttl"
    graph.serialize(data, format="turtle")
    reports = {}
    for engine in ("sparql", "pyshacl"):
        result = runner("validate", str(data), "--no-codelists", "-f", "json", "--engine", engine)
        assert result.exit_code == 0, result.output
        reports[engine] = json.loads(result.output)
    fast, reference = reports["sparql"], reports["pyshacl"]
    assert fast["counts"] == reference["counts"] == {"Violation": 0, "Warning": 1, "Info": 1}
    key = ("severity", "shape", "focus_node", "path", "component")
    assert [[f[k] for k in key] for f in fast["findings"]] == [
        [f[k] for k in key] for f in reference["findings"]
    ]
    bad = runner("validate", str(data), "--engine", "rdflib")
    assert bad.exit_code == 2 and "rdflib" in bad.output


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate(_complete(), codelists=False, engine="fast")

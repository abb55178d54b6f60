"""Validation report: findings read from a SHACL results graph, and their serialisations.

Kept apart from :mod:`devgraph.validate` so that the CLI and the web app can render a report
(text, JSON, Turtle, HTML) without knowing how it was produced. Severity follows SHACL, which
devgraph maps from the IATI Validator: error → Violation, warning → Warning, advisory → Info.
Only a Violation makes a report non-conforming.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

DGSH = Namespace("https://w3id.org/devgraph/shapes#")

#: Severity names in report order (most severe first).
SEVERITIES = ("Violation", "Warning", "Info")

#: Prefixes used to shorten IRIs in the text and HTML renderings (JSON keeps full IRIs).
PREFIXES = {
    "dg": "https://w3id.org/devgraph/ontology#",
    "dgsh": str(DGSH),
    "cl": "https://w3id.org/devgraph/codelist/",
    "act": "https://w3id.org/devgraph/id/activity/",
    "dgo": "https://w3id.org/devgraph/id/organisation/",
    "place": "https://w3id.org/devgraph/id/place/",
    "sh": str(SH),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def compact(text: str | None) -> str:
    """Shorten IRIs with the devgraph prefixes, for people reading a report.

    Works on single IRIs and on rendered property paths (``iri|iri``) alike.
    """
    if text is None:
        return ""
    for prefix, namespace in PREFIXES.items():
        text = text.replace(namespace, f"{prefix}:")
    return text


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result, flattened to strings so it serialises without rdflib."""

    severity: str
    shape: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    source_shape: str
    component: str = ""
    """The SHACL constraint component (``sh:MinCountConstraintComponent``...), as an IRI."""

    @property
    def rank(self) -> tuple[int, str, str, str, str, str]:
        """Sort key: most severe first, then by shape, focus node, path and value."""
        return (
            SEVERITIES.index(self.severity),
            self.shape,
            self.focus_node,
            self.path or "",
            self.value or "",
            self.message,
        )


@dataclass(frozen=True)
class SummaryRow:
    """Number of findings of one shape at one severity."""

    shape: str
    name: str
    severity: str
    count: int


@dataclass
class ValidationReport:
    """The outcome of :func:`devgraph.validate.validate`.

    ``conforms`` is False only when there is at least one Violation; Warnings and Infos are
    data-quality advice that must not fail a pipeline.
    """

    findings: list[Finding]
    results_graph: Graph | None = field(default=None, repr=False)
    shape_names: dict[str, str] = field(default_factory=dict, repr=False)
    engine: str = "pyshacl"
    """Which validator produced the findings: "pyshacl", "sparql", or "sparql+pyshacl"."""

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=lambda f: f.rank)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Findings per severity, every severity present (zero included)."""
        counter = Counter(f.severity for f in self.findings)
        return {severity: counter.get(severity, 0) for severity in SEVERITIES}

    def summary(self) -> list[SummaryRow]:
        """Findings grouped by shape and severity, most severe first."""
        counter = Counter((f.shape, f.severity) for f in self.findings)
        rows = [
            SummaryRow(shape, self.shape_names.get(shape, compact(shape)), severity, count)
            for (shape, severity), count in counter.items()
        ]
        return sorted(rows, key=lambda r: (SEVERITIES.index(r.severity), r.shape))

    # -- serialisers -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data with stable keys: conforms, counts, summary, findings."""
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "summary": [asdict(row) for row in self.summary()],
            "findings": [asdict(f) for f in self.findings],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_turtle(self) -> str:
        """The SHACL validation report graph (sh:ValidationReport) as Turtle.

        The SPARQL engine builds no rdflib graph while validating (100 k findings would cost
        more than finding them); the graph is rebuilt from the findings when asked for.
        """
        if self.results_graph is None:
            from devgraph.shacl_exec import results_graph

            self.results_graph = results_graph(self.findings)
        for prefix, namespace in PREFIXES.items():
            self.results_graph.bind(prefix, namespace)
        return self.results_graph.serialize(format="turtle")

    def to_text(self) -> str:
        counts = self.counts()
        lines = [
            f"Conforms: {self.conforms} "
            f"({counts['Violation']} violations, {counts['Warning']} warnings, "
            f"{counts['Info']} infos)"
        ]
        for row in self.summary():
            lines.append(f"  {row.severity:<9} {row.count:>4}  {compact(row.shape)}  {row.name}")
        for f in self.findings:
            where = compact(f.focus_node) + (f" {compact(f.path)}" if f.path else "")
            shown = f.value is not None and f.value != f.focus_node
            value = f" = {compact(f.value)}" if shown else ""
            lines.append(f"{f.severity:<9} {compact(f.shape)}: {where}{value}: {f.message}")
        return "\n".join(lines) + "\n"

    def to_html(self, *, title: str = "devgraph validation report") -> str:
        """A standalone HTML page; every value from the data is escaped."""
        e = html.escape
        counts = self.counts()
        summary_rows = "".join(
            f'<tr class="{e(r.severity.lower())}"><td>{e(r.severity)}</td>'
            f"<td>{r.count}</td><td>{e(r.name)}</td><td><code>{e(compact(r.shape))}</code></td></tr>"
            for r in self.summary()
        )
        finding_rows = "".join(
            f'<tr class="{e(f.severity.lower())}"><td>{e(f.severity)}</td>'
            f"<td><code>{e(compact(f.shape))}</code></td>"
            f"<td><code>{e(compact(f.focus_node))}</code></td>"
            f"<td><code>{e(compact(f.path))}</code></td>"
            f"<td>{e(compact(f.value) if f.value is not None else '')}</td>"
            f"<td>{e(f.message)}</td></tr>"
            for f in self.findings
        )
        status = "conforms" if self.conforms else "does not conform"
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
th, td {{ border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }}
tr.violation td:first-child {{ color: #a00; font-weight: bold; }}
tr.warning td:first-child {{ color: #a60; }}
tr.info td:first-child {{ color: #06a; }}
</style>
</head>
<body>
<h1>{e(title)}</h1>
<p>The data {status}: {counts["Violation"]} violations, {counts["Warning"]} warnings,
{counts["Info"]} infos.</p>
<h2>Summary</h2>
<table>
<thead><tr><th>Severity</th><th>Count</th><th>Rule</th><th>Shape</th></tr></thead>
<tbody>{summary_rows}</tbody>
</table>
<h2>Findings</h2>
<table>
<thead><tr><th>Severity</th><th>Shape</th><th>Focus node</th><th>Path</th><th>Value</th>
<th>Message</th></tr></thead>
<tbody>{finding_rows}</tbody>
</table>
</body>
</html>
"""


# -- reading a SHACL results graph ---------------------------------------------------------


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL-like text (``dg:a|dg:b``, ``^dg:a``, ``dg:a/dg:b``)."""
    if isinstance(path, URIRef):
        return str(path)
    if isinstance(path, BNode):
        if (path, RDF.first, None) in graph:
            return "/".join(render_path(graph, p) for p in Collection(graph, path))
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "|".join(render_path(graph, p) for p in Collection(graph, alternatives))
        for predicate, suffix in (
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            inner = graph.value(path, predicate)
            if inner is not None:
                return f"({render_path(graph, inner)}){suffix}"
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{render_path(graph, inverse)}"
    return str(path)


def _pick_message(messages: list[Literal], templates: list[Literal] | None = None) -> str:
    """The English message of a result; devgraph shapes carry @en and @fr messages.

    pySHACL drops the language tag when it fills ``{?var}`` placeholders of a SPARQL-based
    shape, so untagged messages are matched against the shape's English templates.
    """
    english = [t for t in templates or [] if t.language == "en"]
    for template in english:
        pattern = re.sub(r"\\\{\\[?$]\w+\\\}", ".*", re.escape(str(template)))
        for m in sorted(messages):
            if re.fullmatch(pattern, str(m), flags=re.DOTALL):
                return str(m)
    for wanted in ("en", None):
        for m in sorted(messages):
            if m.language == wanted:
                return str(m)
    return str(sorted(messages)[0]) if messages else ""


def _named_shape(shapes_graph: Graph, shape: Node) -> Node:
    """The nearest shape with an IRI above a (possibly blank) source shape."""
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes_graph.value(predicate=SH.property, object=shape)
        if parent is None:
            break
        shape = parent
    return shape


def _term_text(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def findings_from_results(results_graph: Graph, shapes_graph: Graph) -> list[Finding]:
    """Flatten every sh:ValidationResult of a pySHACL results graph into a Finding."""
    findings = []
    nested = set(results_graph.objects(None, SH.detail))
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        if result in nested:  # sh:detail of an sh:node failure: its parent is reported
            continue
        severity_iri = results_graph.value(result, SH.resultSeverity)
        severity = str(severity_iri).removeprefix(str(SH)) if severity_iri else "Violation"
        source = results_graph.value(result, SH.sourceShape)
        path = results_graph.value(result, SH.resultPath)
        path_graph = results_graph if (path, None, None) in results_graph else shapes_graph
        messages = [
            m for m in results_graph.objects(result, SH.resultMessage) if isinstance(m, Literal)
        ]
        templates = [m for m in shapes_graph.objects(source, SH.message) if isinstance(m, Literal)]
        findings.append(
            Finding(
                severity=severity,
                shape=_term_text(_named_shape(shapes_graph, source)) if source else "",
                focus_node=_term_text(results_graph.value(result, SH.focusNode)) or "",
                path=render_path(path_graph, path) if path is not None else None,
                value=_term_text(results_graph.value(result, SH.value)),
                message=_pick_message(messages, templates),
                source_shape=_term_text(source) or "",
                component=_term_text(results_graph.value(result, SH.sourceConstraintComponent))
                or "",
            )
        )
    return findings


def shape_names(shapes_graph: Graph) -> dict[str, str]:
    """sh:name (English first) of every named shape, keyed by the shape's IRI."""
    names: dict[str, list[Literal]] = {}
    for shape, name in shapes_graph.subject_objects(SH.name):
        if isinstance(shape, URIRef) and isinstance(name, Literal):
            names.setdefault(str(shape), []).append(name)
    return {shape: _pick_message(values) for shape, values in names.items()}

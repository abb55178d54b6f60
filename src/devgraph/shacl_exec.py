"""Run the SPARQL checks of :mod:`devgraph.shacl_sparql` on a store and report findings.

Each check is one SELECT over the whole data graph; its rows become the same
:class:`~devgraph.report.Finding` records pySHACL's results graph gives (focus node, path,
value, source shape, constraint component, severity, message). Only ``store.query`` is used,
so an embedded pyoxigraph store and a remote SPARQL endpoint are validated the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from devgraph.report import Finding, _named_shape, _term_text
from devgraph.shacl_sparql import Check
from devgraph.store import GraphStore


def text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
    """A result term as the report writes it (IRIs and lexical forms; ``_:`` for blank nodes)."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _english(messages: Sequence[Literal]) -> Literal | None:
    for wanted in ("en", None):
        for m in sorted(messages):
            if m.language == wanted:
                return m
    return sorted(messages)[0] if messages else None


def _fill(template: str, bound: dict[str, str]) -> str:
    """Substitute ``{?var}`` and ``{$var}`` as pySHACL does (the binding's string form)."""
    for name, value in bound.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _m, v=value: v, template)
    return template


class Runner:
    """Runs checks against one store and dataset (``graphs``: named graphs, or the union)."""

    def __init__(
        self, store: GraphStore, shapes: Graph, *, graphs: Sequence[str] | None = None
    ) -> None:
        self.store = store
        self.shapes = shapes
        self.graphs = list(graphs) if graphs is not None else None

    def query(self, sparql: str) -> ox.QuerySolutions:
        if self.graphs is None:
            result = self.store.query(sparql)
        else:
            result = self.store.query(sparql, default_graphs=self.graphs)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def run(self, checks: Iterable[Check], *, workers: int = 1) -> list[Finding]:
        """Every finding of every check; ``workers`` > 1 runs checks on threads."""
        checks = list(checks)
        if workers <= 1:
            batches = [self.findings(c) for c in checks]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                batches = list(pool.map(self.findings, checks))
        return [f for batch in batches for f in batch]

    def findings(self, check: Check) -> list[Finding]:
        """The findings of one check, rows turned into results as pySHACL would."""
        shape = _term_text(_named_shape(self.shapes, check.source_shape)) or ""
        source = _term_text(check.source_shape) or ""
        template = _english(check.messages)
        make: Callable[..., Finding] = lambda focus, path, value, comp, msg: Finding(  # noqa: E731
            severity=check.severity,
            shape=shape,
            focus_node=focus,
            path=path,
            value=value,
            message=msg,
            source_shape=source,
            component=str(comp),
        )
        generic = str(template) if template is not None else ""
        out: list[Finding] = []
        rows = self.query(check.query)
        if check.kind == "focus":
            (comp,) = check.components
            message = generic or f"{comp.removeprefix(str(SH))} failed"
            for row in rows:
                out.append(make(text(row["this"]), check.path, None, comp, message))
        elif check.kind == "value":
            for row in rows:
                for i, comp in enumerate(check.components):
                    ok = row[f"ok_{i}"]
                    if ok is not None and ok.value == "true":
                        continue
                    message = generic or f"{comp.removeprefix(str(SH))} failed"
                    out.append(
                        make(text(row["this"]), check.path, text(row["value"]), comp, message)
                    )
        else:
            out.extend(self._sparql_findings(check, rows, make, template))
        return out

    def _sparql_findings(
        self,
        check: Check,
        rows: ox.QuerySolutions,
        make: Callable[..., Finding],
        template: Literal | None,
    ) -> list[Finding]:
        names = [v.value for v in rows.variables]
        seen: set[tuple] = set()
        out = []
        node_shape = check.path is None
        for row in rows:
            bound = {n: row[n] for n in names if row[n] is not None}
            key = tuple(sorted((n, str(t)) for n, t in bound.items()))
            if key in seen:  # pySHACL drops repeated rows too
                continue
            seen.add(key)
            this = text(bound.get("this"))
            path = text(bound["path"]) if "path" in bound else check.path
            value = text(bound.get("value")) if "value" in bound else (this if node_shape else None)
            filled = {n: text(t) or "" for n, t in bound.items()}
            if value is not None:
                filled.setdefault("value", value)
            message = _fill(str(template), filled) if template is not None else "SPARQL failed"
            out.append(make(this, path, value, SH.SPARQLConstraintComponent, message))
        return out


def results_graph(findings: Iterable[Finding]) -> Graph:
    """A SHACL validation report graph (sh:ValidationReport) rebuilt from findings.

    Terms are typed from their text: ``_:`` is a blank node, an absolute IRI an IRI, anything
    else a plain literal (the findings keep lexical forms, not datatypes).
    """

    def term(value: str) -> Node:
        if value.startswith("_:"):
            return BNode(value[2:])
        if re.match(r"^[a-z][a-z0-9+.-]*:[^\s]*$", value):
            return URIRef(value)
        return Literal(value)

    graph = Graph()
    report = BNode()
    findings = list(findings)
    graph.add((report, RDF.type, SH.ValidationReport))
    conforms = not any(f.severity == "Violation" for f in findings)
    graph.add((report, SH.conforms, Literal(conforms, datatype=XSD.boolean)))
    for f in findings:
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[f.severity]))
        graph.add((result, SH.focusNode, term(f.focus_node)))
        graph.add((result, SH.sourceShape, term(f.source_shape)))
        if f.component:
            graph.add((result, SH.sourceConstraintComponent, URIRef(f.component)))
        if f.path is not None:
            simple = not any(c in f.path for c in "|/^()*+?")
            graph.add((result, SH.resultPath, term(f.path) if simple else Literal(f.path)))
        if f.value is not None:
            graph.add((result, SH.value, term(f.value)))
        graph.add((result, SH.resultMessage, Literal(f.message, lang="en")))
    return graph

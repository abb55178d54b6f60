"""Compile devgraph's SHACL shapes into SPARQL SELECT queries that run on the store.

pySHACL copies the whole data graph into rdflib and walks it focus node by focus node (about
11 ms per activity, and rdflib memory). The shapes in ``shapes/`` use a small part of SHACL,
and every part of it can be written as one SPARQL query over the whole graph, which the store
evaluates in bulk. This module does that translation; :mod:`devgraph.shacl_exec` runs the
queries and turns their rows into the same findings pySHACL reports.

Supported (the subset the shapes use, plus its obvious neighbours): targets ``sh:targetClass``,
``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf`` and SHACL-AF
``sh:SPARQLTarget``; property paths (IRI, sequence, alternative, inverse, ``*``/``+``/``?``);
``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``, and the value constraints ``sh:datatype``,
``sh:class``, ``sh:nodeKind``, ``sh:in``, ``sh:pattern``, ``sh:minLength``, ``sh:maxLength``,
``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:node``, ``sh:or``, ``sh:and``,
``sh:not``; ``sh:property`` of targeted node shapes; SHACL-SPARQL ``sh:sparql`` SELECT
constraints. Anything else (``sh:closed``, ``sh:qualifiedValueShape``, ``sh:equals``, implicit
class targets, ``$shapesGraph``...) raises :class:`Unsupported` for that shape, and the caller
runs pySHACL for it: a shape is never silently skipped.

Codelists: pySHACL sees the codelists' ``skos:inScheme`` triples mixed into the data; here the
store is read-only (and may be remote), so memberships are written into the queries instead
(``IN`` lists for ``sh:hasValue`` on ``skos:inScheme``, ``VALUES`` blocks for the same triple
pattern in a SPARQL constraint), restricted to the schemes a query names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from devgraph.report import render_path
from devgraph.shacl_conditions import _VALUE_PARAMS, ConditionCompiler, component, n3
from devgraph.sparql_rewrite import (
    Unsupported,
    bind_targets,
    binds_this,
    inline_memberships,
    not_exists_to_minus,
    values_for_in_filters,
)

Memberships = Mapping[str, frozenset[str]]
"""Codelist scheme IRI → IRIs of its codes."""

__all__ = ["Check", "Compiled", "Compiler", "Unsupported", "component"]


@dataclass(frozen=True)
class Check:
    """One SPARQL query whose rows are validation results of one shape.

    Rows bind ``?this`` and, depending on ``kind``: ``value`` checks bind ``?value`` and one
    boolean ``?ok_<i>`` per entry of ``components`` (a result for each false one); ``focus``
    checks report the focus node alone; ``sparql`` checks are SHACL-SPARQL constraints
    (``?path``, ``?value`` and message variables as the shape's query binds them).
    """

    shape: Node
    source_shape: Node
    kind: str
    query: str
    components: tuple[URIRef, ...]
    severity: str
    path: str | None
    messages: tuple[Literal, ...]
    sparql_node: Node | None = None


@dataclass
class Compiled:
    """The checks of every shape that compiled, and the shapes left to pySHACL (with why)."""

    checks: list[Check] = field(default_factory=list)
    unsupported: dict[str, str] = field(default_factory=dict)


_TARGET_PREDICATES = (
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
)
#: Predicates that describe a shape without constraining anything.
_INERT = {
    RDF.type,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.path,
    SH.property,
    SH.sparql,
    SH.declare,
    SH.prefixes,
    *_TARGET_PREDICATES,
}


_TARGET_HEAD = "{ SELECT DISTINCT ?this WHERE "


def target_filter(target: str) -> str:
    """``target`` (from :meth:`Compiler.target_pattern`) as a FILTER EXISTS on a bound ?this.

    Why: joining the DISTINCT target sub-select first makes the store materialise every focus
    node and look each one up (most of the engine's time at 100 k activities). When the rest
    of the query binds ?this by itself (``?this path ?value``), evaluating that first and
    keeping only focus nodes gives the same rows: the sub-select yields each focus node once,
    so the join neither adds nor repeats rows, and FILTER EXISTS tests the same membership
    only on the rows that reach it (usually the few failing ones).
    """
    assert target.startswith(_TARGET_HEAD) and target.endswith(" }")
    return f"FILTER EXISTS {target[len(_TARGET_HEAD) : -2]}"


def filter_late(target: str) -> bool:
    """Whether to test focus nodes after the value pattern rather than join them first.

    Measured at 10 k activities: 2-10x faster for ``sh:targetSubjectsOf``/``ObjectsOf``
    targets (about as many focus nodes as path subjects), up to 10x slower for class
    targets on a path shared with larger classes (``dg:title`` of results and indicators).
    """
    return f"<{RDF.type}>" not in target


class Compiler(ConditionCompiler):
    """Translate the shapes of one shapes graph; one instance per validation run."""

    def __init__(self, shapes: Graph, memberships: Memberships | None = None) -> None:
        self.g = shapes
        self.memberships = memberships
        self._fresh = 0

    # -- entry point ------------------------------------------------------------------------

    def compile(self) -> Compiled:
        out = Compiled()
        targeted = {s for p in _TARGET_PREDICATES for s in self.g.subjects(p, None)}
        for shape in sorted(targeted, key=str):
            if self._deactivated(shape):
                continue
            try:
                out.checks.extend(self.shape_checks(shape))
            except Unsupported as exc:
                out.unsupported[str(shape)] = str(exc)
        return out

    def shape_checks(self, shape: Node) -> list[Check]:
        """Every check of one targeted shape (its property shapes included)."""
        if (shape, RDF.type, RDFS.Class) in self.g or (
            shape,
            RDF.type,
            URIRef("http://www.w3.org/2002/07/owl#Class"),
        ) in self.g:
            raise Unsupported("implicit class target")
        if self.g.value(shape, SH.path) is not None and self.g.value(shape, SH.property):
            raise Unsupported("sh:property on a property shape")
        target = self.target_pattern(shape)
        checks = self._checks(shape, shape, target)
        for prop in self.g.objects(shape, SH.property):
            if not self._deactivated(prop):
                checks.extend(self._checks(shape, prop, target))
        return checks

    # -- targets ----------------------------------------------------------------------------

    def target_pattern(self, shape: Node) -> str:
        """A group graph pattern binding ``?this`` to each focus node of the shape, once."""
        parts = []
        for cls in self.g.objects(shape, SH.targetClass):
            parts.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* {n3(cls)} }}")
        for node in self.g.objects(shape, SH.targetNode):
            parts.append(f"{{ VALUES ?this {{ {n3(node)} }} }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {n3(p)} ?target_o }}")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ ?target_s {n3(p)} ?this }}")
        for target in self.g.objects(shape, SH.target):
            select = self.g.value(target, SH.select)
            if select is None or (target, SH.ask, None) in self.g:
                raise Unsupported("sh:target other than a SPARQLTarget with sh:select")
            text = str(select)
            if "$shapesGraph" in text or "$currentShape" in text:
                raise Unsupported("$shapesGraph/$currentShape in a SPARQL target")
            text = not_exists_to_minus(text)
            parts.append(f"{{ {self.prefixed(target, text, prologue=False)} }}")
        if not parts:
            raise Unsupported("no target")
        return f"{_TARGET_HEAD}{{ {' UNION '.join(parts)} }} }}"

    # -- prefixes ---------------------------------------------------------------------------

    def prefixes(self, node: Node) -> dict[str, str]:
        """The ``sh:declare`` prefixes reachable through ``sh:prefixes`` of a node."""
        declared: dict[str, str] = {}
        for ontology in self.g.objects(node, SH.prefixes):
            for decl in self.g.objects(ontology, SH.declare):
                prefix = self.g.value(decl, SH.prefix)
                namespace = self.g.value(decl, SH.namespace)
                if prefix is not None and namespace is not None:
                    declared[str(prefix)] = str(namespace)
        return declared

    def prefixed(self, node: Node, text: str, *, prologue: bool = True) -> str:
        """Query text with its prefixes: a prologue, or IRIs expanded (for a sub-select)."""
        declared = self.prefixes(node)
        if prologue:
            head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))
            return head + text
        for prefix, namespace in declared.items():
            text = re.sub(
                rf"(?<![\w<\"'?$]){re.escape(prefix)}:([A-Za-z_][\w\-]*)",
                lambda m, ns=namespace: f"<{ns}{m.group(1)}>",
                text,
            )
        return text

    # -- paths ------------------------------------------------------------------------------

    def path(self, node: Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(node, URIRef):
            return node.n3()
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p) for p in Collection(self.g, node)) + ")"
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in Collection(self.g, alternatives)) + ")"
        for predicate, suffix in (
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            inner = self.g.value(node, predicate)
            if inner is not None:
                return f"({self.path(inner)}){suffix}"
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return f"^({self.path(inverse)})"
        raise Unsupported(f"property path {node}")

    # -- checks of one shape ----------------------------------------------------------------

    def _checks(self, shape: Node, source: Node, target: str) -> list[Check]:
        self._known_parameters(source)
        severity_iri = self.g.value(source, SH.severity)
        severity = str(severity_iri).removeprefix(str(SH)) if severity_iri else "Violation"
        messages = tuple(m for m in self.g.objects(source, SH.message) if isinstance(m, Literal))
        shape_path = self.g.value(source, SH.path)
        base = {"shape": shape, "source_shape": source, "severity": severity, "messages": messages}
        checks: list[Check] = []
        if shape_path is not None:
            p = self.path(shape_path)
            rendered = render_path(self.g, shape_path)
            base["path"] = rendered
            checks.extend(self._cardinality(source, target, p, base))
            has_value = list(self.g.objects(source, SH.hasValue))
            for value in has_value:
                query = (
                    f"SELECT ?this WHERE {{ {target} FILTER (!{self._has(p, '?this', value)}) }}"
                )
                checks.append(
                    Check(kind="focus", query=query, components=(component(SH.hasValue),), **base)
                )
            conditions = self._value_conditions(source, "?value", skip={SH.hasValue})
            if conditions:
                checks.append(
                    self._value_check(
                        target, f"?this {p} ?value .", conditions, base, late=filter_late(target)
                    )
                )
        else:
            base["path"] = None
            conditions = self._value_conditions(source, "?value")
            if conditions:
                checks.append(self._value_check(target, "BIND (?this AS ?value)", conditions, base))
        for constraint in self.g.objects(source, SH.sparql):
            if self._deactivated(constraint):
                continue
            checks.append(self._sparql(source, constraint, target, base))
        return checks

    def _cardinality(self, source: Node, target: str, p: str, base: dict) -> list[Check]:
        checks = []
        low = self.g.value(source, SH.minCount)
        if low is not None and int(low) > 0:
            if int(low) == 1:  # MINUS, not FILTER NOT EXISTS: see devgraph.sparql_rewrite
                query = f"SELECT ?this WHERE {{ {target} MINUS {{ ?this {p} ?v }} }}"
            else:
                query = (
                    f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {p} ?v }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(low)})"
                )
            checks.append(
                Check(kind="focus", query=query, components=(component(SH.minCount),), **base)
            )
        high = self.g.value(source, SH.maxCount)
        if high is not None:
            too_many = f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(high)})"
            if filter_late(target):  # group the values first, then keep focus nodes
                query = (
                    f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {p} ?v }} "
                    f"{too_many} }} {target_filter(target)} }}"
                )
            else:
                query = f"SELECT ?this WHERE {{ {target} ?this {p} ?v }} {too_many}"
            checks.append(
                Check(kind="focus", query=query, components=(component(SH.maxCount),), **base)
            )
        return checks

    def _value_check(
        self,
        target: str,
        values: str,
        conditions: list[tuple[URIRef, str]],
        base: dict,
        *,
        late: bool = False,
    ) -> Check:
        """One query for all value constraints: a boolean per constraint, rows where any fails.

        ``late``: ``target`` becomes a :func:`target_filter`, placed after the value pattern, and
        the conditions are evaluated once per distinct value (a codelist check on 500 k
        currency triples becomes one on a few dozen currencies) before finding its subjects.
        """
        binds = " ".join(
            f"BIND (COALESCE({expr}, false) AS ?ok_{i})" for i, (_, expr) in enumerate(conditions)
        )
        failing = " || ".join(f"!?ok_{i}" for i in range(len(conditions)))
        oks = " ".join(f"?ok_{i}" for i in range(len(conditions)))
        if not late:
            where = f"{target} {values} {binds} FILTER ({failing})"
        elif "?this" in binds:
            where = f"{values} {binds} FILTER ({failing}) {target_filter(target)}"
        else:  # conditions on each distinct value once, then its subjects, then focus nodes
            distinct = f"SELECT DISTINCT ?value WHERE {{ {values.replace('?this', '?dg_s')} }}"
            failing_values = (
                f"SELECT ?value {oks} WHERE {{ {{ {distinct} }} {binds} FILTER ({failing}) }}"
            )
            where = f"{{ {failing_values} }} {values} {target_filter(target)}"
        query = f"SELECT DISTINCT ?this ?value {oks} WHERE {{ {where} }}"
        return Check(kind="value", query=query, components=tuple(c for c, _ in conditions), **base)

    # -- SHACL-SPARQL -----------------------------------------------------------------------

    def _sparql(self, source: Node, constraint: Node, target: str, base: dict) -> Check:
        select = self.g.value(constraint, SH.select)
        if select is None:
            raise Unsupported("sh:sparql without sh:select")
        text = str(select)
        if self.g.value(source, SH.path) is not None and re.search(r"\$PATH\b", text):
            raise Unsupported("$PATH in a SPARQL constraint")
        if filter_late(target) and binds_this(text):
            target = target_filter(target)
        text = values_for_in_filters(not_exists_to_minus(bind_targets(text, target)))
        text = inline_memberships(text, self.memberships)
        query = self.prefixed(constraint, text)
        own = tuple(m for m in self.g.objects(constraint, SH.message) if isinstance(m, Literal))
        return Check(
            kind="sparql",
            query=query,
            components=(SH.SPARQLConstraintComponent,),
            sparql_node=constraint,
            **{**base, "messages": own + base["messages"]},
        )

    def _known_parameters(self, shape: Node) -> None:
        """Refuse a shape with a SHACL parameter this compiler does not translate."""
        for p in set(self.g.predicates(shape, None)):
            known = p in _INERT or p in _VALUE_PARAMS or p in (SH.minCount, SH.maxCount)
            if str(p).startswith(str(SH)) and not known:
                raise Unsupported(f"{p.n3()} on {shape}")

    def _deactivated(self, node: Node) -> bool:
        flag = self.g.value(node, SH.deactivated)
        return flag is not None and bool(flag.toPython())

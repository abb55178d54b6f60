"""SHACL value constraints as SPARQL boolean expressions (part of :mod:`devgraph.shacl_sparql`).

A value constraint (``sh:datatype``, ``sh:in``, ``sh:node``, ``sh:or``...) becomes an
expression over one variable that is true when the value conforms; the compiler binds one such
boolean per constraint (``COALESCE(..., false)``: an evaluation error, such as comparing a
string with a number, is a failure, as in SHACL) and reports the false ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from devgraph.sparql_rewrite import Unsupported

_VALUE_PARAMS = {
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH["in"],
    SH.pattern,
    SH.flags,
    SH.minLength,
    SH.maxLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.node,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.hasValue,
}
_COMPARISONS = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


def component(parameter: URIRef) -> URIRef:
    """The constraint component of a parameter: ``sh:minCount`` → ``sh:MinCount...Component``."""
    local = str(parameter).removeprefix(str(SH))
    return SH[local[0].upper() + local[1:] + "ConstraintComponent"]


def n3(term: Node) -> str:
    """A term as SPARQL text (rdflib's N3 form is valid SPARQL for IRIs and literals)."""
    if isinstance(term, BNode):
        raise Unsupported("a blank node as a constant")
    return term.n3()


class ConditionCompiler:
    """Expressions for value constraints; the base of :class:`devgraph.shacl_sparql.Compiler`."""

    g: Graph
    memberships: Mapping[str, frozenset[str]] | None
    _fresh: int

    def path(self, node: Node) -> str:  # pragma: no cover - provided by the compiler
        raise NotImplementedError

    def _known_parameters(self, shape: Node) -> None:  # pragma: no cover - idem
        raise NotImplementedError

    def _value_conditions(
        self, shape: Node, v: str, *, skip: Iterable[URIRef] = ()
    ) -> list[tuple[URIRef, str]]:
        """(component, SPARQL boolean expression true when ``v`` satisfies it) per constraint."""
        out: list[tuple[URIRef, str]] = []
        skipped = set(skip)
        for param in sorted(set(self.g.predicates(shape, None)) & _VALUE_PARAMS, key=str):
            if param in skipped or param == SH.flags:
                continue
            for arg in self.g.objects(shape, param):
                out.append((component(param), self._condition(shape, param, arg, v)))
        return out

    def _condition(self, shape: Node, param: URIRef, arg: Node, v: str) -> str:
        if param == SH.datatype:
            return f"(isLiteral({v}) && DATATYPE({v}) = {n3(arg)})"
        if param == SH["class"]:
            return f"EXISTS {{ {v} <{RDF.type}>/<{RDFS.subClassOf}>* {n3(arg)} }}"
        if param == SH.nodeKind:
            if arg not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {arg}")
            return _NODE_KINDS[arg].format(v=v)
        if param == SH["in"]:
            members = [f"sameTerm({v}, {n3(m)})" for m in Collection(self.g, arg)]
            return "(" + (" || ".join(members) or "false") + ")"
        if param == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {Literal(str(arg)).n3()}{extra}))"
        if param in (SH.minLength, SH.maxLength):
            op = ">=" if param == SH.minLength else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {int(arg)})"
        if param in _COMPARISONS:
            return f"({v} {_COMPARISONS[param]} {n3(arg)})"
        if param == SH.hasValue:
            return f"sameTerm({v}, {n3(arg)})"
        if param == SH.node:
            return self._conforms(arg, v)
        if param in (SH["or"], SH["and"]):
            joiner = " || " if param == SH["or"] else " && "
            members = [self._conforms(m, v) for m in Collection(self.g, arg)]
            return "(" + joiner.join(members) + ")"
        if param == SH["not"]:
            return f"(!{self._conforms(arg, v)})"
        raise Unsupported(f"{param}")

    def _conforms(self, shape: Node, v: str, depth: int = 0) -> str:
        """A boolean expression true when ``v`` conforms to ``shape`` (for sh:node, sh:or...)."""
        if depth > 8:
            raise Unsupported("shapes nested deeper than 8 (recursive shapes?)")
        self._known_parameters(shape)
        if self.g.value(shape, SH.sparql) is not None:
            raise Unsupported("sh:sparql in a nested shape")
        terms = ["true"]
        shape_path = self.g.value(shape, SH.path)
        if shape_path is None:
            terms += [expr for _, expr in self._value_conditions(shape, v)]
        else:
            terms += self._property_terms(shape, self.path(shape_path), v, depth)
        for prop in self.g.objects(shape, SH.property):
            terms.append(self._conforms(prop, v, depth + 1))
        return "(" + " && ".join(terms) + ")"

    def _property_terms(self, shape: Node, p: str, v: str, depth: int) -> list[str]:
        self._fresh += 1
        x = f"?n{self._fresh}"
        terms = []
        low = self.g.value(shape, SH.minCount)
        if low is not None and int(low) > 1:
            raise Unsupported("sh:minCount above 1 in a nested shape")
        if low is not None and int(low) == 1:
            terms.append(f"EXISTS {{ {v} {p} {x} }}")
        high = self.g.value(shape, SH.maxCount)
        if high is not None:
            if int(high) != 0:
                raise Unsupported("sh:maxCount other than 0 in a nested shape")
            terms.append(f"NOT EXISTS {{ {v} {p} {x} }}")
        for value in self.g.objects(shape, SH.hasValue):
            terms.append(self._has(p, v, value))
        conditions = self._value_conditions(shape, x, skip={SH.hasValue})
        if conditions:
            failing = " || ".join(f"!COALESCE({expr}, false)" for _, expr in conditions)
            terms.append(f"NOT EXISTS {{ {v} {p} {x} FILTER ({failing}) }}")
        return terms

    def _has(self, p: str, v: str, value: Node) -> str:
        """``v`` has ``value`` on path ``p``; codelist memberships are inlined for skos:inScheme."""
        found = f"EXISTS {{ {v} {p} {n3(value)} }}"
        if self.memberships is not None and p == SKOS.inScheme.n3():
            codes = sorted(self.memberships.get(str(value), ()))
            if codes:
                listed = ", ".join(f"<{c}>" for c in codes)
                return f"({found} || {v} IN ({listed}))"
        return found

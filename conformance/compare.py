"""Read SPARQL results and RDF graphs, and compare them the way the W3C suites intend.

- SELECT results are multisets of solutions; blank nodes match bijectively across the
  whole result (one mapping for all rows), and row order counts only when the query's
  outermost clause has ORDER BY.
- ASK results are booleans; CONSTRUCT/DESCRIBE results and post-update graphs are
  compared by graph isomorphism (:func:`rdflib.compare.isomorphic`).
- Terms are compared as RDF terms (lexical form, datatype, language tag), so literals
  are built with rdflib's normalisation off: ``"01"^^xsd:integer`` stays ``"01"``.
  Language tags are compared lower-cased (RDF 1.1 makes them case-insensitive).
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import re
import struct
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.etree import ElementTree

import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
XSD = "http://www.w3.org/2001/XMLSchema#"
SRX = "{http://www.w3.org/2005/sparql-results#}"

Row = dict[str, Node]


@dataclass
class Results:
    """A SPARQL result: ``boolean`` for ASK, else variables and rows (unbound = absent)."""

    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None


def lit(lexical: str, *, datatype: str | None = None, lang: str | None = None) -> Literal:
    """A literal exactly as written (no rdflib normalisation; language tag lower-cased)."""
    if lang:
        return Literal(lexical, lang=lang.lower(), normalize=False)
    if datatype and datatype != XSD + "string":
        return Literal(lexical, datatype=URIRef(datatype), normalize=False)
    return Literal(lexical, normalize=False)


@contextmanager
def raw_literals() -> Iterator[None]:
    """Turn rdflib's literal normalisation off while parsing (it rewrites lexical forms)."""
    saved = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved


# --- result formats -------------------------------------------------------------------


def parse_srx(data: bytes | str) -> Results:
    """SPARQL Query Results XML Format."""
    root = ElementTree.fromstring(data.encode() if isinstance(data, str) else data)
    res = Results(variables=[v.get("name", "") for v in root.iter(SRX + "variable")])
    boolean = root.find(SRX + "boolean")
    if boolean is not None:
        res.boolean = (boolean.text or "").strip() == "true"
        return res
    for result in root.iter(SRX + "result"):
        row: Row = {}
        for binding in result.findall(SRX + "binding"):
            term = binding[0]
            tag, text = term.tag.replace(SRX, ""), term.text or ""
            if tag == "uri":
                row[binding.get("name", "")] = URIRef(text)
            elif tag == "bnode":
                row[binding.get("name", "")] = BNode(text)
            elif tag == "literal":
                lang = term.get("{http://www.w3.org/XML/1998/namespace}lang")
                row[binding.get("name", "")] = lit(text, datatype=term.get("datatype"), lang=lang)
            else:
                raise ValueError(f"unknown SRX term <{tag}>")
        res.rows.append(row)
    return res


def parse_srj(data: bytes | str) -> Results:
    """SPARQL 1.1 Query Results JSON Format."""
    doc = json.loads(data)
    res = Results(variables=list(doc.get("head", {}).get("vars", [])))
    if "boolean" in doc:
        res.boolean = bool(doc["boolean"])
        return res
    for b in doc["results"]["bindings"]:
        row: Row = {}
        for name, t in b.items():
            if t["type"] == "uri":
                row[name] = URIRef(t["value"])
            elif t["type"] == "bnode":
                row[name] = BNode(t["value"])
            elif t["type"] in ("literal", "typed-literal"):
                row[name] = lit(t["value"], datatype=t.get("datatype"), lang=t.get("xml:lang"))
            else:
                raise ValueError(f"unknown JSON term type {t['type']!r}")
        res.rows.append(row)
    return res


_TSV_TERM = re.compile(
    r'^(?:<(?P<iri>[^>]*)>|_:(?P<bnode>\S+)|"(?P<str>(?:[^"\\]|\\.)*)"'
    r"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^<(?P<dt>[^>]*)>)?"
    r"|(?P<num>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))|(?P<bool>true|false))$"
)
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(s: str) -> str:
    def repl(m: re.Match[str]) -> str:
        c = m.group(1)
        if c[0] in "uU":
            return chr(int(c[1:], 16))
        return _ESCAPES[c]

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", repl, s)


def parse_tsv_term(text: str) -> Node:
    """One TSV cell: a Turtle/N-Triples term, numbers and booleans abbreviated."""
    m = _TSV_TERM.match(text.strip())
    if not m:
        raise ValueError(f"not a TSV term: {text!r}")
    if m["iri"] is not None:
        return URIRef(m["iri"])
    if m["bnode"] is not None:
        return BNode(m["bnode"])
    if m["str"] is not None:
        return lit(_unescape(m["str"]), datatype=m["dt"], lang=m["lang"])
    if m["bool"] is not None:
        return lit(m["bool"], datatype=XSD + "boolean")
    num = m["num"]
    if "e" in num.lower():
        kind = "double"
    elif "." in num:
        kind = "decimal"
    else:
        kind = "integer"
    return lit(num, datatype=XSD + kind)


def parse_tsv(data: bytes | str) -> Results:
    """SPARQL 1.1 TSV results: a header of ``?var`` names, then one row per solution."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [ln.rstrip("\r") for ln in lines]
    header = lines[0].split("\t") if lines else []
    res = Results(variables=[h.strip().lstrip("?$") for h in header if h.strip()])
    for line in lines[1:]:
        cells = line.split("\t")
        res.rows.append(
            {v: parse_tsv_term(c) for v, c in zip(res.variables, cells, strict=False) if c != ""}
        )
    return res


def parse_csv(data: bytes | str) -> Results:
    """SPARQL 1.1 CSV results. CSV drops term types, so cells stay strings; only ``_:``
    cells are taken as blank nodes (so that they are matched bijectively)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    reader = list(csv.reader(io.StringIO(text, newline="")))
    res = Results(variables=reader[0] if reader else [])
    for cells in reader[1:]:
        row: Row = {}
        for v, c in zip(res.variables, cells, strict=False):
            if c == "":
                continue
            row[v] = BNode(c[2:]) if c.startswith("_:") else lit(c)
        res.rows.append(row)
    return res


def parse_rdf_results(g: Graph) -> Results | None:
    """A result set written in RDF (the DAWG ``rs:`` vocabulary), or None if ``g`` has none."""
    rs_node = next(iter(g.subjects(rdflib.RDF.type, RS.ResultSet)), None)
    if rs_node is None:
        return None
    res = Results(variables=[str(v) for v in g.objects(rs_node, RS.resultVariable)])
    boolean = g.value(rs_node, RS.boolean)
    if boolean is not None:
        res.boolean = str(boolean) == "true"
        return res
    indexed = []
    for sol in g.objects(rs_node, RS.solution):
        row: Row = {}
        for b in g.objects(sol, RS.binding):
            row[str(g.value(b, RS.variable))] = canon_term(g.value(b, RS.value))
        index = g.value(sol, RS["index"])
        indexed.append((int(index) if index is not None else 0, row))
    res.rows = [row for _, row in sorted(indexed, key=lambda p: p[0])]
    return res


# --- graphs ---------------------------------------------------------------------------

GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
EXTENSION_FORMATS = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".jsonld": "json-ld"}


INTEGER_TYPES = {
    XSD + n
    for n in (
        "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "nonPositiveInteger",
        "negativeInteger",
    )
}  # fmt: skip


def canonical_lexical(lexical: str, datatype: str) -> str | None:
    """The canonical lexical form of a numeric or boolean literal, None if not one.

    Numbers and booleans are compared by value within their datatype: servers are free
    to store ``"1.0"^^xsd:decimal`` as ``1`` or ``"2.0E-1"^^xsd:double`` as ``0.2``
    (Oxigraph, hence devgraph, does), and the W3C expected files use either form.
    The datatype itself still has to match.
    """
    text = lexical.strip()
    try:
        if datatype in INTEGER_TYPES:
            return str(int(text))
        if datatype == XSD + "decimal":
            d = decimal.Decimal(text)
            if not d.is_finite():
                return None
            d = d.normalize()
            return format(d, "f") if d == d.to_integral_value() else str(d)
        if datatype in (XSD + "double", XSD + "float"):
            value = float({"INF": "inf", "-INF": "-inf", "+INF": "inf"}.get(text, text))
            if datatype == XSD + "float":
                value = struct.unpack("f", struct.pack("f", value))[0]
            return repr(value)
        if datatype == XSD + "boolean":
            return {"true": "true", "1": "true", "false": "false", "0": "false"}.get(text)
    except (ValueError, ArithmeticError, OverflowError):
        return None
    return None


def canon_term(t: Node | None) -> Node:
    """The term compared: language tags lower-cased, numbers and booleans in canonical form."""
    if t is None:
        raise ValueError("missing term")
    if isinstance(t, Literal):
        if t.language and t.language != t.language.lower():
            return lit(str(t), lang=t.language)
        if t.datatype is not None:
            canonical = canonical_lexical(str(t), str(t.datatype))
            if canonical is not None and canonical != str(t):
                return lit(canonical, datatype=str(t.datatype))
    return t


def canon_graph(g: Graph) -> Graph:
    out = Graph()
    for s, p, o in g:
        out.add((s, p, canon_term(o)))
    return out


def parse_graph(data: bytes | str, fmt: str, *, base: str | None = None) -> Graph:
    """Parse RDF in rdflib format ``fmt`` without literal normalisation."""
    g = Graph()
    with raw_literals():
        g.parse(data=data, format=fmt, publicID=base)
    return g


def compare_graphs(expected: Graph, actual: Graph) -> str | None:
    """None when isomorphic, else a short explanation (sizes and a sample of differences)."""
    expected, actual = canon_graph(expected), canon_graph(actual)
    if isomorphic(expected, actual):
        return None
    exp_ground = {t for t in expected if not any(isinstance(x, BNode) for x in t)}
    act_ground = {t for t in actual if not any(isinstance(x, BNode) for x in t)}
    missing = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in exp_ground - act_ground)
    extra = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in act_ground - exp_ground)
    msg = f"graphs differ: expected {len(expected)} triples, got {len(actual)}"
    if missing:
        msg += f"; missing e.g. {missing[0]}"
    if extra:
        msg += f"; unexpected e.g. {extra[0]}"
    return msg


# --- solutions ------------------------------------------------------------------------


def _has_bnodes(res: Results) -> bool:
    return any(isinstance(t, BNode) for row in res.rows for t in row.values())


def _row_key(row: Row) -> frozenset[tuple[str, Node]]:
    return frozenset((v, canon_term(t)) for v, t in row.items())


def _as_graph(res: Results, *, ordered: bool) -> Graph:
    """Encode solutions as an RDF graph (one blank node per row) so that isomorphism
    gives both the multiset comparison and the bijective blank-node mapping."""
    g = Graph()
    for i, row in enumerate(res.rows):
        sol = BNode()
        g.add((RS.results, RS.solution, sol))
        if ordered:
            g.add((sol, RS["index"], Literal(i)))
        for var, term in row.items():
            b = BNode()
            g.add((sol, RS.binding, b))
            g.add((b, RS.variable, Literal(var)))
            g.add((b, RS.value, canon_term(term)))
    return g


def compare_results(expected: Results, actual: Results, *, ordered: bool = False) -> str | None:
    """None when ``actual`` matches ``expected``, else why not."""
    if expected.boolean is not None or actual.boolean is not None:
        if expected.boolean != actual.boolean:
            return f"expected boolean {expected.boolean}, got {actual.boolean}"
        return None
    if set(expected.variables) != set(actual.variables):
        exp_vars, act_vars = sorted(expected.variables), sorted(actual.variables)
        return f"variables differ: expected {exp_vars}, got {act_vars}"
    if len(expected.rows) != len(actual.rows):
        return f"expected {len(expected.rows)} solutions, got {len(actual.rows)}"
    if not _has_bnodes(expected) and not _has_bnodes(actual):
        exp = [_row_key(r) for r in expected.rows]
        act = [_row_key(r) for r in actual.rows]
        if Counter(exp) != Counter(act):
            missing = Counter(exp) - Counter(act)
            extra = Counter(act) - Counter(exp)
            return (
                f"solutions differ; missing e.g. {_show(next(iter(missing)))}; "
                f"unexpected e.g. {_show(next(iter(extra)))}"
            )
        if ordered and exp != act:
            i = next(i for i, (a, b) in enumerate(zip(exp, act, strict=True)) if a != b)
            return f"same solutions, wrong ORDER BY order (first difference at row {i})"
        return None
    if isomorphic(_as_graph(expected, ordered=ordered), _as_graph(actual, ordered=ordered)):
        return None
    if ordered and isomorphic(_as_graph(expected, ordered=False), _as_graph(actual, ordered=False)):
        return "same solutions, wrong ORDER BY order"
    return "solutions differ (no blank-node mapping makes them equal)"


def _show(key: frozenset[tuple[str, Node]]) -> str:
    return "{" + ", ".join(f"?{v}={t.n3()}" for v, t in sorted(key)) + "}"


_COMMENT_OR_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


def has_outer_order_by(query: str) -> bool:
    """True when the outermost query has ORDER BY (a sub-select's ORDER BY, inside braces,
    does not order the final result)."""
    text = _COMMENT_OR_STRING.sub(lambda m: " " if m.group(0).startswith("#") else '""', query)
    depth = 0
    for m in re.finditer(r"[{}]|\bORDER\s+BY\b", text, re.IGNORECASE):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth == 0:
            return True
    return False

"""What differs between SPARQL servers, in one place, and the query text we send them.

The protocol leaves the dataset of a query without FROM to the server: Oxigraph
server has a real default graph (and a ``union-default-graph`` parameter), Virtuoso's
default graph is the union of every graph including its own system graphs, Fuseki and
GraphDB decide by configuration. devgraph's library asks for either the union of all
graphs (``union_default_graph=True``) or the real default graph; each :class:`Dialect`
maps that onto protocol parameters, and repairs what its server returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from email.message import Message

import pyoxigraph as ox

from devgraph.store import OPAQUE, QueryError, Term, blank_opaque

VIRTUOSO_DEFAULT_GRAPH = "urn:devgraph:default-graph"
"""On Virtuoso (whose default graph is the union of all), the graph devgraph calls default."""

_VIRTUOSO_SYSTEM = (
    "http://www.openlinksw.com/",
    "http://localhost:8890/",
    "http://localuriqaserver/",
    "http://www.w3.org/ns/ldp",
    "http://www.w3.org/2002/07/owl",
    "urn:activitystreams-owl:map",
    "urn:core:services:sparql",
    "virtrdf:",
    VIRTUOSO_DEFAULT_GRAPH,
)


def _word(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w?$:]){keyword}(?![\w:-])", re.IGNORECASE)


_CONSTANT_GRAPH = re.compile(r"(?<![\w?$:])GRAPH\s+[^\s?$]", re.IGNORECASE)
"""``GRAPH`` followed by an IRI or prefixed name, not a variable (on blanked text)."""


_EMPTY_GRAPH_GROUP = re.compile(r"(?<![\w?$:])GRAPH\s+[?$]\w+\s*\{\s*\}", re.IGNORECASE)


def _fill_empty_graph_groups(text: str) -> str:
    """``GRAPH ?g { }`` → ``GRAPH ?g { FILTER EXISTS { ?s ?p ?o } }`` (for Virtuoso).

    Virtuoso 7 answers an empty ``GRAPH ?g { }`` with one solution whatever ``?g`` is
    bound to, so "does this graph exist?" was always yes; with a pattern inside it
    answers only for graphs that hold triples (which is what the other stores say).
    """
    out, last = [], 0
    for m in _EMPTY_GRAPH_GROUP.finditer(blank_opaque(text)):
        end = m.end() - 1  # the closing brace
        out += [text[last:end], "FILTER EXISTS { ?_dg_s ?_dg_p ?_dg_o } "]
        last = end
    return "".join(out) + text[last:]


class Dialect:
    """A standard SPARQL 1.1 server (Fuseki, GraphDB, Stardog, Neptune, QLever)."""

    name = "generic"
    gsp_graph_param = "graph"
    create_graphs = False
    """Whether written graphs must be CREATEd so that a later plain ``DROP GRAPH`` works."""
    default_graph: str | None = None
    """A named graph standing in for the default graph (None: the server's own)."""

    def dataset_params(
        self,
        *,
        text: str,
        union: bool,
        has_from: bool,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> list[tuple[str, str]]:
        """Protocol parameters giving the query the dataset the caller asked for."""
        params = [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        if default_graphs is None and named_graphs is None and not has_from:
            params += self.implicit_dataset(union, text)
        return params

    def implicit_dataset(self, union: bool, text: str) -> list[tuple[str, str]]:
        """The server decides (configure its union default graph to match the app)."""
        return []

    def timeout_params(self, seconds: float) -> list[tuple[str, str]]:
        return []

    def update_text(self, text: str) -> str:
        return text

    def query_text(self, text: str, form: str) -> str:
        return text

    def fix_json(self, body: bytes) -> bytes:
        return body

    def row_cap(self, headers: Message) -> int | None:
        """The server's own row cap, when it says it cut the results."""
        return None

    def hidden(self, graph: str) -> bool:
        """Graphs of the server itself, not shown by ``graphs()`` or dumps."""
        return False


class OxigraphDialect(Dialect):
    """Oxigraph server: a real default graph; the union is asked for per query."""

    name = "oxigraph"

    def implicit_dataset(self, union: bool, text: str) -> list[tuple[str, str]]:
        return [("union-default-graph", "")] if union else []


class VirtuosoDialect(Dialect):
    """Virtuoso 7: union default graph, ``nodeID://`` blank nodes, silent row cap."""

    name = "virtuoso"
    default_graph = VIRTUOSO_DEFAULT_GRAPH
    create_graphs = True

    def implicit_dataset(self, union: bool, text: str) -> list[tuple[str, str]]:
        """The stand-in default graph, unless the query names a graph itself.

        Measured on Virtuoso 7.2: once a default graph is given (parameter or pragma),
        ``GRAPH <iri> { … }`` matches nothing, while ``GRAPH ?g`` still works. A query
        naming a graph is therefore sent without it (its un-GRAPHed patterns then see
        the union).
        """
        if union or _CONSTANT_GRAPH.search(blank_opaque(text)):
            return []
        return [("default-graph-uri", VIRTUOSO_DEFAULT_GRAPH)]

    def timeout_params(self, seconds: float) -> list[tuple[str, str]]:
        return [("timeout", str(int(seconds * 1000)))]

    def query_text(self, text: str, form: str) -> str:
        """DESCRIBE of an IRI finds nothing over the union unless asked for a CBD.

        The pragma goes on the first line, so line numbers in error messages still match.
        """
        text = _fill_empty_graph_groups(text)
        return f'DEFINE sql:describe-mode "CBD" {text}' if form == "DESCRIBE" else text

    def update_text(self, text: str) -> str:
        """Name the default graph in a pragma when the update writes to it.

        Virtuoso refuses ``CLEAR DEFAULT`` and ``INSERT DATA`` without ``GRAPH`` unless
        a default graph is named; but under that pragma a ``WHERE`` with ``GRAPH <iri>``
        matches nothing (``DELETE WHERE`` then deletes nothing), so only updates that
        mention ``DEFAULT``, or carry data and no ``WHERE``, get it.
        """
        blank = blank_opaque(text)
        if _word("DEFAULT").search(blank) or (
            _word("DATA").search(blank) and not _word("WHERE").search(blank)
        ):
            return f"DEFINE input:default-graph-uri <{VIRTUOSO_DEFAULT_GRAPH}> {text}"
        return text

    def fix_json(self, body: bytes) -> bytes:
        """ASK as a ``__ASK_RETVAL`` table; ``nodeID://b1`` blank nodes; ``typed-literal``."""
        data = json.loads(body)
        head = data.get("head", {}).get("vars")
        if head == ["__ASK_RETVAL"]:
            rows = data.get("results", {}).get("bindings", [])
            value = rows[0].get("__ASK_RETVAL", {}).get("value") if rows else "0"
            return json.dumps({"head": {}, "boolean": value in ("1", "true")}).encode()
        if "boolean" in data and not isinstance(data["boolean"], bool):
            data["boolean"] = str(data["boolean"]).lower() in ("1", "true")
        for row in data.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = re.sub(r"\W", "_", term["value"].removeprefix("nodeID://"))
                elif term.get("type") == "typed-literal":
                    term["type"] = "literal"
        return json.dumps(data).encode()

    def row_cap(self, headers: Message) -> int | None:
        cap = headers.get("X-SPARQL-MaxRows")
        return int(cap) if cap and cap.isdigit() else None

    def hidden(self, graph: str) -> bool:
        return graph.startswith(_VIRTUOSO_SYSTEM)


DIALECTS: dict[str, type[Dialect]] = {
    "generic": Dialect,
    "oxigraph": OxigraphDialect,
    "virtuoso": VirtuosoDialect,
}


def detect(server_header: str) -> Dialect:
    """The dialect of a server from its ``Server`` response header."""
    text = server_header.lower()
    if "virtuoso" in text:
        return VirtuosoDialect()
    if "oxigraph" in text:
        return OxigraphDialect()
    return Dialect()


def term_text(term: Term) -> str:
    """A term in SPARQL syntax; pyoxigraph escapes literals and has validated IRIs."""
    if isinstance(term, ox.BlankNode):
        raise QueryError("a blank node cannot be a parameter of a query to a remote store")
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryError(f"not an RDF term: {term!r}")
    return str(term)


_ABSOLUTE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:")


def needs_base(text: str) -> bool:
    """Whether the query holds a relative IRI (``<x>``, ``<>``, ``<#a>``) to resolve.

    A ``BASE`` line is only added then, so the server's line numbers in error
    messages stay those of the text the user wrote.
    """
    return any(
        m.group().startswith("<") and not _ABSOLUTE.match(m.group()) for m in OPAQUE.finditer(text)
    )


def _group_end(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    raise QueryError("unbalanced braces in the query")


_UPDATE = re.compile(
    r"(?<![\w?$:])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH|DEFINE)(?![\w:-])",
    re.IGNORECASE,
)


def refuse_non_queries(text: str) -> None:
    """Refuse update operations and server pragmas in text sent to the query endpoint.

    Virtuoso runs SPARQL Update (and ``DEFINE input:grab-…`` pragmas that fetch URLs)
    sent as ``query=``, so the public endpoint's proxy would pass them through; no SPARQL
    1.1 query uses these words outside strings, IRIs and prefixed names.
    """
    found = _UPDATE.search(blank_opaque(text))
    if found:
        raise QueryError(
            f"{found.group(1).upper()} is not part of a SPARQL query: this endpoint only "
            "answers SELECT, ASK, CONSTRUCT and DESCRIBE"
        )


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (upper case), or "" when none is found."""
    form = _FORM.search(blank_opaque(text))
    return form.group(1).upper() if form else ""


def _check_projected(projection: str, bindings: Mapping[str, Term]) -> None:
    """Refuse what pyoxigraph's substitution refuses, so both backends agree."""
    head = re.split(r"(?i)\b(?:FROM|WHERE)\b", projection)[0]
    if re.fullmatch(r"(?is)\s*(?:DISTINCT|REDUCED)?\s*\*\s*", head):
        return
    named = set(re.findall(r"[?$](\w+)", head))
    for name in bindings:
        if name not in named:
            raise QueryError(
                f"?{name} is bound but not projected: a bound parameter must appear in the "
                "SELECT clause (SPARQL substitution, SEP-0007)"
            )


_FORM = re.compile(r"(?<![\w?$:])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables by a ``VALUES`` block opening the query's WHERE group.

    At the head of the group the values join every pattern and FILTER of that group,
    which is what pyoxigraph's substitution gives for the queries devgraph sends (the
    variable must still be projected). Terms are written by pyoxigraph, never pasted.
    """
    if not bindings:
        return text
    blank = blank_opaque(text)
    form = _FORM.search(blank)
    if form is None:
        raise QueryError("parameters need a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    pos = form.end()
    if form.group(1).upper() == "SELECT":
        _check_projected(blank[pos : blank.find("{", pos)], bindings)
    if form.group(1).upper() == "CONSTRUCT":
        rest = blank[pos:].lstrip()
        if rest.startswith("{") and not re.match(r"(?i)\s*where\b", blank[pos:]):
            pos = _group_end(blank, blank.index("{", pos))
    brace = blank.find("{", pos)
    if brace < 0:
        raise QueryError("parameters need a query with a WHERE clause")
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term_text(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return text[: brace + 1] + block + text[brace + 1 :]

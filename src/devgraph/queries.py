"""Named queries: ``queries/<name>.rq`` files with a ``#+`` header, run by name.

The header follows grlc's decorators and datasette's canned queries::

    #+ title: Organisations implementing an activity
    #+ description: One line or several.
    #+ param: activity — the activity's IRI

Parameters are bound as RDF terms (pyoxigraph substitutions), never pasted into text,
so a value such as ``"} ; DROP ALL`` stays a harmless literal.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from devgraph.namespaces import expand
from devgraph.store import GraphStore, QueryError, QueryResult, Term

_HEADER = re.compile(r"^#\+\s*(?P<key>[a-zA-Z_-]+)\s*:\s*(?P<value>.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][\w]*)\s*(?:[—–:-]+\s*(?P<doc>.*))?$")
_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*$")


@dataclass(frozen=True)
class Param:
    name: str
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A query file and its documented header."""

    name: str
    path: Path
    text: str
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE, read past comments and prologue."""
        body = re.sub(r"<[^>\s]*>", "<>", self.text)  # IRIs may hold '#'
        body = re.sub(r"#[^\n]*", "", body)
        match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
        return match.group(1).upper() if match else "UNKNOWN"


def default_queries_dir() -> Path:
    """``DEVGRAPH_QUERIES`` if set, else the repository's ``queries/`` folder."""
    env = os.environ.get("DEVGRAPH_QUERIES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "queries"


def parse_header(name: str, path: Path, text: str) -> NamedQuery:
    """Read the ``#+`` lines at the top of a query file."""
    meta: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m:
            meta.setdefault(m["key"].lower(), []).append(m["value"].strip())
    params = []
    for raw in meta.get("param", []):
        pm = _PARAM.match(raw)
        if pm:
            params.append(Param(pm["name"].lstrip("?"), (pm["doc"] or "").strip()))
    return NamedQuery(
        name=name,
        path=path,
        text=text,
        title=" ".join(meta.get("title", [])) or name,
        description=" ".join(meta.get("description", [])),
        params=tuple(params),
    )


def list_queries(directory: Path | None = None) -> list[NamedQuery]:
    """Every named query in the folder, sorted by name."""
    folder = directory or default_queries_dir()
    return [
        parse_header(p.stem, p, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))
    ]


def get_query(name_or_path: str, directory: Path | None = None) -> NamedQuery:
    """Find a query by name (``cq-01-…``) or by a path to an ``.rq`` file."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" and candidate.is_file():
        return parse_header(candidate.stem, candidate, candidate.read_text(encoding="utf-8"))
    if not _NAME.match(name_or_path):
        raise QueryError(f"not a query name: {name_or_path!r}")
    folder = directory or default_queries_dir()
    path = folder / f"{name_or_path}.rq"
    if not path.is_file():
        names = ", ".join(q.name for q in list_queries(folder)) or "none"
        raise QueryError(f"no query named {name_or_path!r} in {folder} (available: {names})")
    return parse_header(name_or_path, path, path.read_text(encoding="utf-8"))


def parse_term(value: str) -> Term:
    """Turn a command-line or form value into an RDF term.

    ``<iri>`` and known ``prefix:local`` names become IRIs; N-Triples literal syntax
    (``"1600000"^^<…#decimal>``, ``"Mali"@fr``) is honoured; anything else, including
    text that merely starts with a quote, is a plain string literal. Parsing goes through
    pyoxigraph, so the value can never escape into query syntax.
    """
    text = value.strip()
    expanded = expand(text) if not text.startswith(("<", '"')) else None
    if expanded is not None:
        text = f"<{expanded}>"
    if text.startswith(("<", '"')):
        line = f"<urn:s> <urn:p> {text} .".encode()
        try:
            triples = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            if text.startswith("<"):
                raise QueryError(f"cannot read {value!r} as an IRI: {exc}") from exc
            return ox.Literal(value)  # not literal syntax after all: plain text
        if len(triples) == 1:
            return triples[0].object  # type: ignore[return-value]
    return ox.Literal(value)


def run_query(
    store: GraphStore,
    query: NamedQuery | str,
    params: dict[str, Term | str] | None = None,
) -> QueryResult:
    """Run a named query (or raw text) with bound parameters.

    String parameter values go through :func:`parse_term`. Unknown parameter names
    are refused, because a typo would otherwise silently run the unbound query.
    """
    text = query.text if isinstance(query, NamedQuery) else query
    bindings: dict[str, Term] = {}
    for key, value in (params or {}).items():
        if isinstance(query, NamedQuery) and query.params:
            allowed = {p.name for p in query.params}
            if key not in allowed:
                raise QueryError(
                    f"query {query.name!r} has no parameter {key!r} "
                    f"(parameters: {', '.join(sorted(allowed))})"
                )
        bindings[key] = parse_term(value) if isinstance(value, str) else value
    return store.query(text, bindings=bindings)

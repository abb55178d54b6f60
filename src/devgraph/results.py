"""Serialise query results for people (a text table) and programs (the W3C formats).

The CLI and the web endpoint both call :func:`serialize`, so ``devgraph query -f csv``
and ``/sparql?format=csv`` give byte-identical output.
"""

from __future__ import annotations

import io

import pyoxigraph as ox

from devgraph.store import QueryResult, StoreError

SOLUTION_FORMATS: dict[str, tuple[ox.QueryResultsFormat, str]] = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}
TEXT_FORMATS = ("table",)
ALL_FORMATS = TEXT_FORMATS + tuple(SOLUTION_FORMATS) + tuple(GRAPH_FORMATS)


def kind(result: QueryResult) -> str:
    """``solutions``, ``boolean`` or ``graph``."""
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    return "graph"


def default_format(result: QueryResult) -> str:
    return "ttl" if kind(result) == "graph" else "table"


def serialize(result: QueryResult, fmt: str) -> tuple[bytes, str]:
    """Return (body, media type); refuse a format that does not fit the result kind."""
    k = kind(result)
    if fmt == "table":
        if k == "graph":
            raise StoreError("a graph result has no table form; use ttl, nt, jsonld or rdfxml")
        return table(result).encode(), "text/plain; charset=utf-8"
    if fmt in SOLUTION_FORMATS:
        if k == "graph":
            raise StoreError(f"{fmt} is for SELECT/ASK results; use ttl, nt, jsonld or rdfxml")
        qfmt, media = SOLUTION_FORMATS[fmt]
        out = io.BytesIO()
        result.serialize(out, format=qfmt)  # type: ignore[union-attr]
        return out.getvalue(), media
    if fmt in GRAPH_FORMATS:
        if k != "graph":
            raise StoreError(f"{fmt} is for CONSTRUCT/DESCRIBE results; use json, xml, csv, tsv")
        rfmt, media = GRAPH_FORMATS[fmt]
        out = io.BytesIO()
        result.serialize(out, format=rfmt)  # type: ignore[union-attr]
        return out.getvalue(), media
    raise StoreError(f"unknown result format {fmt!r} (known: {', '.join(ALL_FORMATS)})")


def term_text(term: object) -> str:
    """A compact, readable form of a term for tables and pages."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return getattr(term, "value", str(term))


def table(result: QueryResult) -> str:
    """An aligned plain-text table (SELECT) or ``true``/``false`` (ASK)."""
    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [[term_text(row[n]) for n in names] for row in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"

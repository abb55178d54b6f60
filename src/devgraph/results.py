"""Serialise query results for people (a text table) and programs (the W3C formats).

The CLI calls :func:`serialize`; the web endpoint calls :func:`serialize_capped`, which
gives the same bytes for a result under the limits, so ``devgraph query -f csv`` and
``/sparql?format=csv`` agree. Over a limit, :func:`serialize_capped` cuts the result
and says so in :class:`Capped` (and in the body, where the format has room for it).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

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
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
}
"""A CONSTRUCT result is one graph: TriG and N-Quads put it in the default graph."""
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
            raise StoreError(
                "a graph result has no table form; use ttl, nt, jsonld, rdfxml, trig or nq"
            )
        return table(result).encode(), "text/plain; charset=utf-8"
    if fmt in SOLUTION_FORMATS:
        if k == "graph":
            raise StoreError(
                f"{fmt} is for SELECT/ASK results; use ttl, nt, jsonld, rdfxml, trig or nq"
            )
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


class ResultDeadline(Exception):
    """Raised by :func:`serialize_capped` when its ``deadline`` passes between two writes."""


class _Stop(Exception):
    """Internal: raised from inside pyoxigraph's serialiser to stop it early."""


@dataclass(frozen=True)
class Capped:
    """A serialised result and whether it was cut.

    ``count`` is the number of solutions or triples sent (None for ASK); ``reason`` is
    ``"rows"`` or ``"bytes"`` when ``truncated``; ``limit`` is the cap that applied.
    """

    body: bytes
    media: str
    count: int | None = None
    truncated: bool = False
    reason: str = ""
    limit: int = 0


class _LineWriter:
    """Collects a TSV stream, counting lines, and stops pyoxigraph past a cap or deadline.

    pyoxigraph evaluates lazily while it serialises, so stopping the writer also stops
    the query: a SELECT with ten million rows is cut after ``max_lines``.
    """

    def __init__(self, max_lines: int, max_bytes: int, deadline: float | None) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.size = 0
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.hit = ""

    def write(self, data: bytes) -> int:
        if self.hit:
            # Rust's BufWriter retries the failed buffer when dropped: keep refusing it.
            raise _Stop
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.lines += chunk.count(b"\n")
        self.size += len(chunk)
        if self.lines > self.max_lines:
            self.hit = "rows"
        elif self.size > self.max_bytes:
            self.hit = "bytes"
        elif self.deadline is not None and time.monotonic() > self.deadline:
            self.hit = "deadline"
        if self.hit:
            raise _Stop
        return len(chunk)

    def flush(self) -> None:
        """pyoxigraph may flush; nothing is buffered here."""


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ResultDeadline


def serialize_capped(
    result: QueryResult,
    fmt: str,
    *,
    max_rows: int,
    max_bytes: int,
    deadline: float | None = None,
) -> Capped:
    """Serialise at most ``max_rows`` solutions/triples and about ``max_bytes`` bytes.

    Solutions are first written as TSV (one line per solution, terms in N-Triples
    syntax, so nothing is lost), which lets the rows be counted and cut on a line
    boundary, then parsed back and written in ``fmt`` by pyoxigraph: the output is the
    same as :func:`serialize` gives. A cut is flagged in the body where the format
    allows it (see :func:`mark_truncated`).
    """
    k = kind(result)
    if k == "boolean":
        if fmt not in SOLUTION_FORMATS:
            raise StoreError(f"{fmt} is for CONSTRUCT/DESCRIBE results; use json, xml, csv, tsv")
        body, media = serialize(result, fmt)
        return Capped(body, media)
    if k == "solutions":
        if fmt not in SOLUTION_FORMATS:
            raise StoreError(f"{fmt} is for CONSTRUCT/DESCRIBE results; use json, xml, csv, tsv")
        return _capped_solutions(result, fmt, max_rows, max_bytes, deadline)  # type: ignore[arg-type]
    if fmt not in GRAPH_FORMATS:
        raise StoreError(
            f"{fmt} is for SELECT/ASK results; use ttl, nt, jsonld, rdfxml, trig or nq"
        )
    return _capped_triples(result, fmt, max_rows, max_bytes, deadline)  # type: ignore[arg-type]


def _capped_solutions(
    result: ox.QuerySolutions, fmt: str, max_rows: int, max_bytes: int, deadline: float | None
) -> Capped:
    writer = _LineWriter(max_rows + 1, max_bytes, deadline)  # +1: the TSV header line
    try:
        result.serialize(writer, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    except _Stop:
        pass
    if writer.hit == "deadline":
        raise ResultDeadline
    tsv = b"".join(writer.chunks)
    if writer.hit:
        keep = tsv[: tsv.rfind(b"\n") + 1]  # whole lines only
        lines = keep.split(b"\n")[:-1][: max_rows + 1]
        tsv = b"\n".join(lines) + b"\n"
    count = max(tsv.count(b"\n") - 1, 0)
    qfmt, media = SOLUTION_FORMATS[fmt]
    if fmt == "tsv" and not writer.hit:
        body = tsv
    else:
        body = _from_tsv(tsv, qfmt)
    while len(body) > max_bytes and count > 0:
        # JSON and XML are a few times larger than TSV: drop rows in proportion.
        writer.hit = "bytes"
        count = int(count * max_bytes / len(body) * 0.95)
        tsv = b"\n".join(tsv.split(b"\n")[: count + 1]) + b"\n"
        body = _from_tsv(tsv, qfmt)
    if not writer.hit:
        return Capped(body, media, count)
    limit = max_rows if writer.hit == "rows" else max_bytes
    return Capped(
        mark_truncated(body, fmt, limit, writer.hit), media, count, True, writer.hit, limit
    )


def _from_tsv(tsv: bytes, qfmt: ox.QueryResultsFormat) -> bytes:
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=qfmt)  # type: ignore[union-attr,return-value]


def _capped_triples(
    result: ox.QueryTriples, fmt: str, max_rows: int, max_bytes: int, deadline: float | None
) -> Capped:
    triples: list[ox.Triple] = []
    hit = ""
    for i, triple in enumerate(result):
        if i % 1024 == 0:
            _check_deadline(deadline)
        if len(triples) == max_rows:
            hit = "rows"
            break
        triples.append(triple)
    rfmt, media = GRAPH_FORMATS[fmt]
    writer = _LineWriter(1 << 62, max_bytes, deadline)
    try:
        ox.serialize(triples, writer, format=rfmt)  # type: ignore[arg-type]
    except _Stop:
        if writer.hit == "deadline":
            raise ResultDeadline from None
        hit = "bytes"
    body = b"".join(writer.chunks)
    if hit == "bytes":
        # Cut the triple list to what fitted as N-Triples, then write that in ``fmt``.
        fitted = _fit_triples(triples, max_bytes)
        body = ox.serialize(fitted, format=rfmt)  # type: ignore[assignment]
        triples = fitted
    if not hit:
        return Capped(body, media, len(triples))
    limit = max_rows if hit == "rows" else max_bytes
    return Capped(mark_truncated(body, fmt, limit, hit), media, len(triples), True, hit, limit)


def _fit_triples(triples: list[ox.Triple], max_bytes: int) -> list[ox.Triple]:
    """The longest prefix of ``triples`` whose N-Triples form stays under ``max_bytes``."""
    size = 0
    for i, triple in enumerate(triples):
        size += len(str(triple).encode()) + 3
        if size > max_bytes:
            return triples[:i]
    return triples


def mark_truncated(body: bytes, fmt: str, limit: int, reason: str) -> bytes:
    """Say in the body itself that a result was cut, where the format has room for it.

    JSON gets a top-level ``"devgraph": {"truncated": true, "limit": N, "reason": ...}``
    member (SPARQL JSON readers ignore unknown keys); SPARQL XML a ``<link>`` in its
    ``<head>`` (the format's own place for metadata); Turtle, N-Triples, TriG and
    N-Quads a leading ``#`` comment; RDF/XML an XML comment. CSV, TSV and JSON-LD have
    no such room: the ``X-Devgraph-Truncated`` response header is their only signal.
    """
    note = f"devgraph: result truncated at {limit} {'rows' if reason == 'rows' else 'bytes'}"
    if fmt == "json":
        end = body.rstrip().rfind(b"}")
        extra = (f',"devgraph":{{"truncated":true,"limit":{limit},"reason":"{reason}"}}').encode()
        return body[:end] + extra + body[end:]
    if fmt == "xml":
        link = f'<link href="urn:devgraph:truncated:{reason}:{limit}"/>'.encode()
        return body.replace(b"</head>", link + b"</head>", 1)
    if fmt in ("ttl", "nt", "trig", "nq"):
        return f"# {note}\n".encode() + body
    if fmt == "rdfxml":
        if body.startswith(b"<?xml"):
            end = body.find(b"?>") + 2
            return body[:end] + f"\n<!-- {note} -->".encode() + body[end:]
        return f"<!-- {note} -->\n".encode() + body
    return body

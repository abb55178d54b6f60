"""The triple store behind devgraph: one small protocol, chosen by ``open_store``.

Callers (loader, queries, validation, web) only see :class:`GraphStore`. Two backends
implement it: embedded pyoxigraph here (on disk, or in memory for tests), and
:class:`devgraph.remote.RemoteStore`, a SPARQL 1.1 server reached over the protocols
(``open_store("http://…")``, see docs/scaling.md). Terms and results are pyoxigraph's
types on every backend: pyoxigraph parses a remote server's SPARQL results into them.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar, runtime_checkable

import pyoxigraph as ox

from devgraph.namespaces import STAGING_GRAPH

R = TypeVar("R")

Term = ox.NamedNode | ox.BlankNode | ox.Literal
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
"""Short format names accepted everywhere (CLI, loader, dumps)."""


BULK_BATCH = 100_000
"""Quads handed to pyoxigraph's bulk loader at a time. Measured on a 50 MB IATI file: peak
RSS 240 MB and flat (500 k: 962 MB; one call grows with the file), same wall time, more
CPU (the loader's threads)."""


PENDING = f"{STAGING_GRAPH}pending"
"""Graph (and predicate) listing the graphs a bulk write is creating until it commits."""


class StoreError(Exception):
    """A store operation failed; the message is meant for the person at the keyboard."""


class StoreLockedError(StoreError):
    """Another process (usually ``devgraph serve``) holds the on-disk store."""


class QueryError(StoreError):
    """The query text is wrong (syntax, unknown prefix) or cannot be evaluated."""


@dataclass(frozen=True)
class GraphInfo:
    """A named graph and how many triples it holds."""

    iri: str
    triples: int


@runtime_checkable
class GraphStore(Protocol):
    """What every backend offers. Methods that change data are atomic."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult: ...

    def update(self, sparql: str) -> None: ...

    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], *, then: str | None = None
    ) -> None: ...

    def load(
        self, data: bytes | str, *, format: str, graph: str, base_iri: str | None = None
    ) -> None: ...

    def drop_graph(self, iri: str) -> None: ...

    def graphs(self) -> list[GraphInfo]: ...

    def dump(
        self, output: BinaryIO, *, format: str = "nquads", graph: str | None = None
    ) -> None: ...

    def close(self) -> None: ...


OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
"""Strings, IRIs and comments of a SPARQL text: where keywords and braces are not syntax."""
_FROM = re.compile(r"(?<![\w?$:])FROM(?![\w:-])", re.IGNORECASE)


def blank_opaque(text: str, fill: str = " ") -> str:
    """The text with :data:`OPAQUE` runs overwritten by ``fill`` (same length, so positions
    found in the result index the original), for keyword searches and bracket counting."""
    return OPAQUE.sub(lambda m: fill * len(m.group()), text)


def has_dataset_clause(text: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED.

    pyoxigraph's ``use_default_graph_as_union`` silently replaces a query's FROM
    (measured on 0.5.13), so the union default graph must only be asked for when the
    query has no dataset clause. Strings, IRIs and comments are blanked first so that
    ``"from"``, ``<http://e/from>`` or ``# from`` do not count.
    """
    return bool(_FROM.search(blank_opaque(text)))


def rdf_format(name: str) -> ox.RdfFormat:
    """Resolve a short format name, raising a clear error listing the known ones."""
    try:
        return RDF_FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(RDF_FORMATS))
        raise StoreError(f"unknown RDF format {name!r} (known: {known})") from None


def _iri(value: str) -> str:
    """Refuse IRIs that would break out of ``<...>`` in an update we build ourselves."""
    if any(c in value for c in '<>"{}|^`\\ \n\r\t'):
        raise StoreError(f"not a valid IRI: {value!r}")
    return value


def _writes(method: Callable[..., R]) -> Callable[..., R]:
    """Bump the store's generation once the write is over, succeeded or not."""

    @functools.wraps(method)
    def wrapper(self: EmbeddedStore, *args: Any, **kwargs: Any) -> R:
        try:
            return method(self, *args, **kwargs)
        finally:
            self.generation += 1

    return wrapper


class EmbeddedStore:
    """pyoxigraph in this process: on disk at ``path``, or in memory when ``path`` is None."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.generation = 0
        """Bumped after every write through this handle: the one writer of an on-disk store
        (RocksDB's lock), so caches of whole-store results can check it instead of counting
        the triples (8 s at 11 M)."""
        try:
            if self.path is None:
                self._store = ox.Store()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store at {self.path} is in use by another process "
                    "(stop `devgraph serve` or point --store elsewhere)"
                ) from exc
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        if self.path is not None:
            # A writer killed mid-replacement leaves its staging graph behind, visible in
            # every union-default-graph query. This handle is the only writer (RocksDB
            # holds the lock), so whatever staging graph exists now is stale.
            self.drop_staging()

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path) if self.path else 'memory'})"

    def __len__(self) -> int:
        return len(self._store)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a query; ``bindings`` are substituted as RDF terms, never as text."""
        kwargs: dict[str, object] = {}
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(_iri(g)) for g in default_graphs]
        else:
            # pyoxigraph's union flag silently overrides a query's own FROM clauses.
            kwargs["use_default_graph_as_union"] = union_default_graph and not (
                has_dataset_clause(sparql)
            )
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(_iri(g)) for g in named_graphs]
        try:
            return self._store.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except RuntimeError as exc:
            if "projection" in str(exc):
                raise QueryError(
                    f"{exc}: a bound parameter must appear in the SELECT clause "
                    "(SPARQL substitution, SEP-0007)"
                ) from exc
            raise QueryError(str(exc)) from exc
        except (OSError, ValueError) as exc:
            raise QueryError(str(exc)) from exc

    @_writes
    def update(self, sparql: str) -> None:
        """Internal updates (loader bookkeeping, rules); the public endpoint never calls it."""
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL Update syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    @_writes
    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], *, then: str | None = None
    ) -> None:
        """Replace several named graphs, and run ``then``, as one all-or-nothing change.

        Graphs that do not exist yet are written straight into place; graphs that do are
        written into fresh staging graphs, and one update then moves each staging graph
        over its target and runs ``then`` (pyoxigraph updates are atomic). If anything
        fails — the triples' iterator raising half-way (a streaming reader meeting a
        syntax error), the disk, or ``then`` — the new graphs and the staging graphs are
        removed, so the store is exactly as it was.

        On disk the quads go through ``bulk_extend`` (streamed to new files, memory flat,
        about 20x faster than the transactional ``extend``); it is not transactional,
        which is why failures are undone by removing what was written. Should the process
        die mid-write, the graphs it was creating are listed in the pending graph (written
        before the first quad, cleared by the same update that commits), so the next writer
        to open the store removes them with the staging graphs (:meth:`drop_staging`).
        """
        existing = {g.value for g in self._store.named_graphs()}
        staging = {g: f"{STAGING_GRAPH}{uuid.uuid4().hex}" for g in graphs if g in existing}
        created = [g for g in graphs if g not in existing]
        target = {g: ox.NamedNode(_iri(staging.get(g, g))) for g in graphs}
        quads = (
            ox.Quad(t.subject, t.predicate, t.object, target[g])
            for g, triples in graphs.items()
            for t in triples
        )
        # Only on disk: a store in memory dies with its process, half-written graphs too.
        listed = " ".join(f"<{_iri(g)}> <{PENDING}> true ." for g in created)
        pending = f"GRAPH <{PENDING}> {{ {listed} }}" if listed and self.path is not None else ""
        if pending:
            self._store.update(f"INSERT DATA {{ {pending} }}")
        try:
            if self.path is not None:
                # One bulk_extend call buffers everything it is given before writing (RSS
                # ~1 GB for a 100 MB IATI file); batches keep memory flat (docs/import.md).
                while batch := list(islice(quads, BULK_BATCH)):
                    self._store.bulk_extend(batch)
            else:
                self._store.extend(quads)
            ops = [
                f"DROP SILENT GRAPH <{g}> ; MOVE SILENT GRAPH <{s}> TO GRAPH <{g}>"
                for g, s in staging.items()
            ]
            if pending:
                ops.append(f"DELETE DATA {{ {pending} }}")
            if then:
                ops.append(then)
            if ops:
                self._store.update(" ;\n".join(ops))
        except BaseException as exc:
            for g in [*created, *staging.values()]:
                self._store.remove_graph(ox.NamedNode(g))
            if pending:
                self._store.update(f"DELETE DATA {{ {pending} }}")
            if isinstance(exc, SyntaxError | OSError):
                raise StoreError(f"replacing graphs failed, nothing changed: {exc}") from exc
            raise

    @_writes
    def drop_staging(self) -> int:
        """Remove what an interrupted replacement left: staging graphs, and the graphs it was
        creating (listed in the pending graph), which may be partly written."""
        half = {
            q.subject
            for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(PENDING))
            if isinstance(q.subject, ox.NamedNode)
        }
        stale = [g for g in self._store.named_graphs() if g.value.startswith(STAGING_GRAPH)]
        for g in [*half, *stale]:
            self._store.remove_graph(g)
        return len(half) + len(stale)

    @_writes
    def load(
        self, data: bytes | str, *, format: str, graph: str, base_iri: str | None = None
    ) -> None:
        """Add a serialisation to one named graph (atomic; the graph is not cleared first)."""
        try:
            self._store.load(
                data,
                format=rdf_format(format),
                base_iri=base_iri,
                to_graph=ox.NamedNode(_iri(graph)),
            )
        except SyntaxError as exc:
            raise StoreError(f"cannot parse the {format} data: {exc}") from exc

    @_writes
    def drop_graph(self, iri: str) -> None:
        self._store.update(f"DROP SILENT GRAPH <{_iri(iri)}>")

    def graphs(self) -> list[GraphInfo]:
        """Named graphs with their triple counts, sorted by IRI (staging graphs hidden)."""
        rows = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        assert isinstance(rows, ox.QuerySolutions)
        return [
            GraphInfo(r["g"].value, int(r["n"].value))
            for r in rows
            if not r["g"].value.startswith(STAGING_GRAPH)
        ]

    def dump(self, output: BinaryIO, *, format: str = "nquads", graph: str | None = None) -> None:
        """Serialise the whole dataset (quad formats) or one graph (any format)."""
        fmt = rdf_format(format)
        if graph is None:
            if not fmt.supports_datasets:
                raise StoreError(f"{format} holds a single graph: name one with graph=")
            self._store.dump(output, format=fmt)
        else:
            self._store.dump(output, format=fmt, from_graph=ox.NamedNode(_iri(graph)))

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        """Release the on-disk lock so another process may open the store."""
        self.flush()
        del self._store


def open_store(location: str | Path | None = None) -> GraphStore:
    """Open the store a user named: a directory path, ``:memory:``/None, or a URL.

    An ``http(s)://`` URL selects the remote SPARQL 1.1 backend
    (:class:`devgraph.remote.RemoteStore`), completed by the ``DEVGRAPH_STORE_*``
    environment variables (separate update and Graph Store URLs, credentials, timeout;
    see :mod:`devgraph.remote.config` and docs/scaling.md).
    """
    if location is None or str(location) in ("", ":memory:"):
        return EmbeddedStore(None)
    text = str(location)
    if text.startswith(("http://", "https://")):
        from devgraph.remote import RemoteStore  # the remote backend imports this module

        return RemoteStore(text)
    return EmbeddedStore(Path(text))

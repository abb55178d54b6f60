"""A :class:`~devgraph.store.GraphStore` on a remote SPARQL 1.1 server.

Results come back as pyoxigraph's own objects (SPARQL JSON parsed by pyoxigraph into
``QuerySolutions``/``QueryBoolean``; graphs parsed and replayed through a scratch
in-memory store into ``QueryTriples``), so no caller can tell the backends apart.

Writes never rely on the server's Graph Store ``PUT`` (Virtuoso's is not atomic):
new content streams in chunks (Graph Store ``POST`` or ``INSERT DATA``) into fresh
staging graphs — or in place for graphs that do not exist yet — then one SPARQL Update
moves every staging graph over its target and runs the caller's ``then`` (the loader's
provenance record). Anything failing before that update drops what was written, so the
store is as it was. How atomic
that final update is depends on the server (see docs/scaling.md): Oxigraph server runs
an update request in one transaction; Virtuoso commits operation by operation.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from devgraph.namespaces import STAGING_GRAPH
from devgraph.remote.config import RemoteConfig, config_from_url
from devgraph.remote.dialect import (
    DIALECTS,
    Dialect,
    detect,
    needs_base,
    query_form,
    refuse_non_queries,
    term_text,
    with_values,
)
from devgraph.remote.http import RemoteError, Transport, form
from devgraph.store import (
    GraphInfo,
    QueryError,
    QueryResult,
    StoreError,
    Term,
    _iri,
    has_dataset_clause,
    rdf_format,
)

ACCEPT_SOLUTIONS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"
"""Asked by query form: Virtuoso answers a CONSTRUCT with a JSON table if it may."""
RDF_MEDIA = {
    "text/plain": ox.RdfFormat.N_TRIPLES,  # Virtuoso's N-Triples
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
}


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


class RemoteStore:
    """devgraph's store protocol over SPARQL 1.1 Query, Update and Graph Store Protocol."""

    path = None
    """No directory: the executor proxies queries instead of opening files."""

    def __init__(self, config: RemoteConfig | str) -> None:
        self.config = config_from_url(config) if isinstance(config, str) else config
        self.http = Transport(self.config)
        detected = self._probe()  # fails early and clearly on a wrong URL or credentials
        self.dialect: Dialect = (
            DIALECTS[self.config.dialect]() if self.config.dialect != "auto" else detected
        )

    def __repr__(self) -> str:
        return f"RemoteStore({self.config.query_url}, {self.dialect.name})"

    def _probe(self) -> Dialect:
        response = self.http.query("ASK {}", accept="application/sparql-results+json")
        return detect(response.headers.get("Server") or "")

    # -- queries --------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> QueryResult:
        """Run a query on the server; ``bindings`` travel as a ``VALUES`` block."""
        refuse_non_queries(sparql)
        text = with_values(sparql, bindings) if bindings else sparql
        if base_iri and needs_base(text):
            text = f"BASE {term_text(ox.NamedNode(base_iri))}\n{text}"
        params = self.dialect.dataset_params(
            text=sparql,
            union=union_default_graph,
            has_from=has_dataset_clause(sparql),
            default_graphs=[_iri(g) for g in default_graphs]
            if default_graphs is not None
            else None,
            named_graphs=[_iri(g) for g in named_graphs] if named_graphs is not None else None,
        )
        if timeout is not None:
            params += self.dialect.timeout_params(timeout)
        form = query_form(sparql)
        response = self.http.query(
            self.dialect.query_text(text, form),
            params=params,
            accept=ACCEPT_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT_SOLUTIONS,
            timeout=timeout,
            max_bytes=max_bytes,
        )
        cap = self.dialect.row_cap(response.headers)
        if cap is not None:
            raise StoreError(
                f"the server cut the results at {cap} rows (its own limit, e.g. Virtuoso's "
                "ResultSetMaxRows): raise it or page the query with LIMIT/OFFSET"
            )
        return self._result(response.media, response.body)

    def _result(self, media: str, body: bytes) -> QueryResult:
        try:
            if media in ("application/sparql-results+json", "application/json"):
                return ox.parse_query_results(
                    self.dialect.fix_json(body), format=ox.QueryResultsFormat.JSON
                )
            if media == "application/sparql-results+xml":
                return ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
            fmt = RDF_MEDIA.get(media) or ox.RdfFormat.from_media_type(media)
            if fmt is None:
                raise RemoteError(f"the server answered with an unknown media type {media!r}")
            scratch = ox.Store()
            scratch.load(body, format=fmt)
            return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
        except (SyntaxError, ValueError) as exc:
            raise RemoteError(f"cannot read the server's {media} answer: {exc}") from exc

    def __len__(self) -> int:
        """Quads in the default graph and the named graphs (the server's own not counted)."""
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union_default_graph=False)
        default = int(next(iter(rows))["n"].value)  # type: ignore[call-overload,index]
        return default + sum(g.triples for g in self.graphs())

    # -- updates --------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Send SPARQL Update text as one request (form-encoded: Virtuoso needs it)."""
        try:
            self.http.request(
                "POST",
                self.config.update_url or self.config.query_url,
                data=form({"update": self.dialect.update_text(sparql)}),
                content_type="application/x-www-form-urlencoded",
            )
        except RemoteError as exc:
            if exc.status == 400:
                raise QueryError(f"the server refused the update: {exc}") from exc
            raise

    def _post_triples(self, graph: str, triples: list[ox.Triple]) -> None:
        """One chunk into ``graph``: Graph Store POST when there is one, else INSERT DATA."""
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert body is not None
        if self.config.gsp_url:
            self.http.request(
                "POST",
                self.config.gsp_url,
                params=[(self.dialect.gsp_graph_param, graph)],
                data=body,
                content_type="application/n-triples",
            )
        else:
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body.decode()}}} }}")

    def _existing(self, graphs: Iterable[str]) -> set[str]:
        """Which of ``graphs`` hold triples now (one query for all of them)."""
        names = [_iri(g) for g in graphs]
        if not names:
            return set()
        values = " ".join(f"<{g}>" for g in names)
        rows = self.query(
            f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
            union_default_graph=False,
        )
        return {r["g"].value for r in rows}  # type: ignore[index,union-attr]

    def _stage(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> dict[str, str]:
        """Stream every graph to the server; return each target and where it was written.

        A graph that does not exist yet is written in place (as the embedded store
        does: on RocksDB, moving a staged graph costs as much as writing it again); one
        that exists goes to a fresh staging graph. Triples are sent ``config.chunk`` at
        a time. Each request is its own document for blank nodes, so triples holding one
        are kept back and sent together in one final ``INSERT {…} WHERE {}`` (Virtuoso
        refuses blank nodes in INSERT DATA). If anything fails, everything written here
        is dropped again.
        """
        existing = self._existing(graphs)
        written = {g: f"{STAGING_GRAPH}{uuid.uuid4().hex}" if g in existing else g for g in graphs}
        held: dict[str, list[ox.Triple]] = {}
        try:
            fresh = [g for g, w in written.items() if g == w and not g.startswith(STAGING_GRAPH)]
            if self.dialect.create_graphs and fresh:  # targets only: staging stays uncreated
                self.update(" ;\n".join(f"CREATE SILENT GRAPH <{g}>" for g in fresh))
            for g, triples in graphs.items():
                batch: list[ox.Triple] = []
                for t in triples:
                    if _has_blank(t):
                        held.setdefault(written[g], []).append(t)
                        continue
                    batch.append(t)
                    if len(batch) >= self.config.chunk:
                        self._post_triples(written[g], batch)
                        batch = []
                if batch:
                    self._post_triples(written[g], batch)
            if held:
                blocks = "\n".join(
                    f"GRAPH <{s}> {{\n" + "".join(f"{t} .\n" for t in ts) + "}"
                    for s, ts in held.items()
                )
                self.update(f"INSERT {{\n{blocks}\n}} WHERE {{}}")
        except BaseException:
            self._drop(written.values())
            raise
        return written

    def _drop(self, graphs: Iterable[str]) -> None:
        ops = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
        if ops:
            try:
                self.update(" ;\n".join(ops))
            except StoreError:
                pass  # the original error matters more; drop_staging() cleans later

    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], *, then: str | None = None
    ) -> None:
        """Replace several named graphs, and run ``then``, as one change (see module doc)."""
        written = self._stage(graphs)
        create = "CREATE SILENT GRAPH <{}> ;\n" if self.dialect.create_graphs else ""
        ops = [
            f"DROP SILENT GRAPH <{g}> ;\n{create.format(g)}MOVE SILENT GRAPH <{s}> TO GRAPH <{g}>"
            for g, s in written.items()
            if s != g
        ]
        if then:
            ops.append(then)
        if not ops:
            return
        try:
            self.update(" ;\n".join(ops))
        except BaseException as exc:
            self._drop(written.values())
            if isinstance(exc, StoreError):
                raise StoreError(f"replacing graphs failed, nothing changed: {exc}") from exc
            raise

    def drop_staging(self) -> int:
        """Remove staging graphs left behind by an interrupted replacement."""
        rows = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{STAGING_GRAPH}")) }}',
            union_default_graph=False,
        )
        stale = [r["g"].value for r in rows if r["g"].value.startswith(STAGING_GRAPH)]  # type: ignore[index,union-attr]
        self._drop(stale)
        return len(stale)

    def load(
        self, data: bytes | str, *, format: str, graph: str, base_iri: str | None = None
    ) -> None:
        """Add a serialisation to one named graph: parsed here first, so bad data never leaves."""
        try:
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(
                    data, format=rdf_format(format), base_iri=base_iri, rename_blank_nodes=True
                )
            ]
        except SyntaxError as exc:
            raise StoreError(f"cannot parse the {format} data: {exc}") from exc
        staging = self._stage({_iri(graph): triples})[graph]
        if staging == graph:
            return  # a new graph, written in place
        try:
            self.update(
                f"ADD SILENT GRAPH <{staging}> TO GRAPH <{graph}> ;\nDROP SILENT GRAPH <{staging}>"
            )
        except BaseException:
            self._drop([staging])
            raise

    def drop_graph(self, iri: str) -> None:
        self.update(f"DROP SILENT GRAPH <{_iri(iri)}>")

    # -- reading whole graphs -------------------------------------------------------

    def graphs(self) -> list[GraphInfo]:
        """Named graphs and their triple counts, by IRI (staging and server graphs hidden)."""
        rows = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            union_default_graph=False,
        )
        return [
            GraphInfo(r["g"].value, int(r["n"].value))  # type: ignore[index,union-attr]
            for r in rows  # type: ignore[union-attr]
            if not r["g"].value.startswith(STAGING_GRAPH)  # type: ignore[index,union-attr]
            and not self.dialect.hidden(r["g"].value)  # type: ignore[index,union-attr]
        ]

    def _quads(self, graph: str | None) -> Iterator[ox.Quad]:
        if graph is not None:
            rows = self.query(
                "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                bindings={"g": ox.NamedNode(_iri(graph))},
            )
            for r in rows:  # type: ignore[union-attr]
                yield ox.Quad(r["s"], r["p"], r["o"], ox.DefaultGraph())  # type: ignore[index]
            return
        rows = self.query(
            "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            union_default_graph=False,
        )
        for r in rows:  # type: ignore[union-attr]
            g = r["g"]  # type: ignore[index]
            if g is None:
                yield ox.Quad(r["s"], r["p"], r["o"], ox.DefaultGraph())  # type: ignore[index]
            elif not g.value.startswith(STAGING_GRAPH) and not self.dialect.hidden(g.value):
                yield ox.Quad(r["s"], r["p"], r["o"], g)  # type: ignore[index]

    def dump(self, output: BinaryIO, *, format: str = "nquads", graph: str | None = None) -> None:
        """Serialise the whole dataset (quad formats) or one graph (any format)."""
        fmt = rdf_format(format)
        if graph is None and not fmt.supports_datasets:
            raise StoreError(f"{format} holds a single graph: name one with graph=")
        quads = list(self._quads(graph))
        if graph is not None:
            ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], output, fmt)
        else:
            ox.serialize(quads, output, fmt)

    def dumps(self, format: str = "nquads", graph: str | None = None) -> bytes:
        buffer = io.BytesIO()
        self.dump(buffer, format=format, graph=graph)
        return buffer.getvalue()

    def flush(self) -> None:
        """Nothing buffered here: every write is a request the server has answered."""

    def close(self) -> None:
        """No connection is kept open between requests."""

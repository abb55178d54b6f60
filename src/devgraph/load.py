"""Load RDF files into the store: one named graph per file, with provenance, all or nothing.

Every file is parsed before the store is touched, so a syntax error in the last file
of a folder leaves the store exactly as it was. Unchanged files (same SHA-256 as the
recorded load) are skipped; a changed file replaces exactly its own graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from devgraph.namespaces import DCAT, DCTERMS, DG, GRAPH, META_GRAPH, PROV, SPDX, VOID, XSD
from devgraph.store import GraphStore, StoreError, rdf_format
from devgraph.xmlguard import UnsafeXmlError, check_rdf_xml

EXTENSIONS: dict[str, str] = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".jsonld": "jsonld",
    ".json-ld": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
}
"""File extensions the loader reads; anything else in a folder is skipped and reported."""

MEDIA_TYPES = {
    "turtle": "text/turtle",
    "trig": "application/trig",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


class LoadError(StoreError):
    """A source could not be read or parsed; nothing was written."""


@dataclass(frozen=True)
class SourceFile:
    """One file to load, with the graph it becomes and its fingerprint."""

    path: Path
    format: str
    graph: str
    sha256: str
    size: int


@dataclass
class LoadReport:
    """What a load did, file by file, for the CLI and the tests."""

    loaded: list[tuple[SourceFile, int]] = field(default_factory=list)
    unchanged: list[SourceFile] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.loaded)


def graph_iri_for(path: Path, *, root: Path | None = None) -> str:
    """The named graph of a file: its path relative to ``root`` (default: the cwd).

    Files outside ``root`` keep their absolute path, so two different files never
    share a graph.
    """
    resolved = path.resolve()
    base = (root or Path.cwd()).resolve()
    try:
        rel = resolved.relative_to(base).as_posix()
    except ValueError:
        rel = "file" + resolved.as_posix()
    return GRAPH + quote(rel, safe="/-._~")


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Expand folders (recursively, sorted) into RDF files; return (files, skipped)."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                (files if child.suffix.lower() in EXTENSIONS else skipped).append(child)
        elif path.is_file():
            if path.suffix.lower() not in EXTENSIONS:
                known = ", ".join(sorted(EXTENSIONS))
                raise LoadError(f"{path}: unknown RDF file type (known extensions: {known})")
            files.append(path)
        else:
            raise LoadError(f"{path}: no such file or folder")
    return files, skipped


def source_file(path: Path, *, root: Path | None = None) -> SourceFile:
    """Describe one file to load: its format, graph IRI and checksum."""
    data = path.read_bytes()
    return SourceFile(
        path=path,
        format=EXTENSIONS[path.suffix.lower()],
        graph=graph_iri_for(path, root=root),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def parse_file(source: SourceFile) -> list[ox.Triple]:
    """Parse a whole file into triples, naming file, line and column on error.

    Quads in named graphs of a TriG/N-Quads file are folded into the file's graph:
    the file is the unit of provenance and replacement.
    """
    base = source.path.resolve().as_uri()
    try:
        if source.format == "rdfxml":
            check_rdf_xml(source.path)
        quads = ox.parse(
            path=str(source.path),
            format=rdf_format(source.format),
            base_iri=base,
            rename_blank_nodes=True,
        )
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except (SyntaxError, UnsafeXmlError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise LoadError(f"{source.path}: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise LoadError(f"{source.path}: cannot read: {exc}") from exc


def recorded_checksums(store: GraphStore) -> dict[str, str]:
    """SHA-256 of each graph's source as recorded in the metadata graph."""
    rows = store.query(
        f"""SELECT ?g ?sum WHERE {{ GRAPH <{META_GRAPH}> {{
              ?g <{SPDX}checksum> ?c . ?c <{SPDX}checksumValue> ?sum }} }}""",
        union_default_graph=False,
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {r["g"].value: r["sum"].value for r in rows}


def _lit(value: str, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"' + (f"^^<{datatype}>" if datatype else "")


@dataclass(frozen=True)
class Provenance:
    """What graph:meta records about one loaded file (the loader's and the importers')."""

    graph: str
    source_uri: str
    path: str
    size: int
    sha256: str
    media_type: str
    triples: int | None = None
    """None: counted by the update itself, after the graph is written."""
    extra: str = ""
    """More ``predicate object ;`` pairs about the graph, in SPARQL syntax."""

    @classmethod
    def of(cls, source: SourceFile, triples: int) -> Provenance:
        return cls(
            graph=source.graph,
            source_uri=source.path.resolve().as_uri(),
            path=source.path.as_posix(),
            size=source.size,
            sha256=source.sha256,
            media_type=MEDIA_TYPES[source.format],
            triples=triples,
        )


def provenance_update(records: Iterable[Provenance], now: datetime) -> str:
    """One SPARQL Update replacing each graph's provenance record (PROV-O, DCAT, VoID, SPDX)."""
    stamp = _lit(now.isoformat(timespec="seconds"), XSD + "dateTime")
    ops = []
    for r in records:
        g = r.graph
        checksum = g + "#sha256"
        count = f"<{VOID}triples> {r.triples} ;" if r.triples is not None else ""
        ops.append(
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{g}> ?p ?o }} }} ;\n"
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{checksum}> ?p ?o }} }} ;\n"
            f"""INSERT DATA {{ GRAPH <{META_GRAPH}> {{
            <{g}> a <{VOID}Dataset>, <{PROV}Entity> ;
              <{DCTERMS}source> <{r.source_uri}> ;
              <{DG}sourcePath> {_lit(r.path)} ;
              <{DCAT}byteSize> {_lit(str(r.size), XSD + "nonNegativeInteger")} ;
              <{DCAT}mediaType> {_lit(r.media_type)} ;
              <{SPDX}checksum> <{checksum}> ;
              {count} {r.extra}
              <{PROV}generatedAtTime> {stamp} .
            <{checksum}> a <{SPDX}Checksum> ;
              <{SPDX}algorithm> <{SPDX}checksumAlgorithm_sha256> ;
              <{SPDX}checksumValue> {_lit(r.sha256, XSD + "hexBinary")} .
            }} }}"""
        )
        if r.triples is None:
            ops.append(
                f"""INSERT {{ GRAPH <{META_GRAPH}> {{ <{g}> <{VOID}triples> ?n }} }}
                WHERE {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} }}"""
            )
    return " ;\n".join(ops)


def load_paths(
    store: GraphStore,
    paths: Iterable[Path | str],
    *,
    root: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Load files and folders; each file into its own graph; all or nothing.

    ``force`` reloads files whose checksum is unchanged. ``progress`` receives one
    line per file as parsing goes, since a large folder takes a while.
    """
    say = progress or (lambda _msg: None)
    files, skipped = discover(Path(p) for p in paths)
    report = LoadReport(skipped=skipped)
    known = {} if force else recorded_checksums(store)
    parsed: dict[str, list[ox.Triple]] = {}
    seen: dict[str, Path] = {}
    for path in files:
        source = source_file(path, root=root)
        if source.graph in seen:
            continue  # the same file named twice (a folder and a file inside it)
        seen[source.graph] = path
        if known.get(source.graph) == source.sha256:
            report.unchanged.append(source)
            say(f"unchanged  {path}")
            continue
        triples = parse_file(source)
        parsed[source.graph] = triples
        report.loaded.append((source, len(triples)))
        say(f"parsed     {path} ({len(triples)} triples)")
    if report.loaded:
        records = [Provenance.of(source, n) for source, n in report.loaded]
        store.replace_graphs(parsed, then=provenance_update(records, datetime.now(UTC)))
        say(f"committed  {len(report.loaded)} graph(s), {report.triples} triples")
    return report


def iter_sources(store: GraphStore) -> Iterator[dict[str, str]]:
    """Provenance records of loaded graphs, newest first (for ``graphs`` and the home page)."""
    rows = store.query(
        f"""SELECT ?g ?path ?time ?size ?sum WHERE {{ GRAPH <{META_GRAPH}> {{
              ?g <{DG}sourcePath> ?path ; <{PROV}generatedAtTime> ?time ;
                 <{DCAT}byteSize> ?size ; <{SPDX}checksum>/<{SPDX}checksumValue> ?sum }} }}
            ORDER BY DESC(?time) ?g""",
        union_default_graph=False,
    )
    assert isinstance(rows, ox.QuerySolutions)
    for r in rows:
        yield {k: r[k].value for k in ("g", "path", "time", "size", "sum")}

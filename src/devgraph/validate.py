"""Validate devgraph data against the SHACL shapes in ``shapes/``.

One entry point, :func:`validate`, used by ``devgraph validate``, the web app and the tests
(the way pySHACL's own ``validate()`` sits under both its CLI and its HTTP service).

Design choices:

* pySHACL runs with ``advanced=True`` (SHACL-SPARQL constraints: date order, percentage sums,
  graph-wide rules) and ``inference="none"``: devgraph data is already materialised by
  ``devgraph reason``, and shapes list sub-properties explicitly where they matter.
* Codelist membership (``skos:inScheme``) needs the SKOS codelists next to the data. They are
  **mixed into a copy of the data graph** (not passed as pySHACL's ``ont_graph``, which does the
  same mixing less visibly). ``codelists=False`` skips them and deactivates the shapes marked
  ``dgsh:requiresCodelists true``, which could not give a meaningful answer without them.
* Two engines give the same findings. ``engine="sparql"`` (the default) compiles the shapes
  to SPARQL (:mod:`devgraph.shacl_sparql`) and runs them on the store, 20-30x faster than
  pySHACL and without copying the data into rdflib; shapes it cannot translate are run by
  pySHACL alone. ``engine="pyshacl"`` is the reference (``tests/test_shacl_sparql.py``
  asserts the two agree).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS

from devgraph.load import discover, parse_file, source_file
from devgraph.namespaces import META_GRAPH
from devgraph.report import (
    DGSH,
    Finding,
    ValidationReport,
    findings_from_results,
    shape_names,
)
from devgraph.shacl_exec import Runner
from devgraph.shacl_sparql import Compiler
from devgraph.store import EmbeddedStore, GraphStore

__all__ = [
    "Finding",
    "ValidationReport",
    "default_codelists_dir",
    "ENGINES",
    "data_graphs",
    "default_shapes_dir",
    "load_graph",
    "load_shapes",
    "shape_iri",
    "validate",
    "validate_store",
]

_REPO = Path(__file__).resolve().parents[2]

DataInput = Graph | Path | Iterable[Path]
CodelistsInput = bool | Path | Iterable[Path]
ENGINES = ("sparql", "pyshacl")
DEFAULT_ENGINE = "sparql"


def default_shapes_dir() -> Path:
    """The repository's ``shapes/`` folder, or ``$DEVGRAPH_SHAPES`` when set."""
    override = os.environ.get("DEVGRAPH_SHAPES")
    return Path(override) if override else _REPO / "shapes"


def default_codelists_dir() -> Path:
    """The repository's ``ontology/codelists/`` folder, or ``$DEVGRAPH_CODELISTS`` when set."""
    override = os.environ.get("DEVGRAPH_CODELISTS")
    return Path(override) if override else _REPO / "ontology" / "codelists"


def load_graph(paths: Iterable[Path]) -> Graph:
    """Parse RDF files and folders into one rdflib graph, exactly as ``devgraph load`` reads them.

    The loader's discovery and pyoxigraph parser are reused (named graphs of quad files are
    merged, parse errors name file, line and column); rdflib receives N-Triples, its fastest
    input.
    """
    files, _skipped = discover(Path(p) for p in paths)
    triples: list[pyoxigraph.Triple] = []
    for file in files:
        triples.extend(parse_file(source_file(file)))
    graph = Graph()
    graph.parse(data=_ntriples(triples), format="nt")
    return graph


def _ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)


@lru_cache(maxsize=8)
def _cached_codelists(files: tuple[tuple[str, float], ...]) -> Graph:
    """Codelist membership triples, parsed once per set of (file, mtime).

    Only ``skos:inScheme`` is kept: it is all the membership shapes read, and it keeps the
    graph mixed into every validation small (about a quarter of the codelist triples).
    """
    in_scheme = pyoxigraph.NamedNode(str(SKOS.inScheme))
    triples = [
        t
        for name, _mtime in files
        for t in parse_file(source_file(Path(name)))
        if t.predicate == in_scheme
    ]
    membership = Graph()
    membership.parse(data=_ntriples(triples), format="nt")
    return membership


def _load_codelists(codelists: CodelistsInput) -> Graph | None:
    """The codelist graph to mix into the data, or None when codelists are off.

    A folder contributes its top-level ``*.ttl`` files only: ``ontology/codelists/v1/`` holds
    the IATI 1.0x lists, whose codes are not valid in 2.0x data.
    """
    if codelists is False:
        return None
    if codelists is True:
        sources: list[Path] = [default_codelists_dir()]
    elif isinstance(codelists, Path):
        sources = [codelists]
    else:
        sources = [Path(p) for p in codelists]
    files = sorted(
        f for p in sources for f in (p.glob("*.ttl") if p.is_dir() else [p]) if f.is_file()
    )
    if not files:
        raise FileNotFoundError(
            f"no codelist files in {', '.join(map(str, sources))}; "
            "generate them or pass codelists=False"
        )
    return _cached_codelists(tuple((str(f), f.stat().st_mtime) for f in files))


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def shape_iri(name: str) -> URIRef:
    """A shape's IRI from its IRI, its ``dgsh:`` name or its local name."""
    if name.startswith(("http://", "https://")):
        return URIRef(name)
    return DGSH[name.removeprefix("dgsh:")]


def load_shapes(
    shapes: Path | Iterable[Path] | None = None,
    *,
    codelists: bool = True,
    only: Iterable[str] | None = None,
) -> Graph:
    """The shapes graph, with shapes that must not run marked ``sh:deactivated``.

    Without codelists, codelist-dependent shapes are deactivated; with ``only`` (shape IRIs,
    ``dgsh:`` names or local names), every other targeted shape is.
    """
    sources = [default_shapes_dir()] if shapes is None else _as_paths(shapes)
    graph = load_graph(sources)
    if not any(graph.subjects(SH.name, None)):
        raise FileNotFoundError(f"no named SHACL shapes found in {', '.join(map(str, sources))}")
    off: set = set()
    if not codelists:
        off.update(graph.subjects(DGSH.requiresCodelists, Literal(True)))
    if only is not None:
        wanted = {shape_iri(name) for name in only}
        targeted = {s for t in _TARGETS for s in graph.subjects(t, None)}
        unknown = wanted - targeted
        if unknown:
            raise ValueError(f"unknown shapes: {', '.join(sorted(unknown))}")
        off.update(targeted - wanted)
    for shape in off:
        graph.set((shape, SH.deactivated, Literal(True)))
    return graph


def _as_paths(paths: Path | Iterable[Path]) -> list[Path]:
    return [paths] if isinstance(paths, str | Path) else [Path(p) for p in paths]


def _engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r} (known: {', '.join(ENGINES)})")
    return engine


def validate(
    data: DataInput,
    *,
    shapes: Path | Iterable[Path] | None = None,
    codelists: CodelistsInput = True,
    only: Iterable[str] | None = None,
    engine: str = DEFAULT_ENGINE,
) -> ValidationReport:
    """Validate a graph, or RDF files and folders, against the devgraph shapes.

    ``shapes``: a folder or files of shapes (default :func:`default_shapes_dir`).
    ``codelists``: True reads :func:`default_codelists_dir`; a path (or paths) reads those
    files; False validates without codelists (membership shapes deactivated).
    ``only``: run just these shapes (IRIs, ``dgsh:`` names or local names).
    ``engine``: "sparql" (default; the data goes into an in-memory pyoxigraph store) or
    "pyshacl". The caller's graph is never modified.
    """
    codelist_graph = _load_codelists(codelists)
    shapes_graph = load_shapes(shapes, codelists=codelist_graph is not None, only=only)
    if _engine(engine) == "sparql":
        store = EmbeddedStore()
        if isinstance(data, Graph):
            nt = data.serialize(format="nt", encoding="utf-8")
            triples = list(pyoxigraph.parse(nt, format=pyoxigraph.RdfFormat.N_TRIPLES))
        else:
            files, _skipped = discover(_as_paths(data))
            triples = [t for f in files for t in parse_file(source_file(f))]
        store.replace_graphs({_SCRATCH_GRAPH: triples})
        return _validate_sparql(
            store, shapes_graph, codelist_graph, None, fallback=lambda: _data_graph(data)
        )
    return _pyshacl(_data_graph(data), shapes_graph, codelist_graph)


_SCRATCH_GRAPH = "https://w3id.org/devgraph/graph/validation"


def _data_graph(data: DataInput) -> Graph:
    """A fresh rdflib copy of the data (pySHACL's input; the caller's graph stays untouched)."""
    if isinstance(data, Graph):
        copy = Graph()
        copy += data
        return copy
    return load_graph(_as_paths(data))


def _pyshacl(
    data_graph: Graph, shapes_graph: Graph, codelist_graph: Graph | None
) -> ValidationReport:
    """Run pySHACL on a data graph it may modify (codelists are mixed into it)."""
    if codelist_graph is not None:
        data_graph += codelist_graph
    _conforms, results_graph, _text = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
    )
    if not isinstance(results_graph, Graph):  # pySHACL returns its exception on shape errors
        raise RuntimeError(f"SHACL validation failed to run: {results_graph}")
    return ValidationReport(
        findings=findings_from_results(results_graph, shapes_graph),
        results_graph=results_graph,
        shape_names=shape_names(shapes_graph),
    )


def memberships(codelist_graph: Graph) -> dict[str, frozenset[str]]:
    """Codelist scheme IRI → its codes, from the ``skos:inScheme`` triples."""
    out: dict[str, set[str]] = {}
    for code, scheme in codelist_graph.subject_objects(SKOS.inScheme):
        out.setdefault(str(scheme), set()).add(str(code))
    return {scheme: frozenset(codes) for scheme, codes in out.items()}


def _validate_sparql(
    store: GraphStore,
    shapes_graph: Graph,
    codelist_graph: Graph | None,
    graphs: list[str] | None,
    *,
    fallback: Callable[[], Graph],
    workers: int = 2,
) -> ValidationReport:
    """The SPARQL engine, with pySHACL (on ``fallback()``'s data) for untranslatable shapes."""
    members = memberships(codelist_graph) if codelist_graph is not None else None
    compiled = Compiler(shapes_graph, members).compile()
    findings = Runner(store, shapes_graph, graphs=graphs).run(compiled.checks, workers=workers)
    engine = "sparql"
    if compiled.unsupported:
        rest = _only_shapes(shapes_graph, compiled.unsupported)
        findings += _pyshacl(fallback(), rest, codelist_graph).findings
        engine = "sparql+pyshacl"
    return ValidationReport(findings=findings, shape_names=shape_names(shapes_graph), engine=engine)


def _only_shapes(shapes_graph: Graph, keep: Iterable[str]) -> Graph:
    """A copy of the shapes graph where every targeted shape not in ``keep`` is deactivated."""
    wanted = {URIRef(s) for s in keep}
    copy = Graph()
    copy += shapes_graph
    for shape in {s for t in _TARGETS for s in copy.subjects(t, None)} - wanted:
        copy.set((shape, SH.deactivated, Literal(True)))
    return copy


def data_graphs(store: GraphStore, graph: str | None) -> list[str] | None:
    """The graphs a store validation reads: one named graph, or None for the whole store.

    None means the store's union default graph, provenance included: listing every graph but
    provenance as ``default_graphs`` made pyoxigraph 45x slower (36.5 s against 0.8 s for
    the 54 checks over 120 graphs on disk), and the provenance graph cannot change a
    finding — it describes files (graph IRIs) with PROV-O, DCAT, VoID, SPDX and
    ``dg:sourcePath``, and every shape targets and follows portfolio terms only.
    """
    if graph is not None:
        if graph not in {g.iri for g in store.graphs()}:
            raise ValueError(f"no graph named {graph} in the store (see `devgraph graphs`)")
        return [graph]
    return None


def validate_store(
    store: GraphStore,
    *,
    graph: str | None = None,
    shapes: Path | Iterable[Path] | None = None,
    codelists: CodelistsInput = True,
    only: Iterable[str] | None = None,
    engine: str = DEFAULT_ENGINE,
    workers: int = 2,
) -> ValidationReport:
    """Validate the union of the store's graphs, or one named graph (by IRI).

    The union includes the load provenance graph and the derived totals of
    ``graph:summary/…``: no shape targets or follows their terms, and leaving them out costs
    far more than reading them (see :func:`data_graphs`). The SPARQL
    engine queries the store in place (``workers`` threads run checks side by side: 1.7x at
    10 k activities on two cores); pySHACL needs the store dumped and re-parsed into rdflib,
    and is superlinear on the devgraph shapes.
    """
    graphs = data_graphs(store, graph)
    if _engine(engine) == "sparql":
        codelist_graph = _load_codelists(codelists)
        shapes_graph = load_shapes(shapes, codelists=codelist_graph is not None, only=only)
        return _validate_sparql(
            store,
            shapes_graph,
            codelist_graph,
            graphs,
            fallback=lambda: _dump(store, graph),
            workers=workers,
        )
    return validate(
        _dump(store, graph), shapes=shapes, codelists=codelists, only=only, engine="pyshacl"
    )


def _dump(store: GraphStore, graph: str | None) -> Graph:
    """The store's data (one graph, or all but provenance) as an rdflib graph."""
    buffer = io.BytesIO()
    if graph is None:
        store.dump(buffer, format="nquads")
        quads = pyoxigraph.parse(buffer.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS)
        data = _ntriples(
            q.triple
            for q in quads
            if not (
                isinstance(q.graph_name, pyoxigraph.NamedNode) and q.graph_name.value == META_GRAPH
            )
        )
    else:
        store.dump(buffer, format="ntriples", graph=graph)
        data = buffer.getvalue()
    data_graph = Graph()
    data_graph.parse(data=data, format="nt")
    return data_graph

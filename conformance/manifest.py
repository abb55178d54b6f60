"""Read the W3C manifests (``mf:``/``qt:``/``ut:`` vocabularies) into plain test records.

Manifests are parsed with rdflib under the W3C's own base IRI, so a file named in a
manifest has one IRI (its published one) that is also the name of the graph it is
loaded into, and :func:`local_path` maps it back to the file under ``../shared/w3c``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from conformance import W3C_BASE, W3C_ROOT

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

# Suite name -> manifest folders, in the W3C's own grouping (manifest-sparql11-*.ttl).
SUITES: dict[str, list[str]] = {
    "query": [
        "aggregates", "bind", "bindings", "cast", "construct", "exists", "functions",
        "grouping", "negation", "project-expression", "property-path", "subquery",
        "syntax-query",
    ],
    "update": [
        "add", "basic-update", "clear", "copy", "delete-data", "delete-insert",
        "delete-where", "delete", "drop", "move", "syntax-update-1", "syntax-update-2",
        "update-silent",
    ],
    "results": ["csv-tsv-res", "json-res"],
    "fed": ["syntax-fed", "service"],
    "protocol": ["protocol"],
    # Not part of the 539-test core (see README): reported separately.
    "service-description": ["service-description"],
    "graph-store-protocol": ["graph-store-protocol"],
    "entailment": ["entailment"],
}  # fmt: skip
CORE_SUITES = ("query", "update", "results", "fed", "protocol")


@dataclass
class W3CTest:
    """One manifest entry, with every file it names resolved to a W3C IRI."""

    iri: str
    name: str
    suite: str
    folder: str
    kind: str  # local name of the rdf:type, e.g. "QueryEvaluationTest"
    approval: str
    comment: str = ""
    query: str | None = None  # qt:query or ut:request (IRI)
    data: list[str] = field(default_factory=list)  # default graph files
    graph_data: list[tuple[str, str]] = field(default_factory=list)  # (graph name, file)
    result: str | None = None  # expected result file (query tests)
    result_data: list[str] = field(default_factory=list)  # update tests: default graph after
    result_graph_data: list[tuple[str, str]] = field(default_factory=list)
    service_data: list[tuple[str, str]] = field(default_factory=list)  # (endpoint, file)
    requires: list[str] = field(default_factory=list)
    graph: Graph | None = field(default=None, repr=False)  # the manifest (HTTP tests)
    node: Node | None = field(default=None, repr=False)

    @property
    def short(self) -> str:
        """``folder/localname``: the id used in reports and pytest ids."""
        return f"{self.folder}/{self.iri.rsplit('#', 1)[-1]}"


def local_path(iri: str) -> Path:
    """The file under ``../shared/w3c`` for a W3C test-file IRI."""
    if not iri.startswith(W3C_BASE):
        raise ValueError(f"not a W3C test file IRI: {iri}")
    return W3C_ROOT / iri[len(W3C_BASE) :]


def _local(node: Node | None) -> str:
    return str(node).rsplit("#", 1)[-1] if node is not None else ""


def _graph_data(g: Graph, node: Node, prop: URIRef) -> list[tuple[str, str]]:
    """``qt:graphData <f>`` names the graph by the file; ``ut:graphData [ut:graph <f>;
    rdfs:label "name"]`` names it by the label."""
    out = []
    for gd in g.objects(node, prop):
        if isinstance(gd, URIRef):
            out.append((str(gd), str(gd)))
        else:
            file = g.value(gd, UT.graph)
            label = g.value(gd, RDFS.label)
            out.append((str(label if label is not None else file), str(file)))
    return sorted(out)


def load_folder(folder: str, suite: str) -> list[W3CTest]:
    """All entries (``mf:entries``, following ``mf:include``) of one folder's manifest."""
    return _load_manifest(W3C_ROOT / folder / "manifest.ttl", folder, suite)


def _load_manifest(path: Path, folder: str, suite: str) -> list[W3CTest]:
    g = Graph()
    g.parse(path, format="turtle", publicID=W3C_BASE + str(path.relative_to(W3C_ROOT)))
    tests: list[W3CTest] = []
    for manifest in g.subjects(RDF.type, MF.Manifest):
        for inc in g.objects(manifest, MF.include):
            for sub in Collection(g, inc):
                tests += _load_manifest(local_path(str(sub)), folder, suite)
        for lst in g.objects(manifest, MF.entries):
            tests += [_entry(g, e, folder, suite) for e in Collection(g, lst)]
    return tests


def _entry(g: Graph, e: Node, folder: str, suite: str) -> W3CTest:
    action = g.value(e, MF.action)
    result = g.value(e, MF.result)
    t = W3CTest(
        iri=str(e),
        name=str(g.value(e, MF.name) or _local(e)),
        suite=suite,
        folder=folder,
        kind=_local(g.value(e, RDF.type)),
        approval=_local(g.value(e, DAWGT.approval)) or "None",
        comment=str(g.value(e, RDFS.comment) or ""),
        requires=sorted(_local(r) for r in g.objects(e, MF.requires)),
        graph=g,
        node=e,
    )
    if isinstance(action, URIRef):  # syntax tests: the action is the query file
        t.query = str(action)
    elif action is not None:
        q = g.value(action, QT.query) or g.value(action, UT.request)
        t.query = str(q) if q is not None else None
        t.data = sorted(str(d) for d in g.objects(action, QT.data))
        t.data += sorted(str(d) for d in g.objects(action, UT.data))
        t.graph_data = _graph_data(g, action, QT.graphData) + _graph_data(g, action, UT.graphData)
        for sd in g.objects(action, QT.serviceData):
            t.service_data.append((str(g.value(sd, QT.endpoint)), str(g.value(sd, QT.data))))
        t.service_data.sort()
    if isinstance(result, URIRef):
        t.result = str(result)
    elif result is not None:
        t.result_data = sorted(str(d) for d in g.objects(result, UT.data))
        t.result_graph_data = _graph_data(g, result, UT.graphData)
        if g.value(result, UT.result) == UT.failure:
            t.result = "failure"
    # Protocol tests name their data the update way (ut:graphData on the entry itself).
    if t.kind == "ProtocolTest":
        t.graph_data = _graph_data(g, e, UT.graphData)
    return t


def load_suite(suite: str) -> list[W3CTest]:
    """Every test of a suite, in manifest order."""
    return [t for folder in SUITES[suite] for t in load_folder(folder, suite)]

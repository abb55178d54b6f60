"""What the endpoint and the dataset are: SPARQL 1.1 Service Description and VoID.

``GET /sparql`` without a query answers a Service Description (sd:Service with its
endpoint, language, result formats, features and default dataset, each graph with its
``void:triples``); ``/.well-known/void`` answers a VoID description (RFC 5785 well-known
URI, as the VoID guide recommends): the whole store as a ``void:Dataset`` with one
``void:subset`` per named graph, each with triples, classes, properties, distinct
subjects and objects, and class and property partitions.

Both are negotiated (Turtle, N-Triples, RDF/XML, JSON-LD; ``?format=`` on VoID) and
built from a few aggregate queries. On an on-disk store the figures are cached until
the executor's ``refresh()`` (called after every write), because on a million triples
they take seconds; an in-memory store is counted afresh on every request.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from devgraph.namespaces import DCTERMS, RDF, RDFS, STAGING_GRAPH, VOID
from devgraph.web import accepted_mimetypes, get_executor, get_store

bp = Blueprint("service", __name__)

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"

RDF_MEDIA: dict[str, str] = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/x-turtle": "ttl",
    "text/plain": "nt",
}
"""Description formats, Turtle first: a client without preference gets Turtle."""
RDF_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}
FORMAT_NAMES = {"turtle": "ttl", "ntriples": "nt", "rdf": "rdfxml", "json-ld": "jsonld"}
HTML_MEDIA = ("text/html", "application/xhtml+xml")

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
    "TriG",
    "N-Quads",
)
"""Names under http://www.w3.org/ns/formats/ of every format /sparql writes."""

PREFIXES = {"sd": SD, "void": VOID, "formats": FORMATS, "dcterms": DCTERMS, "rdfs": RDFS}


@dataclass
class GraphStats:
    """VoID figures for one named graph."""

    iri: str
    triples: int = 0
    subjects: int = 0
    properties: int = 0
    objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    """class IRI → distinct instances"""
    property_triples: dict[str, int] = field(default_factory=dict)
    """property IRI → triples"""


@dataclass
class StoreStats:
    graphs: list[GraphStats]
    default_graph_triples: int
    """Triples a query sees in its default graph (the union, when that is configured)."""
    store_default_triples: int
    """Triples in the store's own default graph."""
    distinct_subjects: int


_CACHE_LOCK = threading.Lock()


def _rows(query: str) -> list[ox.QuerySolution]:
    result = get_store().query(query, union_default_graph=False)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _int(term: ox.Literal | None) -> int:
    return int(term.value) if term is not None else 0


def compute_stats(union_default_graph: bool) -> StoreStats:
    """Count what VoID and SD report, with four aggregate queries over the store."""
    graphs: dict[str, GraphStats] = {}
    for row in _rows(
        "SELECT ?g (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?p) AS ?p_) "
        "(COUNT(DISTINCT ?o) AS ?o_) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    ):
        iri = row["g"].value
        if iri.startswith(STAGING_GRAPH):
            continue
        graphs[iri] = GraphStats(
            iri, _int(row["t"]), _int(row["s_"]), _int(row["p_"]), _int(row["o_"])
        )
    for row in _rows(
        f"SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{RDF}type> ?c }} }} "
        "GROUP BY ?g ?c"
    ):
        if row["g"].value in graphs and isinstance(row["c"], ox.NamedNode):
            graphs[row["g"].value].classes[row["c"].value] = _int(row["n"])
    for row in _rows(
        "SELECT ?g ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?p"
    ):
        if row["g"].value in graphs:
            graphs[row["g"].value].property_triples[row["p"].value] = _int(row["n"])
    store_default = _int(_rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    subjects = _int(
        _rows(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE "
            "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        )[0]["n"]
    )
    if union_default_graph:
        union = get_store().query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union_default_graph=True
        )
        assert isinstance(union, ox.QuerySolutions)
        default_triples = _int(next(iter(union))["n"])
    else:
        default_triples = store_default
    return StoreStats(
        sorted(graphs.values(), key=lambda g: g.iri), default_triples, store_default, subjects
    )


def stats() -> StoreStats:
    """The figures, cached per executor generation when queries run in worker processes."""
    union = bool(current_app.config["UNION_DEFAULT_GRAPH"])
    executor = get_executor()
    generation = getattr(executor, "generation", None)
    if executor.mode != "process" or generation is None:
        return compute_stats(union)
    key = (generation, union)
    with _CACHE_LOCK:
        cached = current_app.extensions.get("devgraph.service_stats")
        if cached and cached[0] == key:
            return cached[1]
    fresh = compute_stats(union)
    with _CACHE_LOCK:
        current_app.extensions["devgraph.service_stats"] = (key, fresh)
    return fresh


def _tag(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _lit(value: int | str) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(
            str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        )
    return ox.Literal(value)


def _triples(spec: list[tuple[str, str, ox.NamedNode | ox.Literal | str]]) -> list[ox.Triple]:
    """Triples from (subject IRI, predicate IRI, object), plain strings read as IRIs.

    Grouped by subject (stable) so that Turtle writes each resource once.
    """
    out = []
    for s, p, o in sorted(spec, key=lambda t: t[0]):
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        out.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))
    return out


def limits_comment() -> str:
    """The endpoint's limits in one sentence, for people reading the description."""
    config = current_app.config
    executor = get_executor()
    enforced = (
        "a query over the timeout is stopped and its worker process killed"
        if executor.mode == "process"
        else "in-memory store: the timeout is only checked between result chunks and "
        "cannot stop an aggregate"
    )
    return (
        f"Read-only SPARQL 1.1 query endpoint. Timeout {config['QUERY_TIMEOUT']:g} s by "
        f"default, timeout= up to {config['QUERY_TIMEOUT_MAX']:g} s ({enforced}); "
        f"results capped at {config['MAX_RESULT_ROWS']} rows or {config['MAX_RESULT_BYTES']} "
        "bytes, a cut result carrying the X-Devgraph-Truncated: true header; requests up to "
        f"{config['MAX_CONTENT_LENGTH']} bytes."
    )


def service_description(endpoint: str) -> list[ox.Triple]:
    """The SD triples for the endpoint at ``endpoint`` (the URL the client used)."""
    s = stats()
    union = bool(current_app.config["UNION_DEFAULT_GRAPH"])
    dataset = f"{endpoint}#dataset"
    default_graph = f"{endpoint}#default-graph"
    spec: list[tuple[str, str, ox.NamedNode | ox.Literal | str]] = [
        (endpoint, RDF + "type", SD + "Service"),
        (endpoint, SD + "endpoint", endpoint),
        (endpoint, SD + "supportedLanguage", SD + "SPARQL11Query"),
        (endpoint, SD + "defaultEntailmentRegime", ENTAILMENT_SIMPLE),
        (endpoint, SD + "defaultDataset", dataset),
        (endpoint, RDFS + "label", _lit("devgraph SPARQL endpoint")),
        (endpoint, RDFS + "comment", _lit(limits_comment())),
        (dataset, RDF + "type", SD + "Dataset"),
        (dataset, SD + "defaultGraph", default_graph),
        (default_graph, RDF + "type", SD + "Graph"),
        (default_graph, VOID + "triples", _lit(s.default_graph_triples)),
    ]
    spec += [(endpoint, SD + "resultFormat", FORMATS + name) for name in RESULT_FORMATS]
    if union:
        spec.append((endpoint, SD + "feature", SD + "UnionDefaultGraph"))
    for g in s.graphs:
        named = f"{endpoint}#named-graph-{_tag(g.iri)}"
        graph = f"{endpoint}#graph-{_tag(g.iri)}"
        spec += [
            (dataset, SD + "namedGraph", named),
            (named, RDF + "type", SD + "NamedGraph"),
            (named, SD + "name", g.iri),
            (named, SD + "graph", graph),
            (graph, RDF + "type", SD + "Graph"),
            (graph, VOID + "triples", _lit(g.triples)),
        ]
    return _triples(spec)


def void_description(document: str, endpoint: str) -> list[ox.Triple]:
    """The VoID triples; named graphs are the subsets, under their own IRIs."""
    s = stats()
    dataset = f"{document}#dataset"
    all_classes = {c for g in s.graphs for c in g.classes}
    all_properties = {p for g in s.graphs for p in g.property_triples}
    total = s.store_default_triples + sum(g.triples for g in s.graphs)
    spec: list[tuple[str, str, ox.NamedNode | ox.Literal | str]] = [
        (dataset, RDF + "type", VOID + "Dataset"),
        (dataset, DCTERMS + "title", _lit("devgraph")),
        (dataset, VOID + "sparqlEndpoint", endpoint),
        (dataset, VOID + "triples", _lit(total)),
        (dataset, VOID + "classes", _lit(len(all_classes))),
        (dataset, VOID + "properties", _lit(len(all_properties))),
        (dataset, VOID + "distinctSubjects", _lit(s.distinct_subjects)),
    ]
    spec += [(dataset, VOID + "feature", FORMATS + n) for n in ("Turtle", "N-Triples", "RDF_XML")]
    for g in s.graphs:
        spec += [
            (dataset, VOID + "subset", g.iri),
            (g.iri, RDF + "type", VOID + "Dataset"),
            (g.iri, VOID + "sparqlEndpoint", endpoint),
            (g.iri, VOID + "triples", _lit(g.triples)),
            (g.iri, VOID + "classes", _lit(len(g.classes))),
            (g.iri, VOID + "properties", _lit(g.properties)),
            (g.iri, VOID + "distinctSubjects", _lit(g.subjects)),
            (g.iri, VOID + "distinctObjects", _lit(g.objects)),
        ]
        for cls, n in sorted(g.classes.items()):
            part = f"{document}#class-{_tag(g.iri, cls)}"
            spec += [
                (g.iri, VOID + "classPartition", part),
                (part, VOID + "class", cls),
                (part, VOID + "entities", _lit(n)),
            ]
        for prop, n in sorted(g.property_triples.items()):
            part = f"{document}#property-{_tag(g.iri, prop)}"
            spec += [
                (g.iri, VOID + "propertyPartition", part),
                (part, VOID + "property", prop),
                (part, VOID + "triples", _lit(n)),
            ]
    return _triples(spec)


def negotiate(*, allow_html: bool, allow_format_param: bool) -> str | None:
    """``ttl``/``nt``/``rdfxml``/``jsonld``/``html``, or None when nothing fits.

    A request without ``Accept`` (or with only ``*/*``) gets Turtle; a browser, which
    lists ``text/html`` above ``*/*``, gets HTML where there is a page.
    """
    if allow_format_param and request.args.get("format"):
        name = request.args["format"].strip().lower()
        name = FORMAT_NAMES.get(name, RDF_MEDIA.get(name, name))
        return name if name in RDF_FORMATS or (allow_html and name == "html") else None
    accept = accepted_mimetypes()
    if not accept:
        return "ttl"
    offered = list(RDF_MEDIA) + (list(HTML_MEDIA) if allow_html else [])
    best = accept.best_match(offered, default=None)
    if best is None:
        return None
    return "html" if best in HTML_MEDIA else RDF_MEDIA[best]


def _rdf_response(triples: list[ox.Triple], fmt: str) -> Response:
    rdf_format, media = RDF_FORMATS[fmt]
    body = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
    response = Response(body)
    response.headers["Content-Type"] = media
    response.vary.add("Accept")
    return response


def _not_acceptable() -> Response:
    return Response(
        "none of the Accept media types fits: offered text/turtle, application/n-triples, "
        "application/rdf+xml, application/ld+json\n",
        status=406,
        mimetype="text/plain",
    )


def description_response() -> Response | str:
    """``GET /sparql`` without a query: the form for browsers, else the SD in RDF."""
    fmt = negotiate(allow_html=True, allow_format_param=False)
    if fmt is None:
        return _not_acceptable()
    if fmt == "html":
        response = Response(render_template("sparql.html", limits=limits_comment()))
        response.vary.add("Accept")
        return response
    return _rdf_response(service_description(request.base_url), fmt)


@bp.get("/.well-known/void")
def void() -> Response:
    fmt = negotiate(allow_html=False, allow_format_param=True)
    if fmt is None:
        return _not_acceptable()
    endpoint = url_for("sparql.endpoint", _external=True)
    return _rdf_response(void_description(request.base_url, endpoint), fmt)

"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``, on the admin blueprint.

Indirect identification (``/store?graph=IRI``, ``/store?default``, or neither for the
whole dataset) and direct identification (``/store/<path>``: the request URL is the
graph IRI). The bearer-token check of :mod:`devgraph.web.admin` guards every route here.

Every write is one atomic change through a hidden staging graph; a graph written here
loses the loader's provenance record (it no longer matches its file), and the loader's
own graphs are refused as targets (403).
"""

from __future__ import annotations

import io
import re
import uuid

import pyoxigraph as ox
from flask import Response, current_app, request

from devgraph.namespaces import BASE, META_GRAPH, SPDX, STAGING_GRAPH
from devgraph.store import StoreError
from devgraph.web import accepted_mimetypes, get_store
from devgraph.web.admin import _check_iri, _error, _refresh, bp

GRAPH_MEDIA = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
"""What ``GET /store?graph=`` can answer, best first for ``*/*``."""
DATASET_MEDIA = {
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def _forget_provenance(graph: str) -> str:
    """Update text removing a graph's loader record (the graph no longer matches its file)."""
    return (
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{SPDX}checksum> ?c . ?c ?cp ?co }} }}"
        " ;\n"
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}"
    )


def _target() -> tuple[str, str | None] | Response:
    """('graph', iri), ('default', None) or ('dataset', None) from ``?graph=``/``?default``."""
    graphs = request.args.getlist("graph")
    if graphs and "default" in request.args:
        return _error(400, "give either ?graph=IRI or ?default, not both")
    if len(graphs) > 1:
        return _error(400, "exactly one 'graph' parameter is allowed")
    if graphs:
        iri = _check_iri(graphs[0])
        return iri if isinstance(iri, Response) else ("graph", iri)
    if "default" in request.args:
        return ("default", None)
    return ("dataset", None)


def _exists(graph: str) -> bool:
    rows = get_store().query(
        "SELECT ?g WHERE { GRAPH ?g { } }", bindings={"g": ox.NamedNode(graph)}
    )
    return bool(list(rows))  # type: ignore[arg-type]


def _protected(graph: str | None) -> Response | None:
    if graph == META_GRAPH or (graph or "").startswith(STAGING_GRAPH):
        return _error(
            403, f"<{graph}> is kept by devgraph itself (load provenance): it is read-only"
        )
    return None


def _payload_format(mimetype: str, *, dataset: bool = False) -> ox.RdfFormat | Response:
    fmt = ox.RdfFormat.from_media_type(mimetype) if mimetype else None
    if fmt is None or (dataset and not fmt.supports_datasets):
        known = ", ".join(DATASET_MEDIA if dataset else GRAPH_MEDIA)
        return _error(415, f"unsupported media type {mimetype or '(none)'} (accepted: {known})")
    return fmt


_ENTITY = re.compile(rb"<!ENTITY|<\x00!\x00E\x00N\x00T\x00I\x00T\x00Y|\x00<\x00!\x00E\x00N\x00T")


def _parse(data: bytes, fmt: ox.RdfFormat, base: str) -> list[ox.Quad] | Response:
    """Every quad of the payload, or a 400 naming line and column; the store is untouched.

    RDF/XML declaring entities is refused before parsing: pyoxigraph expands internal
    entities, so a "billion laughs" payload would take gigabytes (tests/hostile).
    """
    if fmt == ox.RdfFormat.RDF_XML and _ENTITY.search(data):
        return _error(400, "RDF/XML with entity declarations is refused (entity expansion)")
    try:
        return list(ox.parse(data, format=fmt, base_iri=base, rename_blank_nodes=True))
    except (SyntaxError, ValueError) as exc:
        return _error(400, f"cannot parse the {fmt.name} payload, nothing changed: {exc}")


def _payload(base: str) -> list[ox.Quad] | Response:
    """The request body, or every part of a ``multipart/form-data`` body, parsed."""
    if request.mimetype == "multipart/form-data":
        quads: list[ox.Quad] = []
        for part in request.files.values():
            fmt = _payload_format(part.mimetype)
            if isinstance(fmt, Response) and part.filename and "." in part.filename:
                fmt = ox.RdfFormat.from_extension(part.filename.rsplit(".", 1)[1]) or fmt
            if isinstance(fmt, Response):
                return fmt
            parsed = _parse(part.read(), fmt, base)
            if isinstance(parsed, Response):
                return parsed
            quads += parsed
        return quads
    fmt = _payload_format(request.mimetype)
    if isinstance(fmt, Response):
        return fmt
    return _parse(request.get_data(), fmt, base)


def _write(graphs: dict[str | None, list[ox.Triple]], *, replace: bool) -> None:
    """Add to (or replace) graphs — None is the default graph — as one atomic change.

    Each payload first goes to a hidden staging graph through ``replace_graphs``; its
    closing update then moves every staging graph into place and forgets the loader's
    provenance of each named graph written.
    """
    staged = {g: f"{STAGING_GRAPH}{uuid.uuid4().hex}" for g in graphs}
    ops = []
    for g, tmp in staged.items():
        dest = "DEFAULT" if g is None else f"GRAPH <{g}>"
        if replace:
            ops.append("CLEAR SILENT DEFAULT" if g is None else f"DROP SILENT GRAPH <{g}>")
        if g is not None:
            ops += [f"CREATE SILENT GRAPH <{g}>", _forget_provenance(g)]
        ops += [f"ADD SILENT GRAPH <{tmp}> TO {dest}", f"DROP SILENT GRAPH <{tmp}>"]
    get_store().replace_graphs({tmp: graphs[g] for g, tmp in staged.items()}, then=" ;\n".join(ops))


def _triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def _get(kind: str, graph: str | None) -> Response:
    store = get_store()
    table = DATASET_MEDIA if kind == "dataset" else GRAPH_MEDIA
    best = accepted_mimetypes().best_match(list(table), default=None)
    if not accepted_mimetypes():
        best = next(iter(table))
    if best is None:
        return _error(406, f"none of the Accept media types is available ({', '.join(table)})")
    fmt = table[best]
    out = io.BytesIO()
    if kind == "dataset":
        store.dump(out, format="trig" if fmt == ox.RdfFormat.TRIG else "nquads")
    else:
        if graph is not None and not _exists(graph):
            return _error(404, f"no graph <{graph}> in this store")
        if graph is None:
            result = store.query("CONSTRUCT WHERE { ?s ?p ?o }", union_default_graph=False)
        else:
            result = store.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                bindings={"g": ox.NamedNode(graph)},
            )
        ox.serialize(list(result), out, fmt)  # type: ignore[arg-type]
    media = best + ("; charset=utf-8" if best.startswith("text/") else "")
    response = Response(out.getvalue(), headers={"Content-Type": media})
    response.vary.add("Accept")
    return response


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    """Graph Store Protocol with indirect identification (``?graph=IRI`` or ``?default``)."""
    target = _target()
    if isinstance(target, Response):
        return target
    return _graph_store(*target)


@bp.route("/store/<path:_rest>", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store_direct(_rest: str) -> Response:
    """Direct identification: the request URL (without query string) is the graph IRI."""
    if request.args:
        return _error(400, "a directly identified graph takes no ?graph= or ?default")
    iri = _check_iri(request.base_url)
    return iri if isinstance(iri, Response) else _graph_store("graph", iri)


def _graph_store(kind: str, graph: str | None) -> Response:
    if request.method in ("GET", "HEAD"):
        return _get(kind, graph)
    refused = _protected(graph)
    if refused:
        return refused
    if request.method == "DELETE":
        return _delete(kind, graph)
    base = graph or request.base_url
    quads = _payload(base)
    if isinstance(quads, Response):
        return quads
    if kind == "dataset":
        return _post_dataset(quads)
    existed = graph is None or _exists(graph)
    try:
        _write({graph: _triples(quads)}, replace=request.method == "PUT")
    except StoreError as exc:
        return _error(400, str(exc))
    _refresh()
    return Response(status=204 if existed else 201)


def _delete(kind: str, graph: str | None) -> Response:
    store = get_store()
    if kind == "dataset":
        return _error(400, "DELETE needs ?graph=IRI or ?default (the whole dataset is kept)")
    if graph is None:
        store.update("CLEAR SILENT DEFAULT")
    else:
        if not _exists(graph):
            return _error(404, f"no graph <{graph}> in this store")
        store.update(f"DROP SILENT GRAPH <{graph}> ;\n{_forget_provenance(graph)}")
    _refresh()
    return Response(status=204)


def _post_dataset(quads: list[ox.Quad]) -> Response:
    """POST without a target: quads go to their graphs; plain triples make a new graph (201)."""
    fmt = ox.RdfFormat.from_media_type(request.mimetype or "")
    if fmt is not None and fmt.supports_datasets:
        graphs: dict[str | None, list[ox.Triple]] = {}
        for q in quads:
            name = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            graphs.setdefault(name, []).append(ox.Triple(q.subject, q.predicate, q.object))
        for g in graphs:
            refused = _protected(g)
            if refused:
                return refused
        _write(graphs, replace=False)
        _refresh()
        return Response(status=204)
    base = current_app.config.get("BASE_IRI") or BASE
    new = f"{base.rstrip('/')}/graph/store/{uuid.uuid4().hex}"
    _write({new: _triples(quads)}, replace=True)
    _refresh()
    return Response(status=201, headers={"Location": new})

"""Admin writes: SPARQL 1.1 Update at ``/update`` and the Graph Store Protocol at ``/store``.

Both exist only for a bearer of ``ADMIN_TOKEN`` (``DEVGRAPH_ADMIN_TOKEN``): without a
configured token every request answers 403 (writes disabled); without credentials 401
with ``WWW-Authenticate: Bearer``; with a wrong token 403. The public ``/sparql``
endpoint stays read-only whatever is configured.

The loader's provenance graph (``graph:meta``) is refused as a write target (403), so
it only ever says what the loader did; a graph written through ``/store`` loses its
provenance record in the same atomic step (it no longer matches its file, and
``devgraph load`` will load the file again), and an update that empties a loaded graph
loses it just after.
"""

from __future__ import annotations

import hmac
import io
import re
import uuid
from collections.abc import Iterator

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from devgraph.namespaces import BASE, META_GRAPH, SPDX, STAGING_GRAPH
from devgraph.store import QueryError, StoreError
from devgraph.web import accepted_mimetypes, get_store

bp = Blueprint("admin", __name__)

REALM = 'Bearer realm="devgraph"'
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
ADMIN_MAX_CONTENT_LENGTH = 1_000_000_000
"""Default body limit for authorised writes (config ``ADMIN_MAX_CONTENT_LENGTH``)."""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


@bp.before_request
def authorise() -> Response | None:
    """Bearer-token check for every admin route (CORS preflights pass: they carry no token)."""
    if request.method == "OPTIONS":
        return None
    token = current_app.config.get("ADMIN_TOKEN")
    if not token:
        return _error(
            403, "writes are disabled on this server: set DEVGRAPH_ADMIN_TOKEN to enable them"
        )
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        response = _error(401, "admin credentials required: Authorization: Bearer <token>")
        response.headers["WWW-Authenticate"] = REALM
        return response
    if not hmac.compare_digest(given.strip().encode(), str(token).encode()):
        return _error(403, "wrong admin token")
    # Bulk loads are the point of /store: the admin gets its own (larger) body limits.
    limit = current_app.config.get("ADMIN_MAX_CONTENT_LENGTH", ADMIN_MAX_CONTENT_LENGTH)
    request.max_content_length = limit
    request.max_form_memory_size = limit
    return None


def _refresh() -> None:
    """Tell the query worker pool (when there is one) that the data changed."""
    executor = current_app.extensions.get("devgraph.executor")
    if executor is not None:
        executor.refresh()


def _forget_provenance(graph: str) -> str:
    """Update text removing a graph's loader record (the graph no longer matches its file)."""
    return (
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{SPDX}checksum> ?c . ?c ?cp ?co }} }}"
        " ;\n"
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}"
    )


FORGET_EMPTIED = f"""DELETE {{ GRAPH <{META_GRAPH}> {{ ?g ?p ?o . ?c ?cp ?co }} }}
WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SPDX}checksum> ?c . ?g ?p ?o . ?c ?cp ?co }}
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?x ?y }} }} }}"""
"""Drop the provenance of loaded graphs that an update emptied or dropped."""


# ---- SPARQL 1.1 Update -----------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<open>\{)|(?P<close>\})
    |(?P<word>[?$]?[A-Za-z_][\w.-]*(?::[\w.%-]*)?|:[\w.%-]*)
    |(?P<other>.)""",
    re.S | re.X,
)


def _tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(kind, text, start, brace depth) for each token, strings and IRIs kept whole."""
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "close":
            depth -= 1
        if kind not in ("comment",) and not (kind == "other" and m.group().isspace()):
            yield kind, m.group(), m.start(), depth
        if kind == "open":
            depth += 1


def names_graph(text: str, iri: str) -> bool:
    """Whether update text mentions ``iri``, written ``<…>`` or as a prefixed name.

    A guard against mistakes by a trusted admin, not a sandbox: it does not resolve
    relative IRIs against BASE or escapes in names.
    """
    prefixes: dict[str, str] = {}
    toks = list(_tokens(text))
    for i, (kind, value, _, _) in enumerate(toks):
        if kind == "word" and value.upper() == "PREFIX" and i + 2 < len(toks):
            name, target = toks[i + 1][1], toks[i + 2][1]
            if name.endswith(":") and toks[i + 2][0] == "iri":
                prefixes[name[:-1]] = target[1:-1]
        elif kind == "iri" and value[1:-1] == iri:
            return True
        elif kind == "word" and ":" in value and not value.startswith(("?", "$")):
            prefix, _, local = value.partition(":")
            if prefix in prefixes and prefixes[prefix] + local == iri:
                return True
    return False


def with_dataset(text: str, default: list[str], named: list[str]) -> str:
    """Apply ``using-graph-uri``/``using-named-graph-uri`` as USING clauses (Update §3.1.3).

    Inserted before the WHERE of every DELETE/INSERT operation; ``DELETE WHERE`` has no
    dataset clause and is left as it is.
    """
    clause = "".join(f"USING <{g}> " for g in default) + "".join(
        f"USING NAMED <{g}> " for g in named
    )
    out, last = [], 0
    previous = ""
    for kind, value, start, depth in _tokens(text):
        if depth == 0 and kind == "word" and value.upper() == "WHERE" and previous != "DELETE":
            out += [text[last:start], clause]
            last = start
        previous = value.upper() if kind == "word" else value
    out.append(text[last:])
    return "".join(out)


def _top_level_words(text: str) -> set[str]:
    return {v.upper() for k, v, _, d in _tokens(text) if k == "word" and d == 0}


def _update_text() -> str | Response:
    """The update string from a form-encoded or direct POST (Protocol §2.2)."""
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        values = request.form.getlist("update")
        if len(values) != 1:
            return _error(400, "exactly one 'update' parameter is required")
        return values[0]
    if mimetype == "application/sparql-update":
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            return _error(415, f"updates must be sent as UTF-8, not {charset}")
        try:
            return request.get_data().decode("utf-8")
        except UnicodeDecodeError as exc:
            return _error(400, f"the update is not valid UTF-8: {exc}")
    return _error(
        415,
        f"unsupported media type {mimetype or '(none)'}: send "
        "application/x-www-form-urlencoded (update=…) or application/sparql-update",
    )


def _graph_params(name: str) -> list[str] | Response:
    values = request.args.getlist(name) + (
        request.form.getlist(name)
        if request.mimetype == "application/x-www-form-urlencoded"
        else []
    )
    for v in values:
        checked = _check_iri(v)
        if isinstance(checked, Response):
            return checked
    return values


_ONLY_SILENT_LOADS = re.compile(
    r"(?:\s*(?:BASE\s*<[^<>\s]*>|PREFIX\s+[\w.-]*:\s*<[^<>\s]*>))*"
    r"\s*(?:LOAD\s+SILENT\s+<[^<>\s]*>(?:\s+INTO\s+GRAPH\s+<[^<>\s]*>)?\s*;?\s*)+",
    re.IGNORECASE,
)


def _syntax_error(text: str) -> str | None:
    """Parse an update without running it (rdflib's parser): LOAD must never be executed,
    yet a malformed update that mentions LOAD still deserves its 400."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except ParseException as exc:
        return f"SPARQL Update syntax error: {exc}"
    return None


@bp.post("/update")
def update() -> Response:
    """Run a SPARQL 1.1 Update: 204 when done, 400 with the parser's message otherwise."""
    text = _update_text()
    if isinstance(text, Response):
        return text
    default = _graph_params("using-graph-uri")
    named = _graph_params("using-named-graph-uri")
    if isinstance(default, Response):
        return default
    if isinstance(named, Response):
        return named
    words = _top_level_words(text)
    if default or named:
        if words & {"USING", "WITH"}:
            return _error(
                400, "using-graph-uri/using-named-graph-uri conflict with a USING or WITH clause"
            )
        text = with_dataset(text, default, named)
    if "LOAD" in words:
        problem = _syntax_error(text)
        if problem:
            return _error(400, problem)
        if _ONLY_SILENT_LOADS.fullmatch(text):
            return Response(status=204)  # LOAD SILENT always succeeds; nothing is fetched
        return _error(
            501, "LOAD is not implemented (nothing is fetched at run time): POST data to /store"
        )
    if names_graph(text, META_GRAPH):
        return _error(403, f"<{META_GRAPH}> is the loader's provenance graph: it is read-only")
    base = f"BASE <{request.base_url}> "
    try:
        get_store().update(base + text)
    except QueryError as exc:
        # Report positions in the client's text, not in ours with the BASE prepended.
        message = re.sub(
            r"\b1:(\d+)", lambda m: f"1:{max(1, int(m.group(1)) - len(base))}", str(exc)
        )
        return _error(400, message)
    except (RuntimeError, ValueError, StoreError) as exc:
        # Well-formed but not executable here (e.g. DROP of a graph that does not exist):
        # a conflict with the store's state, not a malformed request.
        return _error(409, f"the update failed, nothing changed: {exc}")
    get_store().update(FORGET_EMPTIED)
    _refresh()
    return Response(status=204)


# ---- SPARQL 1.1 Graph Store HTTP Protocol ----------------------------------------------


def _check_iri(value: str) -> str | Response:
    """An absolute IRI usable between ``<…>``, or a 400."""
    try:
        node = ox.NamedNode(value)
    except ValueError:
        return _error(400, f"not a valid IRI: {value!r}")
    if not _SCHEME.match(node.value):
        return _error(400, f"the graph IRI must be absolute: {value!r}")
    return node.value


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


def _parse(data: bytes, fmt: ox.RdfFormat, base: str) -> list[ox.Quad] | Response:
    """Every quad of the payload, or a 400 naming line and column; the store is untouched."""
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

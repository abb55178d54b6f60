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

This module holds the blueprint, the token check and ``/update``; the ``/store`` routes
live in :mod:`devgraph.web.graphstore`, imported at the end so they join this blueprint.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from devgraph.namespaces import META_GRAPH, SPDX
from devgraph.store import QueryError, StoreError
from devgraph.web import get_store

bp = Blueprint("admin", __name__)

REALM = 'Bearer realm="devgraph"'
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


def _check_iri(value: str) -> str | Response:
    """An absolute IRI usable between ``<…>``, or a 400."""
    try:
        node = ox.NamedNode(value)
    except ValueError:
        return _error(400, f"not a valid IRI: {value!r}")
    if not _SCHEME.match(node.value):
        return _error(400, f"the graph IRI must be absolute: {value!r}")
    return node.value


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


# The Graph Store Protocol routes register themselves on ``bp``.
from devgraph.web import graphstore  # noqa: E402, F401

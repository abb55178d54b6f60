"""The named queries (``queries/*.rq``) as pages: a list, a form per query, results, downloads.

Like datasette's canned queries: ``/queries`` lists every query with its title and
description; ``/queries/<name>`` shows a form built from the ``#+ param`` header lines,
runs the query once every parameter has a value (values are bound as RDF terms by
:func:`devgraph.queries.run_query`, never pasted into the text) and shows the rows as a
table, with the same result as CSV, TSV or SPARQL JSON (``?format=csv``). ``.json`` twins
give the list and the rows as plain data.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from devgraph import describe, queries, results
from devgraph.report import compact
from devgraph.store import QueryError, StoreError
from devgraph.web import get_store
from devgraph.web.browse import page_url

bp = Blueprint("queries", __name__)
DOWNLOADS = {"solutions": ("csv", "tsv", "json"), "graph": ("ttl", "nt", "jsonld"), "boolean": ()}
EXTENSIONS = {
    "json": "srj",
    "jsonld": "jsonld",
    "ttl": "ttl",
    "nt": "nt",
    "csv": "csv",
    "tsv": "tsv",
}


def _summary(q: queries.NamedQuery) -> dict[str, Any]:
    """List keys: ``name``, ``title``, ``description``, ``form``, ``params`` (names)."""
    return {
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "form": q.form,
        "params": [p.name for p in q.params],
    }


@bp.get("/queries")
def index() -> str:
    return render_template(
        "queries.html",
        queries=[_summary(q) for q in queries.list_queries()],
        json_url=url_for("queries.index_json"),
    )


@bp.get("/queries.json")
def index_json() -> Response:
    return jsonify({"queries": [_summary(q) for q in queries.list_queries()]})


def _find(name: str) -> queries.NamedQuery:
    """Only names from ``queries/`` (never a path): anything else is a 404."""
    if "/" in name or "\\" in name or name.endswith(".rq"):
        abort(404)
    try:
        return queries.get_query(name)
    except QueryError:
        abort(404, description=f"no named query {name!r}")


def _cell(term: object) -> dict[str, Any]:
    """A result term for the page: its text, language tag, and a link when this server
    describes it (literals lose the ``@lang`` suffix; the tag goes in ``lang``)."""
    if isinstance(term, ox.Literal):
        return {"text": term.value, "value": term.value, "lang": term.language, "href": None}
    if isinstance(term, ox.NamedNode):
        href = page_url(term.value)
        return {"text": compact(term.value), "value": term.value, "lang": None, "href": href}
    text = results.term_text(term)
    return {"text": text, "value": text, "lang": None, "href": None}


def _run(q: queries.NamedQuery) -> dict[str, Any]:
    """Run ``q`` when every parameter has a value; the page's data with stable keys:
    ``name``, ``title``, ``description``, ``form``, ``params`` (name, description, value),
    ``ran``, ``error``, ``kind``, ``variables``, ``rows`` (full IRIs, literal text), ``boolean``."""
    values = {p.name: request.args.get(p.name, "").strip() for p in q.params}
    data: dict[str, Any] = {
        **_summary(q),
        "params": [
            {"name": p.name, "description": p.description, "value": values[p.name]}
            for p in q.params
        ],
        "ran": False,
        "error": None,
        "kind": None,
        "variables": [],
        "rows": [],
        "boolean": None,
    }
    if not all(values.values()):
        return data
    try:
        result = queries.run_query(get_store(), q, values)
        kind = results.kind(result)
        data.update(ran=True, kind=kind)
        if kind == "boolean":
            data["boolean"] = bool(result)
        elif kind == "solutions":
            names = [v.value for v in result.variables]  # type: ignore[union-attr]
            data["variables"] = names
            data["cells"] = [[_cell(row[n]) for n in names] for row in result]  # type: ignore[union-attr]
        else:
            data["variables"] = ["subject", "predicate", "object"]
            data["cells"] = [
                [_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in result
            ]  # type: ignore[union-attr]
        data["rows"] = [[c["value"] for c in row] for row in data.get("cells", [])]
    except StoreError as exc:
        data["error"] = str(exc)
    return data


@bp.get("/queries/<name>")
def query(name: str) -> Response | str:
    q = _find(name)
    fmt = request.args.get("format", "").strip().lower()
    if fmt:
        return _download(q, fmt)
    data = _run(q)
    args = {p["name"]: p["value"] for p in data["params"] if p["value"]}
    downloads = [
        (f, url_for("queries.query", name=q.name, format=f, **args))
        for f in DOWNLOADS.get(data["kind"] or "", ())
    ]
    status = 400 if data["error"] else 200
    page = render_template(
        "query.html",
        q=data,
        text=q.text,
        downloads=downloads,
        json_url=url_for("queries.query_json", name=q.name, **args),
    )
    return Response(page, status=status, mimetype="text/html")


@bp.get("/queries/<name>.json")
def query_json(name: str) -> Response:
    data = _run(_find(name))
    data.pop("cells", None)
    response = jsonify(data)
    if data["error"]:
        response.status_code = 400
    return response


def _download(q: queries.NamedQuery, fmt: str) -> Response:
    values = {p.name: request.args.get(p.name, "").strip() for p in q.params}
    missing = [k for k, v in values.items() if not v]
    if missing:
        return Response(f"missing parameter(s): {', '.join(missing)}\n", 400, mimetype="text/plain")
    try:
        body, media = results.serialize(queries.run_query(get_store(), q, values), fmt)
    except StoreError as exc:
        return Response(f"{exc}\n", 400, mimetype="text/plain")
    response = Response(body, mimetype=media.split(";")[0])
    if "charset" in media:
        response.charset = "utf-8"
    ext = EXTENSIONS.get(fmt, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{q.name}.{ext}"'
    return response


@bp.app_template_global()
def sparql_examples() -> list[dict[str, str]]:
    """Named queries the SPARQL editor offers as examples: ``name``, ``title``, ``text``."""
    return [
        {"name": q.name, "title": q.title, "text": q.text.strip()} for q in queries.list_queries()
    ]


@bp.app_template_global()
def sparql_prefixes() -> str:
    """PREFIX lines for every namespace devgraph shares (under this server's base IRI)."""
    base = current_app.config.get("BASE_IRI")
    table = describe.prefixes_for(base) if base else describe.prefixes_for()
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in table.items())

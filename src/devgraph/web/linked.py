"""Linked data: every IRI devgraph mints dereferences here, plus the JSON-LD ``@context``.

The IRI looked up is ``BASE_IRI`` + the request path, so ``GET /id/activity/kimalakan``
describes ``https://w3id.org/devgraph/id/activity/kimalakan`` (or the same path under a
deployment's own ``DEVGRAPH_BASE_IRI``). Representations are chosen by direct content
negotiation — a 200 with ``Vary: Accept`` and a ``Content-Location`` naming the
format-specific document (``….ttl``) — rather than 303 redirects: one round trip, and
clients that do not follow redirects (or drop ``Accept`` on the second request) still
get data. ``?format=`` and a file extension override ``Accept``. Hash IRIs
(``ontology#Activity``) resolve to the document ``/ontology``, which describes every term.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from devgraph import describe as dsc
from devgraph.namespaces import BASE, RDF, XSD
from devgraph.store import StoreError
from devgraph.web import accepted_mimetypes, get_store

bp = Blueprint("linked", __name__)

MEDIA: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
"""Formats of a resource and their media types; the keys are also the file extensions."""
ACCEPTED: dict[str, str] = {
    "text/turtle": "ttl",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}
"""Accept media types, in preference order for ties: ``*/*`` alone gets Turtle."""
ALIASES = {
    "turtle": "ttl",
    "json-ld": "jsonld",
    "json": "jsonld",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "rdf",
    "xml": "rdf",
    "htm": "html",
}
LABELS = {
    "ttl": "Turtle",
    "jsonld": "JSON-LD",
    "nt": "N-Triples",
    "rdf": "RDF/XML",
    "html": "HTML",
}
_IRI_SAFE = "/:@!$&'()*+,;=-._~%"
"""Characters kept as they are when re-encoding the decoded request path into an IRI."""


def base_iri() -> str:
    """The configured base IRI, always ending with ``/``."""
    base = current_app.config.get("BASE_IRI") or BASE
    return base if base.endswith("/") else base + "/"


def local_href(iri: str) -> str | None:
    """This server's URL for an IRI it mints; None for any other IRI."""
    base = base_iri()
    if iri.startswith(base):
        return request.script_root + "/" + iri[len(base) :]
    return None


def _lookup(iri: str) -> list[dsc.Description]:
    store = get_store()
    if iri == base_iri() + "ontology":
        return dsc.describe_ontology(store, iri, namespace=iri + "#")
    return [dsc.describe(store, iri)]


def _error(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def _negotiate(forced: str | None) -> str | Response:
    """The format: ``?format=`` first, then an extension (``forced``), then ``Accept``."""
    asked = request.args.get("format")
    if asked:
        fmt = ALIASES.get(asked.lower(), asked.lower())
        if fmt not in MEDIA:
            return _error(400, f"unknown format {asked!r} (known: {', '.join(MEDIA)})")
        return fmt
    if forced:
        return forced
    if not accepted_mimetypes():
        return "ttl"
    best = accepted_mimetypes().best_match(list(ACCEPTED), default=None)
    if best is None:
        known = ", ".join(sorted(set(ACCEPTED)))
        return _error(406, f"none of the Accept media types is available (offered: {known})")
    return ACCEPTED[best]


@bp.get("/id/<path:rest>")
@bp.get("/codelist/<path:rest>")
@bp.get("/graph/<path:rest>")
@bp.get("/ontology/<path:rest>")
@bp.get("/ontology", defaults={"rest": ""})
@bp.get("/ontology.<rest>")
def resource(rest: str) -> Response | str:
    """Describe ``BASE_IRI + path``; with a known extension, describe the path without it."""
    path = quote(request.path.lstrip("/"), safe=_IRI_SAFE)
    iri, ext_format = base_iri() + path, None
    try:
        found = _lookup(iri)
        if not any(d.found for d in found):
            stem, dot, ext = path.rpartition(".")
            if dot and ext in MEDIA and "/" not in ext:
                alt = _lookup(base_iri() + stem)
                if any(d.found for d in alt):
                    iri, ext_format, found, path = base_iri() + stem, ext, alt, stem
    except StoreError as exc:
        return _error(400, str(exc))
    fmt = _negotiate(ext_format)
    if isinstance(fmt, Response):
        return fmt
    if not any(d.found for d in found):
        return _not_found(iri, fmt)
    doc = request.script_root + "/" + path
    if fmt == "html":
        response = Response(render_template("resource.html", **_page(iri, found, doc)))
    else:
        triples = [t for d in found for t in d.triples()]
        response = Response(_serialize(triples, fmt))
    response.headers["Content-Type"] = MEDIA[fmt]
    response.headers["Content-Location"] = f"{doc}.{fmt}"
    response.headers["Link"] = ", ".join(
        f'<{doc}.{f}>; rel="alternate"; type="{MEDIA[f].split(";")[0]}"' for f in MEDIA
    )
    if ext_format is None and "format" not in request.args:
        response.vary.add("Accept")
    return response


def _serialize(triples: list[ox.Triple], fmt: str) -> bytes:
    if fmt == "jsonld":
        return dsc.to_jsonld(
            triples,
            context=dsc.jsonld_context(base_iri()),
            context_url=url_for("linked.context", _external=True),
        )
    return dsc.serialize(triples, fmt, prefixes=dsc.prefixes_for(base_iri()))


def _not_found(iri: str, fmt: str) -> Response:
    """A 404 that says what was looked up and where to go instead."""
    if fmt == "html":
        html = render_template("resource.html", missing=iri, resources=[], formats=[])
        return Response(html, status=404, mimetype="text/html")
    return _error(
        404,
        f"No triples about <{iri}> in this store.\n"
        f"Browse {request.url_root} or query {request.url_root}sparql",
    )


@bp.get("/context.jsonld")
def context() -> Response:
    """The published JSON-LD context: stable URL, JSON-LD media type, readable from any origin."""
    response = jsonify({"@context": dsc.jsonld_context(base_iri())})
    response.mimetype = "application/ld+json"
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# ---- the HTML page's view model -------------------------------------------------------


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    name = next(p for p, ns in prefixes.items() if ns == best)
    return f"{name}:{iri[len(best) :]}"


def _term(term: Any, labels: dict[str, str], prefixes: dict[str, str]) -> dict[str, Any]:
    """What the template needs to show one term; links only to http(s) IRIs."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        href = local_href(iri) or (iri if iri.startswith(("http://", "https://")) else None)
        return {"kind": "iri", "text": labels.get(iri) or _curie(iri, prefixes), "iri": iri,
                "href": href, "curie": _curie(iri, prefixes)}  # fmt: skip
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "text": f"_:{term.value}", "href": f"#b-{term.value}"}
    datatype = term.datatype.value
    shown = None if datatype in (XSD + "string", RDF + "langString") else datatype
    return {"kind": "literal", "text": term.value, "lang": term.language,
            "datatype": _curie(shown, prefixes) if shown else None}  # fmt: skip


def _section(subject: Any, triples: list[ox.Triple], labels: dict, prefixes: dict) -> dict:
    props: dict[str, list] = defaultdict(list)
    types = []
    for t in triples:
        if t.predicate.value == RDF + "type":
            types.append(_term(t.object, labels, prefixes))
        else:
            props[t.predicate.value].append(t.object)
    iri = subject.value
    anchor = f"b-{iri}" if isinstance(subject, ox.BlankNode) else iri.partition("#")[2] or None
    return {
        "subject": _term(subject, labels, prefixes),
        "anchor": anchor,
        "label": labels.get(iri),
        "types": types,
        "properties": [
            (_term(ox.NamedNode(p), labels, prefixes), [_term(v, labels, prefixes) for v in vs])
            for p, vs in sorted(props.items(), key=lambda kv: _curie(kv[0], prefixes))
        ],
    }


def _page(iri: str, found: list[dsc.Description], doc: str) -> dict[str, Any]:
    prefixes = dsc.prefixes_for(base_iri())
    labels: dict[str, str] = {}
    for d in found:
        labels.update(d.labels())
    sections, incoming = [], []
    for d in found:
        by_subject: dict[Any, list[ox.Triple]] = defaultdict(list)
        for t in d.outgoing:
            by_subject[t.subject].append(t)
        sections += [_section(s, ts, labels, prefixes) for s, ts in by_subject.items()]
        if not d.outgoing and d.is_graph:
            sections.append(_section(ox.NamedNode(d.iri), [], labels, prefixes))
        incoming += [
            (_term(t.subject, labels, prefixes), _term(t.predicate, labels, prefixes))
            for t in d.incoming
        ]
    main = found[0]
    graph_query = None
    if main.is_graph:
        graph_query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
    return {
        "iri": iri,
        "title": labels.get(iri) or _curie(iri, prefixes),
        "resources": sections,
        "incoming": sorted(incoming, key=lambda sp: (sp[1]["text"], sp[0]["text"])),
        "incoming_truncated": main.incoming_truncated,
        "incoming_limit": dsc.INCOMING_LIMIT,
        "graph_query": graph_query,
        "formats": [(LABELS[f], f"{doc}.{f}") for f in MEDIA if f != "html"],
    }

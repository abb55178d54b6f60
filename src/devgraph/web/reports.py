"""Two reference pages: the SHACL validation report and the ontology's documentation.

``/validation`` validates the store's data against ``shapes/`` with
:func:`devgraph.validate.validate_store` and shows the findings by severity, by shape and
by activity. Validation takes seconds on a portfolio (pySHACL), so the report is kept and
recomputed only when the store changes (:mod:`devgraph.pages.cache`).

``/docs/ontology`` lists the ``dg:`` classes and properties as the store holds them
(:func:`devgraph.describe.describe_ontology`): English and French labels, definitions and
the IATI XPaths of ``ontology/alignments/iati.ttl``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, url_for

from devgraph import describe
from devgraph.namespaces import DG
from devgraph.pages import cache
from devgraph.pages.labels import labels_for
from devgraph.report import SEVERITIES, ValidationReport, compact
from devgraph.web import get_store
from devgraph.web.browse import page_url
from devgraph.web.i18n import get_locale

bp = Blueprint("reports", __name__)
ONTOLOGY = DG.rstrip("#")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
DOMAIN = "http://www.w3.org/2000/01/rdf-schema#domain"
RANGE = "http://www.w3.org/2000/01/rdf-schema#range"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
IATI_PATH = DG + "iatiPath"
OWL = "http://www.w3.org/2002/07/owl#"
KINDS = {
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
}


def current_report() -> ValidationReport:
    """The store's validation report, shared with the activity pages and recomputed only
    when the store changes (:func:`devgraph.pages.cache.validation`)."""
    return cache.validation(get_store())


def _label(node: str, names: dict[str, str]) -> str:
    """A resource's name; its compact IRI when the graph has none (``act:imaj/budget/1``)."""
    name = names.get(node)
    return name if name and name != node.rsplit("/", 1)[-1] else compact(node)


def _validation_data(report: ValidationReport) -> dict[str, Any]:
    """JSON keys: ``conforms``, ``counts`` (per severity), ``summary`` (per shape and
    severity), ``findings`` (severity, shape, focus_node, path, value, message,
    source_shape), and ``by_activity`` (focus_node, its label, counts per severity)."""
    data = report.to_dict()
    by_focus: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEVERITIES, 0))
    for f in report.findings:
        by_focus[f.focus_node][f.severity] += 1
    names = labels_for(get_store(), [n for n in by_focus if "://" in n], get_locale())
    data["by_activity"] = [
        {"focus_node": node, "label": _label(node, names), "counts": counts}
        for node, counts in sorted(
            by_focus.items(), key=lambda kv: ([-v for v in kv[1].values()], kv[0])
        )
    ]
    return data


@bp.get("/validation")
def validation() -> str:
    data = _validation_data(current_report())
    return render_template(
        "validation.html",
        data=data,
        severities=SEVERITIES,
        compact=compact,
        href=page_url,
        json_url=url_for("reports.validation_json"),
    )


@bp.get("/validation.json")
def validation_json() -> Response:
    return jsonify(_validation_data(current_report()))


def _pick(values: dict[str, str], lang: str) -> str:
    return values.get(lang) or values.get("en") or next(iter(values.values()), "")


def _terms() -> list[dict[str, Any]]:
    """Each ``dg:`` term: ``iri``, ``name``, ``kind``, ``labels`` and ``definitions`` (by
    language), ``iati_paths``, ``domain``, ``range``, ``superclasses`` (compact names)."""
    out = []
    for d in describe.describe_ontology(get_store(), ONTOLOGY):
        if not d.iri.startswith(DG):
            continue
        term: dict[str, Any] = {
            "iri": d.iri,
            "name": "dg:" + d.iri[len(DG) :],
            "kind": None,
            "labels": {},
            "definitions": {},
            "iati_paths": [],
            "domain": [],
            "range": [],
            "superclasses": [],
        }
        for t in d.outgoing:
            p, o = t.predicate.value, t.object
            lang = getattr(o, "language", None) or "en"
            if p == RDF_TYPE and o.value in KINDS:
                term["kind"] = term["kind"] or KINDS[o.value]
            elif p == LABEL:
                term["labels"][lang] = o.value
            elif p == DEFINITION:
                term["definitions"][lang] = o.value
            elif p == IATI_PATH:
                term["iati_paths"].append(o.value)
            elif p in (DOMAIN, RANGE, SUBCLASS) and hasattr(o, "value") and "://" in o.value:
                key = {DOMAIN: "domain", RANGE: "range", SUBCLASS: "superclasses"}[p]
                term[key].append(compact(o.value))
        for key in ("iati_paths", "domain", "range", "superclasses"):
            term[key] = sorted(set(term[key]))
        out.append(term)
    return sorted(out, key=lambda t: (t["kind"] != "class", t["name"].casefold()))


@bp.get("/docs/ontology")
def ontology() -> str:
    terms = _terms()
    lang = get_locale()
    return render_template(
        "ontology_docs.html",
        classes=[t for t in terms if t["kind"] == "class"],
        properties=[t for t in terms if t["kind"] != "class"],
        pick=lambda values: _pick(values, lang),
        json_url=url_for("reports.ontology_json"),
    )


@bp.get("/docs/ontology.json")
def ontology_json() -> Response:
    """``{"ontology": IRI, "terms": [...]}``; each term's keys are listed in :func:`_terms`."""
    return jsonify({"ontology": ONTOLOGY, "terms": _terms()})

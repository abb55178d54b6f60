"""Organisations of the graph → IATI 2.03 organisation files (``iati-organisations``).

Why: the inverse of ``devgraph.iati.organisation.map_organisation``. Organisation budgets
(total, recipient-org, recipient-country, recipient-region budgets and total expenditure)
are ``dg:organisationBudget`` nodes that remember their element in ``dg:iatiPath``; their
``recipient-*`` and ``budget-line`` children come back from the generic records.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from devgraph.export.order import sort_tree
from devgraph.export.parts import (
    Notes,
    code,
    document_links,
    kept,
    kept_languages,
    narratives,
    org_element,
    sub,
)
from devgraph.export.parts import value as value_element
from devgraph.export.plan import resolve_org
from devgraph.export.view import View, data_graphs
from devgraph.iati import xsd
from devgraph.iati.builder import XML_LANG
from devgraph.store import GraphStore

__all__ = ["OrgExport", "export_organisation"]

ROOT = "/iati-organisations/iati-organisation"


@dataclass
class OrgExport:
    org: str
    xml: bytes | None
    notes: Notes = field(default_factory=Notes)
    xsd_errors: list[str] = field(default_factory=list)


def _currency(view: View, budgets: list[str]) -> str | None:
    counts: Counter[str] = Counter()
    for node in budgets:
        cur = code(view.iri(view.iri(node, "value") or "", "currency"))
        if cur:
            counts[cur] += 1
    return counts.most_common(1)[0][0] if counts else None


def organisation_element(view: View, org: str, notes: Notes) -> etree._Element:
    """The ``iati-organisation`` element of ``org`` (children sorted by the schema)."""
    budgets = view.iris(org, "organisationBudget")
    cur = _currency(view, budgets)
    el = etree.Element("iati-organisation")
    langs = kept_languages(view, org)  # kept texts inherited the organisation's xml:lang
    if len(langs) == 1 and (lang := next(iter(langs))):
        el.set(XML_LANG, lang)
    if cur:
        el.set("default-currency", cur)
    ident = view.text(org, "orgIdentifier")
    if ident is None:
        notes.missing.append("organisation-identifier (dg:orgIdentifier)")
    sub(el, "organisation-identifier").text = ident or ""
    names = view.literals(org, "name")
    if not names:
        notes.missing.append("name (dg:name)")
    narratives(sub(el, "name"), names)
    reporter = view.iri(org, "reportingOrganisation") or org
    if (
        view.text(reporter, "orgIdentifier") is None
        or view.iri(reporter, "organisationType") is None
    ):
        notes.missing.append("reporting-org @ref and @type (dg:orgIdentifier, dg:organisationType)")
    org_element(view, el, "reporting-org", reporter)
    for node in budgets:
        path = view.text(node, "iatiPath") or f"{ROOT}/total-budget"
        tag = path.rsplit("/", 1)[-1]
        b = sub(el, tag, status=code(view.iri(node, "budgetStatus")))
        start, end = view.text(node, "periodStart"), view.text(node, "periodEnd")
        if start:
            sub(b, "period-start", iso_date=start)
        if end:
            sub(b, "period-end", iso_date=end)
        value_element(view, b, view.iri(node, "value"), cur, notes, fallback_date=start, where=path)
        kept(view, node, b, path)
    document_links(view, org, el, ROOT)
    kept(view, org, el, ROOT)
    sort_tree(el, ("iati-organisations", "iati-organisation"))
    return el


def export_organisation(
    store: GraphStore,
    org: str,
    *,
    allow_incomplete: bool = False,
    generated: datetime | None = None,
) -> OrgExport:
    """One organisation file for ``org`` (an org identifier, ``dgo:`` IRI or local name)."""
    graphs = data_graphs(store)
    iri = resolve_org(store, graphs, org)
    if iri is None:
        raise LookupError(f"no organisation {org!r} in the store")
    view = View(store, graphs=graphs)
    view.fetch([iri])
    view.fetch(view.iris(iri, "reportingOrganisation"))
    notes = Notes()
    el = organisation_element(view, iri, notes)
    result = OrgExport(iri, None, notes)
    if notes.missing and not allow_incomplete:
        return result
    root = etree.Element("iati-organisations", version="2.03")
    root.set(
        "generated-datetime", (generated or datetime.now(UTC)).replace(microsecond=0).isoformat()
    )
    if notes.missing:
        root.append(etree.Comment(f" devgraph: INCOMPLETE, missing: {'; '.join(notes.missing)} "))
    root.append(el)
    result.xsd_errors = [
        f.message for f in xsd.check(copy.deepcopy(el), "iati-organisations", "2.03", v1=False)
    ]
    result.xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return result

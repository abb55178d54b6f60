"""Organisations: references inside activities, and IATI organisation files.

Why one module: an organisation is minted the same way wherever it is named (reporting-org,
participating-org, provider-org, receiver-org, an organisation file): ``dgo:`` + ``@ref``, else a
publisher-scoped name IRI, flagged in the report because two such IRIs may be one body.
Organisation files have no activity to hang budgets on, so their budgets use
``dg:organisationBudget`` and keep the element they came from in ``dg:iatiPath``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from lxml import etree

from devgraph.iati import iris
from devgraph.iati.builder import XML_LANG, ActivityContext, FileContext, dg, norm_lang
from devgraph.iati.finance import budget_like, document_link

__all__ = ["map_organisation", "org_ref"]

ORG_ROOT = "/iati-organisations/iati-organisation"
ORG_BUDGETS = (
    "total-budget",
    "recipient-org-budget",
    "recipient-region-budget",
    "recipient-country-budget",
    "total-expenditure",
)


def _name(elem: etree._Element) -> str | None:
    for child in elem:
        if child.tag == "narrative" and (child.text or "").strip():
            return child.text.strip()
    text = (elem.text or "").strip()
    return text or None


def org_ref(
    ctx: ActivityContext,
    elem: etree._Element,
    path: str,
    holder: ox.NamedNode,
    *,
    attrs: Iterable[str] = (),
    required: bool = False,
) -> ox.NamedNode | None:
    """The organisation an element names (``@ref``, ``@type``, narratives), with the rest kept.

    ``attrs`` lists further attributes the caller maps itself (``@role``, ``@activity-id``).
    Leftovers (``@crs-channel-code``, ``@secondary-reporter``) describe the mention, not the
    organisation, so they are kept on ``holder`` (the participation, transaction, activity).
    With ``required``, an element naming nobody still gets an IRI under the activity.
    """
    raw = elem.get("ref")
    ref = raw.strip() if raw else ""
    node: ox.NamedNode | None
    if ref:
        if raw != ref:
            ctx.report.warn("trimmed-org-ref", f"{path}/@ref {raw!r} trimmed")
        node = iris.organisation(ref)
        ctx.add(node, dg("orgIdentifier"), ox.Literal(ref))
    elif (name := _name(elem)) is not None:
        node = iris.named_organisation(ctx.publisher, name)
        ctx.report.warn("name-based-org", f"{path}: no @ref, IRI from the name {name!r}")
    elif required:
        node = ctx.node("organisation")
        ctx.report.warn("anonymous-org", f"{path}: neither @ref nor a name")
    else:
        node = None
    if node is not None:
        ctx.typed(node, "Organisation")
        ctx.concept(node, "organisationType", "OrganisationType", elem.get("type"), f"{path}/@type")
        ctx.narratives(elem, node, "name", path)
        ctx.rest(
            elem, holder, path, attrs=("ref", "type", *attrs), children=("narrative",), text=True
        )
    else:
        ctx.rest(elem, holder, path, attrs=attrs)
    return node


def map_organisation(elem: etree._Element, file: FileContext) -> ActivityContext:
    """One ``iati-organisation`` of an organisation file."""
    ident_el = elem.find("organisation-identifier")
    reporting = elem.find("reporting-org")
    raw = ident_el.text if ident_el is not None and ident_el.text else ""
    if not raw and reporting is not None:
        raw = reporting.get("ref") or ""
    ident = raw.strip()
    if ident:
        subject = iris.organisation(ident)
    else:
        n = file.report.organisations + 1
        subject = ox.NamedNode(f"{file.source_doc.value}/organisation/{n}")
        file.report.warn("anonymous-org", f"organisation {n} has no identifier")
    lang = norm_lang(elem.get(XML_LANG)) or file.lang
    ctx = ActivityContext(file, subject, subject.value, v1=False, lang=lang)
    ctx.currency = (elem.get("default-currency") or "").strip() or None
    ctx.publisher = (reporting.get("ref") or "").strip() if reporting is not None else None
    ctx.typed(subject, "Organisation")
    ctx.add(subject, dg("source"), file.source_doc)
    if ident:
        if raw != ident:
            ctx.report.warn("trimmed-identifier", f"organisation-identifier {raw!r} trimmed")
        ctx.add(subject, dg("orgIdentifier"), ox.Literal(ident))
    ctx.rest(elem, subject, ORG_ROOT, attrs=("default-currency",), children=(
        "organisation-identifier", "name", "reporting-org", "document-link", *ORG_BUDGETS
    ))  # fmt: skip
    if ident_el is not None:
        ctx.rest(ident_el, subject, f"{ORG_ROOT}/organisation-identifier", text=True)
    for child in elem:
        tag = child.tag
        path = f"{ORG_ROOT}/{tag}" if isinstance(tag, str) else ""
        if tag == "name":
            ctx.narratives(child, subject, "name", path)
            ctx.rest(child, subject, path, children=("narrative",), text=True)
        elif tag == "reporting-org":
            org = org_ref(ctx, child, path, subject)
            if org is not None:
                ctx.add(subject, dg("reportingOrganisation"), org)
        elif tag in ORG_BUDGETS:
            node = ctx.node("budget")
            ctx.link(subject, "organisationBudget", node, "Budget")
            ctx.add(node, dg("iatiPath"), ox.Literal(path))
            budget_like(ctx, child, node, path)  # recipient-*, budget-line: kept generically
            ctx.report.budgets += 1
        elif tag == "document-link":
            document_link(ctx, child, subject, path)
    ctx.report.organisations += 1
    return ctx

"""Budgets, planned disbursements, transactions, amounts and document links.

Why: money is where publishers and users disagree most, so amounts are kept exactly as
published (``dg:amount`` xsd:decimal of the published digits), with the currency of the value
or else the activity's ``@default-currency``, and the value date. Provider and receiver
activities become activity IRIs even when their activity is not loaded ("phantoms").
"""

from __future__ import annotations

import pyoxigraph as ox
from lxml import etree

from devgraph.iati import iris
from devgraph.iati.builder import ALL, ActivityContext, dg, elements

__all__ = [
    "activity_link",
    "budget",
    "budget_like",
    "document_link",
    "planned_disbursement",
    "transaction",
    "value",
]


def activity_link(
    ctx: ActivityContext, s: ox.NamedNode, prop: str, raw: str | None, path: str
) -> None:
    """A link to an activity by identifier: the IRI its own file mints (maybe not loaded yet)."""
    if raw is None or not raw.strip():
        return
    ident = raw.strip()
    if ident != raw:
        ctx.report.warn("trimmed-identifier", f"{path} {raw!r} trimmed")
    ctx.add(s, dg(prop), iris.activity(ident))


def value(ctx: ActivityContext, elem: etree._Element, owner: ox.NamedNode, path: str) -> None:
    """``value`` → ``dg:value`` → MonetaryAmount (amount, currency, value date)."""
    node = ox.NamedNode(owner.value + "/value")
    ctx.link(owner, "value", node, "MonetaryAmount")
    ctx.decimal(node, "amount", elem.text, path)
    currency = (elem.get("currency") or "").strip() or ctx.currency
    if currency:
        ctx.concept(node, "currency", "Currency", currency, f"{path}/@currency")
    else:
        ctx.report.warn("no-currency", f"{path}: no @currency and no @default-currency")
    ctx.date(node, "valueDate", elem.get("value-date"), f"{path}/@value-date")
    ctx.rest(elem, node, path, attrs=("currency", "value-date"), text=True)


def budget_like(
    ctx: ActivityContext,
    elem: etree._Element,
    node: ox.NamedNode,
    path: str,
    *,
    mapped: tuple[str, ...] = (),
) -> None:
    """What budgets, planned disbursements and organisation budgets share.

    ``mapped`` names children the caller has mapped itself (planned-disbursement's parties).
    """
    ctx.concept(node, "budgetType", "BudgetType", elem.get("type"), f"{path}/@type")
    ctx.concept(node, "budgetStatus", "BudgetStatus", elem.get("status"), f"{path}/@status")
    used = list(mapped)
    for child in elem:
        tag = child.tag
        if tag in ("period-start", "period-end"):
            prop = "periodStart" if tag == "period-start" else "periodEnd"
            here = f"{path}/{tag}"
            ctx.date(node, prop, child.get("iso-date") or child.text, f"{here}/@iso-date")
            ctx.rest(child, node, here, attrs=("iso-date",), text=not child.get("iso-date"))
            used.append(tag)
        elif tag == "value":
            value(ctx, child, node, f"{path}/value")
            used.append(tag)
    ctx.rest(elem, node, path, attrs=("type", "status"), children=used)


def budget(ctx: ActivityContext, elem: etree._Element, path: str) -> None:
    node = ctx.node("budget")
    ctx.link(ctx.subject, "budget", node, "Budget")
    budget_like(ctx, elem, node, path)
    ctx.report.budgets += 1


def _party(
    ctx: ActivityContext, elem: etree._Element, owner: ox.NamedNode, path: str, side: str
) -> None:
    from devgraph.iati.organisation import org_ref

    act_attr = f"{side}-activity-id"
    org = org_ref(ctx, elem, path, owner, attrs=(act_attr,))
    if org is not None:
        ctx.add(owner, dg(f"{side}Organisation"), org)
    activity_link(ctx, owner, f"{side}Activity", elem.get(act_attr), f"{path}/@{act_attr}")


def planned_disbursement(ctx: ActivityContext, elem: etree._Element, path: str) -> None:
    node = ctx.node("planned-disbursement")
    ctx.link(ctx.subject, "plannedDisbursement", node, "PlannedDisbursement")
    for child in elem:
        if child.tag in ("provider-org", "receiver-org"):
            side = "provider" if child.tag == "provider-org" else "receiver"
            _party(ctx, child, node, f"{path}/{child.tag}", side)
    budget_like(ctx, elem, node, path, mapped=("provider-org", "receiver-org"))
    ctx.report.planned_disbursements += 1


def transaction(ctx: ActivityContext, elem: etree._Element, path: str) -> None:
    node = ctx.node("transaction")
    ctx.link(ctx.subject, "transaction", node, "Transaction")
    for child, tag, here in elements(elem, path):
        if tag == "transaction-type":
            ctx.concept(node, "transactionType", "TransactionType", child.get("code"), here)
            ctx.rest(child, node, here, attrs=("code",))
        elif tag == "transaction-date":
            ctx.date(node, "transactionDate", child.get("iso-date"), f"{here}/@iso-date")
            ctx.rest(child, node, here, attrs=("iso-date",))
        elif tag == "value":
            value(ctx, child, node, here)
        elif tag == "description":
            ctx.narratives(child, node, "description", here)
            ctx.rest(child, node, here, children=("narrative",), text=True)
        elif tag in ("provider-org", "receiver-org"):
            _party(ctx, child, node, here, "provider" if tag == "provider-org" else "receiver")
        elif tag == "sector" and (child.get("vocabulary") or "1").strip() == "1":
            ctx.concept(node, "sector", "Sector", child.get("code"), f"{here}/@code")
            ctx.rest(child, node, here, attrs=("code", "vocabulary"))
        else:
            ctx.keep(child, node, path)
    ctx.rest(elem, node, path, children=ALL)
    ctx.report.transactions += 1


def document_link(
    ctx: ActivityContext, elem: etree._Element, owner: ox.NamedNode, path: str
) -> None:
    """``document-link`` → ``dg:documentLink`` → Document (url, title, description)."""
    node = ctx.node("document", owner.value if owner != ctx.subject else None)
    ctx.link(owner, "documentLink", node, "Document")
    ctx.string(node, "url", elem.get("url"))
    used = []
    for child in elem:
        if child.tag in ("title", "description"):
            prop = "title" if child.tag == "title" else "description"
            ctx.narratives(child, node, prop, f"{path}/{child.tag}")
            ctx.rest(child, node, f"{path}/{child.tag}", children=("narrative",), text=True)
            used.append(child.tag)
    ctx.rest(elem, node, path, attrs=("url",), children=used)

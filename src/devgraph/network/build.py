"""Reading the flow graph out of the store: a few SELECTs, one :class:`FlowGraph`.

Kept apart from :mod:`devgraph.network.flows`, which holds the graph's data types and the
rules for role-inferred edges' shape; this module holds the SPARQL and the assembly.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pyoxigraph as ox

from devgraph.namespaces import CODELIST, DG
from devgraph.network.flows import (
    INCOMING,
    MONEY_PARTNERS,
    OUTGOING,
    PARTNER_ROLE,
    ROLE,
    TX_TYPE,
    ActivityLink,
    FlowEdge,
    FlowGraph,
)
from devgraph.store import GraphStore

_ORGS = f"""PREFIX dg: <{DG}>
SELECT ?o ?name ?acronym ?ref WHERE {{
  ?o a dg:Organisation .
  OPTIONAL {{ ?o dg:name ?name }} OPTIONAL {{ ?o dg:acronym ?acronym }}
  OPTIONAL {{ ?o dg:orgIdentifier ?ref }}
}}"""

_ACTIVITIES = f"""PREFIX dg: <{DG}>
SELECT ?a ?id ?title WHERE {{
  ?a a dg:Activity .
  OPTIONAL {{ ?a dg:iatiIdentifier ?id }} OPTIONAL {{ ?a dg:title ?title }}
}}"""

_PUBLISHED = f"""PREFIX dg: <{DG}>
SELECT DISTINCT ?a WHERE {{
  {{ ?a dg:title ?any }} UNION {{ ?a dg:participation ?any }} UNION {{ ?a dg:transaction ?any }}
}}"""

_REFERENCED = f"""PREFIX dg: <{DG}>
SELECT DISTINCT ?a WHERE {{
  {{ ?x dg:providerActivity|dg:receiverActivity ?a }}
  UNION {{ ?x dg:participantActivity|dg:relatedActivity|dg:relatedTo ?a }}
}}"""

_TRANSACTIONS = f"""PREFIX dg: <{DG}>
SELECT ?activity ?tx ?type ?date ?provider ?receiver ?pa ?ra ?reporter ?amount ?currency
       ?eur ?usd ?valueDate WHERE {{
  ?activity dg:transaction ?tx .
  OPTIONAL {{ ?tx dg:transactionType ?type }}
  OPTIONAL {{ ?tx dg:transactionDate ?date }}
  OPTIONAL {{ ?tx dg:providerOrganisation ?provider }}
  OPTIONAL {{ ?tx dg:receiverOrganisation ?receiver }}
  OPTIONAL {{ ?tx dg:providerActivity ?pa }}
  OPTIONAL {{ ?tx dg:receiverActivity ?ra }}
  OPTIONAL {{ ?activity dg:reportingOrganisation ?reporter }}
  OPTIONAL {{
    ?tx dg:value ?v . ?v dg:amount ?amount ; dg:currency ?currency .
    OPTIONAL {{ ?v dg:valueDate ?valueDate }}
    OPTIONAL {{ ?v dg:convertedAmount ?ce . ?ce dg:currency <{CODELIST}Currency/EUR> ;
                dg:amount ?eur }}
    OPTIONAL {{ ?v dg:convertedAmount ?cu . ?cu dg:currency <{CODELIST}Currency/USD> ;
                dg:amount ?usd }}
  }}
}}"""

_PARTICIPATIONS = f"""PREFIX dg: <{DG}>
SELECT ?activity ?org ?role ?partnerRole ?orgActivity WHERE {{
  ?activity dg:participation ?p . ?p dg:participant ?org .
  OPTIONAL {{ ?p dg:role ?role }} OPTIONAL {{ ?p dg:partnerRole ?partnerRole }}
  OPTIONAL {{ ?p dg:participantActivity ?orgActivity }}
}}"""

_WHERE_WHAT = f"""PREFIX dg: <{DG}>
SELECT ?activity ?country ?iso ?sector WHERE {{
  {{ ?activity dg:recipientCountry ?country OPTIONAL {{ ?country dg:isoCode ?iso }} }}
  UNION {{ ?activity dg:sector ?sector }}
}}"""

_RELATED = f"""PREFIX dg: <{DG}>
SELECT ?activity ?other ?type WHERE {{
  ?activity dg:activityRelation ?r . ?r dg:relatedTo ?other .
  OPTIONAL {{ ?r dg:relationType ?type }}
}}"""


def _v(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


def _code(term: object, prefix: str) -> str | None:
    value = _v(term)
    return value.removeprefix(prefix) if value else None


def _solutions(store: GraphStore, text: str) -> ox.QuerySolutions:
    rows = store.query(text)
    assert isinstance(rows, ox.QuerySolutions)
    return rows


def build_flows(store: GraphStore) -> FlowGraph:
    """Read the whole flow graph (organisation edges, activity links, labels) from the store."""
    fg = FlowGraph()
    _read_labels(store, fg)
    with_tx_edges: set[str] = set()
    seen_tx: set[str] = set()
    for r in _solutions(store, _TRANSACTIONS):
        tx = r["tx"].value
        if tx in seen_tx:  # a second stated EUR/USD figure would repeat the row
            continue
        seen_tx.add(tx)
        activity = r["activity"].value
        tx_type = _code(r["type"], TX_TYPE)
        reporter = _v(r["reporter"])
        provider, receiver = _v(r["provider"]), _v(r["receiver"])
        implicit = False
        if provider is None and tx_type in OUTGOING and reporter:
            provider, implicit = reporter, True
        if receiver is None and tx_type in INCOMING and reporter:
            receiver, implicit = reporter, True
        pa, ra = _v(r["pa"]), _v(r["ra"])
        if pa and pa != activity:
            fg.links.append(ActivityLink(pa, activity, "transaction"))
        if ra and ra != activity:
            fg.links.append(ActivityLink(activity, ra, "transaction"))
        if provider is None or receiver is None:
            continue
        with_tx_edges.add(activity)
        fg.edges.append(
            FlowEdge(
                source=provider,
                target=receiver,
                activity=activity,
                kind="transaction",
                transaction=tx,
                tx_type=tx_type,
                date=_v(r["date"]) or _v(r["valueDate"]),
                amount=Decimal(r["amount"].value) if r["amount"] is not None else None,
                currency=_code(r["currency"], CODELIST + "Currency/"),
                eur=_decimal(r["eur"], r["currency"], "EUR", r["amount"]),
                usd=_decimal(r["usd"], r["currency"], "USD", r["amount"]),
                provider_activity=pa,
                receiver_activity=ra,
                implicit=implicit,
            )
        )
    _participation_edges(store, fg, with_tx_edges)
    for r in _solutions(store, _RELATED):
        kind = _code(r["type"], CODELIST + "RelatedActivityType/")
        a, other = r["activity"].value, r["other"].value
        if kind == "1":  # the other activity is the parent
            fg.links.append(ActivityLink(other, a, "related-activity"))
        elif kind == "2":  # the other activity is a child
            fg.links.append(ActivityLink(a, other, "related-activity"))
    for r in _solutions(store, _WHERE_WHAT):
        a = r["activity"].value
        if r["country"] is not None:
            code = _v(r["iso"]) or r["country"].value.rsplit("/", 1)[-1]
            fg.countries.setdefault(a, set()).add(code)
        if r["sector"] is not None:
            fg.sectors.setdefault(a, set()).add(r["sector"].value.rsplit("/", 1)[-1])
    fg.links = list(dict.fromkeys(fg.links))
    return fg


def _decimal(converted: object, currency: object, target: str, amount: object) -> Decimal | None:
    """The EUR/USD figure: the amount itself when published in it, else its conversion."""
    if _v(currency) == f"{CODELIST}Currency/{target}" and amount is not None:
        return Decimal(amount.value)  # type: ignore[attr-defined]
    return Decimal(converted.value) if converted is not None else None  # type: ignore[attr-defined]


def _read_labels(store: GraphStore, fg: FlowGraph) -> None:
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for r in _solutions(store, _ORGS):
        o = r["o"].value
        if r["name"] is not None:
            names[o].setdefault(r["name"].language or "", r["name"].value)
        if r["acronym"] is not None:
            names[o].setdefault("acronym", r["acronym"].value)
        if r["ref"] is not None:
            fg.identifiers[o] = r["ref"].value
        names.setdefault(o, {})
    for r in _solutions(store, _ACTIVITIES):
        a = r["a"].value
        fg.activities.add(a)
        if r["id"] is not None:
            fg.identifiers[a] = r["id"].value
        if r["title"] is not None:
            names[a].setdefault(r["title"].language or "", r["title"].value)
        names.setdefault(a, {})
    published = {r["a"].value for r in _solutions(store, _PUBLISHED)}
    for r in _solutions(store, _REFERENCED):
        a = r["a"].value
        fg.activities.add(a)
        names.setdefault(a, {})
    fg.phantoms = fg.activities - published
    for iri, by_lang in names.items():
        for key in ("en", "fr", "", "acronym"):
            if key in by_lang:
                fg.labels[iri] = by_lang[key]
                break
        else:
            fg.labels[iri] = by_lang[next(iter(by_lang))] if by_lang else ""


def _participation_edges(store: GraphStore, fg: FlowGraph, with_tx_edges: set[str]) -> None:
    """Role-based edges (marked inferred) for activities whose transactions name no flow."""
    by_activity: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for r in _solutions(store, _PARTICIPATIONS):
        activity, org = r["activity"].value, r["org"].value
        role = _code(r["role"], ROLE)
        finer = _code(r["partnerRole"], PARTNER_ROLE)
        by_activity[activity].append((org, role, finer))
        fg.partners.setdefault(activity, {})[org] = role or ""
        other = _v(r["orgActivity"])
        if other and other != activity:
            if role in ("1", "2"):
                fg.links.append(ActivityLink(other, activity, "participating-org"))
            elif role in ("3", "4"):
                fg.links.append(ActivityLink(activity, other, "participating-org"))
    for activity, parts in by_activity.items():
        if activity in with_tx_edges:
            continue
        for source, target in _role_chain(parts):
            fg.edges.append(FlowEdge(source, target, activity, "inferred"))


def _role_chain(parts: list[tuple[str, str | None, str | None]]) -> list[tuple[str, str]]:
    """funding → extending → implementing; a lead implementer passes money to its partners."""
    funders = sorted({o for o, role, _ in parts if role == "1"})
    extenders = sorted({o for o, role, _ in parts if role == "3"})
    implementers = [(o, finer) for o, role, finer in parts if role == "4"]
    leads = sorted({o for o, finer in implementers if finer == "lead-implementer"})
    if leads:
        first = leads
        second = sorted(
            {o for o, finer in implementers if o not in leads and (finer in MONEY_PARTNERS)}
        )
    else:
        first, second = sorted({o for o, _ in implementers}), []
    pairs: list[tuple[str, str]] = []
    top = funders
    if extenders:
        pairs += [(f, x) for f in funders for x in extenders if f != x]
        top = extenders or funders
    pairs += [(f, i) for f in top for i in first if f != i]
    pairs += [(lead, p) for lead in first for p in second if lead != p] if leads else []
    return list(dict.fromkeys(pairs))

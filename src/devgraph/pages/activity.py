"""The activity page: every fact the store holds about one activity, ready to show.

Texts are picked in the page language (the other languages stay reachable through the
linked-data views); codes come with their codelist labels; amounts carry their EUR figure
(:mod:`devgraph.pages.amounts`); results pair targets with actuals for the bars; chains are
the who-funds-whom edges of this activity (:mod:`devgraph.network`); findings are the SHACL
results whose focus is the activity or one of its parts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from devgraph.namespaces import DG, RDF
from devgraph.pages import cache
from devgraph.pages.amounts import budget_totals, budgets, money
from devgraph.pages.labels import labels_for, link, picked, picked_all, select, tail, value
from devgraph.pages.results import results as read_results
from devgraph.store import GraphStore

TEXTS = (
    "title",
    "description",
    "objective",
    "targetGroupDescription",
    "otherDescription",
    "note",
    "theme",
)
SCALARS = (
    "iatiIdentifier",
    "acronym",
    "phase",
    "plannedStart",
    "plannedEnd",
    "actualStart",
    "actualEnd",
    "statedDuration",
)
LINKS = (
    "activityStatus",
    "reportingOrganisation",
    "recipientCountry",
    "recipientRegion",
    "sector",
    "mentionedIn",
    "source",
)


def facts(store: GraphStore, iri: str) -> dict[str, list[object]]:
    """Every object of ``iri`` by property local name (dg: properties and rdf:type)."""
    out: dict[str, list[object]] = defaultdict(list)
    for r in select(store, "facts", {"s": ox.NamedNode(iri)}):
        p = str(value(r["p"]))
        if p.startswith(DG):
            out[p[len(DG) :]].append(r["o"])
        elif p == RDF + "type":
            out["type"].append(r["o"])
    return out


def _participants(store: GraphStore, iri: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    parts: dict[str, dict[str, Any]] = {}
    for r in select(store, "participations", {"activity": ox.NamedNode(iri)}):
        key = str(value(r["part"]))
        p = parts.setdefault(
            key,
            {
                "organisation": str(value(r["org"])),
                "roles": set(),
                "partner_roles": set(),
                "activity": value(r.get("orgActivity")),
                "contributions": {},
            },
        )
        if r.get("role") is not None:
            p["roles"].add(str(value(r["role"])))
        if r.get("partnerRole") is not None:
            p["partner_roles"].add(str(value(r["partnerRole"])))
        if r.get("contribution") is not None:
            p["contributions"].setdefault(str(value(r["contribution"])), money(r))
    return [
        {
            "organisation": link(p["organisation"], labels),
            "roles": [link(x, labels) for x in sorted(p["roles"])],
            "partner_roles": [link(x, labels) for x in sorted(p["partner_roles"])],
            "activity": link(p["activity"], labels),
            "contributions": list(p["contributions"].values()),
        }
        for p in sorted(
            parts.values(),
            key=lambda p: (min(p["roles"] or {"9"}), labels.get(p["organisation"], "")),
        )
    ]


def _transactions(store: GraphStore, iri: str) -> list[dict[str, Any]]:
    seen, out = set(), []
    for r in select(store, "transactions", {"activity": ox.NamedNode(iri)}):
        tx = str(value(r["tx"]))
        if tx in seen:
            continue
        seen.add(tx)
        out.append(
            {
                "iri": tx,
                "type": value(r.get("type")),
                "date": value(r.get("date")),
                "provider": value(r.get("provider")),
                "receiver": value(r.get("receiver")),
                "provider_activity": value(r.get("providerActivity")),
                "receiver_activity": value(r.get("receiverActivity")),
                **money(r, date_keys=("date",)),
            }
        )
    return out


def _locations(store: GraphStore, iri: str) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for r in select(store, "locations", {"activity": ox.NamedNode(iri)}):
        loc = found.setdefault(
            str(value(r["location"])),
            {
                "iri": str(value(r["location"])),
                "place": value(r.get("place")),
                "kind": None,
                "point": value(r.get("point")),
            },
        )
        if r.get("kind") is not None:
            loc["kind"] = tail(str(value(r["kind"])))
    return list(found.values())


def _relations(store: GraphStore, iri: str) -> list[dict[str, Any]]:
    rel: dict[tuple[str, str], dict[str, Any]] = {}
    for r in select(store, "relations", {"activity": ox.NamedNode(iri)}):
        key = (str(value(r["other"])), str(value(r["direction"])))
        item = rel.setdefault(
            key, {"activity": key[0], "direction": key[1], "type": None, "property": None}
        )
        item["type"] = item["type"] or value(r.get("type"))
        if r.get("property") is not None:
            item["property"] = tail(str(value(r["property"])))
    return list(rel.values())


def _people(store: GraphStore, iri: str, lang: str) -> tuple[list[dict], list[dict]]:
    nodes: dict[str, dict[str, Any]] = {}
    texts: dict[str, list[object]] = defaultdict(list)
    for r in select(store, "people", {"activity": ox.NamedNode(iri)}):
        key = str(value(r["node"]))
        nodes.setdefault(
            key,
            {
                "iri": key,
                "kind": value(r["kind"]),
                "count": value(r.get("count")),
                "reach": value(r.get("reach")),
                "sex": value(r.get("sex")),
                "percentage": value(r.get("percentage")),
                "period": value(r.get("period")),
            },
        )
        if r.get("description") is not None:
            texts[key].append(r["description"])
    for key, node in nodes.items():
        node["description"] = picked(texts[key], lang)
    groups = [n for n in nodes.values() if n["kind"] == "target-group"]
    counts = [n for n in nodes.values() if n["kind"] == "beneficiaries"]
    return sorted(groups, key=lambda n: n["iri"]), sorted(counts, key=lambda n: n["iri"])


def _chains(store: GraphStore, iri: str) -> dict[str, list[dict[str, Any]]]:
    fg = cache.flows(store)
    flows = [
        {
            "source": e.source,
            "target": e.target,
            "kind": e.kind,
            "type": e.tx_type,
            "date": e.date,
            "amount": float(e.amount) if e.amount is not None else None,
            "currency": e.currency,
            "eur": float(e.eur) if e.eur is not None else None,
        }
        for e in fg.edges
        if e.activity == iri
    ]
    links = [
        {"source": x.source, "target": x.target, "via": x.via}
        for x in fg.links
        if iri in (x.source, x.target)
    ]
    return {"flows": flows, "activity_links": links}


def _findings(store: GraphStore, iri: str, *, wait: bool) -> list[dict[str, Any]] | None:
    report = cache.validation(store, wait=wait)
    if report is None:
        return None
    return [
        {
            "severity": f.severity,
            "shape": f.shape,
            "focus_node": f.focus_node,
            "path": f.path,
            "value": f.value,
            "message": f.message,
        }
        for f in report.findings
        if f.focus_node == iri or f.focus_node.startswith(iri + "/")
    ]


def activity_page(
    store: GraphStore, iri: str, *, lang: str = "en", findings: str = "wait"
) -> dict[str, Any] | None:
    """Everything about one activity; None when the store says nothing about ``iri``.

    ``findings``: ``wait`` validates the store if needed (seconds on the seeds, minutes on
    large stores; done once per store state), ``background`` starts that validation in a
    thread and leaves ``findings`` None (``findings_status`` "pending") until it is done,
    ``off`` skips validation.
    """
    if findings not in ("wait", "background", "off"):
        raise ValueError(f"findings must be wait, background or off, not {findings!r}")
    f = facts(store, iri)
    if not f:
        return None
    # dg:objective etc. are sub-properties of dg:description: the reasoner copies their values
    # to dg:description, so keep there only what was stated as a plain description.
    narrower = {(value(t), getattr(t, "language", None)) for k in TEXTS[2:5] for t in f.get(k, [])}
    f["description"] = [
        t
        for t in f.get("description", [])
        if (value(t), getattr(t, "language", None)) not in narrower
    ]
    participants_raw = select(store, "participations", {"activity": ox.NamedNode(iri)})
    budget_rows = budgets(store, iri)
    transactions = _transactions(store, iri)
    locations = _locations(store, iri)
    relations = _relations(store, iri)
    chains = _chains(store, iri)
    result_list = read_results(store, iri, lang)
    iris = {iri} | {str(value(t)) for k in LINKS for t in f.get(k, [])}
    iris |= {
        str(value(r[k]))
        for r in participants_raw
        for k in ("org", "role", "partnerRole", "orgActivity")
        if r.get(k) is not None
    }
    iris |= {str(b[k]) for b in budget_rows for k in ("type", "status") if b[k]}
    iris |= {
        str(t[k])
        for t in transactions
        for k in ("type", "provider", "receiver", "provider_activity", "receiver_activity")
        if t[k]
    }
    iris |= {str(x["place"]) for x in locations if x["place"]} | {str(x["iri"]) for x in locations}
    iris |= {str(x[k]) for x in relations for k in ("activity", "type") if x[k]}
    iris |= {
        str(x[k]) for x in chains["flows"] + chains["activity_links"] for k in ("source", "target")
    }
    labels = labels_for(store, iris, lang)
    groups, beneficiaries = _people(store, iri, lang)
    for n in beneficiaries:
        n["reach"], n["sex"] = link(n["reach"], labels), link(n["sex"], labels)
    sources = [
        {"graph": value(r["g"]), "path": value(r.get("path")), "loaded": value(r.get("time"))}
        for r in select(store, "sources", {"s": ox.NamedNode(iri)})
    ]
    total = budget_totals(budget_rows).get(iri)
    found = None if findings == "off" else _findings(store, iri, wait=findings == "wait")
    return {
        "iri": iri,
        "title": picked(f.get("title", []), lang) or {"text": labels[iri], "lang": ""},
        "texts": {k: picked_all(f[k], lang) for k in TEXTS[1:] if f.get(k)},
        "facts": {k: [value(t) for t in f[k]] for k in SCALARS if f.get(k)},
        "links": {k: [link(str(value(t)), labels) for t in f[k]] for k in LINKS if f.get(k)},
        "mentioned_only": bool(f.get("mentionedIn")) and not f.get("source"),
        "participants": _participants(store, iri, labels),
        "budgets": [
            {**b, "type": link(b["type"], labels), "status": link(b["status"], labels)}
            for b in budget_rows
        ],
        "budget_eur": total,
        "transactions": [
            {
                **t,
                **{
                    k: link(t[k], labels)
                    for k in (
                        "type",
                        "provider",
                        "receiver",
                        "provider_activity",
                        "receiver_activity",
                    )
                },
            }
            for t in transactions
        ],
        "results": result_list,
        "locations": [
            {
                **x,
                "label": labels.get(x["iri"]) if labels.get(x["iri"]) != tail(x["iri"]) else None,
                "place": link(x["place"], labels),
            }
            for x in locations
        ],
        "related": [
            {**x, "activity": link(x["activity"], labels), "type": link(x["type"], labels)}
            for x in relations
        ],
        "chains": {
            "flows": [
                {**x, "source": link(x["source"], labels), "target": link(x["target"], labels)}
                for x in chains["flows"]
            ],
            "activity_links": [
                {**x, "source": link(x["source"], labels), "target": link(x["target"], labels)}
                for x in chains["activity_links"]
            ],
        },
        "target_groups": groups,
        "beneficiaries": beneficiaries,
        "findings": found,
        "findings_status": "off" if findings == "off" else "pending" if found is None else "done",
        "sources": sources,
    }

"""Organisation pages: roles, activities, who funds it and whom it funds, partners.

Money between organisations comes from the who-funds-whom flow graph
(:mod:`devgraph.network`): transactions where the data has them, role-inferred links
(marked ``inferred``, no amount) where it does not; a flow reported by both ends counts
once (:func:`devgraph.network.flows.pair_totals`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from devgraph.network.flows import pair_totals
from devgraph.pages import cache
from devgraph.pages.activity import facts
from devgraph.pages.labels import fold, labels_for, link, picked, select, value
from devgraph.store import GraphStore


def _participations(store: GraphStore) -> dict[str, dict[str, dict[str, set[str]]]]:
    """organisation → activity → {"roles": …, "partner_roles": …}, for every organisation
    (an organisation's partners are found through it); kept until the store changes, since
    at 100 k activities reading it takes most of a minute."""
    return cache.cached(store, "participations", _read_participations)


def _read_participations(store: GraphStore) -> dict[str, dict[str, dict[str, set[str]]]]:
    out: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: {"roles": set(), "partner_roles": set()})
    )
    for r in select(store, "org_activities"):
        slot = out[str(value(r["org"]))][str(value(r["activity"]))]
        if r.get("role") is not None:
            slot["roles"].add(str(value(r["role"])))
        if r.get("partnerRole") is not None:
            slot["partner_roles"].add(str(value(r["partnerRole"])))
    return out


def _money(pairs: dict[tuple[str, str], dict[str, object]], org: str, side: int) -> list[dict]:
    """Pairs with ``org`` at ``side`` (0: it pays, 1: it receives), the other end named."""
    rows = []
    for key, t in pairs.items():
        if key[side] == org:
            rows.append(
                {
                    "organisation": key[1 - side],
                    "flows": t["count"],
                    "inferred": t.get("inferred", False),
                    "disbursed_eur": t["disbursed_eur"] or None,
                    "committed_eur": t["committed_eur"] or None,
                }
            )
    return rows


def organisation_page(store: GraphStore, iri: str, *, lang: str = "en") -> dict[str, Any] | None:
    """Everything about one organisation; None when the store says nothing about it."""
    f = facts(store, iri)
    if not f:
        return None
    parts = _participations(store)
    mine = parts.get(iri, {})
    partners: dict[str, set[str]] = defaultdict(set)
    for other, acts in parts.items():
        if other != iri:
            for a in set(acts) & set(mine):
                partners[other].add(a)
    pairs = pair_totals([e for e in cache.flows(store).edges if iri in (e.source, e.target)])
    funds, funded_by = _money(pairs, iri, 0), _money(pairs, iri, 1)
    link_keys = ("organisationType", "basedIn", "subOrganisationOf")
    iris = {iri, *mine, *partners} | {x for s in mine.values() for v in s.values() for x in v}
    iris |= {str(value(t)) for k in link_keys for t in f.get(k, [])}
    iris |= {str(x["organisation"]) for x in funds + funded_by}
    labels = labels_for(store, iris, lang)
    roles: dict[str, int] = defaultdict(int)
    for slot in mine.values():
        for role in slot["roles"]:
            roles[role] += 1
    by_label = lambda x: fold(x["organisation"]["label"])  # noqa: E731
    return {
        "iri": iri,
        "name": picked(f.get("name", []), lang) or {"text": labels[iri], "lang": ""},
        "acronym": next((value(t) for t in f.get("acronym", [])), None),
        "identifier": next((value(t) for t in f.get("orgIdentifier", [])), None),
        "note": picked(f.get("note", []), lang),
        "links": {k: [link(str(value(t)), labels) for t in f[k]] for k in link_keys if f.get(k)},
        "roles": [{**link(r, labels), "activities": n} for r, n in sorted(roles.items())],  # type: ignore[dict-item]
        "activities": sorted(
            (
                {
                    **link(a, labels),  # type: ignore[dict-item]
                    "roles": [link(x, labels) for x in sorted(slot["roles"])],
                    "partner_roles": [link(x, labels) for x in sorted(slot["partner_roles"])],
                }
                for a, slot in mine.items()
            ),
            key=lambda x: fold(x["label"]),
        ),
        "funds": sorted(
            ({**x, "organisation": link(x["organisation"], labels)} for x in funds), key=by_label
        ),
        "funded_by": sorted(
            ({**x, "organisation": link(x["organisation"], labels)} for x in funded_by),
            key=by_label,
        ),
        "partners": sorted(
            (
                {"organisation": link(o, labels), "shared_activities": len(acts)}
                for o, acts in partners.items()
            ),
            key=lambda x: (-x["shared_activities"], by_label(x)),
        ),
    }


def organisations_index(store: GraphStore, *, lang: str = "en") -> dict[str, Any]:
    """Every organisation with how many activities it takes part in (kept until the store
    changes: labels and participations of every organisation)."""
    return cache.cached(store, f"organisations:{lang}", lambda s: _index(s, lang))


def _index(store: GraphStore, lang: str) -> dict[str, Any]:
    parts = _participations(store)
    orgs = {str(value(r["org"])) for r in select(store, "organisations")} | set(parts)
    labels = labels_for(store, orgs, lang)
    return {
        "organisations": sorted(
            ({**link(o, labels), "activities": len(parts.get(o, {}))} for o in orgs),  # type: ignore[dict-item]
            key=lambda x: fold(x["label"]),
        )
    }

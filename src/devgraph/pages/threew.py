"""Who does what where: the 3W table and funding totals of a set of activities.

Shared by place and sector pages. Who = extending or implementing organisations (IATI
roles 3 and 4), what = sectors, where = the activity's locations (its recipient countries
when it has none), when = the years from start to end. Budgets count in full for every
row an activity appears in, so the totals line sums activities, not rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from devgraph.pages.activities import _years
from devgraph.pages.amounts import activity_totals
from devgraph.pages.cache import cached
from devgraph.pages.labels import labels_for, link, select, value
from devgraph.store import GraphStore


def read_3w(store: GraphStore) -> dict[str, dict[str, set[str]]]:
    """Per activity: facet (who, funder, what, where, country, start, end) → values."""
    out: dict[str, dict[str, set[str]]] = {}
    for r in select(store, "activity_3w"):
        facets = out.setdefault(str(value(r["activity"])), {})
        facets.setdefault(str(value(r["facet"])), set()).add(str(value(r["value"])))
    return out


def matrix(
    store: GraphStore, activities: set[str], lang: str, *, where_in: set[str] | None = None
) -> dict[str, Any]:
    """Rows (who, what → where, years, activities), funders and totals for ``activities``.

    One row per organisation and sector; ``where`` lists every place they work on it.

    ``where_in`` keeps only locations among those places (a place page passes the place and
    everything inside it, so a project in two regions shows only the region on the page).
    """
    facts = cached(store, "3w", read_3w)
    totals = activity_totals(store)
    rows: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: {"activities": set(), "years": set(), "where": set()}
    )
    funders: dict[str, set[str]] = defaultdict(set)
    for a in activities:
        f = facts.get(a, {})
        where = f.get("where", set())
        if where_in is not None:
            where = where & where_in
        if not where:
            where = f.get("country", set()) or {""}
            if where_in is not None:
                where = (where & where_in) or {""}
        years = _years(min(f.get("start", {""})) or None, max(f.get("end", {""})) or None)
        for who in f.get("who", set()) or {""}:
            for what in f.get("what", set()) or {""}:
                cell = rows[(who, what)]
                cell["activities"].add(a)
                cell["years"] |= years
                cell["where"] |= where - {""}
        for org in f.get("funder", set()):
            funders[org].add(a)
    iris = {x for key in rows for x in key if x} | set(funders) | set(activities)
    iris |= {x for cell in rows.values() for x in cell["where"]}
    labels = labels_for(store, iris, lang)
    eur = [totals[a] for a in activities if a in totals]
    return {
        "rows": [
            {
                "who": link(who, labels),
                "what": link(what, labels),
                "where": sorted((link(p, labels) for p in cell["where"]), key=lambda x: x["label"]),
                "years": sorted(cell["years"]),
                "activities": [link(a, labels) for a in sorted(cell["activities"])],
            }
            for (who, what), cell in sorted(
                rows.items(), key=lambda kv: tuple(labels.get(x, "") for x in kv[0])
            )
        ],
        "funders": sorted(
            (
                {
                    "organisation": link(org, labels),
                    "activities": len(acts),
                    "budget_eur": round(sum(totals.get(a, 0.0) for a in acts), 2),
                }
                for org, acts in funders.items()
            ),
            key=lambda x: (-x["budget_eur"], x["organisation"]["label"]),
        ),
        "activities": sorted(
            ({**link(a, labels), "budget_eur": totals.get(a)} for a in activities),  # type: ignore[dict-item]
            key=lambda x: x["label"],
        ),
        "totals": {
            "activities": len(activities),
            "organisations": len({k[0] for k in rows if k[0]}),
            "budget_eur": round(sum(eur), 2),
            "activities_without_budget": len(activities) - len(eur),
        },
    }

"""Results of an activity: indicators with baselines, targets and actuals, paired for bars.

A target and an actual pair up when they belong to the same period (or both to none). The
bar widths are percentages of the larger of the two, so a bar never overflows and an
actual past its target shows as a full bar beside a shorter target.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from devgraph.pages.labels import labels_for, link, number, pick, picked, select, value
from devgraph.store import GraphStore


def _bar(target: float | None, actual: float | None) -> dict[str, float] | None:
    scale = max(x for x in (target, actual, 0.0) if x is not None)
    if not scale:
        return None
    pct = {
        k: round(100 * v / scale, 1)
        for k, v in (("target", target), ("actual", actual))
        if v is not None
    }
    if target and actual is not None:
        pct["achieved"] = round(100 * actual / target, 1)
    return pct


def results(store: GraphStore, activity: str, lang: str) -> list[dict[str, Any]]:
    """Results with their indicators; each indicator's periods hold target, actual and bar."""
    rows = select(store, "results", {"activity": ox.NamedNode(activity)})
    res: dict[str, dict[str, Any]] = {}
    inds: dict[str, dict[str, Any]] = {}
    nodes: dict[str, dict[str, Any]] = {}
    comments: dict[str, list[object]] = defaultdict(list)
    for r in rows:
        ri = str(value(r["result"]))
        res.setdefault(
            ri,
            {
                "iri": ri,
                "code": value(r.get("code")),
                "type": value(r.get("type")),
                "indicators": [],
            },
        )
        if r.get("indicator") is None:
            continue
        ii = str(value(r["indicator"]))
        if ii not in inds:
            inds[ii] = {"iri": ii, "measure": value(r.get("measure")), "nodes": []}
            res[ri]["indicators"].append(inds[ii])
        if r.get("node") is None:
            continue
        ni = str(value(r["node"]))
        if ni not in nodes:
            nodes[ni] = {
                "kind": value(r["kind"]),
                "value": number(r.get("number")),
                "period": value(r.get("period")),
                "start": value(r.get("start")),
                "end": value(r.get("end")),
            }
            inds[ii]["nodes"].append(ni)
        if r.get("comment") is not None:
            comments[ni].append(r["comment"])
    iris = set(res) | set(inds) | {str(x["type"]) for x in res.values() if x["type"]}
    iris |= {str(x["measure"]) for x in inds.values() if x["measure"]}
    labels = labels_for(store, iris, lang)
    titled = _titles(store, iris, lang)
    out = []
    for ri in sorted(res, key=lambda i: (res[i]["code"] or "", i)):
        r = res[ri]
        indicators = []
        for ind in r["indicators"]:
            periods: dict[str | None, dict[str, Any]] = {}
            for ni in ind["nodes"]:
                n = nodes[ni]
                slot = periods.setdefault(n["period"], {"start": n["start"], "end": n["end"]})
                slot[n["kind"]] = {
                    "value": float(n["value"]) if n["value"] is not None else None,
                    "comment": pick(comments[ni], lang),
                }
            for slot in periods.values():
                slot["bar"] = _bar(
                    (slot.get("target") or {}).get("value"), (slot.get("actual") or {}).get("value")
                )
            indicators.append(
                {
                    "iri": ind["iri"],
                    "title": titled.get(ind["iri"]),
                    "measure": link(ind["measure"], labels),
                    "periods": sorted(
                        periods.values(), key=lambda p: (p["start"] or "", p["end"] or "")
                    ),
                }
            )
        out.append(
            {
                "iri": ri,
                "code": r["code"],
                "title": titled.get(ri),
                "type": link(r["type"], labels),
                "indicators": indicators,
            }
        )
    return out


def _titles(store: GraphStore, iris: set[str], lang: str) -> dict[str, dict[str, str] | None]:
    """Stated titles only (no fallback to the IRI), with their language tag."""
    found: dict[str, list[object]] = defaultdict(list)
    for iri in iris:
        for r in select(store, "facts", {"s": ox.NamedNode(iri)}):
            if value(r["p"]) == "https://w3id.org/devgraph/ontology#title":
                found[iri].append(r["o"])
    return {i: picked(found[i], lang) for i in iris if found.get(i)}

"""The activity list: full-text search over titles and descriptions, and facets.

Search folds case and accents and needs every word of the query to appear in some title,
description, objective, acronym or identifier, in any language (so ``emploi`` and
``employment`` both find KiMaLaKan). Facets are country, region, sector, funder,
implementer, status and year; values of one facet are OR-ed, facets are AND-ed, and the
counts shown are over the activities the other facets and the search leave. The texts and
facet values of every activity are read once per store state (:mod:`devgraph.pages.cache`),
so a search is a pass over memory, not a query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from devgraph.pages.amounts import activity_totals
from devgraph.pages.cache import cached
from devgraph.pages.labels import fold, labels_for, pick, select, tail, value
from devgraph.store import GraphStore

FACETS = ("country", "region", "sector", "funder", "implementer", "status", "year")
TITLE = "https://w3id.org/devgraph/ontology#title"
TEXT_PROPS = {
    "title",
    "description",
    "objective",
    "targetGroupDescription",
    "otherDescription",
    "acronym",
    "iatiIdentifier",
    "theme",
}
DESCRIPTIONS = {"description", "objective", "targetGroupDescription", "otherDescription"}
PAGE_SIZE = 50


def _years(start: str | None, end: str | None) -> set[str]:
    """Every year the activity runs (start to end); one year when only one end is known."""
    try:
        first = int(start[:4]) if start else None
        last = int(end[:4]) if end else None
    except ValueError:
        return set()
    if first is None and last is None:
        return set()
    first, last = first or last, last or first
    assert first is not None and last is not None
    return {str(y) for y in range(first, max(first, last) + 1)} if last - first < 100 else set()


def _read(store: GraphStore) -> tuple[dict[str, dict], dict[str, dict[str, set[str]]]]:
    """Per activity: its texts and dates; and its facet values."""
    info: dict[str, dict] = defaultdict(lambda: {"texts": [], "titles": [], "dates": {}})
    for r in select(store, "activity_texts"):
        a, prop, term = value(r["activity"]), tail(str(value(r["p"]))), r["text"]
        entry = info[str(a)]
        if prop in TEXT_PROPS:
            entry["texts"].append(value(term))
            if prop == "title":
                entry["titles"].append(term)
            if prop in DESCRIPTIONS:
                entry.setdefault("descriptions", []).append(term)
        elif prop in ("mentionedIn", "source"):
            entry["dates"][prop] = True
        else:
            entry["dates"].setdefault(prop, value(term))
    facets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in select(store, "activity_facets"):
        a = str(value(r["activity"]))
        if a in info:  # sector shares, country shares … also have dg:sector, dg:country
            facets[a][str(value(r["facet"]))].add(str(value(r["value"])))
    countries, regions, up = _place_tree(store)
    for f in facets.values():
        for place in f.pop("location", set()):
            around = _climb(place, up)
            f["country"] |= around & countries
            f["region"] |= around & regions
    for a, entry in info.items():
        d = entry["dates"]
        years = _years(
            d.get("actualStart") or d.get("plannedStart"), d.get("actualEnd") or d.get("plannedEnd")
        )
        if years:
            facets[a]["year"] = years
    # Plain dicts: the result is shared between requests (cached) and must not grow on reads.
    return dict(info), {a: dict(f) for a, f in facets.items()}


def _place_tree(store: GraphStore) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """Countries, first-level areas, and each place's parents."""
    countries: set[str] = set()
    regions: set[str] = set()
    up: dict[str, set[str]] = defaultdict(set)
    for r in select(store, "place_tree"):
        place = str(value(r["place"]))
        if r.get("parent") is not None:
            up[place].add(str(value(r["parent"])))
        elif str(value(r.get("kind"))).endswith("#Country"):
            countries.add(place)
        else:
            regions.add(place)
    return countries, regions, up


def _climb(place: str, up: dict[str, set[str]]) -> set[str]:
    """The place and every place it lies within (cycles in bad data are walked once)."""
    seen, todo = {place}, [place]
    while todo:
        for parent in up.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _matches(words: list[str], texts: list[str]) -> bool:
    haystack = fold(" \n ".join(t for t in texts if t))
    return all(w in haystack for w in words)


def _snippet(texts: Sequence[object], words: list[str], lang: str, width: int = 220) -> str | None:
    """A description that holds the words (in the page language if one does), cut around them.

    Without words, or when no description holds them (the match was in a title), the
    description in the page language.
    """
    holding = [t for t in texts if words and _matches(words, [value(t) or ""])]
    text = pick(holding or texts, lang)
    if not text:
        return None
    folded = fold(text)
    hits = [folded.find(w) for w in words if folded.find(w) >= 0]
    at = min(hits, default=0)
    start = max(0, at - width // 3) if hits and len(folded) == len(text) else 0
    cut = text[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")


def _hit(
    a: str,
    entry: dict,
    facets: dict[str, set[str]],
    labels: Mapping[str, str],
    totals: Mapping[str, float],
    words: list[str],
    lang: str,
) -> dict[str, object]:
    """One activity in the list."""
    return {
        "iri": a,
        "title": pick(entry["titles"], lang) or labels.get(a) or tail(a),
        "snippet": _snippet(entry.get("descriptions", []), words, lang),
        "countries": sorted(labels.get(v, tail(v)) for v in facets.get("country", ())),
        "funders": sorted(labels.get(v, tail(v)) for v in facets.get("funder", ())),
        "years": sorted(facets.get("year", ())),
        "budget_eur": totals.get(a),
        "mentioned_only": bool(entry["dates"].get("mentionedIn"))
        and not entry["dates"].get("source"),
    }


def search_activities(
    store: GraphStore,
    *,
    q: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    lang: str = "en",
    page: int = 1,
) -> dict[str, object]:
    """The activity list page: matching activities, facet counts, paging."""
    filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if k in FACETS}
    filters = {k: vs for k, vs in filters.items() if vs}
    words = [w for w in fold(q).split() if w]
    info, facets = cached(store, "activity-index", _read)
    totals = activity_totals(store)
    texts_ok = {a for a, e in info.items() if not words or _matches(words, e["texts"])}

    def keep(a: str, skip: str | None = None) -> bool:
        return a in texts_ok and all(
            set(vs) & facets.get(a, {}).get(f, set()) for f, vs in filters.items() if f != skip
        )

    hits = sorted(
        (a for a in info if keep(a)), key=lambda a: fold(pick(info[a]["titles"], lang) or tail(a))
    )
    counts: dict[str, dict[str, int]] = {}
    for f in FACETS:
        c: dict[str, int] = defaultdict(int)
        for a in info:
            if keep(a, skip=f):
                for v in facets.get(a, {}).get(f, ()):
                    c[v] += 1
        counts[f] = dict(c)
    iris = {v for f in FACETS if f != "year" for v in counts[f]} | set(hits)
    labels = labels_for(store, iris, lang)
    size = PAGE_SIZE
    page = max(1, page)
    shown = hits[(page - 1) * size : page * size]
    return {
        "query": q,
        "filters": filters,
        "total": len(hits),
        "page": page,
        "pages": max(1, -(-len(hits) // size)),
        "activities": [
            _hit(a, info[a], facets.get(a, {}), labels, totals, words, lang) for a in shown
        ],  # fmt: skip
        "facets": {
            f: sorted(
                (
                    {
                        "value": v,
                        "label": v if f == "year" else labels.get(v, tail(v)),
                        "count": n,
                        "selected": v in filters.get(f, []),
                    }
                    for v, n in counts[f].items()
                ),
                key=lambda item: item["value"] if f == "year" else fold(str(item["label"])),
            )
            for f in FACETS
        },
    }

"""Place pages (country, region, cercle, commune) and sector pages, with their indexes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from devgraph.namespaces import CODELIST
from devgraph.pages.activity import facts
from devgraph.pages.labels import fold, labels_for, link, picked, select, tail, value
from devgraph.pages.threew import matrix
from devgraph.store import GraphStore

PLACE_KINDS = ("Country", "SupranationalRegion", "AdminArea1", "AdminArea2", "AdminArea3",
               "Locality", "AdministrativeArea", "Place")  # fmt: skip


def place_page(store: GraphStore, iri: str, *, lang: str = "en") -> dict[str, Any] | None:
    """A place: what it is, where it lies, what it contains, and the 3W of activities there."""
    f = facts(store, iri)
    if not f:
        return None
    kinds = {tail(str(value(t))) for t in f.get("type", [])}
    node = ox.NamedNode(iri)
    parents = [str(value(r["parent"])) for r in select(store, "parents", {"place": node})]
    children = [str(value(r["child"])) for r in select(store, "children", {"place": node})]
    inside = {str(value(r["where"])) for r in select(store, "activities_in_place", {"place": node})}
    activities = {
        str(value(r["activity"])) for r in select(store, "activities_in_place", {"place": node})
    }
    labels = labels_for(store, {iri, *parents, *children}, lang)
    depth = {p: len(select(store, "parents", {"place": ox.NamedNode(p)})) for p in parents}
    return {
        "iri": iri,
        "name": picked(f.get("name", []), lang) or {"text": labels[iri], "lang": ""},
        "kind": next((k for k in PLACE_KINDS if k in kinds), None),
        "iso_code": next((value(t) for t in f.get("isoCode", [])), None),
        "within": [link(p, labels) for p in sorted(parents, key=lambda p: depth[p])],
        "contains": sorted((link(c, labels) for c in children), key=lambda x: fold(x["label"])),
        "threew": matrix(store, activities, lang, where_in=inside | {iri}),
    }


def sector_code(iri: str) -> str:
    return tail(iri)


def sector_iri(code: str) -> str:
    """``cl:Sector/<5 digits>``, or ``cl:SectorCategory/<3 digits>`` for a category."""
    return f"{CODELIST}{'SectorCategory' if len(code) == 3 else 'Sector'}/{code}"


def sector_page(store: GraphStore, code: str, *, lang: str = "en") -> dict[str, Any] | None:
    """A sector: its label and definition, and the 3W of the activities in it."""
    iri = sector_iri(code)
    f = facts(store, iri)
    activities = {
        str(value(r["s"]))
        for r in select(store, "facts", {"o": ox.NamedNode(iri)})
        if value(r["p"]) == "https://w3id.org/devgraph/ontology#sector"
    }
    if not f and not activities:
        return None
    skos = "http://www.w3.org/2004/02/skos/core#"
    literals = defaultdict(list)
    for r in select(store, "facts", {"s": ox.NamedNode(iri)}):
        literals[str(value(r["p"]))].append(r["o"])
    return {
        "iri": iri,
        "code": code,
        "label": picked(literals[skos + "prefLabel"], lang) or {"text": code, "lang": ""},
        "definition": picked(literals[skos + "definition"], lang),
        "threew": matrix(store, activities, lang),
    }


def places_index(store: GraphStore, *, lang: str = "en") -> dict[str, Any]:
    """Countries with their activity counts and first-level areas."""
    rows = select(store, "countries")
    countries = [str(value(r["place"])) for r in rows]
    counts = {str(value(r["place"])): int(value(r.get("activities")) or 0) for r in rows}
    kids: dict[str, list[str]] = defaultdict(list)
    for c in countries:
        kids[c] = [str(value(r["child"])) for r in select(store, "children",
                                                          {"place": ox.NamedNode(c)})]  # fmt: skip
    labels = labels_for(store, set(countries) | {k for v in kids.values() for k in v}, lang)
    return {
        "countries": sorted(
            (
                {
                    **link(c, labels),  # type: ignore[dict-item]
                    "activities": counts[c],
                    "contains": sorted(
                        (link(k, labels) for k in kids[c]), key=lambda x: fold(x["label"])
                    ),  # fmt: skip
                }
                for c in countries
            ),
            key=lambda x: fold(x["label"]),
        )
    }


def sectors_index(store: GraphStore, *, lang: str = "en") -> dict[str, Any]:
    """Sectors (and sector categories) that activities use, with activity counts."""
    rows = [
        r for r in select(store, "sectors_used") if str(value(r["sector"])).startswith(CODELIST)
    ]
    labels = labels_for(store, {str(value(r["sector"])) for r in rows}, lang)
    return {
        "sectors": [
            {
                **link(str(value(r["sector"])), labels),  # type: ignore[dict-item]
                "code": tail(str(value(r["sector"]))),
                "category": "/SectorCategory/" in str(value(r["sector"])),
                "activities": int(value(r["activities"]) or 0),
            }
            for r in rows
        ]
    }

"""Reading the store for pages: named SPARQL files, terms as plain values, labels by language.

A label is chosen from the literals a resource has (``dg:name``, ``dg:title``,
``skos:prefLabel``, ``rdfs:label``): the page's language first, then English, then French,
then an untagged literal, then any; the IRI's last segment when there is none at all.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib.resources import files

import pyoxigraph as ox

from devgraph.namespaces import sparql_prefixes
from devgraph.store import GraphStore

Row = dict[str, object]


@lru_cache(maxsize=64)
def query_text(name: str) -> str:
    """``sparql/<name>.rq`` with the shared prefixes in front (files may omit them)."""
    return sparql_prefixes() + files("devgraph.pages").joinpath(f"sparql/{name}.rq").read_text()


def select(
    store: GraphStore, name: str, bindings: Mapping[str, ox.Term] | None = None
) -> list[dict[str, object]]:
    """Run a named page query; each row maps variable names to terms (absent → missing key)."""
    rows = store.query(query_text(name), bindings=dict(bindings) if bindings else None)
    assert isinstance(rows, ox.QuerySolutions)
    names = [v.value for v in rows.variables]
    # A solution iterates its values in variable order: much faster than r[name] lookups.
    return [{n: t for n, t in zip(names, r, strict=True) if t is not None} for r in rows]


def value(term: object) -> str | None:
    """A term's lexical value or IRI."""
    return None if term is None else term.value  # type: ignore[attr-defined]


def number(term: object) -> Decimal | None:
    """A literal as a Decimal; None when absent or not a number."""
    try:
        return None if term is None else Decimal(term.value)  # type: ignore[attr-defined]
    except InvalidOperation:
        return None


def tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def pick(literals: Iterable[object], lang: str) -> str | None:
    """The best literal for ``lang``: exact tag, then en, fr, untagged, anything."""
    best: tuple[int, str] | None = None
    order = [lang, "en", "fr", ""]
    for lit in literals:
        tag = (getattr(lit, "language", None) or "").split("-")[0].lower()
        rank = order.index(tag) if tag in order else len(order)
        text = value(lit) or ""
        if text and (best is None or rank < best[0]):
            best = (rank, text)
    return best[1] if best else None


def picked(literals: Iterable[object], lang: str) -> dict[str, str] | None:
    """Like :func:`pick`, but keeps the language tag of the chosen text (for ``lang=``)."""
    candidates = [lit for lit in literals if value(lit)]
    text = pick(candidates, lang)
    if text is None:
        return None
    tag = next(getattr(c, "language", None) or "" for c in candidates if value(c) == text)
    return {"text": text, "lang": tag}


def picked_all(literals: Iterable[object], lang: str) -> list[dict[str, str]]:
    """Every text in the language :func:`picked` chooses (a resource may state several)."""
    candidates = [lit for lit in literals if value(lit)]
    best = picked(candidates, lang)
    if best is None:
        return []
    same = [c for c in candidates if (getattr(c, "language", None) or "") == best["lang"]]
    return [{"text": str(value(c)), "lang": best["lang"]} for c in sorted(same, key=value)]


def labels_for(store: GraphStore, iris: Iterable[str], lang: str) -> dict[str, str]:
    """A label for each IRI (the last IRI segment when the graph has none)."""
    wanted = sorted({i for i in iris if i})
    found: dict[str, list[object]] = defaultdict(list)
    acronyms: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        values = " ".join(str(ox.NamedNode(i)) for i in chunk)
        text = query_text("labels").replace("#VALUES", f"VALUES ?s {{ {values} }}")
        rows = store.query(text)
        assert isinstance(rows, ox.QuerySolutions)
        for r in rows:
            if r["label"] is not None:
                found[r["s"].value].append(r["label"])
            if r["acronym"] is not None:
                acronyms.setdefault(r["s"].value, r["acronym"].value)
    return {i: pick(found.get(i, []), lang) or acronyms.get(i) or tail(i) for i in wanted}


def fold(text: str) -> str:
    """Case- and accent-insensitive form used by search: ``Énergie`` matches ``energie``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def link(iri: str | None, labels: Mapping[str, str]) -> dict[str, str] | None:
    """The JSON shape of a linked resource: its IRI and label."""
    if not iri:
        return None
    return {"iri": iri, "label": labels.get(iri) or tail(iri)}

"""Money on pages: each published amount beside its EUR figure, and activity budget totals.

The EUR figure is the amount itself when published in euros, else a conversion the data
holds (a publisher's own, or :func:`devgraph.money.normalise`'s in ``graph:money``), else a
conversion computed here from the bundled rate table when the rate needs no month (a fixed
parity such as XOF). Nothing is guessed: an amount with no usable rate has no EUR figure,
and the page says so.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import lru_cache

from devgraph.money import CURRENCY, RateTable
from devgraph.pages.labels import number, select, tail, value
from devgraph.store import GraphStore

REVISED = "https://w3id.org/devgraph/codelist/BudgetType/2"


@lru_cache(maxsize=1)
def _rates() -> RateTable:
    return RateTable.load()


def to_eur(
    amount: Decimal | None, currency: str | None, stated_eur: Decimal | None, month: str | None
) -> tuple[Decimal | None, str | None]:
    """(EUR figure, how it was obtained: ``published``, ``converted`` or ``rate-table``)."""
    if amount is None or currency is None:
        return None, None
    code = currency.removeprefix(CURRENCY)
    if code == "EUR":
        return amount, "published"
    if stated_eur is not None:
        return stated_eur, "converted"
    conv = _rates().convert(amount, code, "EUR", month)
    if isinstance(conv, str):
        return None, None
    return conv.amount, "rate-table"


def _month(*dates: str | None) -> str | None:
    for d in dates:
        if d and len(d) >= 7 and d[4] == "-":
            return d[:7]
    return None


def money(row: dict[str, object], *, date_keys: tuple[str, ...] = ()) -> dict[str, object]:
    """The JSON shape of an amount from a row with ``amount``, ``currency`` and ``eur``."""
    amount = number(row.get("amount"))
    currency = value(row.get("currency"))
    month = _month(value(row.get("valueDate")), *(value(row.get(k)) for k in date_keys))
    eur, how = to_eur(amount, currency, number(row.get("eur")), month)
    return {
        "amount": float(amount) if amount is not None else None,
        "currency": tail(currency) if currency else None,
        "eur": float(eur) if eur is not None else None,
        "eur_from": how,
    }


def budgets(store: GraphStore, activity: str | None = None) -> list[dict[str, object]]:
    """Every activity budget (one activity's when ``activity`` is given), with EUR figures."""
    import pyoxigraph as ox

    bindings = {"activity": ox.NamedNode(activity)} if activity else None
    out = []
    seen: set[str] = set()
    for r in select(store, "budgets", bindings):
        key = value(r["budget"])
        if key in seen:  # a second stated EUR figure would repeat the budget
            continue
        seen.add(key or "")
        out.append(
            {
                "activity": value(r["activity"]),
                "budget": key,
                "start": value(r.get("start")),
                "end": value(r.get("end")),
                "type": value(r.get("type")),
                "status": value(r.get("status")),
                **money(r, date_keys=("start",)),
            }
        )
    return out


def budget_totals(rows: list[dict[str, object]]) -> dict[str, float]:
    """EUR budget per activity: revised budgets when an activity has any, else all of them."""
    by_activity: dict[str, list[dict[str, object]]] = defaultdict(list)
    for b in rows:
        by_activity[str(b["activity"])].append(b)
    totals = {}
    for activity, items in by_activity.items():
        revised = [b for b in items if b["type"] == REVISED]
        chosen = revised or items
        priced = [b["eur"] for b in chosen if b["eur"] is not None]
        if priced:
            totals[activity] = float(sum(priced))  # type: ignore[arg-type]
    return totals


def activity_totals(store: GraphStore) -> dict[str, float]:
    """:func:`budget_totals` of every activity, kept until the store changes."""
    from devgraph.pages.cache import cached

    return cached(store, "budget-totals", lambda s: budget_totals(budgets(s)))

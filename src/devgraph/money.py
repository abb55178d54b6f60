"""Money: published amounts stay as published; EUR and USD conversions are derived data.

A ``dg:MonetaryAmount`` carries what the publisher wrote (amount, currency, value date).
:func:`normalise` adds, for every amount not already stated in EUR or USD, a derived
``dg:MonetaryAmount`` hanging off it through ``dg:convertedAmount``, with a
``dg:CurrencyConversion`` naming the rate (``dg:exchangeRate``: units of the published
currency per one unit of the target), the month the rate is for (``dg:rateDate``) and where
it comes from (``dg:rateSource``), and ``prov:wasDerivedFrom`` the published amount. All of
it goes into one named graph, ``graph:money``, replaced in one atomic step, so a reader can
always tell a publisher's figure from a conversion and a rerun never leaves stale values.

Rates come from a bundled table (``devgraph/data/rates.csv``, see :class:`RateTable`), never
from the network. Amounts are :class:`~decimal.Decimal` throughout; a float never touches them.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from pathlib import Path

import pyoxigraph as ox

from devgraph.namespaces import BASE, CODELIST, DG, GRAPH, PROV, RDF, XSD
from devgraph.store import GraphStore, StoreError

MONEY_GRAPH = GRAPH + "money"
"""Named graph holding every derived (converted) amount; nothing else writes there."""
CURRENCY = CODELIST + "Currency/"
RATES_CSV = Path(__file__).parent / "data" / "rates.csv"
TARGETS = ("EUR", "USD")
CENT = Decimal("0.01")
RATE_PLACES = Decimal("1e-12")
"""Cross rates (e.g. GBP per USD) are stated to 12 decimals; the amount is computed from the
stated rate, so ``published / rate`` rounded to cents reproduces it exactly."""


class RateError(StoreError):
    """The rate table is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Rate:
    """Units of ``currency`` per one euro, for one month (or a fixed parity)."""

    currency: str
    units_per_eur: Decimal
    month: str | None
    """``YYYY-MM`` of a monthly rate; None for a fixed parity valid in every month."""
    source: str


@dataclass(frozen=True)
class Conversion:
    """One derived amount: how much, at which rate, from which month and source."""

    amount: Decimal
    currency: str
    rate: Decimal
    """Units of the published currency per one unit of ``currency`` (the contract's sense)."""
    rate_date: str | None
    source: str


@dataclass(frozen=True)
class MissingRate:
    """Why an amount could not be converted (reported, never guessed)."""

    amount: str
    currency: str
    target: str
    month: str | None
    reason: str


@dataclass
class MoneyReport:
    """What :func:`normalise` wrote and what it could not convert."""

    converted: Counter[str] = field(default_factory=Counter)
    already_stated: int = 0
    missing: list[MissingRate] = field(default_factory=list)
    triples: int = 0

    def missing_by_currency(self) -> dict[str, int]:
        """Missing conversions counted per published currency, for a one-line summary."""
        return dict(Counter(m.currency for m in self.missing))


class RateTable:
    """The bundled rate table: monthly rates per euro plus fixed parities.

    The CSV has ``#`` comment lines, ``# source ID: text`` lines naming each source, then
    the columns ``currency,from,to,units_per_eur,source``: ``from``/``to`` are ``YYYY-MM``
    (a monthly rate has from = to; a parity has an empty ``to``, open-ended). To add rates,
    append rows (or rebuild from the ECB history with :func:`ecb_monthly_rows`) and name
    their source in a ``# source`` line; unknown source ids are refused on load.
    """

    def __init__(self, rates: Iterable[Rate], pegs: Iterable[tuple[Rate, str, str | None]]):
        self._monthly: dict[tuple[str, str], Rate] = {(r.currency, r.month or ""): r for r in rates}
        self._pegs = list(pegs)

    @classmethod
    def load(cls, path: Path | None = None) -> RateTable:
        """Read a rate table (default: the bundled one)."""
        path = path or RATES_CSV
        sources: dict[str, str] = {}
        rows: list[tuple[int, list[str]]] = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("# source "):
                key, _, text = line[len("# source ") :].partition(":")
                sources[key.strip()] = text.strip()
            elif line.strip() and not line.startswith("#"):
                rows.append((lineno, next(csv.reader([line]))))
        if not rows or rows[0][1] != ["currency", "from", "to", "units_per_eur", "source"]:
            raise RateError(f"{path}: header must be currency,from,to,units_per_eur,source")
        monthly: list[Rate] = []
        pegs: list[tuple[Rate, str, str | None]] = []
        for lineno, cells in rows[1:]:
            if len(cells) != 5:
                raise RateError(f"{path}:{lineno}: expected 5 columns, got {len(cells)}")
            cur, start, end, value, src = (c.strip() for c in cells)
            if src not in sources:
                raise RateError(f"{path}:{lineno}: source {src!r} has no '# source' line")
            try:
                units = Decimal(value)
            except InvalidOperation:
                raise RateError(f"{path}:{lineno}: not a decimal rate: {value!r}") from None
            if units <= 0 or len(start) != 7 or (end and len(end) != 7):
                raise RateError(f"{path}:{lineno}: bad rate or month (YYYY-MM)")
            if end == start:
                monthly.append(Rate(cur, units, start, sources[src]))
            else:
                pegs.append((Rate(cur, units, None, sources[src]), start, end or None))
        return cls(monthly, pegs)

    def per_eur(self, currency: str, month: str | None) -> Rate | None:
        """Units of ``currency`` per euro in ``month``: a parity first, else the monthly rate."""
        if currency == "EUR":
            return Rate("EUR", Decimal(1), month, "")
        for rate, start, end in self._pegs:
            if rate.currency == currency and (
                month is None or (start <= month and (end is None or month <= end))
            ):
                return rate
        if month is None:
            return None
        return self._monthly.get((currency, month))

    def currencies(self) -> set[str]:
        return {c for c, _ in self._monthly} | {r.currency for r, _, _ in self._pegs}

    def convert(
        self, amount: Decimal, currency: str, target: str, month: str | None
    ) -> Conversion | str:
        """Convert through the euro; return the conversion, or the reason it is impossible."""
        src = self.per_eur(currency, month)
        if src is None:
            if currency not in self.currencies():
                return f"no rates for {currency} in the table"
            return "no month to pick a rate" if month is None else f"no {currency} rate for {month}"
        tgt = self.per_eur(target, month)
        if tgt is None:
            return "no month to pick a rate" if month is None else f"no {target} rate for {month}"
        with localcontext() as ctx:
            ctx.prec = 34
            rate = src.units_per_eur / tgt.units_per_eur
            if rate != rate.quantize(RATE_PLACES):  # only cross rates need cutting
                rate = rate.quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
            value = (amount / rate).quantize(CENT, rounding=ROUND_HALF_UP)
        sources = [s.source for s in (src, tgt) if s.source]
        monthly = src.month is not None or tgt.month is not None
        return Conversion(
            amount=value,
            currency=target,
            rate=rate,
            rate_date=month if monthly else None,
            source="; ".join(dict.fromkeys(sources)),
        )


_AMOUNTS = f"""
PREFIX dg: <{DG}>
PREFIX prov: <{PROV}>
SELECT ?value ?amount ?currency ?valueDate ?txDate ?periodStart ?stated WHERE {{
  ?value dg:amount ?amount ; dg:currency ?currency .
  FILTER NOT EXISTS {{ ?value prov:wasDerivedFrom ?published }}
  FILTER NOT EXISTS {{ ?parent dg:convertedAmount ?value }}
  OPTIONAL {{ ?value dg:valueDate ?valueDate }}
  OPTIONAL {{ ?tx dg:value ?value ; dg:transactionDate ?txDate }}
  OPTIONAL {{ ?budget dg:value ?value ; dg:periodStart ?periodStart }}
  OPTIONAL {{
    GRAPH ?g {{ ?value dg:convertedAmount ?conv }}
    FILTER (?g != <{MONEY_GRAPH}>)
    ?conv dg:currency ?stated .
  }}
}}"""


def _month(*dates: ox.Literal | None) -> str | None:
    """The ``YYYY-MM`` of the first date that has a month (a bare year has none)."""
    for d in dates:
        if d is not None and len(d.value) >= 7 and d.value[4] == "-":
            return d.value[:7]
    return None


def _derived_iri(value: ox.NamedNode | ox.BlankNode, target: str) -> str:
    if isinstance(value, ox.NamedNode):
        return f"{value.value}/{target}"
    digest = hashlib.sha256(value.value.encode()).hexdigest()[:16]
    return f"{BASE}id/money/{digest}/{target}"


_P = {
    local: ox.NamedNode(DG + local)
    for local in (
        "convertedAmount",
        "MonetaryAmount",
        "amount",
        "currency",
        "conversion",
        "CurrencyConversion",
        "exchangeRate",
        "rateSource",
        "valueDate",
        "rateDate",
    )
}
_TYPE = ox.NamedNode(RDF + "type")
_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
_DECIMAL = ox.NamedNode(XSD + "decimal")
_YEAR_MONTH = ox.NamedNode(XSD + "gYearMonth")


def conversion_triples(
    value: ox.NamedNode | ox.BlankNode, conv: Conversion, value_date: ox.Literal | None
) -> list[ox.Triple]:
    """The triples stating one derived amount beside its published one."""
    derived = ox.NamedNode(_derived_iri(value, conv.currency))
    how = ox.NamedNode(derived.value + "/conversion")
    triples = [
        ox.Triple(value, _P["convertedAmount"], derived),
        ox.Triple(derived, _TYPE, _P["MonetaryAmount"]),
        ox.Triple(derived, _P["amount"], ox.Literal(format(conv.amount, "f"), datatype=_DECIMAL)),
        ox.Triple(derived, _P["currency"], ox.NamedNode(CURRENCY + conv.currency)),
        ox.Triple(derived, _P["conversion"], how),
        ox.Triple(derived, _DERIVED_FROM, value),
        ox.Triple(how, _TYPE, _P["CurrencyConversion"]),
        ox.Triple(how, _P["exchangeRate"], ox.Literal(format(conv.rate, "f"), datatype=_DECIMAL)),
        ox.Triple(how, _P["rateSource"], ox.Literal(conv.source)),
    ]
    if value_date is not None:
        triples.append(ox.Triple(derived, _P["valueDate"], value_date))
    if conv.rate_date is not None:
        triples.append(
            ox.Triple(how, _P["rateDate"], ox.Literal(conv.rate_date, datatype=_YEAR_MONTH))
        )
    return triples


def normalise(
    store: GraphStore,
    *,
    targets: Iterable[str] = TARGETS,
    rates: RateTable | None = None,
) -> MoneyReport:
    """Recompute ``graph:money``: EUR and USD conversions of every published amount.

    An amount already in the target currency, or with a conversion to it stated in the
    data (such as a seed page's own EUR figure), is left alone, so nothing is doubled.
    The month of the rate is the amount's value date, else its transaction date, else its
    budget period start; a fixed parity needs no month. Amounts that cannot be converted
    are listed in the report with the reason.
    """
    table = rates or RateTable.load()
    wanted = list(dict.fromkeys(targets))
    rows = store.query(_AMOUNTS)
    assert isinstance(rows, ox.QuerySolutions)
    amounts: dict[ox.NamedNode | ox.BlankNode, dict[str, object]] = {}
    for r in rows:
        entry = amounts.setdefault(
            r["value"], {"amount": r["amount"], "currency": r["currency"], "stated": set()}
        )
        for key in ("valueDate", "txDate", "periodStart"):
            if r[key] is not None:
                entry.setdefault(key, r[key])
        if r["stated"] is not None:
            entry["stated"].add(r["stated"].value.removeprefix(CURRENCY))  # type: ignore[attr-defined]
    report = MoneyReport()
    triples: list[ox.Triple] = []
    for value, e in amounts.items():
        currency = e["currency"].value.removeprefix(CURRENCY)  # type: ignore[attr-defined]
        try:
            amount = Decimal(e["amount"].value)  # type: ignore[attr-defined]
        except InvalidOperation:
            report.missing.append(MissingRate(value.value, currency, "*", None, "not a number"))
            continue
        month = _month(e.get("valueDate"), e.get("txDate"), e.get("periodStart"))  # type: ignore[arg-type]
        for target in wanted:
            if target == currency:
                continue
            if target in e["stated"]:  # type: ignore[operator]
                report.already_stated += 1
                continue
            conv = table.convert(amount, currency, target, month)
            if isinstance(conv, str):
                report.missing.append(MissingRate(value.value, currency, target, month, conv))
                continue
            triples.extend(conversion_triples(value, conv, e.get("valueDate")))  # type: ignore[arg-type]
            report.converted[target] += 1
    store.replace_graphs({MONEY_GRAPH: triples})
    report.triples = len(triples)
    return report


def ecb_monthly_rows(ecb_csv: Path, currencies: Iterable[str]) -> list[list[str]]:
    """Monthly means of the ECB's daily euro reference rates, as rate-table rows.

    ``ecb_csv`` is the ECB's ``eurofxref-hist.csv`` (Date,USD,JPY,…; "N/A" for no quote).
    Each month's rate is the arithmetic mean of that month's daily reference rates (the
    ECB's own method for its monthly averages), rounded half-even to 6 decimals.
    """
    wanted = list(currencies)
    sums: dict[tuple[str, str], list[Decimal]] = {}
    with ecb_csv.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            month = row["Date"][:7]
            for cur in wanted:
                cell = (row.get(cur) or "").strip()
                if cell and cell != "N/A":
                    sums.setdefault((cur, month), []).append(Decimal(cell))
    out = []
    for (cur, month), values in sorted(sums.items()):
        mean = (sum(values) / len(values)).quantize(Decimal("1e-6"), rounding=ROUND_HALF_EVEN)
        out.append([cur, month, month, format(mean.normalize(), "f"), "ecb"])
    return out

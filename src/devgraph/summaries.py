"""Portfolio summaries: transaction totals per funder, receiver, country and flow, precomputed.

Portfolio-wide aggregates ("who funds whom, with how much", "what was disbursed in Mali") are
what coordination bodies ask most, and what the store answers slowest: on disk at 100 k
activities a GROUP BY over 270 k transactions joins seven patterns per transaction and takes
minutes, however it is written. :func:`refresh` reads the transactions once, after each load,
and writes the totals into ``graph:summary/<level>`` graphs, which the ``totals-*`` and
``who-funds-whom`` queries read instead of the transactions.

What a total means, so that it can be checked against the raw data (``tests/test_summaries``
does, level by level):

- ``dg:totalEur`` sums each transaction's EUR figure: its amount when published in EUR, else
  the ``dg:convertedAmount`` in EUR that the graph states (the publisher's own or
  ``devgraph money``'s). Transactions with no EUR figure are counted in
  ``dg:transactionsWithoutEur``, never guessed; ``devgraph money`` refreshes the summaries.
- A country's share of a transaction follows the activity's recipient countries: the stated
  ``dg:percentage`` of each country share when every country has one, the whole amount when
  the activity has a single country, and otherwise no country (counted in the run's
  ``dg:transactionsWithoutCountry``): a split is never invented.
- A transaction without a type is left out of every total and counted in the run's
  ``dg:transactionsWithoutType`` (validation flags it).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from devgraph.namespaces import BASE, CODELIST, DG, PROV, RDF, SUMMARY_GRAPH, XSD
from devgraph.store import GraphStore

__all__ = ["LEVELS", "LEVEL_GRAPHS", "SUMMARY_GRAPH", "SummaryReport", "refresh", "summary_triples"]

EUR = CODELIST + "Currency/EUR"
RUN = BASE + "id/summary"
"""The node describing the last refresh (when, over how many transactions)."""

LEVELS: dict[str, tuple[str, ...]] = {
    "TransactionTypeTotal": (),
    "FunderTotal": ("provider",),
    "ReceiverTotal": ("receiver",),
    "FlowTotal": ("provider", "receiver"),
    "CountryTotal": ("country",),
    "FunderCountryTotal": ("provider", "country"),
}
"""Each summary class and the dimensions it is keyed by, besides the transaction type."""

LEVEL_GRAPHS = {
    "TransactionTypeTotal": SUMMARY_GRAPH + "/transaction-type",
    "FunderTotal": SUMMARY_GRAPH + "/funder",
    "ReceiverTotal": SUMMARY_GRAPH + "/receiver",
    "FlowTotal": SUMMARY_GRAPH + "/flow",
    "CountryTotal": SUMMARY_GRAPH + "/country",
    "FunderCountryTotal": SUMMARY_GRAPH + "/funder-country",
}
"""One named graph per level (``graph:summary`` itself holds the run). A query names the
graph of the level it reads, so its scans cover that level's rows only and no class pattern
is needed: a pattern with a constant object (``?t a dg:FunderTotal``) would lead
pyoxigraph's plan even when the query's parameter (``?funder``) is bound, and scan every
total of the level for one organisation's."""

_DIMENSION = {
    "provider": "summaryProvider",
    "receiver": "summaryReceiver",
    "country": "summaryCountry",
}

_TRANSACTIONS = f"""PREFIX dg: <{DG}>
SELECT ?tx ?activity ?type ?provider ?receiver ?amount ?currency ?eur WHERE {{
  ?activity dg:transaction ?tx .
  OPTIONAL {{ ?tx dg:transactionType ?type }}
  OPTIONAL {{ ?tx dg:providerOrganisation ?provider }}
  OPTIONAL {{ ?tx dg:receiverOrganisation ?receiver }}
  OPTIONAL {{
    ?tx dg:value ?value .
    ?value dg:amount ?amount ; dg:currency ?currency .
    OPTIONAL {{
      ?value dg:convertedAmount ?converted .
      ?converted dg:currency ?convertedCurrency ; dg:amount ?convertedEur .
      FILTER (sameTerm(?convertedCurrency, <{EUR}>))
    }}
  }}
  BIND (IF(sameTerm(?currency, <{EUR}>), ?amount, ?convertedEur) AS ?eur)
}}"""

_COUNTRIES = f"""PREFIX dg: <{DG}>
SELECT ?activity ?country ?percentage WHERE {{
  {{ ?activity dg:recipientCountry ?country }}
  UNION
  {{ ?activity dg:countryShare ?share . ?share dg:country ?country .
     OPTIONAL {{ ?share dg:percentage ?percentage }} }}
}}"""


_WHOLE = Decimal(1)


@dataclass
class Total:
    """One row of a summary level: how many transactions, and their EUR sum."""

    transactions: int = 0
    eur: Decimal = Decimal(0)
    without_eur: int = 0

    def add(self, eur: Decimal | None, share: Decimal = _WHOLE) -> None:
        self.transactions += 1
        if eur is None:
            self.without_eur += 1
        else:
            self.eur += eur * share


@dataclass
class SummaryReport:
    """What :func:`refresh` read and wrote."""

    transactions: int = 0
    without_type: int = 0
    without_country: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        rows = ", ".join(f"{n} {level}" for level, n in self.rows.items() if n)
        return (
            f"summaries: {self.transactions} transactions → {rows or 'no rows'} "
            f"({self.triples} triples, {self.seconds:.1f} s); "
            f"{self.without_type} without a type, {self.without_country} without a country"
        )


Totals = dict[tuple[str, tuple[str, ...], str], Total]
"""(level, dimension values, transaction type IRI) → total."""


def _decimal(term: ox.Literal | None) -> Decimal | None:
    if term is None:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _country_shares(store: GraphStore) -> dict[str, list[tuple[str, Decimal]]]:
    """Activity → [(country, fraction)], by the rule in the module docstring."""
    countries: dict[str, dict[str, Decimal | None]] = {}
    for row in store.query(_COUNTRIES):  # type: ignore[union-attr]
        of = countries.setdefault(row["activity"].value, {})
        pct = _decimal(row["percentage"])
        country = row["country"].value
        if pct is not None or country not in of:
            of[country] = pct
    shares: dict[str, list[tuple[str, Decimal]]] = {}
    for activity, of in countries.items():
        if all(p is not None for p in of.values()):
            shares[activity] = [(c, p / 100) for c, p in of.items()]  # type: ignore[operator]
        elif len(of) == 1:
            shares[activity] = [(next(iter(of)), Decimal(1))]
    return shares


def compute(store: GraphStore) -> tuple[Totals, SummaryReport]:
    """Read every transaction once and add it to each level's totals."""
    report = SummaryReport()
    shares = _country_shares(store)
    totals: Totals = defaultdict(Total)
    seen: set[str] = set()
    for row in store.query(_TRANSACTIONS):  # type: ignore[union-attr]
        tx = row["tx"].value
        if tx in seen:  # a second provider, value or EUR figure would repeat the transaction
            continue
        seen.add(tx)
        report.transactions += 1
        if row["type"] is None:
            report.without_type += 1
            continue
        tx_type = row["type"].value
        eur = _decimal(row["eur"])
        provider = row["provider"].value if row["provider"] is not None else None
        receiver = row["receiver"].value if row["receiver"] is not None else None
        totals[("TransactionTypeTotal", (), tx_type)].add(eur)
        if provider:
            totals[("FunderTotal", (provider,), tx_type)].add(eur)
        if receiver:
            totals[("ReceiverTotal", (receiver,), tx_type)].add(eur)
        if provider and receiver:
            totals[("FlowTotal", (provider, receiver), tx_type)].add(eur)
        countries = shares.get(row["activity"].value)
        if not countries:
            report.without_country += 1
            continue
        for country, share in countries:
            totals[("CountryTotal", (country,), tx_type)].add(eur, share)
            if provider:
                totals[("FunderCountryTotal", (provider, country), tx_type)].add(eur, share)
    report.rows = {level: 0 for level in LEVELS} | Counter(level for level, _, _ in totals)
    return dict(totals), report


_TYPE = ox.NamedNode(RDF + "type")
_INTEGER = ox.NamedNode(XSD + "integer")
_DECIMAL = ox.NamedNode(XSD + "decimal")
_P = {
    local: ox.NamedNode(DG + local)
    for local in (
        "SummaryRun",
        *LEVELS,
        *_DIMENSION.values(),
        "summaryTransactionType",
        "transactionCount",
        "totalEur",
        "transactionsWithoutEur",
        "transactionsWithoutType",
        "transactionsWithoutCountry",
        "rank",
    )
}
"""The ontology terms written, built once (a refresh at 100 k activities writes 2 M triples)."""


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_INTEGER)


def summary_triples(totals: Totals, report: SummaryReport) -> dict[str, list[ox.Triple]]:
    """The summary graphs: the run, and one node per total in its level's graph, named by a
    hash of its level and keys."""
    run = ox.NamedNode(RUN)
    stamp = ox.Literal(
        datetime.now(UTC).replace(microsecond=0).isoformat(),
        datatype=ox.NamedNode(XSD + "dateTime"),
    )
    graphs: dict[str, list[ox.Triple]] = {
        SUMMARY_GRAPH: [
            ox.Triple(run, _TYPE, _P["SummaryRun"]),
            ox.Triple(run, ox.NamedNode(PROV + "generatedAtTime"), stamp),
            ox.Triple(run, _P["transactionCount"], _integer(report.transactions)),
            ox.Triple(run, _P["transactionsWithoutType"], _integer(report.without_type)),
            ox.Triple(run, _P["transactionsWithoutCountry"], _integer(report.without_country)),
        ]
    }
    # Rank 1 is the largest EUR total of its level and transaction type (ties by key), so that
    # "the top 20" reads 20 totals, not all of them: at 100 k activities a level can hold
    # 150 k totals, and listing them all costs seconds whatever the query.
    ordered = sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][2], -kv[1].eur, kv[0][1]))
    previous, rank = None, 0
    for (level, key, tx_type), total in ordered:
        rank = rank + 1 if (level, tx_type) == previous else 1
        previous = (level, tx_type)
        digest = hashlib.sha1("\n".join((level, tx_type, *key)).encode()).hexdigest()[:20]
        node = ox.NamedNode(f"{RUN}/{level}/{digest}")
        out = graphs.setdefault(LEVEL_GRAPHS[level], [])
        out.append(ox.Triple(node, _TYPE, _P[level]))
        for dimension, value in zip(LEVELS[level], key, strict=True):
            out.append(ox.Triple(node, _P[_DIMENSION[dimension]], ox.NamedNode(value)))
        eur = ox.Literal(format(total.eur.normalize(), "f"), datatype=_DECIMAL)
        out += [
            ox.Triple(node, _P["summaryTransactionType"], ox.NamedNode(tx_type)),
            ox.Triple(node, _P["transactionCount"], _integer(total.transactions)),
            ox.Triple(node, _P["totalEur"], eur),
            ox.Triple(node, _P["transactionsWithoutEur"], _integer(total.without_eur)),
            ox.Triple(node, _P["rank"], _integer(rank)),
        ]
    return graphs


def refresh(store: GraphStore, *, progress: Callable[[str], None] | None = None) -> SummaryReport:
    """Recompute the ``graph:summary`` graphs from the store's transactions (old totals
    dropped first, new ones bulk-written: see below)."""
    say = progress or (lambda _line: None)
    started = time.perf_counter()
    say("summaries: reading transactions")
    totals, report = compute(store)
    graphs = summary_triples(totals, report) if report.transactions else {}
    # Not replace_graphs over the old totals: replacing an existing graph atomically (staging,
    # then MOVE) re-inserts every quad in one transaction, ~180 µs a quad in pyoxigraph (42 s
    # for the 0.23 M summary triples of 10 k activities), where dropping costs ~30 µs and
    # writing new graphs with the bulk loader a few. Totals are derived data, so the old ones
    # are dropped first and the new ones written as new graphs: while a refresh runs a reader
    # may find totals missing (the run node too), and a failure leaves none — `devgraph
    # summarise` rebuilds them — but never totals of the old data mixed into the new.
    old = (SUMMARY_GRAPH, *LEVEL_GRAPHS.values())
    store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in old))
    if graphs:
        store.replace_graphs(graphs)
    report.triples = sum(len(t) for t in graphs.values())
    report.seconds = time.perf_counter() - started
    return report

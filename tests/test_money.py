"""Money normalisation: published figures kept, EUR/USD derived from the bundled rate table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from devgraph import money
from devgraph.load import load_paths
from devgraph.namespaces import ACTIVITY
from devgraph.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
ENSEMBLE = ACTIVITY + "ensemble-avenir-meilleur"
CONTRIBUTION = f"{ENSEMBLE}/participation/plan-international-mali/contribution/1/value"
DERIVED = """PREFIX dg: <https://w3id.org/devgraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?published ?amount ?currency ?rate ?rateDate ?source ?from WHERE {
  GRAPH <https://w3id.org/devgraph/graph/money> {
    ?published dg:convertedAmount ?d .
    ?d dg:amount ?amount ; dg:currency ?currency ; dg:conversion ?c ; prov:wasDerivedFrom ?from .
    ?c dg:exchangeRate ?rate ; dg:rateSource ?source . OPTIONAL { ?c dg:rateDate ?rateDate } } }"""


def _rows(store, query=DERIVED):
    return [
        {
            k: (r[k].value if r[k] is not None else None)
            for k in ("published", "amount", "currency", "rate", "rateDate", "source", "from")
        }
        for r in store.query(query)
    ]


@pytest.fixture(scope="module")
def seeds():
    store = EmbeddedStore(None)
    load_paths(store, [REPO / "data" / "ttl"], root=REPO)
    report = money.normalise(store)
    return store, report


def test_xof_contribution_converted_at_the_peg(seeds):
    store, _ = seeds
    rows = [r for r in _rows(store) if r["published"] == CONTRIBUTION]
    assert len(rows) == 1
    row = rows[0]
    # 96,303,057 XOF / 655.957 XOF per EUR = 146,813.0639… → 146,813.06 EUR
    assert Decimal(row["amount"]) == Decimal("146813.06")
    assert row["currency"].endswith("/Currency/EUR")
    assert Decimal(row["rate"]) == Decimal("655.957")
    assert "655.957" in row["source"] and "XOF" in row["source"]
    assert row["from"] == CONTRIBUTION


def test_stated_conversion_is_not_duplicated(seeds):
    store, report = seeds
    budget = f"{ENSEMBLE}/budget/1/value"
    assert not [r for r in _rows(store) if r["published"] == budget]
    assert report.already_stated == 1
    eur = list(
        store.query(f"""PREFIX dg: <https://w3id.org/devgraph/ontology#>
        SELECT ?amount ?source WHERE {{ <{budget}> dg:convertedAmount ?d .
          ?d dg:amount ?amount ; dg:conversion/dg:rateSource ?source }}""")
    )
    assert [Decimal(r["amount"].value) for r in eur] == [Decimal("146813.06")]
    assert "655.957" in eur[0]["source"].value


def test_amounts_without_a_month_are_reported_not_guessed(seeds):
    _, report = seeds
    usd = [m for m in report.missing if m.target == "USD"]
    assert {m.amount for m in usd} >= {CONTRIBUTION, f"{ENSEMBLE}/budget/1/value"}
    assert all(m.reason == "no month to pick a rate" for m in usd)
    assert report.missing_by_currency()["XOF"] == 2


def test_normalise_replaces_its_graph(seeds):
    store, report = seeds
    again = money.normalise(store)
    assert again.triples == report.triples
    n = next(
        iter(
            store.query(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                "<https://w3id.org/devgraph/graph/money> { ?s ?p ?o } }"
            )
        )
    )
    assert int(n["n"].value) == report.triples


def test_monthly_cross_rate_states_month_and_both_sources(tmp_path):
    table = tmp_path / "rates.csv"
    table.write_text(
        "# source t1: test table one\n# source t2: test table two\n"
        "currency,from,to,units_per_eur,source\n"
        "USD,2021-03,2021-03,1.2,t1\nGBP,2021-03,2021-03,0.8,t2\n"
    )
    rates = money.RateTable.load(table)
    conv = rates.convert(Decimal("100"), "GBP", "USD", "2021-03")
    assert isinstance(conv, money.Conversion)
    # 0.8 GBP per EUR / 1.2 USD per EUR = 0.666… GBP per USD; 100 GBP = 150 USD
    assert conv.amount == Decimal("150.00")
    assert conv.rate_date == "2021-03"
    assert conv.source == "test table one; test table two" or conv.source == (
        "test table two; test table one"
    )
    assert rates.convert(Decimal("1"), "GBP", "USD", "2021-04") == "no GBP rate for 2021-04"
    assert rates.convert(Decimal("1"), "BDT", "EUR", "2021-03") == "no rates for BDT in the table"


def test_rate_table_rejects_unsourced_rows(tmp_path):
    table = tmp_path / "rates.csv"
    table.write_text("currency,from,to,units_per_eur,source\nUSD,2021-03,2021-03,1.2,nowhere\n")
    with pytest.raises(money.RateError, match="nowhere"):
        money.RateTable.load(table)


def test_bundled_table_has_pegs_and_ecb_months():
    rates = money.RateTable.load()
    for cur, value in (("XOF", "655.957"), ("XAF", "655.957"), ("KMF", "491.96775")):
        rate = rates.per_eur(cur, "2020-07")
        assert rate is not None and rate.units_per_eur == Decimal(value) and rate.month is None
    usd = rates.per_eur("USD", "2020-07")
    assert usd is not None and "European Central Bank" in usd.source
    # The ECB's published July 2020 average is 1.1463 USD per EUR.
    assert abs(usd.units_per_eur - Decimal("1.1463")) < Decimal("0.0001")
    assert {"USD", "GBP", "CAD", "AUD"} <= rates.currencies()


def test_ecb_monthly_rows_are_means_of_daily_rates(tmp_path):
    ecb = tmp_path / "eurofxref-hist.csv"
    ecb.write_text("Date,USD,GBP,\n2021-03-02,1.2,N/A,\n2021-03-01,1.3,0.9,\n2021-02-26,1.1,0.8,\n")
    rows = money.ecb_monthly_rows(ecb, ["USD", "GBP"])
    assert rows == [
        ["GBP", "2021-02", "2021-02", "0.8", "ecb"],
        ["GBP", "2021-03", "2021-03", "0.9", "ecb"],
        ["USD", "2021-02", "2021-02", "1.1", "ecb"],
        ["USD", "2021-03", "2021-03", "1.25", "ecb"],
    ]

"""Precomputed transaction totals (``devgraph.summaries``): the rules, and agreement with the
same totals computed by plain SPARQL GROUP BY over the raw data, level by level."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from devgraph import money, summaries
from devgraph.iati import import_paths
from devgraph.load import load_paths
from devgraph.namespaces import SUMMARY_GRAPH
from devgraph.queries import get_query, run_query
from devgraph.store import EmbeddedStore, GraphStore

HERE = Path(__file__).parent
REPO = HERE.parents[1]
SAMPLES = REPO.parent / "shared" / "iati" / "samples"
DG = "https://w3id.org/devgraph/ontology#"
ORG = "https://w3id.org/devgraph/id/organisation/"
PLACE = "https://w3id.org/devgraph/id/place/"
TT = "https://w3id.org/devgraph/codelist/TransactionType/"

Key = tuple[str, tuple[str, ...], str]
Row = tuple[int, Decimal, int]

_STORED = f"""PREFIX dg: <{DG}>
SELECT ?level ?provider ?receiver ?country ?type ?n ?total ?without WHERE {{
  GRAPH ?g {{
    ?s a ?level ; dg:summaryTransactionType ?type ; dg:transactionCount ?n ;
       dg:totalEur ?total ; dg:transactionsWithoutEur ?without .
    OPTIONAL {{ ?s dg:summaryProvider ?provider }}
    OPTIONAL {{ ?s dg:summaryReceiver ?receiver }}
    OPTIONAL {{ ?s dg:summaryCountry ?country }}
  }}
  FILTER (STRSTARTS(STR(?g), "{SUMMARY_GRAPH}/"))
}}"""


def stored(store: GraphStore) -> dict[Key, Row]:
    out: dict[Key, Row] = {}
    for r in store.query(_STORED):
        level = r["level"].value.removeprefix(DG)
        dims = tuple(r[d].value for d in ("provider", "receiver", "country") if r[d] is not None)
        key = (level, dims, r["type"].value)
        assert key not in out, f"two summary nodes for {key}"
        out[key] = (int(r["n"].value), Decimal(r["total"].value), int(r["without"].value))
    return out


# --- the reference: the same totals as one SPARQL GROUP BY per level over the raw data ------

_TX = """
  ?activity dg:transaction ?tx . ?tx dg:transactionType ?type .
  OPTIONAL { ?tx dg:value ?v . ?v dg:amount ?amount ; dg:currency ?cur .
    OPTIONAL { ?v dg:convertedAmount ?c . ?c dg:currency ?ccur ; dg:amount ?ceur .
               FILTER (?ccur = <https://w3id.org/devgraph/codelist/Currency/EUR>) } }
  BIND (IF(?cur = <https://w3id.org/devgraph/codelist/Currency/EUR>, ?amount, ?ceur) AS ?eur)
"""
# Each activity's countries and the fraction of its money each gets: the stated percentages
# when every country has one, the whole when there is one country, else no row.
_SHARE = """
  { SELECT DISTINCT ?activity ?country ?share WHERE {
      { SELECT ?activity (COUNT(DISTINCT ?c) AS ?n) (COUNT(DISTINCT ?cp) AS ?np) WHERE {
          { ?activity dg:recipientCountry ?c } UNION { ?activity dg:countryShare/dg:country ?c }
          OPTIONAL { ?activity dg:countryShare ?s . ?s dg:country ?c ; dg:percentage ?p .
                     BIND (?c AS ?cp) }
        } GROUP BY ?activity }
      { ?activity dg:recipientCountry ?country }
      UNION { ?activity dg:countryShare/dg:country ?country }
      OPTIONAL { ?activity dg:countryShare ?s3 . ?s3 dg:country ?country ; dg:percentage ?pct }
      FILTER (?n = ?np || ?n = 1)
      BIND (IF(?n = ?np, ?pct / 100, 1) AS ?share)
  } }
"""
_PROVIDER = "?tx dg:providerOrganisation ?provider ."
_RECEIVER = "?tx dg:receiverOrganisation ?receiver ."
REFERENCE = {
    "TransactionTypeTotal": ((), "BIND (1 AS ?share)"),
    "FunderTotal": (("provider",), _PROVIDER + "BIND (1 AS ?share)"),
    "ReceiverTotal": (("receiver",), _RECEIVER + "BIND (1 AS ?share)"),
    "FlowTotal": (("provider", "receiver"), _PROVIDER + _RECEIVER + "BIND (1 AS ?share)"),
    "CountryTotal": (("country",), _SHARE),
    "FunderCountryTotal": (("provider", "country"), _PROVIDER + _SHARE),
}


def reference(store: GraphStore) -> dict[Key, Row]:
    out: dict[Key, Row] = {}
    for level, (dims, extra) in REFERENCE.items():
        names = " ".join(f"?{d}" for d in dims)
        text = f"""PREFIX dg: <{DG}>
SELECT {names} ?type (COUNT(?tx) AS ?n) (SUM(COALESCE(?eur * ?share, 0)) AS ?total)
       (SUM(IF(BOUND(?eur), 0, 1)) AS ?without)
WHERE {{ {extra} {_TX} }} GROUP BY {names} ?type"""
        for r in store.query(text):
            key = (level, tuple(r[d].value for d in dims), r["type"].value)
            out[key] = (int(r["n"].value), Decimal(r["total"].value), int(r["without"].value))
    return out


# --- the rules on a hand-made fixture --------------------------------------------------------


@pytest.fixture
def flows(empty_store: GraphStore) -> GraphStore:
    load_paths(empty_store, [HERE / "flows.ttl"], root=HERE)
    return empty_store


def test_rules_on_the_fixture(flows: GraphStore) -> None:
    report = summaries.refresh(flows)
    got = stored(flows)
    o1, o2, o3 = (ORG + n for n in ("O1", "O2", "O3"))
    sn, ml = PLACE + "SN", PLACE + "ML"
    d, c = TT + "3", TT + "2"
    # t1 1000 EUR and t2 655 957 XOF stated as 1000 EUR, A1 (SN 60 %, ML 40 %); t3 500 USD with
    # no EUR figure; t4 has no type; t5 200 EUR and t6 (no value) in A2 (SN only); t7 300 EUR in
    # A3 (ML and GN, no percentages).
    assert got[("TransactionTypeTotal", (), d)] == (5, Decimal(2500), 1)
    assert got[("TransactionTypeTotal", (), c)] == (1, Decimal(0), 1)
    assert got[("FunderTotal", (o1,), d)] == (3, Decimal(2300), 0)
    assert got[("FunderTotal", (o1,), c)] == (1, Decimal(0), 1)
    assert got[("ReceiverTotal", (o3,), d)] == (3, Decimal(500), 1)
    assert got[("FlowTotal", (o1, o2), d)] == (2, Decimal(2000), 0)
    assert got[("FlowTotal", (o2, o3), d)] == (1, Decimal(200), 0)
    assert got[("CountryTotal", (sn,), d)] == (4, Decimal(1400), 1)  # 600 + 600 + 200, t6
    assert got[("CountryTotal", (ml,), d)] == (2, Decimal(800), 0)
    assert got[("FunderCountryTotal", (o1, sn), d)] == (2, Decimal(1200), 0)
    assert not any(PLACE + "GN" in key[1] for key in got)  # t7's split is not invented
    assert (report.transactions, report.without_type, report.without_country) == (7, 1, 1)
    assert got == reference(flows)


def test_refresh_replaces_the_previous_totals(flows: GraphStore) -> None:
    summaries.refresh(flows)
    flows.update(
        "DELETE WHERE { GRAPH ?g { <https://w3id.org/devgraph/id/activity/A3> "
        f"<{DG}transaction> ?t }} }}"
    )
    summaries.refresh(flows)
    got = stored(flows)
    assert got[("FunderTotal", (ORG + "O1",), TT + "3")] == (2, Decimal(2000), 0)
    assert got == reference(flows)


def test_named_queries_read_the_summaries(flows: GraphStore) -> None:
    summaries.refresh(flows)
    rows = list(
        run_query(flows, get_query("who-funds-whom"), {"provider": ox.NamedNode(ORG + "O1")})
    )
    assert [(r["receiver"].value, Decimal(r["totalEur"].value)) for r in rows][:1] == [
        (ORG + "O2", Decimal(2000))
    ]
    assert {r["provider"].value for r in rows} == {ORG + "O1"}
    by_country = run_query(flows, get_query("totals-by-country"), {"type": ox.NamedNode(TT + "3")})
    assert [(r["iso"].value, Decimal(r["totalEur"].value)) for r in by_country] == [
        ("SN", Decimal(1400)),
        ("ML", Decimal(800)),
    ]
    funders = run_query(flows, get_query("totals-by-funder"), {"funder": ox.NamedNode(ORG + "O2")})
    assert [int(r["transactions"].value) for r in funders] == [1]
    (run,) = run_query(
        flows, get_query("totals-by-transaction-type"), {"type": ox.NamedNode(TT + "3")}
    )
    assert (int(run["withoutType"].value), int(run["withoutCountry"].value)) == (1, 1)
    pairs = run_query(
        flows, get_query("totals-by-funder-country"), {"country": ox.NamedNode(PLACE + "ML")}
    )
    assert {(r["funder"].value, r["type"].value) for r in pairs} == {
        (ORG + "O1", d) for d in (TT + "2", TT + "3")
    }
    receivers = run_query(
        flows, get_query("totals-by-receiver"), {"receiver": ox.NamedNode(ORG + "O3")}
    )
    assert sorted(int(r["transactions"].value) for r in receivers) == [1, 3]


# --- agreement on real and synthetic portfolios ----------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        ["afd-FR-3_v2.03_dportal2021-p18.xml", "aiddata-senegal-aims_v2.03.xml"],
        ["dfid-GB-1-drc_v1.01.xml", "worldvision-uk_v1.0x_provider-activity-id.xml"],
        ["undp-XM-DAC-41114_v2.03_dportal2021-p110.xml"],
    ],
)
def test_agrees_with_sparql_on_iati_samples(files: list[str]) -> None:
    store = EmbeddedStore(None)
    import_paths(store, [SAMPLES / f for f in files], root=SAMPLES)
    money.normalise(store)
    report = summaries.refresh(store)
    assert report.transactions > 0
    got = stored(store)
    assert got, "no totals"
    assert got == reference(store)


def _synthetic(folder: Path, activities: int, seed: int) -> EmbeddedStore:
    """A generated portfolio (benchmarks/generate.py) in memory, its amounts converted."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate

    path = folder / "portfolio.nq"
    generate(activities, seed=seed, rdf=path)
    store = EmbeddedStore(None)
    load_paths(store, [path], root=folder)
    money.normalise(store)
    return store


def test_agrees_with_sparql_on_a_synthetic_portfolio(tmp_path: Path) -> None:
    store = _synthetic(tmp_path, 150, seed=11)
    report = summaries.refresh(store)
    got = stored(store)
    assert report.rows["FlowTotal"] > 50 and report.rows["CountryTotal"] > 5
    assert got == reference(store)


def _ranked(store: GraphStore) -> dict[tuple[str, str], list[tuple[int, Decimal, str]]]:
    """(level, type) → [(rank, total, node)] sorted by rank."""
    rows = store.query(
        f"""PREFIX dg: <{DG}>
SELECT ?s ?level ?type ?rank ?total WHERE {{ GRAPH ?g {{
  ?s a ?level ; dg:summaryTransactionType ?type ; dg:rank ?rank ; dg:totalEur ?total }} }}"""
    )
    out: dict[tuple[str, str], list[tuple[int, Decimal, str]]] = {}
    for r in rows:
        key = (r["level"].value.removeprefix(DG), r["type"].value)
        out.setdefault(key, []).append(
            (int(r["rank"].value), Decimal(r["total"].value), r["s"].value)
        )
    return {k: sorted(v) for k, v in out.items()}


def test_ranks_and_top_queries_on_a_synthetic_portfolio(tmp_path: Path) -> None:
    store = _synthetic(tmp_path, 120, seed=5)
    summaries.refresh(store)
    ranked = _ranked(store)
    for (level, _type), rows in ranked.items():
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1)), level
        totals = [r[1] for r in rows]
        assert totals == sorted(totals, reverse=True), level
    ref = reference(store)
    for name, level, dims in (
        ("top-flows", "FlowTotal", ("provider", "receiver")),
        ("top-funders", "FunderTotal", ("funder",)),
        ("top-receivers", "ReceiverTotal", ("receiver",)),
    ):
        got = run_query(store, get_query(name), {"top": ox.Literal("3")})
        by_type: dict[str, list[tuple[Decimal, tuple[str, ...]]]] = {}
        for r in got:
            by_type.setdefault(r["type"].value, []).append(
                (Decimal(r["totalEur"].value), tuple(r[d].value for d in dims))
            )
        assert by_type, name
        for tx_type, rows in by_type.items():
            expected = sorted(
                (
                    (row[1], key[1])
                    for key, row in ref.items()
                    if key[0] == level and key[2] == tx_type
                ),
                key=lambda x: (-x[0], x[1]),
            )[:3]
            assert rows == expected, (name, tx_type)

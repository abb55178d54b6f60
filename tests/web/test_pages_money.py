"""Transactions on the pages: published amounts, EUR figures, who funds whom with amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devgraph.load import load_paths
from devgraph.money import RateTable, normalise
from devgraph.store import EmbeddedStore
from devgraph.web import create_app

TTL = """@prefix dg: <https://w3id.org/devgraph/ontology#> .
@prefix act: <https://w3id.org/devgraph/id/activity/> .
@prefix dgo: <https://w3id.org/devgraph/id/organisation/> .
@prefix cur: <https://w3id.org/devgraph/codelist/Currency/> .
@prefix tx: <https://w3id.org/devgraph/codelist/TransactionType/> .
@prefix role: <https://w3id.org/devgraph/codelist/OrganisationRole/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
act:water a dg:Activity ; dg:title "Water"@en ; dg:iatiIdentifier "XM-TEST-1" ;
  dg:reportingOrganisation dgo:ngo ;
  dg:participation act:water\\/p1 , act:water\\/p2 ;
  dg:transaction act:water\\/t1 , act:water\\/t2 .
act:water\\/p1 dg:participant dgo:donor ; dg:role role:1 .
act:water\\/p2 dg:participant dgo:ngo ; dg:role role:4 .
act:water\\/t1 dg:transactionType tx:1 ; dg:transactionDate "2024-03-15"^^xsd:date ;
  dg:providerOrganisation dgo:donor ; dg:value act:water\\/t1\\/value .
act:water\\/t1\\/value dg:amount 1000 ; dg:currency cur:USD .
act:water\\/t2 dg:transactionType tx:4 ; dg:transactionDate "2024-04-01"^^xsd:date ;
  dg:receiverOrganisation dgo:local ; dg:value act:water\\/t2\\/value .
act:water\\/t2\\/value dg:amount 655957 ; dg:currency cur:XOF .
dgo:donor a dg:Organisation ; dg:name "Donor"@en .
dgo:ngo a dg:Organisation ; dg:name "NGO"@en ; dg:orgIdentifier "XM-NGO" .
dgo:local a dg:Organisation ; dg:name "Local partner"@en .
"""


@pytest.fixture(scope="module")
def money_client(tmp_path_factory):
    path = tmp_path_factory.mktemp("money") / "water.ttl"
    path.write_text(TTL, encoding="utf-8")
    store = EmbeddedStore(None)
    load_paths(store, [path], root=path.parent)
    normalise(store)  # the USD amount gets its EUR conversion in graph:money
    app = create_app({"TESTING": True, "STORE": store, "PAGE_FINDINGS": False})
    return app.test_client()


def expected_usd_in_eur() -> float:
    conv = RateTable.load().convert(Decimal(1000), "USD", "EUR", "2024-03")
    assert not isinstance(conv, str)
    return float(conv.amount)


def test_transactions_with_published_and_eur_amounts(money_client):
    data = money_client.get("/activity/water.json").get_json()
    by_type = {t["type"]["iri"].rsplit("/", 1)[-1]: t for t in data["transactions"]}
    incoming, expenditure = by_type["1"], by_type["4"]
    assert (incoming["amount"], incoming["currency"]) == (1000.0, "USD")
    assert (incoming["eur"], incoming["eur_from"]) == (expected_usd_in_eur(), "converted")
    # XOF has a fixed parity, so `devgraph money` converted it too.
    assert (expenditure["eur"], expenditure["eur_from"]) == (1000.0, "converted")
    assert expenditure["receiver"]["label"] == "Local partner"
    flows = {(f["source"]["label"], f["target"]["label"]): f for f in data["chains"]["flows"]}
    # The unstated ends are the reporting organisation (IATI's convention).
    assert set(flows) == {("Donor", "NGO"), ("NGO", "Local partner")}
    assert all(f["kind"] == "transaction" for f in flows.values())


def test_organisation_page_amounts_each_way(money_client):
    ngo = money_client.get("/organisation/ngo.json").get_json()
    assert [(x["organisation"]["label"], x["disbursed_eur"]) for x in ngo["funded_by"]] == [
        ("Donor", expected_usd_in_eur())
    ]
    assert [(x["organisation"]["label"], x["disbursed_eur"]) for x in ngo["funds"]] == [
        ("Local partner", 1000.0)
    ]
    html = money_client.get("/organisation/ngo").get_data(as_text=True)
    assert "1,000" in html and "1 transaction" in html


def test_home_disbursed_by_funder_and_iati_link(money_client):
    home = money_client.get("/index.json").get_json()
    donor = next(r for r in home["funding_by_funder"] if r["label"] == "Donor")
    assert donor["disbursed_eur"] == expected_usd_in_eur()
    html = money_client.get("/activity/water").get_data(as_text=True)
    assert "1,000 USD" in html and "655,957 XOF" in html
    app_paths = {r.rule for r in money_client.application.url_map.iter_rules()}
    if "/export/iati.xml" in app_paths:
        assert 'href="/export/iati.xml?activity=XM-TEST-1"' in html
    else:
        assert "iati.xml" not in html

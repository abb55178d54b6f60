"""An indicator-level target is not paired with the periods of other activities' indicators."""

from __future__ import annotations

from devgraph.pages.results import results
from devgraph.store import EmbeddedStore

DATA = """
@prefix dg: <https://w3id.org/devgraph/ontology#> .
@prefix act: <https://w3id.org/devgraph/id/activity/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
act:a dg:result act:a-r1 . act:a-r1 dg:indicator act:a-i1 .
act:a-i1 dg:target act:a-t . act:a-t dg:numericValue 10 .
act:a-i1 dg:actual act:a-x . act:a-x dg:numericValue 4 .
act:b dg:result act:b-r1 . act:b-r1 dg:indicator act:b-i1 .
act:b-i1 dg:period act:b-p1, act:b-p2 .
act:b-p1 dg:periodStart "2020-01-01"^^xsd:date ; dg:periodEnd "2020-12-31"^^xsd:date ;
    dg:target act:b-t1 . act:b-t1 dg:numericValue 5 .
act:b-p2 dg:periodStart "2021-01-01"^^xsd:date ; dg:periodEnd "2021-12-31"^^xsd:date ;
    dg:actual act:b-x2 . act:b-x2 dg:numericValue 7 .
"""


def _store() -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.load(DATA, format="turtle", graph="https://w3id.org/devgraph/graph/test")
    return store


def test_indicator_level_values_form_one_undated_slot():
    [result] = results(_store(), "https://w3id.org/devgraph/id/activity/a", "en")
    [indicator] = result["indicators"]
    [slot] = indicator["periods"]
    assert (slot["start"], slot["end"]) == (None, None)
    assert slot["target"]["value"] == 10 and slot["actual"]["value"] == 4
    assert slot["bar"]["achieved"] == 40


def test_period_values_keep_their_own_dates():
    [result] = results(_store(), "https://w3id.org/devgraph/id/activity/b", "en")
    periods = result["indicators"][0]["periods"]
    assert [(p["start"], p["end"]) for p in periods] == [
        ("2020-01-01", "2020-12-31"),
        ("2021-01-01", "2021-12-31"),
    ]
    assert periods[0]["target"]["value"] == 5 and "actual" not in periods[0]
    assert periods[1]["actual"]["value"] == 7 and "target" not in periods[1]

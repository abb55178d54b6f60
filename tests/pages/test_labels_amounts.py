"""Label choice by language, search folding, EUR figures and result bars."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from devgraph.money import CURRENCY
from devgraph.pages.amounts import budget_totals, to_eur
from devgraph.pages.labels import fold, pick, picked, picked_all
from devgraph.pages.results import _bar


def lit(text: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


def test_pick_prefers_the_page_language_then_english_french_untagged():
    values = [lit("Guinée", "fr"), lit("Guinea", "en"), lit("GN"), lit("Gini", "ff")]
    assert pick(values, "fr") == "Guinée"
    assert pick(values, "en") == "Guinea"
    assert pick(values, "de") == "Guinea"
    assert pick([lit("GN"), lit("Gini", "ff")], "en") == "GN"
    assert pick([lit("Gini", "ff")], "en") == "Gini"
    assert pick([], "en") is None
    # Region subtags count as their language (pyoxigraph normalises tags to lower case).
    assert picked([lit("Mali", "fr-ML")], "fr") == {"text": "Mali", "lang": "fr-ml"}


def test_picked_all_keeps_every_text_of_the_chosen_language():
    values = [lit("b", "fr"), lit("a", "fr"), lit("c", "en")]
    assert picked_all(values, "fr") == [{"text": "a", "lang": "fr"}, {"text": "b", "lang": "fr"}]
    assert picked_all(values, "en") == [{"text": "c", "lang": "en"}]


def test_fold_ignores_case_and_accents():
    assert fold("Énergie À LABÉ") == "energie a labe"
    assert fold("emploi") in fold("Création d'EMPLOIS")


def test_eur_figures_published_stated_parity_or_none():
    eur, xof, xyz = CURRENCY + "EUR", CURRENCY + "XOF", CURRENCY + "XYZ"
    assert to_eur(Decimal(10), eur, None, None) == (Decimal(10), "published")
    assert to_eur(Decimal(655957), xof, Decimal(7), None) == (Decimal(7), "converted")
    # XOF has a fixed parity: no month needed.
    assert to_eur(Decimal(655957), xof, None, None) == (Decimal("1000.00"), "rate-table")
    assert to_eur(Decimal(1), xyz, None, "2024-01") == (None, None)
    assert to_eur(None, eur, None, None) == (None, None)


def test_budget_totals_use_revised_budgets_when_there_are_some():
    revised = "https://w3id.org/devgraph/codelist/BudgetType/2"
    rows = [
        {"activity": "a", "type": None, "eur": 100.0},
        {"activity": "a", "type": None, "eur": 50.0},
        {"activity": "b", "type": None, "eur": 100.0},
        {"activity": "b", "type": revised, "eur": 120.0},
        {"activity": "c", "type": None, "eur": None},
    ]
    assert budget_totals(rows) == {"a": 150.0, "b": 120.0}


def test_bars_scale_to_the_larger_value():
    assert _bar(50.0, 25.0) == {"target": 100.0, "actual": 50.0, "achieved": 50.0}
    assert _bar(10.0, 15.0) == {"target": 66.7, "actual": 100.0, "achieved": 150.0}
    assert _bar(5.0, None) == {"target": 100.0}
    assert _bar(None, None) is None
    assert _bar(0.0, 0.0) is None

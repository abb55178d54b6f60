"""SPARQL-rule materialisation into graph:inferred."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from devgraph.load import load_paths
from devgraph.namespaces import ACTIVITY, DG, INFERRED_GRAPH, ORGANISATION, PLACE, STAGING_GRAPH
from devgraph.reason import materialise, rules
from devgraph.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "data" / "reason"


@pytest.fixture
def reasoned() -> tuple[EmbeddedStore, object]:
    s = EmbeddedStore(None)
    load_paths(s, [FIXTURES], root=FIXTURES)
    return s, materialise(s)


def inferred(store: EmbeddedStore, s: str, p: str) -> set[str]:
    rows = store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}",
        bindings={"s": ox.NamedNode(s), "p": ox.NamedNode(p)},
    )
    return {r["o"].value for r in rows}


def test_every_rule_is_a_documented_construct():
    found = rules()
    assert len(found) >= 6
    assert all(r.form == "CONSTRUCT" and r.description for r in found)


def test_class_and_property_hierarchy(reasoned):
    store, _ = reasoned
    types = inferred(store, PLACE + "commune", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert types == {DG + "AdministrativeArea", DG + "Place"}
    assert inferred(store, ACTIVITY + "a", DG + "description") == {"Objectif"}


def test_role_shortcuts_and_no_duplicates_of_stated_triples(reasoned):
    store, _ = reasoned
    assert inferred(store, ACTIVITY + "a", DG + "fundedBy") == {ORGANISATION + "funder"}
    assert inferred(store, ACTIVITY + "a", DG + "implementedBy") == set()  # already stated
    assert inferred(store, ACTIVITY + "a", DG + "hasParticipant") == {
        ORGANISATION + "funder",
        ORGANISATION + "impl",
    }


def test_transitive_containment_and_sub_organisation(reasoned):
    store, _ = reasoned
    assert inferred(store, PLACE + "commune", DG + "within") == {
        PLACE + "region",
        PLACE + "country",
    }
    assert inferred(store, ORGANISATION + "office", DG + "subOrganisationOf") == {
        ORGANISATION + "international"
    }


def test_sector_rollup(reasoned):
    store, _ = reasoned
    assert inferred(store, ACTIVITY + "a", DG + "sector") == {
        "https://w3id.org/devgraph/codelist/SectorCategory/112"
    }


def test_rerun_is_idempotent_and_leaves_no_staging_graph(reasoned):
    store, first = reasoned
    size = len(store)
    second = materialise(store)
    assert second.total == first.total > 0
    assert len(store) == size
    assert not any(g.iri.startswith(STAGING_GRAPH) for g in store.graphs())


def test_stale_inferences_disappear_when_data_changes(tmp_path):
    facts = tmp_path / "facts.ttl"
    facts.write_text(
        "<https://w3id.org/devgraph/id/place/a> <https://w3id.org/devgraph/ontology#within> "
        "<https://w3id.org/devgraph/id/place/b> .\n"
        "<https://w3id.org/devgraph/id/place/b> <https://w3id.org/devgraph/ontology#within> "
        "<https://w3id.org/devgraph/id/place/c> .\n"
    )
    s = EmbeddedStore(None)
    load_paths(s, [facts], root=tmp_path)
    assert materialise(s).total == 1
    facts.write_text(
        "<https://w3id.org/devgraph/id/place/a> <https://w3id.org/devgraph/ontology#within> "
        "<https://w3id.org/devgraph/id/place/b> .\n"
    )
    load_paths(s, [facts], root=tmp_path)
    assert materialise(s).total == 0
    assert inferred(s, PLACE + "a", DG + "within") == set()


def test_cli_reason_on_the_seed_portfolio_is_consistent_and_materialises(runner):
    """HermiT finds ontology + seeds consistent; the shortcuts and containment are derived."""
    repo = Path(__file__).resolve().parents[1]
    loaded = runner("load", "-q", str(repo / "ontology"), str(repo / "data" / "ttl"))
    assert loaded.exit_code == 0, loaded.output
    result = runner("reason")
    assert result.exit_code == 0, result.output
    assert "HermiT: consistent" in result.output
    assert "0 unsatisfiable classes" in result.output
    rq = repo / "tests" / "data" / "reason" / "kimalakan-inferred.rq"
    out = runner("query", str(rq), "-f", "csv")
    assert out.exit_code == 0, out.output
    rows = set(out.output.split())
    assert ORGANISATION + "eu" in rows  # dg:fundedBy from the funding participation
    assert {PLACE + "ML-7", PLACE + "ML"} <= rows  # commune ⊂ cercle ⊂ region ⊂ country

"""Page data straight from the library (no Flask), on the seeds and on small stores."""

from __future__ import annotations

from devgraph.load import load_paths
from devgraph.pages import activities as activities_mod
from devgraph.pages import (
    activity_page,
    cache,
    home_page,
    organisations_index,
    place_page,
    search_activities,
    sector_page,
)
from devgraph.pages.cache import flows
from devgraph.store import EmbeddedStore

ACT = "https://w3id.org/devgraph/id/activity/"


def test_home_counts_match_the_activity_list(seeds):
    home = home_page(seeds)
    described = [a for a in search_activities(seeds)["activities"] if not a["mentioned_only"]]
    assert home["counts"]["activities"] == len(described) == 5
    assert home["counts"]["organisations"] == len(organisations_index(seeds)["organisations"])


def test_search_pages(seeds, monkeypatch):
    every = search_activities(seeds)
    monkeypatch.setattr(activities_mod, "PAGE_SIZE", 3)
    first, second = search_activities(seeds, page=1), search_activities(seeds, page=2)
    assert first["pages"] == -(-every["total"] // 3)
    assert len(first["activities"]) == 3
    shown = [a["iri"] for a in first["activities"] + second["activities"]]
    assert shown == [a["iri"] for a in every["activities"]][:6]


def test_year_facet_runs_from_start_to_end(seeds):
    years = {f["value"] for f in search_activities(seeds, q="kimalakan")["facets"]["year"]}
    assert years == {"2019", "2020", "2021", "2022", "2023"}


def test_unknown_resources_give_none(seeds):
    assert activity_page(seeds, ACT + "nope", findings="off") is None
    assert place_page(seeds, "https://w3id.org/devgraph/id/place/ZZ") is None
    assert sector_page(seeds, "99999") is None


def test_flow_cache_follows_store_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "SIZE_TTL", 0.0)  # see every change at once
    one = tmp_path / "one.ttl"
    one.write_text(
        """@prefix dg: <https://w3id.org/devgraph/ontology#> .
@prefix act: <https://w3id.org/devgraph/id/activity/> .
@prefix dgo: <https://w3id.org/devgraph/id/organisation/> .
@prefix role: <https://w3id.org/devgraph/codelist/OrganisationRole/> .
act:x a dg:Activity ; dg:participation act:x\\/p1 , act:x\\/p2 .
act:x\\/p1 dg:participant dgo:f ; dg:role role:1 .
act:x\\/p2 dg:participant dgo:i ; dg:role role:4 .
"""
    )
    store = EmbeddedStore(None)
    assert flows(store).edges == []
    load_paths(store, [one], root=tmp_path)
    edges = flows(store).edges
    assert [(e.source.rsplit("/", 1)[-1], e.target.rsplit("/", 1)[-1]) for e in edges] == [
        ("f", "i")
    ]
    assert flows(store) is flows(store)  # unchanged store: the same object

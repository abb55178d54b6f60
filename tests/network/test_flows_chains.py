"""Flow graph and funding chains on the seeds and on the cycle/phantom fixture."""

from __future__ import annotations

import pytest

from devgraph.namespaces import ACTIVITY, ORGANISATION
from devgraph.network import build_flows, trace
from devgraph.queries import get_query, run_query


def org(slug: str) -> str:
    return ORGANISATION + slug


def act(slug: str) -> str:
    return ACTIVITY + slug


def test_bmz_funds_plan_mali_with_amss_as_partner(seed_flows):
    down = trace(seed_flows, org("bmz"), direction="down")
    depth = {n.iri: n.depth for n in down.nodes}
    assert depth[org("plan-international-mali")] == 1
    assert depth[org("amss")] == 2  # through the lead implementer
    edges = {(e.source, e.target): e for e in seed_flows.edges}
    assert edges[(org("bmz"), org("plan-international-mali"))].kind == "inferred"
    assert edges[(org("plan-international-mali"), org("amss"))].kind == "inferred"
    up = trace(seed_flows, org("amss"), direction="up")
    assert up.reached() == {org("plan-international-mali"), org("bmz")}


def test_eu_funds_four_kimalakan_implementers(seed_flows):
    down = trace(seed_flows, org("eu"), direction="down")
    assert down.reached() == {org(s) for s in ("eclosio", "trias", "ose-innover", "cades")}
    assert all(s.via == "inferred" for s in down.steps)
    assert {n.depth for n in down.nodes if n.iri != org("eu")} == {1}


def test_role_edges_are_not_invented_for_technical_partners(seed_flows):
    """AJEE has no funder; IECD France is a support partner, so no money goes to it."""
    targets = {e.target for e in seed_flows.edges if e.activity == act("ajee")}
    assert org("iecd-france") not in targets
    assert org("anapec") in targets


def test_chain_with_cycle_and_phantoms(chain_store):
    fg = build_flows(chain_store)
    assert fg.phantoms == {act("c-ghost"), act("c-upstream-ghost")}
    down = trace(fg, "XM-O1-1", direction="down")  # by IATI identifier
    assert down.start == act("c-1")
    assert down.reached() == {act("c-2"), act("c-3"), act("c-ghost")}
    assert {n.iri for n in down.nodes if n.phantom} == {act("c-ghost")}
    assert sorted(map(sorted, down.cycles)) == [sorted(act(f"c-{i}") for i in (1, 2, 3))]
    closing = [s for s in down.steps if s.closes_cycle]
    assert {(s.source, s.target) for s in closing} == {(act("c-3"), act("c-1"))}
    limited = trace(fg, act("c-1"), direction="down", depth=1)
    assert limited.reached() == {act("c-2")}
    up = trace(fg, act("c-3"), direction="up")
    assert up.reached() == {act("c-2"), act("c-1"), act("c-upstream-ghost")}
    orgs = trace(fg, org("c-o1"), direction="down")
    assert orgs.reached() == {org("c-o2"), org("c-o3"), org("c-o4")}


def test_unknown_start_is_refused(chain_store):
    with pytest.raises(KeyError):
        trace(build_flows(chain_store), "no-such-thing")


@pytest.mark.parametrize(
    ("start", "direction", "query"),
    [
        ("c-1", "down", "chain-downstream-activities"),
        ("c-2", "down", "chain-downstream-activities"),
        ("c-3", "up", "chain-upstream-activities"),
        ("c-2", "up", "chain-upstream-activities"),
    ],
)
def test_networkx_and_sparql_reach_the_same_activities(chain_store, start, direction, query):
    fg = build_flows(chain_store)
    by_networkx = trace(fg, act(start), direction=direction).reached()
    rows = list(run_query(chain_store, get_query(query), {"start": f"<{act(start)}>"}))
    by_sparql = {r["activity"].value for r in rows}
    assert by_sparql == by_networkx
    assert by_sparql  # the fixture chain is not empty in either direction
    published = {r["activity"].value: r["published"].value == "true" for r in rows}
    assert {a for a, p in published.items() if not p} == by_sparql & fg.phantoms


def test_sparql_organisation_chain_matches_networkx(chain_store):
    fg = build_flows(chain_store)
    rows = run_query(
        chain_store, get_query("chain-downstream-organisations"), {"funder": f"<{org('c-o1')}>"}
    )
    assert {r["organisation"].value for r in rows} == trace(fg, org("c-o1")).reached()


def test_subset_by_country_and_funder(seed_flows):
    mali = seed_flows.subset(country="ML")
    assert {e.activity for e in mali.edges} == {
        act("ensemble-avenir-meilleur"),
        act("imaj"),
        act("imaj-phase-1"),
    }
    from_bmz = seed_flows.subset(funder=org("bmz"))
    assert {(e.source, e.target) for e in from_bmz.edges} == {
        (org("bmz"), org("plan-international-mali")),
        (org("plan-international-mali"), org("amss")),
    }

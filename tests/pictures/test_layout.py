"""Columns and order: who is a funder, an intermediary, an implementer."""

from __future__ import annotations

from devgraph.network.flows import FlowEdge, FlowGraph
from devgraph.pictures import classify, layered_layout
from devgraph.pictures.network import ego_layout

ORG = "https://example.org/org/"


def test_roles_follow_the_money(money_graph):
    layers = classify(money_graph)
    assert layers == {
        ORG + "F": "funder",
        ORG + "I": "intermediary",
        ORG + "A": "implementer",
        ORG + "B": "implementer",
    }


def test_a_lead_implementer_that_subcontracts_is_an_intermediary():
    """IECD Maroc in the seeds: role 4, passes money on, receives none that is published."""
    fg = FlowGraph(
        edges=[FlowEdge(ORG + "lead", ORG + "sub", "https://example.org/a", "inferred")],
        partners={"https://example.org/a": {ORG + "lead": "4", ORG + "sub": "4"}},
    )
    assert classify(fg) == {ORG + "lead": "intermediary", ORG + "sub": "implementer"}


def test_layout_counts_money_once_per_pair_and_orders_rows(money_graph):
    layout = layered_layout(money_graph)
    assert [len(c) for c in layout.columns] == [1, 1, 2]
    funder = layout.nodes[ORG + "F"]
    assert funder.given_eur == 4_000_000 and funder.received_eur == 0
    assert layout.nodes[ORG + "I"].received_eur == 3_000_000
    # heaviest pair first
    assert [(x.source[-1], x.target[-1], x.disbursed_eur) for x in layout.links] == [
        ("F", "I", 3e6),
        ("I", "A", 2e6),
        ("F", "B", 1e6),
    ]
    data = layout.to_dict()
    assert set(data) == {"nodes", "links"}
    assert {n["layer"] for n in data["nodes"]} == {"funder", "intermediary", "implementer"}


def test_a_flow_reported_by_both_ends_is_not_doubled(money_graph):
    incoming = FlowEdge(
        ORG + "F",
        ORG + "I",
        "https://example.org/act2",
        "transaction",
        tx_type="1",
        eur=money_graph.edges[0].eur,
    )
    money_graph.edges.append(incoming)
    assert layered_layout(money_graph).nodes[ORG + "I"].received_eur == 3_000_000


def test_ego_layout_puts_funders_left_recipients_right_partners_below(money_graph):
    layout = ego_layout(money_graph, ORG + "I")
    assert layout.columns == [[ORG + "F"], [ORG + "I", ORG + "P"], [ORG + "A"]]
    assert layout.nodes[ORG + "P"].layer == "partner"
    assert layout.nodes[ORG + "I"].layer == "ego"

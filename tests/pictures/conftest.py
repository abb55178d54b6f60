"""A small hand-made flow graph with published amounts (the seeds publish none).

Funder F gives 3M EUR to intermediary I and 1M EUR straight to implementer B; I passes
2M EUR on to implementer A. A also takes part in F's activity without money (a partner).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from devgraph.network.flows import FlowEdge, FlowGraph

ORG = "https://example.org/org/"


def _tx(source: str, target: str, eur: int, activity: str = "act1") -> FlowEdge:
    return FlowEdge(
        source=ORG + source,
        target=ORG + target,
        activity=f"https://example.org/{activity}",
        kind="transaction",
        tx_type="3",
        amount=Decimal(eur),
        currency="EUR",
        eur=Decimal(eur),
    )


@pytest.fixture
def money_graph() -> FlowGraph:
    return FlowGraph(
        edges=[
            _tx("F", "I", 3_000_000),
            _tx("F", "B", 1_000_000),
            _tx("I", "A", 2_000_000, "act2"),
        ],
        labels={
            ORG + "F": "Funding Agency",
            ORG + "I": "Intermediary NGO",
            ORG + "A": "Implementer A",
            ORG + "B": "Implementer B",
            ORG + "P": "Partner P",
        },
        partners={
            "https://example.org/act1": {ORG + "F": "1", ORG + "I": "4", ORG + "P": "4"},
            "https://example.org/act2": {ORG + "I": "1", ORG + "A": "4"},
        },
    )


@pytest.fixture(scope="session")
def seed_flows() -> FlowGraph:
    """The seed portfolio's flow graph (data/ttl only: the pictures need no ontology)."""
    from pathlib import Path

    from devgraph.load import load_paths
    from devgraph.network import build_flows
    from devgraph.store import EmbeddedStore

    repo = Path(__file__).resolve().parents[2]
    store = EmbeddedStore(None)
    load_paths(store, [repo / "data" / "ttl"], root=repo)
    return build_flows(store)

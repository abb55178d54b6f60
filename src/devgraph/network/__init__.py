"""Who funds whom: the flow graph, funding chains, boundaries and partner analytics.

``build_flows(store)`` reads the graph once; everything else works on the returned
:class:`FlowGraph`, so the CLI, the web and tests share one library API.
"""

from devgraph.network.analytics import centralities, communities, matrix_3w, partner_overlap
from devgraph.network.boundary import (
    country_boundary,
    reconcile,
    sector_boundary,
    split,
)
from devgraph.network.build import build_flows
from devgraph.network.chains import trace
from devgraph.network.export import render, write
from devgraph.network.flows import FlowGraph

__all__ = [
    "FlowGraph",
    "build_flows",
    "centralities",
    "communities",
    "country_boundary",
    "matrix_3w",
    "partner_overlap",
    "reconcile",
    "render",
    "sector_boundary",
    "split",
    "trace",
    "write",
]

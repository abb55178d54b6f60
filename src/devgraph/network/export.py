"""Write the partner network for other tools: GraphML and GEXF (Gephi), CSV, JSON.

Every format carries labels beside IRIs and codes, since a CSV of bare IRIs is useless in a
spreadsheet. Attribute values are plain strings and floats: GraphML and GEXF writers refuse
``None`` and :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx

from devgraph.network.flows import FlowGraph

FORMATS = ("graphml", "gexf", "csv", "json")
EDGE_COLUMNS = (
    "source",
    "source_label",
    "target",
    "target_label",
    "count",
    "inferred",
    "disbursed_eur",
    "committed_eur",
)


def network(fg: FlowGraph) -> nx.DiGraph:
    """The weighted organisation graph with only export-safe attribute values."""
    g = fg.weighted_graph()
    for _, data in g.nodes(data=True):
        for key, value in list(data.items()):
            data[key] = "" if value is None else value
    for _, _, data in g.edges(data=True):
        data["inferred"] = bool(data.get("inferred"))
    return g


def render(fg: FlowGraph, fmt: str) -> bytes:
    """The network in ``fmt`` (graphml, gexf, csv or json) as bytes."""
    g = network(fg)
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(g, buf)
        return buf.getvalue()
    if fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(g, buf)
        return buf.getvalue()
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(EDGE_COLUMNS)
        for s, t, d in sorted(g.edges(data=True)):
            writer.writerow(
                [
                    s,
                    g.nodes[s]["label"],
                    t,
                    g.nodes[t]["label"],
                    d["count"],
                    d["inferred"],
                    d["disbursed_eur"],
                    d["committed_eur"],
                ]
            )
        return text.getvalue().encode()
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()
    raise ValueError(f"unknown network format {fmt!r} (known: {', '.join(FORMATS)})")


def write(fg: FlowGraph, path: Path, fmt: str | None = None) -> None:
    """Write the network to ``path``; the format defaults to the file extension."""
    chosen = fmt or path.suffix.lstrip(".").lower()
    path.write_bytes(render(fg, chosen))

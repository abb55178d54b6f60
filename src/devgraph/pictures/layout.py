"""Where things go: organisations sorted into funder / intermediary / implementer columns.

The column comes from the money's direction, read with the participation roles: an
organisation that passes money on and receives none, and funds (IATI role 1) somewhere, is
a *funder*; one that passes money on otherwise (it receives some, or it leads the
implementation and subcontracts) is an *intermediary*; one that only receives is an
*implementer*. Within a column, organisations are ordered by the mean row of whoever funds
them (the barycentre heuristic), which keeps curves from crossing on tree-like portfolios.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from devgraph.network.flows import FlowGraph, pair_totals

LAYERS = ("funder", "intermediary", "implementer")
MAX_ROWS = 30
"""Organisations per column a picture draws by default (the rest are in the pages' tables)."""
FUNDING = "1"


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    layer: str
    column: int
    row: int
    received_eur: float = 0.0
    given_eur: float = 0.0


@dataclass(frozen=True)
class Link:
    """One funding pair, its money counted once (see ``network.flows.pair_totals``)."""

    source: str
    target: str
    disbursed_eur: float
    committed_eur: float
    weight: float
    inferred: bool
    count: int


@dataclass
class Layout:
    """Nodes by IRI, links, and the columns' rows: what the pictures and JSON twins share."""

    nodes: dict[str, Node] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)
    hidden: int = 0
    """Organisations left out of the picture by ``max_rows``."""

    def entering_eur(self) -> float:
        """Money that enters the network: what leaves organisations nobody funds here.

        Summing every pair would count pass-through money twice (funder → intermediary,
        then intermediary → implementer).
        """
        funded = {x.target for x in self.links}
        return sum(x.disbursed_eur or x.committed_eur for x in self.links if x.source not in funded)

    def to_dict(self) -> dict[str, object]:
        """Stable keys: ``nodes`` (iri, label, layer, column, row, received_eur, given_eur)
        and ``links`` (source, target, disbursed_eur, committed_eur, weight, inferred, count)."""
        return {
            "nodes": [asdict(n) for n in sorted(self.nodes.values(), key=_node_key)],
            "links": [asdict(link) for link in self.links],
        }


def _node_key(n: Node) -> tuple[int, int]:
    return (n.column, n.row)


def links_of(fg: FlowGraph) -> list[Link]:
    """Every funding pair of ``fg``, heaviest first, then by names for a stable order."""
    out = [
        Link(
            source=s,
            target=t,
            disbursed_eur=float(v["disbursed_eur"]),  # type: ignore[arg-type]
            committed_eur=float(v["committed_eur"]),  # type: ignore[arg-type]
            weight=float(v["weight"]),  # type: ignore[arg-type]
            inferred=bool(v["inferred"]),
            count=int(v["count"]),  # type: ignore[call-overload]
        )
        for (s, t), v in pair_totals(fg.edges).items()
        if s != t
    ]
    return sorted(out, key=lambda x: (-x.weight, fg.label(x.source), fg.label(x.target)))


def classify(fg: FlowGraph, links: list[Link] | None = None) -> dict[str, str]:
    """Each organisation of the flow graph's edges: ``funder``, ``intermediary`` or
    ``implementer`` (see the module docstring for the rule)."""
    links = links_of(fg) if links is None else links
    gives = {x.source for x in links}
    receives = {x.target for x in links}
    funds = {org for roles in fg.partners.values() for org, r in roles.items() if r == FUNDING}
    layers = {}
    for org in gives | receives:
        if org not in gives:
            layers[org] = "implementer"
        elif org not in receives and (org in funds or not fg.partners):
            layers[org] = "funder"
        else:
            layers[org] = "intermediary"
    return layers


def arrange(columns: list[list[str]], links: list[Link], label) -> list[list[str]]:  # noqa: ANN001
    """Order each column by the mean row of its funders in earlier columns (barycentre)."""
    placed: dict[str, int] = {}
    ordered = []
    for column in columns:

        def key(org: str) -> tuple[float, str]:
            rows = [placed[x.source] for x in links if x.target == org and x.source in placed]
            return (sum(rows) / len(rows) if rows else float("inf"), label(org).casefold())

        col = sorted(column, key=key)
        placed.update({org: i for i, org in enumerate(col)})
        ordered.append(col)
    return ordered


def layered_layout(fg: FlowGraph, *, max_rows: int | None = None) -> Layout:
    """The partner network in three columns, rows ordered to limit crossings.

    ``max_rows`` keeps, in each column, only the organisations that move the most money
    (then those with the most funding relations): a real portfolio has hundreds of
    implementers, which no picture can show. ``Layout.hidden`` counts those left out; their
    totals still count in the kept organisations' amounts.
    """
    links = links_of(fg)
    layers = classify(fg, links)
    received: dict[str, float] = {}
    given: dict[str, float] = {}
    degree: dict[str, int] = {}
    for x in links:
        money = x.disbursed_eur or x.committed_eur
        received[x.target] = received.get(x.target, 0.0) + money
        given[x.source] = given.get(x.source, 0.0) + money
        for end in (x.source, x.target):
            degree[end] = degree.get(end, 0) + 1
    columns = [[o for o, layer in layers.items() if layer == name] for name in LAYERS]
    hidden = 0
    if max_rows is not None:

        def weight(org: str) -> tuple[float, int, str]:
            money = given.get(org, 0.0) + received.get(org, 0.0)
            return (-money, -degree.get(org, 0), fg.label(org).casefold())

        kept = [sorted(col, key=weight)[:max_rows] for col in columns]
        hidden = sum(len(c) for c in columns) - sum(len(c) for c in kept)
        columns = kept
        shown = {o for col in columns for o in col}
        links = [x for x in links if x.source in shown and x.target in shown]
    columns = arrange(columns, links, fg.label)
    nodes = {
        org: Node(
            iri=org,
            label=fg.label(org),
            layer=LAYERS[c],
            column=c,
            row=r,
            received_eur=received.get(org, 0.0),
            given_eur=given.get(org, 0.0),
        )
        for c, col in enumerate(columns)
        for r, org in enumerate(col)
    }
    return Layout(nodes=nodes, links=links, columns=columns, hidden=hidden)

"""A Sankey-style picture of who funds whom: bands as wide as the money they carry."""

from __future__ import annotations

from collections.abc import Sequence

from devgraph.network.flows import FlowGraph
from devgraph.pictures.layout import MAX_ROWS, Layout, Link, Node, layered_layout, links_of
from devgraph.pictures.network import HIDDEN_NOTE, NETWORK_HEADINGS, Href
from devgraph.pictures.svg import (
    COLOURS,
    Translate,
    clip,
    document,
    esc,
    format_eur,
    identity,
    link_close,
    link_open,
    text,
    text_width,
)

BAR = 14
GAP = 16
TOP = 50
MARGIN = 16
MIN_NODE = 6.0
MIN_BAND = 2.0


def _value(link: Link) -> float:
    """The band's size: money when published, else one unit per funding relation."""
    return link.disbursed_eur or link.committed_eur or link.weight or 1.0


def _caption(node: Node) -> str:
    """The text beside a bar: the (shortened) name and the money through it."""
    amount = format_eur(max(node.received_eur, node.given_eur))
    return clip(node.label, 30) + (f" · {amount}" if amount else "")


def _node_values(layout: Layout) -> dict[str, float]:
    incoming: dict[str, float] = {}
    outgoing: dict[str, float] = {}
    for x in layout.links:
        outgoing[x.source] = outgoing.get(x.source, 0.0) + _value(x)
        incoming[x.target] = incoming.get(x.target, 0.0) + _value(x)
    return {o: max(incoming.get(o, 0.0), outgoing.get(o, 0.0)) for o in layout.nodes}


def flows_svg(
    fg: FlowGraph,
    *,
    title: str | None = None,
    desc: str | None = None,
    headings: Sequence[str] | None = None,
    href: Href | None = None,
    height: float = 520,
    translate: Translate = identity,
    max_rows: int | None = MAX_ROWS,
) -> str:
    """Funders → intermediaries → implementers, each band sized by the EUR it carries.

    ``max_rows`` caps each column (the organisations moving the most money stay); the
    total in the description is still the whole network's.
    """
    tr = translate
    title = title or tr("Who funds whom")
    headings = headings or [tr(h) for h in NETWORK_HEADINGS]
    layout = layered_layout(fg, max_rows=max_rows)
    whole = Layout(links=links_of(fg))
    money = whole.entering_eur()
    if desc is None:
        ends = {end for x in whole.links for end in (x.source, x.target)}
        values = {"n": len(whole.links), "m": len(ends), "amount": format_eur(money)}
        desc = (
            tr("{n} funding relations between {m} organisations, {amount} in all.", **values)
            if money
            else tr(
                "{n} funding relations between {m} organisations; no amounts published.", **values
            )
        )
    if not layout.nodes:
        body = [text(16, 34, tr("No funding links to draw."))]
        return document(420, 60, title=title, desc=desc, ident="dg-flows", body=body)
    values = _node_values(layout)
    columns = layout.columns
    tallest = max(len(c) for c in columns)
    usable = max(height - TOP - 40 - GAP * (tallest - 1), 24.0 * tallest)
    scale = usable / max(sum(values[o] for o in col) for col in columns if col)
    bands = {id(lk): max(_value(lk) * scale, MIN_BAND) for lk in layout.links}
    side_in: dict[str, float] = {}
    side_out: dict[str, float] = {}
    for lk in layout.links:
        side_out[lk.source] = side_out.get(lk.source, 0.0) + bands[id(lk)]
        side_in[lk.target] = side_in.get(lk.target, 0.0) + bands[id(lk)]
    # a bar is at least as tall as the bands it holds (many thin bands round up to MIN_BAND)
    heights = {
        o: max(values[o] * scale, side_in.get(o, 0.0), side_out.get(o, 0.0), MIN_NODE)
        for o in layout.nodes
    }
    captions = {o: _caption(n) for o, n in layout.nodes.items()}
    xs, x = [], float(MARGIN)
    for col in columns:
        xs.append(x)
        x += BAR + 8 + max([text_width(captions[o]) for o in col] + [0.0]) + 90
    width = x - 60
    ys: dict[str, float] = {}
    for col in columns:
        y = float(TOP)
        for o in col:
            ys[o] = y
            y += heights[o] + GAP
    total_height = max(ys[o] + heights[o] for o in layout.nodes) + 40
    body = [
        text(xs[i], 30, h, font_weight="bold", font_size="14", fill="#222")
        for i, h in enumerate(headings[: len(columns)])
    ]
    out_off = dict.fromkeys(layout.nodes, 0.0)
    in_off = dict.fromkeys(layout.nodes, 0.0)
    ordered = sorted(layout.links, key=lambda lk: (ys[lk.source], ys[lk.target]))
    for lk in ordered:
        a, b = layout.nodes[lk.source], layout.nodes[lk.target]
        band = bands[id(lk)]
        x1, x2 = xs[a.column] + BAR, xs[b.column]
        y1, y2 = ys[a.iri] + out_off[a.iri], ys[b.iri] + in_off[b.iri]
        out_off[a.iri] += band
        in_off[b.iri] += band
        mid = (x1 + x2) / 2
        path = (
            f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f} "
            f"L{x2:.1f},{y2 + band:.1f} C{mid:.1f},{y2 + band:.1f} {mid:.1f},{y1 + band:.1f} "
            f"{x1:.1f},{y1 + band:.1f} Z"
        )
        amount = format_eur(lk.disbursed_eur or lk.committed_eur) or (
            tr("inferred from participation roles") if lk.inferred else tr("no amount published")
        )
        body.append(
            f'<g class="dg-band"><title>{esc(a.label)} → {esc(b.label)}: {esc(amount)}</title>'
            f'<path d="{path}" fill="{COLOURS.get(a.layer, "#777")}" fill-opacity="0.35" '
            f'stroke="none"/></g>'
        )
    for o, node in layout.nodes.items():
        url = href(o) if href else None
        x, y, h = xs[node.column], ys[o], heights[o]
        amount = format_eur(max(node.received_eur, node.given_eur))
        label = captions[o]
        body.append(
            f'<g class="dg-node dg-{esc(node.layer)}">{link_open(url)}'
            f"<title>{esc(node.label)}{(' — ' + esc(amount)) if amount else ''}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{BAR}" height="{h:.1f}" '
            f'fill="{COLOURS.get(node.layer, "#777")}"/>'
            + text(
                x + BAR + 6,
                y + min(h, 30) / 2 + 4,
                label,
                fill="#111",
                stroke="#fff",
                stroke_width="3",
                paint_order="stroke",
            )
            + f"{link_close(url)}</g>"
        )
    note = (
        tr("Band width: money in EUR, counted once.")
        if money
        else tr("No amounts published: each band is one funding relation (inferred from roles).")
    )
    lines = [note] + ([tr(HIDDEN_NOTE, n=max_rows, m=layout.hidden)] if layout.hidden else [])
    total_height += 16 * (len(lines) - 1)
    for i, line in enumerate(lines):
        y = total_height - 14 - 16 * (len(lines) - 1 - i)
        body.append(text(MARGIN, y, line, fill="#444", font_size="11"))
    return document(width, total_height, title=title, desc=desc, body=body, ident="dg-flows")

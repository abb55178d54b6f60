"""Node-link pictures: the whole partner network, and one organisation's ego network."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from devgraph.network.flows import FlowGraph
from devgraph.pictures.layout import (
    MAX_ROWS,
    Layout,
    Link,
    Node,
    classify,
    layered_layout,
    links_of,
)
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

Href = Callable[[str], str | None]
BOX_H = 26
ROW_GAP = 12
COL_GAP = 170
TOP = 56
MARGIN = 16
TINTS = {
    "funder": "#dcebf5",
    "intermediary": "#fbebd2",
    "implementer": "#dff0e1",
    "ego": "#ebe1f5",
    "partner": "#eef0f2",
}
NETWORK_HEADINGS = ("Funders", "Intermediaries", "Implementers")
EGO_HEADINGS = ("Funded by", "Organisation and partners", "Funds")
LABELLED = 8
"""Amounts written on at most this many curves."""
HIDDEN_NOTE = (
    "Only the {n} organisations per column that move the most money are drawn; "
    "{m} more are in the table."
)
NETWORK_NOTE = "Line width: money in EUR (counted once); dashed: inferred from participation roles."


def _geometry(layout: Layout) -> tuple[list[float], list[float], float, float]:
    """Each column's x and width, and the picture's size."""
    widths = [
        max([text_width(clip(layout.nodes[o].label)) + 20 for o in col] + [120.0])
        for col in layout.columns
    ]
    xs, x = [], float(MARGIN)
    for w in widths:
        xs.append(x)
        x += w + COL_GAP
    rows = max([len(c) for c in layout.columns] + [1])
    return xs, widths, x - COL_GAP + MARGIN, TOP + rows * (BOX_H + ROW_GAP) + 40


def _y(node: Node) -> float:
    return TOP + node.row * (BOX_H + ROW_GAP)


def _stroke(link: Link, heaviest: float) -> float:
    money = link.disbursed_eur or link.committed_eur
    return 1.5 + 10.5 * (money / heaviest) if heaviest and money else 1.8


def _edge(
    link: Link,
    layout: Layout,
    xs: list[float],
    widths: list[float],
    heaviest: float,
    tr: Translate,
    *,
    label: bool = True,
) -> str:
    a, b = layout.nodes[link.source], layout.nodes[link.target]
    x1, y1 = xs[a.column] + widths[a.column], _y(a) + BOX_H / 2
    x2, y2 = xs[b.column], _y(b) + BOX_H / 2
    if b.column == a.column and not link.count:  # ego partners: a bracket on the left
        x = xs[a.column]
        path = f"M{x:.1f},{_y(a) + BOX_H * 0.75:.1f} H{x - 12:.1f} V{y2:.1f} H{x:.1f}"
    elif b.column <= a.column:  # same column or backwards: loop round the right
        x1, x2 = x1, xs[b.column] + widths[b.column]
        bend = x1 + 60
        path = f"M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} {x2 + 6:.1f},{y2:.1f}"
    else:
        mid = (x1 + x2) / 2
        path = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2 - 6:.1f},{y2:.1f}"
    amount = format_eur(link.disbursed_eur or link.committed_eur)
    if not link.count:
        what = tr("shares an activity")
    elif amount:
        what = amount
    else:
        what = (
            tr("inferred from participation roles")
            if link.inferred
            else tr("{n} transaction(s)", n=link.count)
        )
    dash = ' stroke-dasharray="6 4"' if link.inferred and link.count else ""
    arrow = ' marker-end="url(#dg-arrow)"' if link.count else ""
    colour = COLOURS.get(a.layer if link.count else "partner", "#555")
    out = (
        f'<g class="dg-link" data-source="{esc(a.iri)}" data-target="{esc(b.iri)}">'
        f"<title>{esc(a.label)} → {esc(b.label)}: {esc(what)}</title>"
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-opacity="0.55" '
        f'stroke-width="{_stroke(link, heaviest):.1f}"{dash}{arrow}/>'
    )
    if amount and label:
        out += text(
            (x1 + x2) / 2,
            (y1 + y2) / 2 - 4,
            amount,
            anchor="middle",
            fill="#222",
            stroke="#fff",
            stroke_width="3",
            paint_order="stroke",
        )
    return out + "</g>"


def _labelled(links: list[Link], most: int = LABELLED) -> set[int]:
    """Indexes of the links whose amount is written on the picture: the heaviest few (the
    others' amounts are in their tooltips and the pages' tables; dozens would overlap)."""
    priced = [i for i, x in enumerate(links) if x.disbursed_eur or x.committed_eur]
    priced.sort(key=lambda i: -(links[i].disbursed_eur or links[i].committed_eur))
    return set(priced[:most])


def _box(node: Node, x: float, width: float, href: Href | None, role: str) -> str:
    colour = COLOURS.get(node.layer, "#555")
    y = _y(node)
    url = href(node.iri) if href else None
    return (
        f'<g class="dg-node dg-{esc(node.layer)}" data-iri="{esc(node.iri)}">{link_open(url)}'
        f"<title>{esc(node.label)} ({esc(role)})</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BOX_H}" rx="5" '
        f'fill="{TINTS.get(node.layer, "#fff")}" stroke="{colour}" stroke-width="1.5"/>'
        + text(x + 10, y + 17, clip(node.label), fill="#111")
        + f"{link_close(url)}</g>"
    )


def draw(
    layout: Layout,
    *,
    title: str,
    desc: str,
    headings: Sequence[str],
    href: Href | None = None,
    empty: str | None = None,
    ident: str = "dg-network",
    translate: Translate = identity,
    notes: Sequence[str] = (),
) -> str:
    """A node-link picture of ``layout``'s columns; ``href(iri)`` makes boxes links.

    ``notes`` are extra legend lines under the picture.
    """
    if not layout.nodes:
        return document(
            420,
            60,
            title=title,
            desc=desc,
            ident=ident,
            body=[text(16, 34, empty or translate("No funding links to draw."), fill="#333")],
        )
    xs, widths, width, height = _geometry(layout)
    heaviest = max([x.disbursed_eur or x.committed_eur for x in layout.links] + [0.0])
    body = [
        # userSpaceOnUse: a thick (well-funded) line keeps a normal-sized arrowhead
        '<defs><marker id="dg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
    ]
    for i, heading in enumerate(headings[: len(xs)]):
        body.append(text(xs[i], 30, heading, font_weight="bold", font_size="14", fill="#222"))
    labelled = _labelled(layout.links)
    body += [
        _edge(x, layout, xs, widths, heaviest, translate, label=i in labelled)
        for i, x in enumerate(layout.links)
    ]
    for node in layout.nodes.values():
        role = headings[node.column] if node.column < len(headings) else node.layer
        body.append(_box(node, xs[node.column], widths[node.column], href, role))
    lines = [translate(NETWORK_NOTE), *notes]
    height += 16 * (len(lines) - 1)
    for i, line in enumerate(lines):
        body.append(
            text(MARGIN, height - 14 - 16 * (len(lines) - 1 - i), line, fill="#444", font_size="11")
        )
    return document(width, height, title=title, desc=desc, body=body, ident=ident)


def network_svg(
    fg: FlowGraph,
    *,
    title: str | None = None,
    desc: str | None = None,
    headings: Sequence[str] | None = None,
    href: Href | None = None,
    translate: Translate = identity,
    max_rows: int | None = MAX_ROWS,
) -> str:
    """Funders, intermediaries and implementers of ``fg`` in three columns.

    ``translate(message, **values)`` gives the picture's words in the reader's language;
    ``max_rows`` caps each column (the organisations moving the most money stay).
    """
    tr = translate
    layout = layered_layout(fg, max_rows=max_rows)
    if desc is None:
        layers = list(classify(fg).values())
        counts = [layers.count(name) for name in ("funder", "intermediary", "implementer")]
        desc = tr(
            "{f} funders, {i} intermediaries and {m} implementers linked by {n} funding relations.",
            f=counts[0],
            i=counts[1],
            m=counts[2],
            n=len(links_of(fg)),
        )
    hidden = [tr(HIDDEN_NOTE, n=max_rows, m=layout.hidden)] if layout.hidden else []
    return draw(
        layout,
        title=title or tr("Partner network: who funds whom"),
        desc=desc,
        headings=headings or [tr(h) for h in NETWORK_HEADINGS],
        href=href,
        translate=tr,
        notes=hidden,
    )


def ego_layout(fg: FlowGraph, org: str, *, max_rows: int | None = MAX_ROWS) -> Layout:
    """``org`` in the middle, its funders left, whom it funds right, co-partners below it.

    Co-partners are organisations taking part in one of ``org``'s activities without a
    money link to it; they are joined to it by ``inferred`` zero-weight links. ``max_rows``
    keeps the funders and recipients with the most money, and the first partners by name.
    """
    links = [x for x in links_of(fg) if org in (x.source, x.target)]
    money = {
        (x.target if x.source == org else x.source): x.disbursed_eur or x.committed_eur
        for x in links
    }

    def heaviest(orgs: set[str]) -> list[str]:
        return sorted(orgs, key=lambda o: (-money.get(o, 0.0), fg.label(o).casefold()))

    funders = heaviest({x.source for x in links if x.target == org})
    funded = heaviest({x.target for x in links if x.source == org} - set(funders))
    near = set(funders) | set(funded) | {org}
    partners = sorted(
        {o for roles in fg.partners.values() if org in roles for o in roles} - near,
        key=lambda o: fg.label(o).casefold(),
    )
    every = len(funders) + len(funded) + len(partners)
    if max_rows is not None:
        funders, funded, partners = funders[:max_rows], funded[:max_rows], partners[:max_rows]
    shown = {org, *funders, *funded, *partners}
    links = [x for x in links if x.source in shown and x.target in shown]
    columns = [funders, [org, *partners], funded]
    layer = {o: "funder" for o in funders} | {o: "implementer" for o in funded}
    layer |= {o: "partner" for o in partners} | {org: "ego"}
    nodes = {
        o: Node(iri=o, label=fg.label(o), layer=layer[o], column=c, row=r)
        for c, col in enumerate(columns)
        for r, o in enumerate(col)
    }
    links += [Link(org, p, 0.0, 0.0, 0.0, True, 0) for p in partners]
    hidden = every - len(funders) - len(funded) - len(partners)
    return Layout(nodes=nodes, links=links, columns=columns, hidden=hidden)


def ego_svg(
    fg: FlowGraph,
    org: str,
    *,
    title: str | None = None,
    desc: str | None = None,
    headings: Sequence[str] | None = None,
    href: Href | None = None,
    translate: Translate = identity,
    max_rows: int | None = MAX_ROWS,
) -> str:
    """One organisation's ego network (``org`` is an IRI present in ``fg``'s labels)."""
    tr = translate
    layout = ego_layout(fg, org, max_rows=max_rows)
    hidden = [tr(HIDDEN_NOTE, n=max_rows, m=layout.hidden)] if layout.hidden else []
    name = fg.label(org)
    if len(layout.nodes) == 1:
        layout = Layout()
    cols = ego_layout(fg, org, max_rows=None).columns  # the description counts everyone
    if desc is None:
        desc = tr(
            "{name}: funded by {a}, funds {b}, shares activities with {c} partners.",
            name=name,
            a=len(cols[0]),
            b=len(cols[2]),
            c=len(cols[1]) - 1,
        )
    return draw(
        layout,
        title=title or tr("Ego network of {name}", name=name),
        desc=desc,
        headings=headings or [tr(h) for h in EGO_HEADINGS],
        href=href,
        empty=tr("No funding links or partners known for {name}.", name=name),
        ident="dg-ego",
        translate=tr,
        notes=hidden,
    )

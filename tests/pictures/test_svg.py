"""The pictures are well-formed, accessible SVG, escape labels and scale with the money."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from devgraph.network.flows import FlowGraph
from devgraph.pictures import ego_svg, flows_svg, format_eur, network_svg

SVG = "{http://www.w3.org/2000/svg}"
ORG = "https://example.org/org/"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize("draw", [network_svg, flows_svg, lambda fg: ego_svg(fg, ORG + "I")])
def test_every_picture_has_a_title_and_description_first(money_graph, draw):
    root = _parse(draw(money_graph))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    first, second = list(root)[:2]
    assert first.tag == SVG + "title" and first.text
    assert second.tag == SVG + "desc" and second.text
    assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"
    assert float(root.get("width")) > 200 and float(root.get("height")) > 100


@pytest.mark.parametrize("draw", [network_svg, flows_svg, lambda fg: ego_svg(fg, ORG + "I")])
def test_markup_in_a_name_is_drawn_as_text(money_graph, draw):
    evil = '<script>alert("x")</script>&'
    money_graph.labels[ORG + "I"] = evil
    svg = draw(money_graph)
    assert "<script>" not in svg
    root = _parse(svg)
    assert not root.findall(f".//{SVG}script")
    texts = [t.text or "" for t in root.iter() if t.tag in (SVG + "text", SVG + "title")]
    assert any("<script>" in t for t in texts)


def test_network_line_width_follows_the_amount(money_graph):
    root = _parse(network_svg(money_graph))
    width = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") == "dg-link":
            width[(g.get("data-source")[-1], g.get("data-target")[-1])] = float(
                g.find(SVG + "path").get("stroke-width")
            )
    assert width[("F", "I")] > width[("I", "A")] > width[("F", "B")]
    assert "€3M" in network_svg(money_graph)


def test_network_boxes_link_where_href_says(money_graph):
    svg = network_svg(money_graph, href=lambda iri: "/org/" + iri[-1])
    hrefs = {a.get("href") for a in _parse(svg).iter(SVG + "a")}
    assert hrefs == {"/org/F", "/org/I", "/org/A", "/org/B"}


def test_translated_headings_are_used(money_graph):
    svg = network_svg(money_graph, headings=("Bailleurs", "Intermédiaires", "Exécutants"))
    assert "Bailleurs" in svg and "Funders" not in svg


def test_sankey_bands_are_as_wide_as_the_money(money_graph):
    root = _parse(flows_svg(money_graph))
    bars = {}
    for g in root.iter(SVG + "g"):
        if (g.get("class") or "").startswith("dg-node"):
            rect = g.find(f".//{SVG}rect")
            bars[g.find(f".//{SVG}title").text.split(" — ")[0]] = float(rect.get("height"))
    # F gives 4M, I passes on 3M, A receives 2M, B 1M
    assert bars["Funding Agency"] == pytest.approx(4 * bars["Implementer B"], rel=0.01)
    assert bars["Intermediary NGO"] == pytest.approx(3 * bars["Implementer B"], rel=0.01)
    assert bars["Implementer A"] == pytest.approx(2 * bars["Implementer B"], rel=0.01)
    assert "€4M in all" in root.find(SVG + "desc").text


def test_empty_graph_says_so():
    for svg in (network_svg(FlowGraph()), flows_svg(FlowGraph())):
        assert "No funding links to draw." in svg
        _parse(svg)
    assert "No funding links or partners known" in ego_svg(FlowGraph(), ORG + "nobody")


def test_format_eur():
    assert [format_eur(x) for x in (0, None, 950, 12_500, 3_000_000, 1_250_000, 2e9)] == [
        "",
        "",
        "€950",
        "€12.5k",
        "€3M",
        "€1.2M",
        "€2bn",
    ]


def test_seed_portfolio_network_has_three_columns(seed_flows):
    svg = network_svg(seed_flows)
    root = _parse(svg)
    layers = {
        g.get("class").split()[1]
        for g in root.iter(SVG + "g")
        if (g.get("class") or "").startswith("dg-node")
    }
    assert layers == {"dg-funder", "dg-intermediary", "dg-implementer"}
    assert "European Union" in svg
    assert re.search(r"\d+ funders, \d+ intermediaries and \d+ implementers", svg)


def _fan_out(n: int) -> FlowGraph:
    """One funder paying n implementers 1k, 2k, … n k EUR."""
    from decimal import Decimal

    from devgraph.network.flows import FlowEdge

    edges = [
        FlowEdge(
            ORG + "F",
            ORG + f"I{k}",
            "https://example.org/a",
            "transaction",
            tx_type="3",
            eur=Decimal(1000 * k),
        )
        for k in range(1, n + 1)
    ]
    labels = {ORG + "F": "Funder"} | {ORG + f"I{k}": f"Implementer {k}" for k in range(1, n + 1)}
    return FlowGraph(edges=edges, labels=labels)


def test_big_networks_draw_the_organisations_moving_most_money():
    from devgraph.pictures import layered_layout

    fg = _fan_out(50)
    layout = layered_layout(fg, max_rows=10)
    assert layout.hidden == 40
    assert {layout.nodes[o].label for o in layout.columns[2]} == {
        f"Implementer {k}" for k in range(41, 51)
    }
    svg = network_svg(fg, max_rows=10)
    assert "Implementer 50" in svg and "Implementer 40<" not in svg
    assert "Only the 10 organisations per column that move the most money are drawn; 40 more" in svg
    # the description still counts the whole network
    assert "1 funders, 0 intermediaries and 50 implementers linked by 50" in svg
    flows = flows_svg(fg, max_rows=10)
    assert "€1.3M in all" in flows  # 1k + 2k + … + 50k = 1,275k: every relation, drawn or not
    assert len(_parse(flows).findall(f".//{SVG}g[@class='dg-band']")) == 10


def test_only_the_heaviest_curves_carry_their_amount():
    root = _parse(network_svg(_fan_out(20)))
    written = [
        t.text
        for g in root.iter(SVG + "g")
        if g.get("class") == "dg-link"
        for t in g.findall(SVG + "text")
    ]
    assert sorted(written) == sorted(format_eur(1000 * k) for k in range(13, 21))
    # arrowheads keep their size on thick lines
    assert _parse(network_svg(_fan_out(3))).find(f".//{SVG}marker").get("markerUnits") == (
        "userSpaceOnUse"
    )


def test_ego_network_of_a_big_funder_is_capped_but_counted():
    svg = ego_svg(_fan_out(50), ORG + "F", max_rows=10)
    root = _parse(svg)
    boxes = [g for g in root.iter(SVG + "g") if (g.get("class") or "").startswith("dg-node")]
    assert len(boxes) == 11  # the funder and its 10 largest recipients
    assert "Implementer 50" in svg and "Implementer 40<" not in svg
    assert "funds 50" in root.find(SVG + "desc").text
    assert "40 more" in svg

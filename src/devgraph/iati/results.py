"""Results: result → indicator → baseline / period → target / actual.

Why: results are the part of IATI most often lost by other tools (the 1.0x and 2.0x shapes
differ, values are sometimes not numbers). Every level gets an IRI under its parent
(``…/result/1/indicator/2/period/1/target/1``); numeric values are exact decimals, and a value
that is not a number is kept as data with a warning.
"""

from __future__ import annotations

import pyoxigraph as ox
from lxml import etree

from devgraph.iati.builder import ALL, ActivityContext, elements
from devgraph.iati.finance import document_link

__all__ = ["result"]


def _texts(
    ctx: ActivityContext, child: etree._Element, node: ox.NamedNode, prop: str, path: str
) -> None:
    ctx.narratives(child, node, prop, path)
    ctx.rest(child, node, path, children=("narrative",), text=True)


def _measured(
    ctx: ActivityContext,
    elem: etree._Element,
    node: ox.NamedNode,
    path: str,
    attrs: tuple[str, ...] = (),
) -> None:
    """Baseline, target and actual: @value, comments; everything else kept generically."""
    ctx.decimal(node, "numericValue", elem.get("value"), f"{path}/@value")
    for child in elem:
        if child.tag == "comment":
            _texts(ctx, child, node, "comment", f"{path}/comment")
        elif isinstance(child.tag, str):
            ctx.keep(child, node, path)
    ctx.rest(elem, node, path, attrs=("value", *attrs), children=ALL)


def _period(ctx: ActivityContext, elem: etree._Element, indicator: ox.NamedNode, path: str) -> None:
    node = ctx.node("period", indicator.value)
    ctx.link(indicator, "period", node, "ResultPeriod")
    for child, tag, here in elements(elem, path):
        if tag in ("period-start", "period-end"):
            prop = "periodStart" if tag == "period-start" else "periodEnd"
            ctx.date(node, prop, child.get("iso-date") or child.text, f"{here}/@iso-date")
            ctx.rest(child, node, here, attrs=("iso-date",), text=not child.get("iso-date"))
        elif tag in ("target", "actual"):
            sub = ctx.node(tag, node.value)
            ctx.link(node, tag, sub, "Target" if tag == "target" else "Actual")
            _measured(ctx, child, sub, here)
        else:
            ctx.keep(child, node, path)
    ctx.rest(elem, node, path, children=ALL)


def _indicator(ctx: ActivityContext, elem: etree._Element, res: ox.NamedNode, path: str) -> None:
    node = ctx.node("indicator", res.value)
    ctx.link(res, "indicator", node, "Indicator")
    ctx.concept(node, "measure", "IndicatorMeasure", elem.get("measure"), f"{path}/@measure")
    for child, tag, here in elements(elem, path):
        if tag in ("title", "description"):
            _texts(ctx, child, node, tag, here)
        elif tag == "baseline":
            sub = ctx.node("baseline", node.value)
            ctx.link(node, "baseline", sub, "Baseline")
            when = child.get("iso-date") or child.get("year")
            ctx.date(sub, "baselineDate", when, f"{here}/@iso-date")
            _measured(ctx, child, sub, here, attrs=("iso-date", "year"))
        elif tag == "period":
            _period(ctx, child, node, here)
        elif tag == "document-link":
            document_link(ctx, child, node, here)
        else:
            ctx.keep(child, node, path)
    ctx.rest(elem, node, path, attrs=("measure",), children=ALL)


def result(ctx: ActivityContext, elem: etree._Element, path: str) -> None:
    node = ctx.node("result")
    ctx.link(ctx.subject, "result", node, "Result")
    ctx.concept(node, "resultType", "ResultType", elem.get("type"), f"{path}/@type")
    for child, tag, here in elements(elem, path):
        if tag in ("title", "description"):
            _texts(ctx, child, node, tag, here)
        elif tag == "indicator":
            _indicator(ctx, child, node, here)
        elif tag == "document-link":
            document_link(ctx, child, node, here)
        else:
            ctx.keep(child, node, path)
    ctx.rest(elem, node, path, attrs=("type",), children=ALL)
    ctx.report.results += 1

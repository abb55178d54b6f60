"""Results → ``result`` / ``indicator`` / ``baseline`` / ``period`` / ``target`` / ``actual``.

Why its own module: the inverse of ``devgraph.iati.results``, the deepest tree IATI has.
A baseline date of year precision (``xsd:gYear``) is the 2.03 ``@year``; a full date is
``@iso-date`` (with its ``@year``, which 2.03 requires, unless the publisher's own ``@year``
was kept).
"""

from __future__ import annotations

from lxml import etree

from devgraph.export.parts import Notes, code, document_links, kept, narratives, sub
from devgraph.export.view import View
from devgraph.namespaces import XSD

__all__ = ["result"]

PATH = "/iati-activities/iati-activity/result"


def _texts(
    view: View, node: str, el: etree._Element, prop: str, tag: str, *, required: bool = False
) -> None:
    lits = view.literals(node, prop)
    if lits or required:
        narratives(sub(el, tag), lits, required=required)


def _measured(view: View, node: str, el: etree._Element, path: str) -> None:
    num = view.text(node, "numericValue")
    if num is not None:
        el.set("value", num)
    _texts(view, node, el, "comment", "comment")
    kept(view, node, el, path)


def _baseline(view: View, node: str, parent: etree._Element, path: str) -> None:
    el = sub(parent, "baseline")
    when = view.literal(node, "baselineDate")
    if when is not None:
        if when.datatype.value == XSD + "gYear":
            el.set("year", when.value)
        else:
            el.set("iso-date", when.value)
    _measured(view, node, el, path)
    if el.get("year") is None and el.get("iso-date"):
        el.set("year", el.get("iso-date", "")[:4])


def _period(view: View, node: str, parent: etree._Element, path: str) -> None:
    el = sub(parent, "period")
    for prop, tag in (("periodStart", "period-start"), ("periodEnd", "period-end")):
        when = view.text(node, prop)
        if when:
            sub(el, tag, iso_date=when)
    for tag in ("target", "actual"):
        for sub_node in view.iris(node, tag):
            _measured(view, sub_node, sub(el, tag), f"{path}/{tag}")
    kept(view, node, el, path)


def result(view: View, node: str, act: etree._Element, notes: Notes) -> None:
    """One ``result``; one the schema cannot take (no type, no indicator) is left out, noted."""
    kind = code(view.iri(node, "resultType"))
    indicators = view.iris(node, "indicator")
    if kind is None or not indicators:
        lacks = [what for what, ok in (("@type", kind), ("indicator", indicators)) if not ok]
        notes.dropped.append(f"result {node}: no {', '.join(lacks)} (required by 2.03)")
        return
    el = sub(act, "result", type=kind)
    _texts(view, node, el, "title", "title", required=True)
    _texts(view, node, el, "description", "description")
    for ind in indicators:
        ind_el = sub(el, "indicator", measure=code(view.iri(ind, "measure")))
        ipath = f"{PATH}/indicator"
        _texts(view, ind, ind_el, "title", "title", required=True)
        _texts(view, ind, ind_el, "description", "description")
        for base in view.iris(ind, "baseline"):
            _baseline(view, base, ind_el, f"{ipath}/baseline")
        for per in view.iris(ind, "period"):
            _period(view, per, ind_el, f"{ipath}/period")
        document_links(view, ind, ind_el, ipath)
        kept(view, ind, ind_el, ipath)
    document_links(view, node, el, PATH)
    kept(view, node, el, PATH)

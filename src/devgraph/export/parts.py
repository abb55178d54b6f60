"""Pieces every IATI writer shares: codes, narratives, organisations, values, kept elements.

Why one module: the importer maps these pieces the same way wherever they occur (an amount in a
budget or a transaction, an organisation as reporting-org or receiver-org), so the inverse is
written once. Elements the importer kept only as generic ``dg:IatiElement`` records (XPath in
``dg:iatiPath``, text or attribute value in ``dg:xmlValue``, children by ``dg:iatiElement``)
are rebuilt here, under the element whose path they extend, so nothing is lost on the way out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import pyoxigraph as ox
from lxml import etree

from devgraph.export.view import View
from devgraph.iati.builder import XML_LANG
from devgraph.iati.versions import DSTORE_NS
from devgraph.namespaces import CODELIST, DG

__all__ = [
    "Notes",
    "code",
    "concept_list",
    "document_links",
    "kept",
    "narratives",
    "org_element",
    "value",
]

_NAMESPACES = {
    "dstore": DSTORE_NS,
    "iati-activities": "http://d-portal.org/xmlns/iati-activities",
    "xml": "http://www.w3.org/XML/1998/namespace",
}


@dataclass
class Notes:
    """What one exported item lacked, approximated or left out, in words a publisher reads."""

    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def code(iri: str | None) -> str | None:
    """``cl:List/code`` → ``code`` (percent-decoded), None for anything else."""
    if iri is None or not iri.startswith(CODELIST):
        return None
    return unquote(iri.rsplit("/", 1)[1])


def concept_list(iri: str) -> str:
    """``cl:List/code`` → ``List``."""
    return iri[len(CODELIST) :].split("/", 1)[0]


def _qname(name: str) -> str:
    """``prefix:local`` or ``{ns}local`` as the importer wrote it → lxml's ``{ns}local``."""
    if name.startswith("{"):  # the importer writes an unknown namespace as ``{ns}:local``
        return name.replace("}:", "}", 1)
    prefix, sep, tail = name.partition(":")
    if sep and prefix in _NAMESPACES:
        return f"{{{_NAMESPACES[prefix]}}}{tail}"
    return name


def narratives(
    parent: etree._Element, literals: list[ox.Literal], *, required: bool = False
) -> None:
    """One ``narrative`` per literal, its language (if any) as ``xml:lang``.

    ``required``: where the schema needs a narrative (a document's or indicator's title), an
    empty one stands for a text the publisher left empty (the importer keeps no empty text).
    """
    if required and not literals:
        etree.SubElement(parent, "narrative")
    for lit in literals:
        el = etree.SubElement(parent, "narrative")
        el.text = lit.value
        if lit.language:
            el.set(XML_LANG, lit.language)


def sub(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    for name, val in attrs.items():
        if val is not None:
            el.set(name.replace("_", "-"), val)
    return el


def org_element(
    view: View, parent: etree._Element, tag: str, org: str | None, **attrs: str | None
) -> etree._Element:
    """``reporting-org`` / ``participating-org`` / ``provider-org`` … naming ``org``."""
    el = sub(parent, tag)
    if org is not None:
        ref = view.text(org, "orgIdentifier")
        if ref:
            el.set("ref", ref)
        kinds = [code(k) for k in view.iris(org, "organisationType")]
        if kinds:
            # Mentions that typed one organisation differently leave it with several types;
            # successive mentions cycle through them so that every stated type is written.
            seen = view.mentions[org] = view.mentions.get(org, -1) + 1
            el.set("type", kinds[seen % len(kinds)] or "")
    for name, val in attrs.items():
        if val is not None:
            el.set(name.replace("_", "-"), val)
    if org is not None:
        narratives(el, view.literals(org, "name"))
    return el


def value(
    view: View,
    parent: etree._Element,
    node: str | None,
    default_currency: str | None,
    notes: Notes,
    *,
    fallback_date: str | None,
    where: str,
) -> etree._Element | None:
    """``value`` with ``@currency`` (when not the default) and a ``@value-date``."""
    if node is None:
        return None
    amount = view.text(node, "amount")
    el = sub(parent, "value")
    if amount is not None:
        el.text = amount
    currency = code(view.iri(node, "currency"))
    if currency and currency != default_currency:
        el.set("currency", currency)
    when = view.text(node, "valueDate")
    if when is None and fallback_date is not None:
        when = fallback_date
        notes.changed.append(f"{where}/value/@value-date: none in the graph, {when} used")
    if when is not None:
        el.set("value-date", when)
    kept(view, node, el, f"{where}/value")
    return el


def document_links(view: View, owner: str, parent: etree._Element, path: str) -> None:
    """``document-link`` elements of an activity, result or indicator."""
    for node in view.iris(owner, "documentLink"):
        el = sub(parent, "document-link", url=view.text(node, "url"))
        narratives(sub(el, "title"), view.literals(node, "title"), required=True)
        lits = view.literals(node, "description")
        if lits:
            narratives(sub(el, "description"), lits)
        kept(view, node, el, f"{path}/document-link")


# --- generic records ------------------------------------------------------------------------
def records(view: View, node: str) -> list[str]:
    """The ``dg:IatiElement`` records hanging from a node, in the importer's document order."""
    return view.iris(node, "iatiElement")


_STEP = re.compile(r"(?:\{[^}]*\}|[^/])+")


def steps(path: str) -> list[str]:
    """Split a relative XPath on ``/``, but not inside ``{namespace}`` names."""
    return _STEP.findall(path)


def kept(view: View, node: str, elem: etree._Element, path: str) -> None:
    """Put back every record of ``node`` whose XPath extends ``path`` into ``elem``.

    A record ``path/@a`` is an attribute, ``path/text()`` the text, ``path/x`` a child element
    (rebuilt with its own records), and ``path/x/@a`` an attribute of ``elem``'s ``x`` child
    (the importer keeps what a mapped child did not use on the parent's node).
    """
    for rec in records(view, node):
        rec_path = view.text(rec, "iatiPath") or ""
        if rec_path.startswith(path + "/"):
            place_record(view, rec, elem, steps(rec_path[len(path) + 1 :]))


def place_record(view: View, rec: str, elem: etree._Element, where: list[str]) -> None:
    """Apply one record ``rec`` at the relative ``where`` below ``elem``."""
    target = elem
    for step in where[:-1]:
        found = [c for c in target if c.tag == step]
        target = found[0] if found else etree.SubElement(target, step)
    last = where[-1]
    text = view.literal(rec, "xmlValue")
    if last.startswith("@"):
        name = _qname(last[1:])
        # Several siblings share one path (two recipient-regions' @percentage): first free one.
        parent = target.getparent()
        if parent is not None and target.get(name) is not None:
            for sibling in parent:
                if sibling.tag == target.tag and sibling.get(name) is None:
                    target = sibling
                    break
        if text is not None:
            target.set(name, text.value)
    elif last == "text()":
        if text is not None:
            target.text = text.value
    else:
        child = etree.SubElement(target, _qname(last))
        if text is not None:
            child.text = text.value
            if child.tag == "narrative" and text.language:
                child.set(XML_LANG, text.language)
        own = view.text(rec, "iatiPath") or ""
        for grand in records(view, rec):
            grand_path = view.text(grand, "iatiPath") or ""
            if grand_path.startswith(own + "/"):
                place_record(view, grand, child, steps(grand_path[len(own) + 1 :]))


def kept_languages(view: View, node: str) -> set[str | None]:
    """Languages of kept non-narrative texts (they inherit the activity's ``xml:lang``)."""
    out: set[str | None] = set()
    for owned in view.owned(node):
        for rec in view.iris(owned, "iatiElement"):
            path = view.text(rec, "iatiPath") or ""
            lit = view.literal(rec, "xmlValue")
            last = steps(path)[-1] if path else ""
            if lit is not None and not last.startswith("@") and last not in ("narrative", "text()"):
                out.add(lit.language)
    return out


def dg(name: str) -> str:
    return DG + name

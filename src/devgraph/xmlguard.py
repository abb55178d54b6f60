"""Screen RDF/XML before pyoxigraph parses it.

pyoxigraph's RDF/XML parser expands internal entities without limit (a "billion laughs"
file of a few hundred bytes allocates gigabytes and aborts the process) and is
super-linear in nesting depth (20,000 levels take ~18 s). Both are refused here, with
libxml2 (through lxml) doing a cheap first pass that never resolves entities, never
reads a DTD and never touches the network.

What stays allowed: the DOCTYPE that Protégé and other OWL tools write, whose internal
entities abbreviate namespace IRIs (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``).
Such entities cannot amplify: their values hold no further entity references.
"""

from __future__ import annotations

import io
from pathlib import Path

from lxml import etree

MAX_DEPTH = 256
"""Deepest element nesting accepted; libxml2's own limit without XML_PARSE_HUGE.

Real RDF/XML nests a few dozen levels at most (striped syntax: node, property, node…).
"""

MAX_ENTITY_VALUE = 4096
"""Longest internal entity value accepted (namespace abbreviations are ~50 characters)."""


class UnsafeXmlError(ValueError):
    """The XML is refused before parsing: it could exhaust memory or time."""


def check_rdf_xml(source: Path | bytes) -> None:
    """Raise :class:`UnsafeXmlError` (or ``etree.XMLSyntaxError``) for hostile RDF/XML.

    Refused: external entities and DTDs (SYSTEM/PUBLIC), parameter entities, entities
    whose values refer to other entities (the amplification of billion laughs), entity
    values over :data:`MAX_ENTITY_VALUE`, and nesting deeper than :data:`MAX_DEPTH`.
    """
    if isinstance(source, bytes):
        _scan(io.BytesIO(source))
    else:
        with open(source, "rb") as fh:  # our handle, closed even when the scan refuses
            _scan(fh)


def _scan(stream: io.BufferedIOBase) -> None:
    context = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
    )
    depth = 0
    checked_dtd = False
    for event, element in context:
        if event == "start":
            depth += 1
            if depth > MAX_DEPTH:
                raise UnsafeXmlError(f"XML nested deeper than {MAX_DEPTH} levels is refused")
            if not checked_dtd:
                _check_dtd(element.getroottree().docinfo)
                checked_dtd = True
        else:
            depth -= 1
            element.clear()


def _check_dtd(docinfo: etree.DocInfo) -> None:
    if docinfo.system_url or docinfo.public_id:
        raise UnsafeXmlError("XML with an external DTD (SYSTEM or PUBLIC identifier) is refused")
    dtd = docinfo.internalDTD
    if dtd is None:
        return
    for entity in dtd.iterentities():
        if entity.system_url or entity.orig is None and entity.content is None:
            raise UnsafeXmlError(f"XML declares an external entity {entity.name!r}; refused")
        value = entity.content or ""
        if "&" in value or "%" in value:
            raise UnsafeXmlError(
                f"XML entity {entity.name!r} refers to other entities (entity expansion "
                "attacks such as billion laughs); refused"
            )
        if len(value) > MAX_ENTITY_VALUE:
            raise UnsafeXmlError(
                f"XML entity {entity.name!r} is longer than {MAX_ENTITY_VALUE} characters; refused"
            )

"""IATI 2.03 element order, read from the official schema rather than retyped.

Why: the schemas are ``xsd:sequence`` all the way down, so a writer that emits children in any
other order writes an invalid file. :func:`sort_tree` reorders a finished tree by the
sequence the XSD declares for each parent (stable: siblings of one name keep their order), so
the writers can build elements in whatever order is convenient.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from devgraph.iati.xsd import SCHEMA_DIR

__all__ = ["child_order", "sort_tree"]

_XS = "{http://www.w3.org/2001/XMLSchema}"
_FILES = {
    "iati-activities": "iati-activities-schema.xsd",
    "iati-organisations": "iati-organisations-schema.xsd",
}


@cache
def _schema(root: str) -> tuple[dict[str, etree._Element], dict[str, etree._Element]]:
    """Top-level element declarations and named complex types of a schema and its includes."""
    elements: dict[str, etree._Element] = {}
    types: dict[str, etree._Element] = {}
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    for name in (_FILES[root], "iati-common.xsd"):
        doc = etree.parse(str(SCHEMA_DIR / name), parser)
        for el in doc.getroot():
            if el.tag == f"{_XS}element":
                elements.setdefault(el.get("name"), el)
            elif el.tag == f"{_XS}complexType":
                types.setdefault(el.get("name"), el)
    return elements, types


def _declaration(decl: etree._Element, root: str) -> etree._Element | None:
    """The complex type describing an element declaration (inline, by type=, or by ref=)."""
    elements, types = _schema(root)
    if decl.get("ref"):
        decl = elements.get(decl.get("ref").split(":")[-1], decl)
    inline = decl.find(f"{_XS}complexType")
    if inline is not None:
        return inline
    type_name = (decl.get("type") or "").split(":")[-1]
    return types.get(type_name)


def _children(ctype: etree._Element, root: str) -> list[etree._Element]:
    """Child element declarations of a complex type, following extensions to their base.

    The walk stops at each element declaration: its own inline type describes grandchildren.
    """
    _elements, types = _schema(root)
    out: list[etree._Element] = []

    def walk(node: etree._Element) -> None:
        for el in node:
            if el.tag == f"{_XS}element":
                out.append(el)
            elif el.tag == f"{_XS}extension":
                base = types.get((el.get("base") or "").split(":")[-1])
                if base is not None:
                    out.extend(_children(base, root))
                walk(el)
            elif el.tag in (
                f"{_XS}sequence",
                f"{_XS}choice",
                f"{_XS}all",
                f"{_XS}complexContent",
                f"{_XS}group",
            ):
                walk(el)

    walk(ctype)
    return out


@cache
def _child_decls(path: tuple[str, ...]) -> dict[str, etree._Element]:
    root = path[0]
    elements, _types = _schema(root)
    decl = elements.get(root)
    for name in path[1:]:
        if decl is None:
            return {}
        ctype = _declaration(decl, root)
        found = {_name(d): d for d in (_children(ctype, root) if ctype is not None else [])}
        decl = found.get(name)
    if decl is None:
        return {}
    ctype = _declaration(decl, root)
    if ctype is None:
        return {}
    return {_name(d): d for d in _children(ctype, root)}


def _name(decl: etree._Element) -> str:
    return decl.get("name") or (decl.get("ref") or "").split(":")[-1]


def child_order(path: tuple[str, ...]) -> list[str]:
    """Names of the children the schema allows under ``path`` (root first), in order."""
    return list(_child_decls(path))


def sort_tree(elem: etree._Element, path: tuple[str, ...] | None = None) -> None:
    """Reorder ``elem``'s descendants in place by the schema's sequences (stable)."""
    path = path or (elem.tag,)
    order = {name: i for i, name in enumerate(child_order(path))}
    children = [c for c in elem if isinstance(c.tag, str)]
    if not children:
        return
    ranked = sorted(children, key=lambda c: order.get(c.tag, len(order)))
    if ranked != children:
        for child in children:
            elem.remove(child)
        for child in ranked:
            elem.append(child)
    for child in ranked:
        sort_tree(child, (*path, child.tag))

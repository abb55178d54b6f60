"""Make what 1.0x and schema-invalid inputs kept fit the 2.03 schema, saying what changed.

Why: the importer keeps every element it has no term for, exactly as published, including
1.0x shapes (text directly in ``mailing-address``, ``location-type``, an ``organization``
typo, a date where 2.03 wants a dateTime). Written back unchanged they would make the file
invalid. Each activity is validated on its own against the official 2.03 XSD; for each error
the smallest change is made (text moved into a ``narrative`` where the schema wants one, an
unknown element or attribute removed), and recorded in the activity's notes. What cannot be
repaired this way (a required attribute the graph lacks) stays an error, reported as missing.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from devgraph.export.order import child_order
from devgraph.export.parts import Notes
from devgraph.iati.xsd import SCHEMA_DIR

__all__ = ["repair"]

_ATTRIBUTE = re.compile(r"attribute '([^']+)'")
_MAX_ROUNDS = 10


def _schema() -> etree.XMLSchema:
    global _SCHEMA
    if _SCHEMA is None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        doc = etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd"), parser)
        _SCHEMA = etree.XMLSchema(doc)
    return _SCHEMA


_SCHEMA: etree.XMLSchema | None = None


def _where(el: etree._Element) -> tuple[str, ...]:
    names = []
    while el is not None:
        names.append(el.tag)
        el = el.getparent()
    return tuple(reversed(names))


def _fix(wrapper: etree._Element, error: etree._LogEntry, notes: Notes) -> bool:
    """Apply the smallest repair for one schema error; False when none applies."""
    found = wrapper.xpath(error.path) if error.path else []
    if not found or not isinstance(found[0], etree._Element):
        return False
    el = found[0]
    path = "/".join(_where(el)[1:])
    msg = error.message
    if "Character content other than whitespace is not allowed" in msg:
        text = (el.text or "").strip()
        el.text = None
        if "narrative" in child_order(_where(el)):
            etree.SubElement(el, "narrative").text = text
            el.insert(0, el[-1])
            notes.changed.append(f"{path}: text {text!r} moved into a narrative (2.0x form)")
        else:
            notes.dropped.append(f"{path}: text {text!r} (the 2.03 schema has no text here)")
        return True
    if "This element is not expected" in msg or (
        "is not allowed" in msg and "attribute" not in msg
    ):
        parent = el.getparent()
        if parent is None:
            return False
        notes.dropped.append(f"{path}: {etree.tostring(el, encoding='unicode').strip()[:200]}")
        parent.remove(el)
        return True
    attr = _ATTRIBUTE.search(msg)
    if attr and ("is not allowed" in msg or "is not a valid value" in msg):
        name = attr.group(1)
        if name in el.attrib:
            notes.dropped.append(f"{path}/@{name}: {el.get(name)!r} ({msg.split(': ')[-1]})")
            del el.attrib[name]
            return True
    if "Missing child element(s)" in msg and len(el) == 0 and not (el.text or "").strip():
        parent = el.getparent()
        if parent is not None and el.tag != "narrative" and "narrative" not in msg:
            # An empty element the schema needs filled (an empty ``point``): nothing to keep.
            notes.dropped.append(f"{path}: empty {etree.tostring(el, encoding='unicode')[:120]}")
            parent.remove(el)
            return True
    if "Missing child element(s). Expected is ( narrative )" in msg:
        etree.SubElement(el, "narrative")
        notes.changed.append(f"{path}: empty narrative added (the schema needs one)")
        return True
    return False


def repair(act: etree._Element, notes: Notes) -> list[str]:
    """Repair ``act`` in place until it validates; returns the schema errors that remain."""
    schema = _schema()
    for _ in range(_MAX_ROUNDS):
        wrapper = etree.Element("iati-activities", version="2.03")
        wrapper.append(copy.deepcopy(act))
        if schema.validate(wrapper):
            return []
        errors = list(schema.error_log)
        # Last first, so that removing an element does not shift the paths of the others.
        fixed_any = [_fix(wrapper, error, notes) for error in reversed(errors)]
        if not any(fixed_any):
            return [e.message for e in errors]
        # The fix was made on the copy: carry it back.
        fixed = wrapper[0]
        act[:] = fixed[:]
        act.attrib.clear()
        act.attrib.update(fixed.attrib)
        act.text = fixed.text
    wrapper = etree.Element("iati-activities", version="2.03")
    wrapper.append(copy.deepcopy(act))
    schema.validate(wrapper)
    return [e.message for e in schema.error_log]

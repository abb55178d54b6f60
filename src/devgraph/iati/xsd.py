"""Offline XSD checks of single activities against the official IATI schemas.

Why per activity: the IATI Datastore drops a whole schema-invalid activity; devgraph imports
it and records what the schema says as data (``dg:xsdFinding``), so ``devgraph validate`` and
queries can show it, and ``strict`` can refuse it. 2.0x activities are checked against the
2.03 schema (backward compatible with 2.01/2.02 for valid data), 1.0x against 1.05. The
schemas come from ``../shared/iati/schemas`` and are compiled with network access disabled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from devgraph.codelists import DEFAULT_SOURCE

__all__ = ["Finding", "SCHEMA_DIR", "check"]

SCHEMA_DIR = Path(os.environ.get("DEVGRAPH_IATI_SCHEMAS", DEFAULT_SOURCE.parent / "schemas"))
_FILES = {"iati-activities": "iati-activities-schema.xsd",
          "iati-organisations": "iati-organisations-schema.xsd"}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """One schema error about one activity: where (line, XPath) and what."""

    line: int
    path: str
    message: str
    severity: str
    schema: str


@lru_cache(maxsize=4)
def _schema(root_tag: str, v1: bool) -> etree.XMLSchema | None:
    folder = SCHEMA_DIR / "v1.05" if v1 else SCHEMA_DIR
    path = folder / _FILES[root_tag]
    if not path.exists():
        return None
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def check(elem: etree._Element, root_tag: str, version: str, *, v1: bool) -> list[Finding]:
    """Validate one item in a wrapper root of its own; the item is moved into the wrapper.

    The caller discards the item after mapping it, so moving (rather than copying) is safe
    and keeps the check cheap; source line numbers survive the move.
    """
    schema = _schema(root_tag, v1)
    if schema is None:
        return []
    wrapper = etree.Element(root_tag, version=version)
    wrapper.append(elem)
    if schema.validate(wrapper):
        return []
    name = "1.05" if v1 else "2.03"
    return [
        Finding(
            line=e.line,
            path=e.path or "",
            message=e.message,
            severity=e.level_name.lower(),
            schema=f"IATI {name}",
        )
        for e in schema.error_log
    ]

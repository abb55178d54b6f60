"""Reading IATI codelist XML into plain dataclasses.

Kept apart from the RDF side so the same parsed lists feed every graph (2.0x schemes, 1.0x
schemes and their mappings) and so the reader can be tested without rdflib.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lxml import etree

__all__ = ["XML_LANG", "Codelist", "Item", "read_codelist", "read_folder"]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Item:
    """One ``codelist-item``: texts are ``{language: text}``."""

    code: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str]
    category: str | None
    withdrawn: bool
    url: str | None


@dataclass(frozen=True)
class Codelist:
    """One codelist file, read once and shared by every graph that refers to it."""

    name: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str]
    category_list: str | None
    items: tuple[Item, ...]
    source: str
    url: str | None

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(item.code for item in self.items)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _texts(parent: etree._Element, tag: str, default_lang: str) -> dict[str, str]:
    """Texts of ``tag`` children by language, for both layouts.

    2.0x wraps texts in ``narrative`` elements; 1.0x repeats the element itself with an
    ``xml:lang``. The first text per language wins, since SKOS allows one prefLabel per language.
    """
    texts: dict[str, str] = {}
    for element in parent.findall(tag):
        narratives = element.findall("narrative") or [element]
        for narrative in narratives:
            lang = narrative.get(XML_LANG) or element.get(XML_LANG) or default_lang
            text = _clean(narrative.text)
            if text and lang not in texts:
                texts[lang] = text
    return texts


def read_codelist(path: Path, *, upstream: str = "") -> Codelist:
    """Parse one IATI codelist XML file (2.0x or 1.0x layout)."""
    root = etree.parse(str(path)).getroot()
    lang = root.get(XML_LANG) or "en"
    metadata = root.find("metadata")
    items = []
    for element in root.iterfind("codelist-items/codelist-item"):
        category = _clean(element.findtext("category")) or None
        items.append(
            Item(
                code=_clean(element.findtext("code")),
                names=_texts(element, "name", lang),
                descriptions=_texts(element, "description", lang),
                category=category,
                withdrawn=element.get("status") == "withdrawn",
                url=_clean(element.findtext("url")) or None,
            )
        )
    return Codelist(
        name=root.get("name") or path.stem,
        names=_texts(metadata, "name", lang) if metadata is not None else {},
        descriptions=_texts(metadata, "description", lang) if metadata is not None else {},
        category_list=root.get("category-codelist"),
        items=tuple(items),
        source=upstream + path.name,
        url=(_clean(metadata.findtext("url")) or None) if metadata is not None else None,
    )


def read_folder(folder: Path, *, upstream: str = "") -> dict[str, Codelist]:
    """All codelists of one folder, keyed by codelist name."""
    lists = [read_codelist(p, upstream=upstream) for p in sorted(folder.glob("*.xml"))]
    if not lists:
        raise FileNotFoundError(f"no codelist XML files in {folder}")
    return {codelist.name: codelist for codelist in lists}

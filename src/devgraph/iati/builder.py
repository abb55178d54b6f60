"""Triples of one IATI item: literals as published, narratives, codes, and the generic fallback.

Why: every element mapper (activity, finance, results, organisation) needs the same few
operations and the same guarantees: amounts stay exact decimals, dates keep their precision,
narratives keep a normalised language, codes go through 1.0x normalisation and are checked
against the codelist, and anything without a dedicated term becomes a ``dg:IatiElement`` node
(``dg:iatiPath``, ``dg:xmlValue``) counted in the report by XPath. Nothing is silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from lxml import etree

from devgraph.iati import iris
from devgraph.iati.report import FileReport
from devgraph.iati.versions import DPORTAL_VERSION, DSTORE_NS, code
from devgraph.namespaces import DG, RDF, XSD

__all__ = ["ALL", "ActivityContext", "FileContext", "T", "XML_LANG", "dg", "local", "norm_lang"]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PREFIXES = {
    DSTORE_NS: "dstore",
    "http://d-portal.org/xmlns/iati-activities": "iati-activities",
    "http://www.w3.org/XML/1998/namespace": "xml",
}
ALL = ("*",)
"""``rest(children=ALL)``: the caller has mapped or kept every child itself."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DATE_FALLBACK = ((_DATE, "date"), (_DATETIME, "dateTime"), (_YEAR, "gYear"),
                  (_YEAR_MONTH, "gYearMonth"))  # fmt: skip
_DATE_KINDS = {10: ((_DATE, "date"),), 4: ((_YEAR, "gYear"),), 7: ((_YEAR_MONTH, "gYearMonth"),)}
"""Only the pattern that can match a text of that length (dates are most of the calls);
other lengths (date-times) try every pattern in the original order."""
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")
# ISO 639-2 codes publishers wrote instead of ISO 639-1 (D-Portal's "ENG", 1.0x "fre").
_ISO639_2 = {
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "por": "pt",
    "nld": "nl", "dut": "nl", "ara": "ar", "rus": "ru", "ita": "it", "swe": "sv", "nor": "no",
    "dan": "da", "fin": "fi", "zho": "zh", "chi": "zh", "jpn": "ja",
}  # fmt: skip


class T:
    """Terms outside ``dg:`` used as pyoxigraph nodes, built once."""

    type = ox.NamedNode(RDF + "type")


class _DgTerms(dict[str, ox.NamedNode]):
    """``dg:`` terms by local name, each NamedNode built on first use."""

    def __missing__(self, name: str) -> ox.NamedNode:
        node = self[name] = ox.NamedNode(DG + name)
        return node


dg: Callable[[str], ox.NamedNode] = _DgTerms().__getitem__
"""``dg:name`` as a cached NamedNode. A bound ``dict.__getitem__`` rather than a function:
the mappers call it ~180 times per activity, and a hit then never enters Python code."""


_XSD = {name: ox.NamedNode(XSD + name) for name in (
    "date", "dateTime", "gYear", "gYearMonth", "decimal", "string", "integer"
)}  # fmt: skip


@lru_cache(maxsize=16384)
def _dated(text: str, kind: str) -> ox.Literal:
    """Typed date literals repeat across activities (period starts, value dates): build once."""
    return ox.Literal(text, datatype=_XSD[kind])


def local(name: str) -> str:
    """``{ns}local`` → ``prefix:local`` for the few namespaces IATI files use."""
    if name[0] != "{":
        return name
    ns, _, tail = name[1:].partition("}")
    return f"{_PREFIXES.get(ns, '{' + ns + '}')}:{tail}"


def norm_lang(tag: str | None) -> str | None:
    """Lower-case ISO 639-1 where possible (``EN`` → ``en``, ``ENG`` → ``en``)."""
    if not tag:
        return None
    value = tag.strip().lower().replace("_", "-")
    head, sep, tail = value.partition("-")
    value = _ISO639_2.get(head, head) + sep + tail
    return value if _LANG.match(value) else None


def elements(elem: etree._Element, path: str) -> Iterator[tuple[etree._Element, str, str]]:
    """The element children of ``elem`` as (child, tag, XPath): comments and processing
    instructions (whose ``tag`` is not a string) are skipped, as every mapper must."""
    for child in elem:
        tag = child.tag
        if isinstance(tag, str):
            yield child, tag, f"{path}/{tag}"


@dataclass
class FileContext:
    """What all items of one file share."""

    report: FileReport
    source_doc: ox.NamedNode
    version: str | None
    lang: str | None
    strict: bool = False
    identifiers: dict[str, int] = field(default_factory=dict)


Term = ox.NamedNode | ox.Literal
Statement = tuple[ox.NamedNode, ox.NamedNode, Term]
"""A triple as a plain tuple: ``ox.Triple`` costs ~4 µs when its object is a literal (pyo3
tries the other term kinds first), so triples are built only after de-duplication."""


class ActivityContext:
    """Builds the statements of one activity (or organisation) into ``self.out``."""

    def __init__(
        self, file: FileContext, subject: ox.NamedNode, base: str, *, v1: bool, lang: str | None
    ) -> None:
        self.file = file
        self.report = file.report
        self.subject = subject
        self.base = base
        self.v1 = v1
        self.lang = lang
        self.currency: str | None = None
        self.publisher: str | None = None
        self.out: list[Statement] = []
        self._seq: dict[str, int] = {}

    # --- nodes and triples ---------------------------------------------------------------
    def node(self, kind: str, parent: str | None = None) -> ox.NamedNode:
        """Next sub-node ``<base>/<kind>/<n>`` (or under ``parent``), numbered in document order."""
        prefix = f"{parent or self.base}/{kind}"
        n = self._seq.get(prefix, 0) + 1
        self._seq[prefix] = n
        return ox.NamedNode(f"{prefix}/{n}")

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: Term) -> None:
        self.out.append((s, p, o))

    def typed(self, s: ox.NamedNode, cls: str) -> None:
        self.out.append((s, T.type, dg(cls)))

    def link(self, s: ox.NamedNode, prop: str, o: ox.NamedNode, cls: str) -> None:
        self.out.append((s, dg(prop), o))
        self.out.append((o, T.type, dg(cls)))

    # --- literals -------------------------------------------------------------------------
    def string(self, s: ox.NamedNode, prop: str, value: str | None) -> None:
        if value is not None and value.strip():
            self.add(s, dg(prop), ox.Literal(value.strip()))

    def date(self, s: ox.NamedNode, prop: str, value: str | None, path: str) -> None:
        """Dates keep their precision: xsd:date, gYearMonth, gYear, or dateTime as published."""
        if value is None or not value.strip():
            return
        text = value.strip()
        for pattern, dt in _DATE_KINDS.get(len(text), _DATE_FALLBACK):
            if pattern.match(text):
                self.add(s, dg(prop), _dated(text, dt))
                return
        self.report.warn("bad-date", f"{path}: {text!r} is not an ISO date; kept as text")
        self.add(s, dg(prop), ox.Literal(text))

    def decimal(self, s: ox.NamedNode, prop: str, value: str | None, path: str) -> bool:
        """An exact xsd:decimal of the published digits (never through float)."""
        if value is None or not value.strip():
            return False
        text = value.strip()
        if not _DECIMAL.match(text):
            self.report.warn("bad-number", f"{path}: {text!r} is not a decimal number")
            self.keep_value(s, path, text)
            return False
        self.add(s, dg(prop), ox.Literal(text, datatype=_XSD["decimal"]))
        return True

    def concept_code(self, list_name: str, value: str | None, path: str) -> str | None:
        """A code normalised to 2.0x (1.0x text codes translated), unknown codes reported."""
        if value is None or not value.strip():
            return None
        normalised, known = code(list_name, value, self.v1)
        if not known:
            v2_list = "SectorVocabulary" if list_name == "Vocabulary" else list_name
            self.report.warn("unknown-code", f"{path}: {value.strip()!r} not on {v2_list}")
        return normalised

    def concept(
        self, s: ox.NamedNode, prop: str, list_name: str, value: str | None, path: str
    ) -> str | None:
        """A coded attribute → ``cl:List/code`` (1.0x text codes normalised); returns the code."""
        normalised = self.concept_code(list_name, value, path)
        if normalised is not None:
            v2_list = "SectorVocabulary" if list_name == "Vocabulary" else list_name
            self.add(s, dg(prop), iris.concept(v2_list, normalised))
        return normalised

    def lang_of(self, elem: etree._Element) -> str | None:
        raw = elem.get(XML_LANG)
        if raw is None:
            return self.lang
        lang = norm_lang(raw)
        if lang is None:
            self.report.warn("bad-language", f"xml:lang {raw!r} is not a language tag")
            return self.lang
        if raw != lang:
            self.report.normalised_languages += 1
        return lang

    def text_literal(self, text: str, lang: str | None) -> ox.Literal:
        return ox.Literal(text, language=lang) if lang else ox.Literal(text)

    def narratives(self, elem: etree._Element, s: ox.NamedNode, prop: str, path: str) -> list[str]:
        """Each narrative (or, in 1.0x, the element's own text) as a language-tagged literal."""
        texts: list[str] = []
        own_lang = self.lang_of(elem)
        for child in elem:
            if child.tag == "narrative":
                text = (child.text or "").strip()
                if text:
                    lang = self.lang_of(child) if child.get(XML_LANG) else own_lang
                    self.add(s, dg(prop), self.text_literal(text, lang))
                    texts.append(text)
                self.rest(child, s, f"{path}/narrative", attrs=(XML_LANG,), text=True)
        text = (elem.text or "").strip()
        if text:
            self.add(s, dg(prop), self.text_literal(text, own_lang))
            texts.append(text)
        return texts

    # --- generic fallback -----------------------------------------------------------------
    def keep(self, elem: etree._Element, parent: ox.NamedNode, path: str) -> None:
        """Keep an element with no dedicated term as a ``dg:IatiElement`` tree."""
        here = f"{path}/{local(elem.tag)}"
        node = self.node("iati", self.base)
        self.report.fallback(here)
        self.add(parent, dg("iatiElement"), node)  # rdfs:range gives dg:IatiElement
        self.add(node, dg("iatiPath"), ox.Literal(here))
        text = (elem.text or "").strip()
        if text:
            self.add(node, dg("xmlValue"), self.text_literal(text, self.lang_of(elem)))
        for name, value in elem.attrib.items():
            if name != XML_LANG:
                self.keep_attr(node, here, name, value)
        for child in elem:
            if isinstance(child.tag, str):
                self.keep(child, node, here)

    def keep_attr(self, parent: ox.NamedNode, path: str, name: str, value: str) -> None:
        here = f"{path}/@{local(name)}"
        node = self.node("iati", self.base)
        self.report.fallback(here)
        self.add(parent, dg("iatiElement"), node)  # rdfs:range gives dg:IatiElement
        self.add(node, dg("iatiPath"), ox.Literal(here))
        self.add(node, dg("xmlValue"), ox.Literal(value))

    def keep_value(self, parent: ox.NamedNode, path: str, value: str) -> None:
        """A value that did not fit its dedicated term (e.g. a non-numeric amount)."""
        node = self.node("iati", self.base)
        self.report.fallback(path)
        self.add(parent, dg("iatiElement"), node)  # rdfs:range gives dg:IatiElement
        self.add(node, dg("iatiPath"), ox.Literal(path))
        self.add(node, dg("xmlValue"), ox.Literal(value))

    def rest(
        self,
        elem: etree._Element,
        node: ox.NamedNode,
        path: str,
        *,
        attrs: Collection[str] = (),
        children: Collection[str] = (),
        text: bool = False,
    ) -> None:
        """Keep what a dedicated mapping of ``elem`` did not use: attributes, children, text."""
        for name, value in elem.items():
            if name not in attrs and name != XML_LANG and name != DPORTAL_VERSION:
                self.keep_attr(node, path, name, value)
        if len(elem) and "*" not in children:
            for child in elem:
                if isinstance(child.tag, str) and child.tag not in children:
                    self.keep(child, node, path)
        if not text and elem.text and elem.text.strip():
            self.keep_value(node, f"{path}/text()", elem.text.strip())

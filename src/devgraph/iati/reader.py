"""Safe, streaming reading of IATI XML: files, folders and zip archives.

Why a module of its own: every byte that reaches the mapping passes through one parser
configuration (no network, no DTD loading, no entity expansion, no huge trees), and a
document type with entity declarations or an external DTD is refused before a single
element is mapped. Errors name the file, line and column, for the person at the keyboard.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from lxml import etree

from devgraph.load import LoadError, graph_iri_for

__all__ = [
    "ACTIVITIES_ROOT",
    "ORGANISATIONS_ROOT",
    "IatiImportError",
    "RootInfo",
    "Source",
    "discover",
    "is_iati_file",
    "iter_elements",
    "read_root",
]

ACTIVITIES_ROOT = "iati-activities"
ORGANISATIONS_ROOT = "iati-organisations"
ITEM_TAGS = {ACTIVITIES_ROOT: "iati-activity", ORGANISATIONS_ROOT: "iati-organisation"}
PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
"""lxml options used for every parse: nothing outside the bytes is ever read."""


class IatiImportError(LoadError):
    """An IATI source could not be read, parsed or accepted; nothing was written."""


@dataclass(frozen=True)
class Source:
    """One IATI document: a file, or a member of a zip archive."""

    path: Path
    member: str | None
    graph: str
    sha256: str
    size: int

    @property
    def name(self) -> str:
        """How the source is named in messages and in the provenance record."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        if self.member is None:
            with self.path.open("rb") as fh:
                yield fh
        else:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                yield fh


@dataclass(frozen=True)
class RootInfo:
    """What the root start tag declares: kind of file, version, generation time, language."""

    tag: str
    version: str | None
    generated: str | None
    lang: str | None


def _digest(fh: IO[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


def _file_source(path: Path, root: Path | None) -> Source:
    with path.open("rb") as fh:
        sha, size = _digest(fh)
    return Source(path, None, graph_iri_for(path, root=root), sha, size)


def _zip_sources(path: Path, root: Path | None) -> list[Source]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IatiImportError(f"{path}: not a readable zip archive: {exc}") from exc
    out = []
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir() or not info.filename.lower().endswith(".xml"):
                continue
            if any(part.startswith(("_", ".")) for part in info.filename.split("/")):
                continue  # __MACOSX/ and hidden members are not data
            with zf.open(info) as fh:
                sha, size = _digest(fh)
            graph = graph_iri_for(path, root=root) + "/" + quote(info.filename, safe="/-._~")
            out.append(Source(path, info.filename, graph, sha, size))
    return out


def discover(paths: Iterable[Path], *, root: Path | None = None) -> list[Source]:
    """Expand files, folders (recursively, sorted, ``*.xml`` and ``*.zip``) and zip archives."""
    sources: list[Source] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                suffix = child.suffix.lower()
                if suffix == ".xml":
                    sources.append(_file_source(child, root))
                elif suffix == ".zip":
                    sources.extend(_zip_sources(child, root))
        elif path.is_file():
            if path.suffix.lower() == ".zip":
                sources.extend(_zip_sources(path, root))
            else:
                sources.append(_file_source(path, root))
        else:
            raise IatiImportError(f"{path}: no such file or folder")
    return sources


def _where(source: Source, exc: etree.XMLSyntaxError) -> str:
    line, col = exc.position if exc.position else (0, 0)
    msg = exc.msg or str(exc)
    return f"{source.name}:{line}:{col}: malformed XML: {msg}"


def _check_doctype(source: Source, root: etree._Element) -> None:
    info = root.getroottree().docinfo
    dtd = info.internalDTD
    if dtd is not None and list(dtd.entities()):
        raise IatiImportError(
            f"{source.name}: refused: the document type declares entities "
            "(entity expansion and external entities are never processed; IATI files have no DTD)"
        )
    if info.system_url or info.public_id:
        raise IatiImportError(
            f"{source.name}: refused: the document names an external DTD "
            f"({info.system_url or info.public_id}); IATI files have no DTD"
        )


def read_root(source: Source) -> RootInfo:
    """Parse only the root start tag, checking the prolog is safe and the root is IATI."""
    if source.size == 0:
        raise IatiImportError(f"{source.name}: empty file (0 bytes), not IATI XML")
    with source.open() as fh:
        try:
            for _event, elem in etree.iterparse(fh, events=("start",), **PARSER_OPTIONS):
                _check_doctype(source, elem)
                tag = etree.QName(elem).localname if isinstance(elem.tag, str) else ""
                if tag not in ITEM_TAGS or etree.QName(elem).namespace:
                    raise IatiImportError(
                        f"{source.name}:{elem.sourceline}: root element is <{elem.tag}>, "
                        f"expected <{ACTIVITIES_ROOT}> or <{ORGANISATIONS_ROOT}>"
                    )
                return RootInfo(
                    tag=tag,
                    version=(elem.get("version") or "").strip() or None,
                    generated=(elem.get("generated-datetime") or "").strip() or None,
                    lang=elem.get("{http://www.w3.org/XML/1998/namespace}lang"),
                )
        except etree.XMLSyntaxError as exc:
            raise IatiImportError(_where(source, exc)) from None
        except ValueError as exc:  # lxml's QName on a tag such as <a:b:c> (found by fuzzing)
            raise IatiImportError(f"{source.name}: root element is not IATI XML: {exc}") from None
    raise IatiImportError(f"{source.name}: no root element, not IATI XML")


def iter_elements(
    source: Source, root_tag: str, item_tag: str | None = None
) -> Iterator[etree._Element]:
    """Yield each child of the root (activities, organisations, anything else) when complete.

    The element is cleared and detached after the consumer is done with it, so memory
    stays bounded by the largest activity. Comments and processing instructions are
    dropped by the parser; they carry no IATI data.

    Why the ``tag`` filter: lxml then reports only the items' end events from C, about four
    times faster than a Python loop over every start and end event (the items are ~100
    elements each). Other children of the root (rare: D-Portal or publisher extensions) are
    still yielded, in document order, just before the next item or at the end.
    """
    item = item_tag or ITEM_TAGS[root_tag]
    with source.open() as fh:
        context = etree.iterparse(fh, events=("end",), tag=item, **PARSER_OPTIONS)
        checked = False
        try:
            for _event, elem in context:
                root = elem.getparent()
                if root is None or root.getparent() is not None:
                    continue  # an item nested deeper belongs to its top-level ancestor
                if not checked:
                    _check_doctype(source, root)
                    checked = True
                while (first := root[0]) is not elem:  # earlier non-item children
                    yield from _consume(first)
                yield from _consume(elem)
        except etree.XMLSyntaxError as exc:
            raise IatiImportError(_where(source, exc)) from None
        root = context.root
        if root is not None:
            if not checked:
                _check_doctype(source, root)
            while len(root):
                yield from _consume(root[0])


def _consume(elem: etree._Element) -> Iterator[etree._Element]:
    """Yield ``elem``, then clear it and detach it from wherever the consumer left it."""
    yield elem
    elem.clear()
    parent = elem.getparent()  # the root, or a validation wrapper (see xsd.py)
    if parent is not None:
        parent.remove(elem)


def is_iati_file(path: Path) -> bool:
    """Whether a file is IATI XML (root ``iati-activities`` or ``iati-organisations``).

    For ``devgraph load``, which dispatches ``.xml`` files here; reads only the prolog.
    """
    try:
        source = Source(path, None, "", "", path.stat().st_size)
        read_root(source)
    except (IatiImportError, OSError):
        return False
    return True

"""Provenance of imported IATI files: the source document node and the ``graph:meta`` record.

Why: the loader's record (PROV-O, DCAT, VoID, SPDX terms, ``dg:sourcePath``) is what
``devgraph graphs`` lists and what skip-if-unchanged compares, so an IATI graph gets exactly
the same record, plus the file's declared IATI version (``dcterms:conformsTo``), its
``generated-datetime`` (``dcterms:created``) and the IATI Registry datasets its activities came
from (``prov:wasDerivedFrom``, D-Portal re-exports). Counts come from the committed graph
itself, in the same update that moves it in place, so the record cannot disagree with the data.
"""

from __future__ import annotations

import re
from datetime import datetime

import pyoxigraph as ox

from devgraph.iati.reader import RootInfo, Source
from devgraph.load import Provenance, provenance_update
from devgraph.namespaces import DCTERMS, DG, META_GRAPH, PROV, RDF, XSD

__all__ = ["MEDIA_TYPE", "document_triples", "meta_update", "source_document"]

MEDIA_TYPE = "application/xml"
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def _lit(value: str, datatype: str | None = None) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"' + (f"^^<{datatype}>" if datatype else "")


def source_path(source: Source) -> str:
    return source.path.as_posix() + (f"!{source.member}" if source.member else "")


def source_uri(source: Source) -> str:
    uri = source.path.resolve().as_uri()
    return uri + (f"#{source.member}" if source.member else "")


def source_document(source: Source) -> ox.NamedNode:
    """The ``dg:SourceDocument`` every activity of the file points to with ``dg:source``."""
    return ox.NamedNode(source.graph + "#file")


def version_of(info: RootInfo) -> str:
    from devgraph.iati.versions import DEFAULT_V1

    return info.version or DEFAULT_V1


def document_triples(source: Source, info: RootInfo) -> list[ox.Triple]:
    """The file as a source document, in the file's own graph (data travels with its origin)."""
    from devgraph.iati.activity import version_iri

    doc = source_document(source)
    out = [
        ox.Triple(doc, ox.NamedNode(RDF + "type"), ox.NamedNode(DG + "SourceDocument")),
        ox.Triple(doc, ox.NamedNode(DG + "sourceFile"), ox.Literal(source_path(source))),
        ox.Triple(doc, ox.NamedNode(DCTERMS + "conformsTo"), version_iri(version_of(info))),
    ]
    if info.generated:
        dt = "dateTime" if _DATETIME.match(info.generated) else "string"
        out.append(
            ox.Triple(
                doc,
                ox.NamedNode(DCTERMS + "created"),
                ox.Literal(info.generated, datatype=ox.NamedNode(XSD + dt)),
            )
        )
    return out


def meta_update(files: list[tuple[Source, RootInfo]], now: datetime) -> str:
    """The loader's ``graph:meta`` record for each file (so ``devgraph graphs`` and
    skip-if-unchanged work alike), plus the IATI version, generated-datetime and the
    Registry datasets the activities came from; run with the commit."""
    from devgraph.iati.activity import version_iri

    records = []
    derived = []
    for source, info in files:
        g = source.graph
        extra = f"<{DCTERMS}conformsTo> <{version_iri(version_of(info)).value}> ;"
        if info.generated:
            dt = XSD + ("dateTime" if _DATETIME.match(info.generated) else "string")
            extra += f" <{DCTERMS}created> {_lit(info.generated, dt)} ;"
        records.append(
            Provenance(
                graph=g,
                source_uri=source_uri(source),
                path=source_path(source),
                size=source.size,
                sha256=source.sha256,
                media_type=MEDIA_TYPE,
                extra=extra,
            )
        )
        derived.append(
            f"""INSERT {{ GRAPH <{META_GRAPH}> {{ <{g}> <{PROV}wasDerivedFrom> ?d }} }}
            WHERE {{ SELECT DISTINCT ?d WHERE {{ GRAPH <{g}> {{
              ?a a <{DG}Activity> ; <{PROV}wasDerivedFrom> ?d }} }} }}"""
        )
    return " ;\n".join([provenance_update(records, now), *derived])

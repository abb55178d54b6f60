"""Linked-data dumps of the portfolio (Turtle, JSON-LD, N-Quads) with a DCAT/VoID description.

Why: the IATI files serve IATI tools; the same data as RDF serves linked-data users, and a
DCAT/VoID description (``void.ttl``) says what each dump holds (triples, activities, licence,
update time, download URL) so catalogues and the SPARQL service description can point to it.
Only data graphs are dumped (no provenance of local files, no inferences), as published.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from devgraph.export.view import data_graphs
from devgraph.namespaces import DCAT, DCTERMS, DG, RDF, VOID, XSD
from devgraph.store import GraphStore

__all__ = ["Dump", "write_dumps"]

FORMATS = {
    "portfolio.nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "portfolio.ttl": (ox.RdfFormat.TURTLE, "text/turtle"),
    "portfolio.jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}
LICENCE_IRIS = {
    "cc-by": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc-zero": "https://creativecommons.org/publicdomain/zero/1.0/",
    "odc-by": "https://opendatacommons.org/licenses/by/1-0/",
    "odc-odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "odc-pddl": "https://opendatacommons.org/licenses/pddl/1-0/",
}


@dataclass
class Dump:
    path: Path
    media_type: str
    size: int


def _quads(store: GraphStore, graphs: list[str]) -> list[ox.Quad]:
    buffer = io.BytesIO()
    quads: list[ox.Quad] = []
    for g in graphs:
        buffer.seek(0)
        buffer.truncate()
        store.dump(buffer, format="ntriples", graph=g)
        graph = ox.NamedNode(g)
        quads.extend(
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(buffer.getvalue(), format=ox.RdfFormat.N_TRIPLES)
        )
    return quads


def write_dumps(
    store: GraphStore,
    out_dir: Path,
    *,
    base_url: str,
    title: str = "devgraph portfolio",
    licence: str = "cc-by",
    now: datetime | None = None,
) -> list[Dump]:
    """Write the three dumps and ``void.ttl`` into ``out_dir``; returns what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    graphs = [g for g in data_graphs(store) if not _is_schema(g)]
    quads = _quads(store, graphs)
    triples = list(dict.fromkeys(q.triple for q in quads))
    written = []
    for name, (fmt, media) in FORMATS.items():
        path = out_dir / name
        data = quads if fmt.supports_datasets else triples
        with path.open("wb") as fh:
            ox.serialize(
                data,
                fh,
                format=fmt,
                prefixes={"dg": DG} if fmt is not ox.RdfFormat.N_QUADS else None,
            )
        written.append(Dump(path, media, path.stat().st_size))
    activities = {
        t.subject.value
        for t in triples
        if t.predicate.value == RDF + "type" and t.object.value == DG + "Activity"
    }
    when = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    base = base_url.rstrip("/") + "/"
    lines = [
        f"@prefix dcat: <{DCAT}> .",
        f"@prefix dcterms: <{DCTERMS}> .",
        f"@prefix void: <{VOID}> .",
        f"@prefix xsd: <{XSD}> .",
        "",
        f"<{base}void.ttl#dataset> a dcat:Dataset , void:Dataset ;",
        f"    dcterms:title {_lit(title)} ;",
        f'    dcterms:modified "{when}"^^xsd:dateTime ;',
        f"    dcterms:license <{LICENCE_IRIS.get(licence, licence)}> ;",
        f"    void:triples {len(triples)} ;",
        f"    void:entities {len(activities)} ;",
        f"    void:vocabulary <{DG[:-1]}> ;",
    ]
    lines += [f"    void:dataDump <{base}{d.path.name}> ;" for d in written]
    lines.append(
        "    dcat:distribution "
        + " , ".join(f"<{base}{d.path.name}#distribution>" for d in written)
        + " ."
    )
    for d in written:
        lines += [
            "",
            f"<{base}{d.path.name}#distribution> a dcat:Distribution ;",
            f"    dcat:downloadURL <{base}{d.path.name}> ;",
            f"    dcat:mediaType <https://www.iana.org/assignments/media-types/{d.media_type}> ;",
            f"    dcat:byteSize {d.size} .",
        ]
    void = out_dir / "void.ttl"
    void.write_text("\n".join(lines) + "\n", encoding="utf-8")
    list(ox.parse(path=str(void), format=ox.RdfFormat.TURTLE))  # written by hand: prove it parses
    written.append(Dump(void, "text/turtle", void.stat().st_size))
    return written


def _is_schema(graph: str) -> bool:
    """Ontology and shapes graphs describe the model, not the portfolio."""
    return any(part in graph for part in ("/ontology/", "/shapes/"))


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

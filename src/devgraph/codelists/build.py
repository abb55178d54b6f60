"""Regenerate every codelist file: IATI 2.0x lists, their 1.0x predecessors, devgraph's own.

This is the one entry point ``scripts/build_codelists.py`` and the tests call, so the files
committed under ``ontology/codelists/`` and the ones a test rebuilds come from the same code.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from devgraph.codelists.devgraph_schemes import devgraph_graph
from devgraph.codelists.rdf import codelist_graph, serialize
from devgraph.codelists.reader import Codelist, read_folder
from devgraph.codelists.v1 import check_v1_table, v1_graph

__all__ = ["DEFAULT_OUTPUT", "DEFAULT_SOURCE", "REPO_ROOT", "build_all", "write_all"]

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "iati" / "codelists"
DEFAULT_OUTPUT = REPO_ROOT / "ontology" / "codelists"

# Where each source folder was copied from (see ../shared/iati/SOURCES.md); used for dcterms:source.
UPSTREAM = {
    "embedded": "https://github.com/IATI/IATI-Codelists/blob/"
    "75e827bacd29f77356cb43defbc0b655705432f3/xml/",
    "non-embedded": "https://github.com/IATI/IATI-Codelists-NonEmbedded/blob/"
    "7aeece773c60afa0265eb95e988d5e61e96d8482/xml/",
    "v1.05-embedded": "https://github.com/IATI/IATI-Codelists/blob/"
    "381f6d6e59ad6ccb9cba163f2db85317bf0eb00e/xml/",
}
V2_FOLDERS = ("embedded", "non-embedded")
V1_FOLDER = "v1.05-embedded"


def build_all(source: Path = DEFAULT_SOURCE) -> dict[str, Graph]:
    """Every graph to write, keyed by output path relative to the codelist folder."""
    lists: dict[str, Codelist] = {}
    for folder in V2_FOLDERS:
        lists.update(read_folder(source / folder, upstream=UPSTREAM[folder]))
    v1_lists = read_folder(source / V1_FOLDER, upstream=UPSTREAM[V1_FOLDER])
    check_v1_table(v1_lists)
    graphs = {f"{name}.ttl": codelist_graph(cl, lists) for name, cl in lists.items()}
    graphs.update({f"v1/{name}.ttl": v1_graph(cl, lists) for name, cl in v1_lists.items()})
    graphs["devgraph.ttl"] = devgraph_graph()
    return dict(sorted(graphs.items()))


def write_all(source: Path = DEFAULT_SOURCE, out: Path = DEFAULT_OUTPUT) -> list[Path]:
    """Regenerate every codelist file under ``out``; returns the paths written."""
    written = []
    for relative, graph in build_all(source).items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(serialize(graph))
        written.append(path)
    return written

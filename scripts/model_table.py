"""Print the "IATI 2.03 element -> ontology term" table of docs/model.md.

Why a script: the table is derived from ontology/alignments/iati.ttl, and a hand-kept copy
would drift. tests/ontology/test_model_doc.py checks that docs/model.md holds exactly this
output between its ``iati-table`` markers.

Usage: python scripts/model_table.py [ONTOLOGY_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from devgraph.owl import ALIGNED_ONTOLOGY_IRI, load_ontology

DG = rdflib.Namespace("https://w3id.org/devgraph/ontology#")
MODULE_BASE = "https://w3id.org/devgraph/ontology/"
KINDS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
}


def table_rows(graph: rdflib.Graph) -> list[tuple[str, str, str, str, str, str]]:
    """One row per (IATI path, term): path, term, English label, kind, module, codelist."""
    rows = []
    for term, path in graph.subject_objects(DG.iatiPath):
        kind = next((KINDS[k] for k in graph.objects(term, RDF.type) if k in KINDS), "?")
        module = str(graph.value(term, RDFS.isDefinedBy) or "")
        label = next(
            (str(lab) for lab in graph.objects(term, RDFS.label) if lab.language == "en"), ""
        )
        codelist = ", ".join(sorted(str(c) for c in graph.objects(term, DG.iatiCodelist)))
        rows.append(
            (
                str(path),
                "dg:" + str(term)[len(str(DG)) :],
                label,
                kind,
                module.removeprefix(MODULE_BASE),
                codelist,
            )
        )
    return sorted(rows)


def render(rows: list[tuple[str, str, str, str, str, str]]) -> str:
    """Render rows as a Markdown table (``|`` never occurs in XPaths used here)."""
    lines = [
        "| IATI 2.03 path | devgraph term | label | kind | module | IATI codelist |",
        "|---|---|---|---|---|---|",
    ]
    for path, term, label, kind, module, codelist in rows:
        lines.append(f"| `{path}` | `{term}` | {label} | {kind} | {module} | {codelist} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    ontology_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent.parent / "ontology"
    graph = load_ontology(ontology_dir, iri=ALIGNED_ONTOLOGY_IRI)
    rows = table_rows(graph)
    if not rows:
        print("no dg:iatiPath found under", ontology_dir, file=sys.stderr)
        return 1
    sys.stdout.write(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

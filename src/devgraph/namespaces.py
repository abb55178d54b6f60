"""IRIs shared by every module: declared once here, imported everywhere else.

The prefixes match ``docs/vocabulary-contract.md`` and the ontology files, so a
query written by hand and a query built in code speak the same vocabulary.
"""

from __future__ import annotations

BASE = "https://w3id.org/devgraph/"

DG = BASE + "ontology#"
"""Ontology terms (classes, properties)."""
ONTOLOGY = BASE + "ontology"
CODELIST = BASE + "codelist/"
ACTIVITY = BASE + "id/activity/"
ORGANISATION = BASE + "id/organisation/"
PLACE = BASE + "id/place/"
GRAPH = BASE + "graph/"
META_GRAPH = GRAPH + "meta"
"""Named graph that records where every other graph came from."""
INFERRED_GRAPH = GRAPH + "inferred"
SUMMARY_GRAPH = GRAPH + "summary"
"""Named graph of the last summary run; each level of precomputed transaction totals
(``devgraph.summaries``, refreshed on load) has its graph under ``SUMMARY_GRAPH + "/"``."""


def is_summary_graph(iri: str) -> bool:
    """Whether a graph holds derived totals (left out of reasoning and exports)."""
    return iri == SUMMARY_GRAPH or iri.startswith(SUMMARY_GRAPH + "/")


STAGING_GRAPH = GRAPH + "staging/"
"""Prefix of short-lived graphs used to make multi-graph replacements atomic."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
GEO = "http://www.opengis.net/ont/geosparql#"

PREFIXES: dict[str, str] = {
    "dg": DG,
    "cl": CODELIST,
    "act": ACTIVITY,
    "dgo": ORGANISATION,
    "place": PLACE,
    "graph": GRAPH,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "sh": SH,
    "prov": PROV,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "void": VOID,
    "spdx": SPDX,
    "geo": GEO,
}


def sparql_prefixes() -> str:
    """The PREFIX block that named queries may rely on when they omit their own."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def expand(curie: str) -> str | None:
    """Expand ``prefix:local`` with the shared prefixes; ``None`` when the prefix is unknown."""
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES or local.startswith("//"):
        return None
    return PREFIXES[prefix] + local

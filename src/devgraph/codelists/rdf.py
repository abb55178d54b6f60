"""IRIs of schemes and concepts, and the SKOS graph of one IATI codelist.

Every other codelist module builds on these helpers, so an IRI or a prefix is decided in
one place and the 2.0x, 1.0x and devgraph schemes stay consistent with each other.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from devgraph import namespaces
from devgraph.codelists.reader import Codelist, Item

__all__ = [
    "CC_BY",
    "CL",
    "DG",
    "DGR",
    "add_texts",
    "codelist_graph",
    "concept_iri",
    "new_graph",
    "scheme_iri",
    "serialize",
]

log = logging.getLogger(__name__)

CL = Namespace(namespaces.CODELIST)
DG = Namespace(namespaces.DG)
DGR = Namespace(namespaces.CODELIST + "PartnerRole/")
CC_BY = URIRef("http://creativecommons.org/licenses/by/4.0/")

# A category list that is not a hierarchy: an agency is not "narrower than" its country.
NON_HIERARCHICAL_CATEGORY = {"Country": DCTERMS.spatial}

_IRI_UNSAFE = set(' <>"{}|\\^`')


def scheme_iri(name: str, *, v1: bool = False) -> URIRef:
    """IRI of a scheme: ``cl:Name``, or ``cl:v1/Name`` for an IATI 1.0x list."""
    return CL[f"v1/{name}" if v1 else name]


def concept_iri(name: str, code: str, *, v1: bool = False) -> URIRef:
    """IRI of a code: the code is one path segment, so ``/``, spaces etc. are percent-encoded."""
    return URIRef(f"{scheme_iri(name, v1=v1)}/{quote(code, safe='-._~')}")


def _is_iri(text: str) -> bool:
    return text.startswith(("http://", "https://")) and not _IRI_UNSAFE & set(text)


def new_graph() -> Graph:
    """An empty graph with the prefixes every codelist file declares (rdflib writes used ones)."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (
        ("cl", CL),
        ("dcterms", DCTERMS),
        ("dg", DG),
        ("dgr", DGR),
        ("owl", OWL),
        ("rdfs", RDFS),
        ("skos", SKOS),
        ("xsd", XSD),
    ):
        graph.bind(prefix, namespace)
    return graph


def add_texts(graph: Graph, subject: URIRef, predicate: URIRef, texts: Mapping[str, str]) -> None:
    """One language-tagged literal per ``{language: text}`` entry."""
    for lang, text in texts.items():
        graph.add((subject, predicate, Literal(text, lang=lang)))


def _resolve_category(
    codelist: Codelist, item: Item, lists: Mapping[str, Codelist], *, v1: bool
) -> tuple[URIRef, URIRef] | None:
    """(predicate, target concept) for an item's category, or None when it does not resolve.

    The category is looked up in the list named by ``category-codelist``, then in the list
    itself (CRSChannelCode, and AidType B021 → B02). FileFormat's MIME top-level types are
    in no list and are left out. Unresolved ones are logged, never linked to a missing concept.
    """
    if item.category is None:
        return None
    # A 1.0x list cannot fall back to itself: ``lists`` holds the 2.0x lists.
    for target in (codelist.category_list, None if v1 else codelist.name):
        if target and target in lists and item.category in lists[target].codes:
            predicate = NON_HIERARCHICAL_CATEGORY.get(target, SKOS.broader)
            return predicate, concept_iri(target, item.category)
    if codelist.category_list:
        log.info("%s/%s: category %r not found", codelist.name, item.code, item.category)
    return None


def codelist_graph(codelist: Codelist, lists: Mapping[str, Codelist], *, v1: bool = False) -> Graph:
    """The SKOS scheme of one codelist; ``lists`` resolves categories (2.0x lists by name)."""
    graph = new_graph()
    scheme = scheme_iri(codelist.name, v1=v1)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    add_texts(graph, scheme, SKOS.prefLabel, codelist.names or {"en": codelist.name})
    add_texts(graph, scheme, SKOS.definition, codelist.descriptions)
    graph.add((scheme, DCTERMS.source, URIRef(codelist.source)))
    graph.add((scheme, DCTERMS.license, CC_BY))
    graph.add((scheme, DG.iatiCodelist, Literal(codelist.name)))
    if codelist.url and _is_iri(codelist.url):
        graph.add((scheme, RDFS.seeAlso, URIRef(codelist.url)))
    for item in codelist.items:
        concept = concept_iri(codelist.name, item.code, v1=v1)
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.notation, Literal(item.code)))
        # Items without a name (FileFormat, Version) are labelled by their code.
        add_texts(graph, concept, SKOS.prefLabel, item.names)
        if not item.names:
            graph.add((concept, SKOS.prefLabel, Literal(item.code)))
        add_texts(graph, concept, SKOS.definition, item.descriptions)
        if item.withdrawn:
            graph.add((concept, OWL.deprecated, Literal(True)))
        if item.url and _is_iri(item.url):
            graph.add((concept, RDFS.seeAlso, URIRef(item.url)))
        link = _resolve_category(codelist, item, lists, v1=v1)
        if link is not None:
            graph.add((concept, *link))
        if link is None or link[0] != SKOS.broader:
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
    return graph


def serialize(graph: Graph) -> bytes:
    """Turtle with prefixes declared once; rdflib sorts subjects and objects, so it is stable."""
    return graph.serialize(format="turtle", encoding="utf-8")

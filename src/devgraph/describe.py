"""What the store says about one IRI, for linked-data pages; and devgraph's JSON-LD context.

A dereferenced IRI answers with its *symmetric* description: the triples where it is
the subject (with the blank nodes it points to, one level deep), the triples where it
is the object (capped, since a class such as ``dg:Activity`` is the object of every
``rdf:type``), and the labels of every neighbour so that a page or a client can show
names instead of bare IRIs. Plain library code: the web layer renders, this decides.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from devgraph.namespaces import BASE, DG, OWL, PREFIXES, RDF, RDFS, SKOS
from devgraph.store import GraphStore, StoreError

LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", DG + "title", DG + "name")
"""Properties whose literal values name a resource, best first."""
LABEL_LANGUAGES = ("en", "fr", "")
"""Preferred label languages, best first; any other language comes after these."""
INCOMING_LIMIT = 500
OUTGOING_LIMIT = 10_000
TERM_TYPES = (
    OWL + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    OWL + "NamedIndividual",
    RDF + "Property",
    RDFS + "Class",
    RDFS + "Datatype",
)
"""Types that make a ``dg:`` IRI an ontology term for the ``/ontology`` document."""

INSTANCE_PREFIXES = ("act", "dgo", "place", "graph")
"""Prefixes of IRIs a deployment mints itself (they follow a configured base IRI)."""

LANGUAGE_TERMS = (
    ("title", DG + "title"),
    ("description", DG + "description"),
    ("objective", DG + "objective"),
    ("targetGroupDescription", DG + "targetGroupDescription"),
    ("otherDescription", DG + "otherDescription"),
    ("name", DG + "name"),
    ("note", DG + "note"),
    ("label", RDFS + "label"),
    ("comment", RDFS + "comment"),
    ("prefLabel", SKOS + "prefLabel"),
    ("definition", SKOS + "definition"),
)
"""Text properties compacted as language maps: ``"title": {"fr": "…", "en": "…"}``."""
IRI_TERMS = (
    "reportingOrganisation",
    "participation",
    "participant",
    "role",
    "partnerRole",
    "fundedBy",
    "implementedBy",
    "extendedBy",
    "accountableOrganisation",
    "hasParticipant",
    "recipientCountry",
    "countryShare",
    "country",
    "location",
    "locationPlace",
    "sector",
    "sectorShare",
    "budget",
    "transaction",
    "value",
    "currency",
    "contribution",
    "result",
    "indicator",
    "period",
    "baseline",
    "target",
    "actual",
    "beneficiaryCount",
    "targetGroup",
    "relatedActivity",
    "previousPhase",
    "activityStatus",
    "organisationType",
    "basedIn",
    "within",
    "subOrganisationOf",
    "source",
    "documentLink",
)
"""``dg:`` object properties compacted to plain strings holding (compact) IRIs."""


@dataclass
class Description:
    """The triples about one IRI, split the way a page shows them."""

    iri: str
    outgoing: list[ox.Triple] = field(default_factory=list)
    incoming: list[ox.Triple] = field(default_factory=list)
    neighbour_labels: list[ox.Triple] = field(default_factory=list)
    incoming_truncated: bool = False
    is_graph: bool = False
    """The IRI names a graph in the store (it may still have no triples about it)."""

    @property
    def found(self) -> bool:
        return bool(self.outgoing or self.incoming or self.is_graph)

    def triples(self) -> list[ox.Triple]:
        """Everything to serialise, each triple once, in a stable order."""
        seen: dict[ox.Triple, None] = {}
        for t in [*self.outgoing, *self.incoming, *self.neighbour_labels]:
            seen.setdefault(t, None)
        return list(seen)

    def labels(self) -> dict[str, str]:
        """Best label per IRI (own and neighbours'), by property then language order."""
        return best_labels([*self.outgoing, *self.neighbour_labels])


def best_labels(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """Pick one label per subject IRI: label property order first, then language."""
    ranked: dict[str, tuple[tuple[int, int], str]] = {}
    for t in triples:
        p = t.predicate.value
        if p not in LABEL_PROPERTIES or not isinstance(t.object, ox.Literal):
            continue
        if not isinstance(t.subject, ox.NamedNode):
            continue
        lang = t.object.language or ""
        lrank = LABEL_LANGUAGES.index(lang) if lang in LABEL_LANGUAGES else len(LABEL_LANGUAGES)
        rank = (LABEL_PROPERTIES.index(p), lrank)
        current = ranked.get(t.subject.value)
        if current is None or rank < current[0]:
            ranked[t.subject.value] = (rank, t.object.value)
    return {iri: text for iri, (_, text) in ranked.items()}


def _solutions(
    store: GraphStore, sparql: str, **bindings: ox.NamedNode | ox.BlankNode
) -> ox.QuerySolutions:
    rows = store.query(sparql, bindings=bindings or None)
    assert isinstance(rows, ox.QuerySolutions)
    return rows


def _valid_iri(iri: str) -> ox.NamedNode:
    """A NamedNode, or StoreError for text that is not an IRI (it is bound, never pasted)."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise StoreError(f"not a valid IRI: {iri!r}") from exc


def describe(
    store: GraphStore,
    iri: str,
    *,
    incoming: bool = True,
    incoming_limit: int = INCOMING_LIMIT,
    outgoing_limit: int = OUTGOING_LIMIT,
) -> Description:
    """The symmetric description of ``iri`` over all graphs (see the module docstring)."""
    node = _valid_iri(iri)
    desc = Description(iri)
    for r in _solutions(
        store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {outgoing_limit}", s=node
    ):
        desc.outgoing.append(ox.Triple(node, r["p"], r["o"]))
    _follow_blank_nodes(store, desc)
    if incoming:
        rows = list(
            _solutions(
                store,
                f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {incoming_limit + 1}",
                o=node,
            )
        )
        desc.incoming_truncated = len(rows) > incoming_limit
        desc.incoming = [ox.Triple(r["s"], r["p"], node) for r in rows[:incoming_limit]]
    desc.is_graph = bool(list(_solutions(store, "SELECT ?g WHERE { GRAPH ?g { } }", g=node)))
    desc.neighbour_labels = neighbour_labels(store, [desc])
    return desc


def _follow_blank_nodes(store: GraphStore, desc: Description, *, limit: int = 1000) -> None:
    """Add what the blank nodes of a description say (OWL restrictions, RDF lists), to any depth.

    A blank node has no address of its own, so its triples belong to the description
    that reaches it (a Concise Bounded Description). ``limit`` caps the nodes followed.
    """
    done: set[ox.BlankNode] = set()
    pending = [t.object for t in desc.outgoing if isinstance(t.object, ox.BlankNode)]
    while pending and len(done) < limit:
        b = pending.pop()
        if b in done:
            continue
        done.add(b)
        for r in _solutions(store, "SELECT ?b ?p ?o WHERE { ?b ?p ?o }", b=b):
            desc.outgoing.append(ox.Triple(b, r["p"], r["o"]))
            if isinstance(r["o"], ox.BlankNode) and r["o"] not in done:
                pending.append(r["o"])


def neighbour_labels(store: GraphStore, descriptions: Iterable[Description]) -> list[ox.Triple]:
    """Label triples of every IRI a description mentions, except the described ones."""
    own = set()
    mentioned: set[str] = set()
    for d in descriptions:
        own.add(d.iri)
        for t in [*d.outgoing, *d.incoming]:
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    mentioned.add(term.value)
    mentioned -= own
    if not mentioned:
        return []
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    found: list[ox.Triple] = []
    names = sorted(mentioned)
    for start in range(0, len(names), 500):
        # The IRIs come from the store and are re-validated: safe to write as <…>.
        values = " ".join(f"<{_valid_iri(n).value}>" for n in names[start : start + 500])
        for r in _solutions(
            store,
            f"SELECT DISTINCT ?n ?p ?l WHERE {{ VALUES ?p {{ {props} }} VALUES ?n {{ {values} }} "
            "?n ?p ?l FILTER(isLiteral(?l)) }",
        ):
            found.append(ox.Triple(r["n"], r["p"], r["l"]))
    return found


def ontology_terms(store: GraphStore, *, namespace: str = DG) -> list[str]:
    """IRIs of the vocabulary's terms (typed as a class or property) in ``namespace``."""
    types = " ".join(f"<{t}>" for t in TERM_TYPES)
    rows = _solutions(
        store,
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {types} }} ?s a ?t "
        f"FILTER(STRSTARTS(STR(?s), {json.dumps(namespace)})) }} ORDER BY ?s",
    )
    return [r["s"].value for r in rows]


def describe_ontology(
    store: GraphStore, ontology_iri: str, *, namespace: str = DG
) -> list[Description]:
    """The ontology document: the ontology's own header, then every term (no incoming links).

    Hash IRIs (``…/ontology#Activity``) cannot be dereferenced on their own, since the
    fragment never reaches the server; they all resolve to this one document. The terms'
    triples come from one query, not one per term.
    """
    header = describe(store, ontology_iri, incoming=False)
    types = " ".join(f"<{t}>" for t in TERM_TYPES)
    terms: dict[str, Description] = {}
    for r in _solutions(
        store,
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {types} }} "
        f"?s a ?t FILTER(STRSTARTS(STR(?s), {json.dumps(namespace)})) }} }} ?s ?p ?o }}",
    ):
        d = terms.setdefault(r["s"].value, Description(r["s"].value))
        d.outgoing.append(ox.Triple(r["s"], r["p"], r["o"]))
    for d in terms.values():
        _follow_blank_nodes(store, d)
    every = [header, *(terms[k] for k in sorted(terms))]
    header.neighbour_labels = neighbour_labels(store, every)
    return [d for d in every if d.found]


def prefixes_for(base_iri: str = BASE) -> dict[str, str]:
    """The shared prefixes, with instance namespaces moved under a deployment's base IRI."""
    out = dict(PREFIXES)
    if base_iri != BASE:
        for p in INSTANCE_PREFIXES:
            out[p] = base_iri + PREFIXES[p].removeprefix(BASE)
    return out


def jsonld_context(base_iri: str = BASE) -> dict[str, Any]:
    """devgraph's JSON-LD ``@context``: every shared prefix plus short names for ``dg:`` terms.

    Language-tagged text becomes a language map (``"title": {"fr": …}``) and object
    properties take compact IRIs as plain strings. A value that does not fit a term
    (a title without a language) stays under its prefixed name (``"dg:title"``), so
    nothing is lost in compaction.
    """
    ctx: dict[str, Any] = dict(prefixes_for(base_iri))
    for name, iri in LANGUAGE_TERMS:
        ctx[name] = {"@id": iri, "@container": "@language"}
    for name in IRI_TERMS:
        ctx[name] = {"@id": DG + name, "@type": "@id"}
    return ctx


def to_jsonld(
    triples: Iterable[ox.Triple], *, context: Mapping[str, Any], context_url: str | None = None
) -> bytes:
    """Compact JSON-LD for ``triples`` with ``context``; refer to it by URL when given.

    rdflib does the compaction (pyoxigraph writes expanded JSON-LD only); the
    ``@context`` object is then swapped for ``context_url`` so responses stay small and
    point at the published context.
    """
    import rdflib  # imported here: only JSON-LD responses pay for it

    graph = rdflib.Graph()
    nt = serialize(triples, "nt")
    graph.parse(data=nt.decode(), format="nt")
    text = graph.serialize(format="json-ld", context=dict(context), auto_compact=True)
    doc = json.loads(text)
    if isinstance(doc, dict) and context_url is not None:
        doc["@context"] = context_url
    elif isinstance(doc, list):  # an empty graph compacts to []
        doc = {"@context": context_url or dict(context), "@graph": doc}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode()


SERIALIZATIONS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
}


def serialize(
    triples: Iterable[ox.Triple], fmt: str, *, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """Turtle (with prefixes), N-Triples or RDF/XML bytes for a list of triples."""
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if prefixes and fmt in ("ttl", "rdf"):
        kwargs["prefixes"] = dict(prefixes)
    ox.serialize(list(triples), out, SERIALIZATIONS[fmt], **kwargs)
    return out.getvalue()

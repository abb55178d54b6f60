"""describe: the symmetric description of an IRI, the ontology document, the JSON-LD context."""

from __future__ import annotations

import json
import warnings

import pytest
import rdflib
from rdflib.compare import isomorphic

from devgraph import describe as dsc
from devgraph.namespaces import ACTIVITY, DG, GRAPH, ORGANISATION, RDF, RDFS
from devgraph.store import EmbeddedStore, StoreError

FUND = ORGANISATION + "fund"
ALPHA = ACTIVITY + "alpha"


def test_outgoing_incoming_and_neighbour_labels(store):
    d = dsc.describe(store, FUND)
    assert {(t.predicate.value, str(t.object)) for t in d.outgoing} == {
        (RDF + "type", f"<{DG}Organisation>"),
        (DG + "name", '"Fonds Exemple"@fr'),
    }
    assert sorted(t.subject.value for t in d.incoming) == [ALPHA, ACTIVITY + "beta"]
    labels = d.labels()
    assert labels[FUND] == "Fonds Exemple"
    assert labels[ALPHA] == "Alpha project"  # English preferred over French
    assert d.found and not d.is_graph


def test_unknown_iri_is_not_found_and_bad_iri_is_refused(store):
    assert not dsc.describe(store, ACTIVITY + "nope").found
    with pytest.raises(StoreError):
        dsc.describe(store, "http://x/> } ; DROP ALL ; <")


def test_incoming_links_are_capped_and_flagged():
    s = EmbeddedStore(None)
    s.load(
        "".join(f"<http://e/s{i}> <http://e/p> <http://e/t> .\n" for i in range(7)),
        format="ntriples",
        graph="http://e/g",
    )
    d = dsc.describe(s, "http://e/t", incoming_limit=5)
    assert len(d.incoming) == 5 and d.incoming_truncated
    assert not dsc.describe(s, "http://e/t", incoming_limit=7).incoming_truncated


def test_blank_nodes_are_followed_to_any_depth():
    s = EmbeddedStore(None)
    s.load(
        '<http://e/a> <http://e/p> [ <http://e/q> "inner" ; <http://e/r> ( "deep" ) ] .',
        format="turtle",
        graph="http://e/g",
    )
    d = dsc.describe(s, "http://e/a")
    assert {'"inner"', '"deep"'} <= {str(t.object) for t in d.outgoing}


def test_graph_iri_is_described_by_its_provenance(store):
    d = dsc.describe(store, GRAPH + "portfolio.ttl")
    assert d.is_graph
    assert any(t.predicate.value.endswith("sourcePath") for t in d.outgoing)


def test_ontology_document_lists_terms_not_instances():
    s = EmbeddedStore(None)
    s.load(
        f"""<{DG[:-1]}> a <http://www.w3.org/2002/07/owl#Ontology> .
        <{DG}Activity> a <http://www.w3.org/2002/07/owl#Class> ; <{RDFS}label> "Activity"@en .
        <{DG}title> a <http://www.w3.org/2002/07/owl#DatatypeProperty> .
        <{ALPHA}> a <{DG}Activity> .""",
        format="turtle",
        graph="http://e/onto",
    )
    docs = dsc.describe_ontology(s, DG[:-1])
    assert [d.iri for d in docs] == [DG[:-1], DG + "Activity", DG + "title"]
    assert all(not d.incoming for d in docs)


def test_context_compacts_and_round_trips(store):
    d = dsc.describe(store, ALPHA)
    ctx = dsc.jsonld_context()
    doc = json.loads(dsc.to_jsonld(d.triples(), context=ctx))
    nodes = doc.get("@graph", [doc])
    alpha = next(n for n in nodes if n["@id"] == "act:alpha")
    assert alpha["title"] == {"fr": "Projet Alpha", "en": "Alpha project"}
    assert alpha["fundedBy"] == "dgo:fund"
    expected = rdflib.Graph().parse(data=dsc.serialize(d.triples(), "nt").decode(), format="nt")
    with warnings.catch_warnings():  # rdflib's JSON-LD parser warns about its own internals
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    assert isomorphic(parsed, expected)


def test_context_follows_a_deployment_base_for_instances_only():
    ctx = dsc.jsonld_context("https://example.org/dg/")
    assert ctx["act"] == "https://example.org/dg/id/activity/"
    assert ctx["dg"] == DG  # the vocabulary keeps its IRIs
    assert ctx["title"] == {"@id": DG + "title", "@container": "@language"}

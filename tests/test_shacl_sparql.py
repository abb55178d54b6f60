"""The SPARQL validation engine agrees with pySHACL, finding for finding.

Agreement is checked as multisets of (focus node, path, constraint component, severity,
source shape) on the seed portfolio, on imported IATI samples and on a generated portfolio
with injected defects, plus values compared as numbers where the store canonicalised them
("34.0" is read back as 34). pySHACL is the reference; each run costs it seconds, so the
data sets are small and each is validated once per engine (module fixtures).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH, XSD

from devgraph.iati.importer import import_paths
from devgraph.load import load_paths
from devgraph.report import ValidationReport
from devgraph.shacl_sparql import target_filter
from devgraph.sparql_rewrite import (
    bind_targets,
    binds_this,
    not_exists_to_minus,
    values_for_in_filters,
)
from devgraph.store import EmbeddedStore
from devgraph.validate import load_graph, validate, validate_store

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "iati" / "samples"
CODELISTS = REPO / "ontology" / "codelists"
sys.path.insert(0, str(REPO / "benchmarks"))

from generate import generate  # noqa: E402

DG = Namespace("https://w3id.org/devgraph/ontology#")
CL = Namespace("https://w3id.org/devgraph/codelist/")
IATI_SAMPLES = [  # the two smallest: pySHACL takes seconds per activity here
    "worldvision-uk_v1.0x_provider-activity-id.xml",
    "globalfund-47045_v1.0x_results.xml",
]


def _keys(report: ValidationReport) -> Counter:
    return Counter(
        (f.focus_node, f.path, f.component, f.severity, f.source_shape) for f in report.findings
    )


def _number(text: str | None) -> object:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return text


def _values(report: ValidationReport) -> Counter:
    return Counter(
        (f.focus_node, f.source_shape, f.component, _number(f.value)) for f in report.findings
    )


def assert_agree(fast: ValidationReport, reference: ValidationReport) -> None:
    assert fast.engine == "sparql"
    assert reference.engine == "pyshacl"
    only_fast = _keys(fast) - _keys(reference)
    only_reference = _keys(reference) - _keys(fast)
    assert not only_fast and not only_reference, (only_fast, only_reference)
    assert _values(fast) == _values(reference)
    assert fast.counts() == reference.counts()
    assert all(f.component for f in fast.findings + reference.findings)


# -- the seed portfolio ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_store() -> EmbeddedStore:
    store = EmbeddedStore()
    load_paths(store, [REPO / "data" / "ttl"])
    return store


def test_seed_portfolio_agrees(seed_store: EmbeddedStore) -> None:
    fast = validate_store(seed_store)
    reference = validate_store(seed_store, engine="pyshacl")
    assert reference.findings, "the seeds have known findings; an empty report proves nothing"
    assert_agree(fast, reference)


def test_one_named_graph_agrees(seed_store: EmbeddedStore) -> None:
    imaj = next(g.iri for g in seed_store.graphs() if g.iri.endswith("imaj.ttl"))
    fast = validate_store(seed_store, graph=imaj, workers=1)
    reference = validate_store(seed_store, graph=imaj, engine="pyshacl")
    assert_agree(fast, reference)


# -- IATI samples ----------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared IATI samples not present")
def test_imported_iati_samples_agree() -> None:
    store = EmbeddedStore()
    import_paths(store, [SAMPLES / name for name in IATI_SAMPLES], root=SAMPLES)
    fast = validate_store(store)
    reference = validate_store(store, engine="pyshacl")
    assert len(reference.findings) > 5
    assert_agree(fast, reference)


# -- a generated portfolio with injected defects ---------------------------------------------


def _defective(tmp: Path) -> Graph:
    """Three activities of a synthetic portfolio, with defects of every kind of constraint.

    Three, because pySHACL needs seconds per activity for the SPARQL-based shapes on this
    shared machine; the engines' speeds are compared in benchmarks/bench_validate.py.
    """
    path = tmp / "portfolio.nt"
    generate(10, seed=7, rdf=path)
    whole = load_graph([path])
    a, b, c = sorted(whole.subjects(RDF.type, DG.Activity), key=str)[:3]
    kept = (str(a), str(b), str(c))
    activity_ns = "https://w3id.org/devgraph/id/activity/"
    g = Graph()
    for s, p, o in whole:
        if not str(s).startswith(activity_ns) or str(s).startswith(kept):
            g.add((s, p, o))
    g.remove((a, DG.title, None))  # minCount
    g.add((a, DG.iatiIdentifier, Literal("XX-other")))  # maxCount, prefix, duplicate
    g.add((a, DG.plannedStart, Literal("2030-01-01", datatype=XSD.date)))  # order
    g.add((a, DG.plannedEnd, Literal("2029", datatype=XSD.gYear)))  # imprecise
    g.add((a, DG.relatedActivity, URIRef("https://example.org/not-loaded")))
    g.add((a, DG.phase, Literal(1)))
    g.add((a, DG.phase, Literal(2)))
    g.add((b, DG.iatiIdentifier, Literal("XX-other")))
    g.add((b, DG.title, Literal("")))  # minLength
    g.add((b, DG.actualStart, Literal("2099-01-01", datatype=XSD.date)))  # future
    g.remove((b, DG.budget, None))
    g.add((b, DG.sector, CL["Sector/99999"]))
    for p in (DG.description, DG.objective, DG.targetGroupDescription, DG.otherDescription):
        g.remove((b, p, None))
        g.remove((c, p, None))
    g.add((c, DG.mentionedIn, URIRef("https://example.org/doc")))  # a reference, not described
    values = sorted(set(g.objects(None, DG.value)), key=str)
    shares = sorted(set(g.objects(a, DG.sectorShare)) | set(g.objects(b, DG.sectorShare)), key=str)
    g.set((values[0], DG.currency, CL["Currency/FCFA"]))
    g.set((values[1], DG.amount, Literal("twelve")))  # sh:or of datatypes
    g.remove((values[2], DG.valueDate, None))
    g.set((shares[0], DG.percentage, Literal(150)))  # range and sum
    g.add((shares[1], DG.percentage, Literal("7.5", datatype=XSD.decimal)))  # maxCount
    return g


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return _defective(tmp_path_factory.mktemp("generated"))


def test_generated_portfolio_with_defects_agrees(defective: Graph) -> None:
    before = len(defective)
    fast = validate(defective, codelists=CODELISTS)
    reference = validate(defective, codelists=CODELISTS, engine="pyshacl")
    assert len(defective) == before  # the caller's graph is not touched
    assert_agree(fast, reference)
    components = {f.component.removeprefix(str(SH)) for f in fast.findings}
    assert {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "MinLengthConstraintComponent",
        "NodeConstraintComponent",
        "OrConstraintComponent",
        "MaxInclusiveConstraintComponent",
        "SPARQLConstraintComponent",
    } <= components
    shapes = {f.shape.rsplit("#", 1)[-1] for f in fast.findings}
    assert {
        "DuplicateIdentifierShape",
        "PlannedDateOrderShape",
        "ActualDateNotFutureShape",
        "ImpreciseDateShape",
        "UnresolvedActivityLinkShape",
        "BudgetPresenceShape",
        "ActivityPhaseConflictShape",
        "SectorCodeShape",
        "CurrencyCodeShape",
        "SectorPercentageSumShape",
        "ActivityDescriptionShape",
    } <= shapes


# -- SHACL Core beyond what the devgraph shapes use, and the pySHACL fallback ----------------

CORE_SHAPES = """\
@prefix ex:   <https://example.org/> .
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:ThingShape
    a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:name "thing" ;
    sh:nodeKind sh:IRI ;
    sh:property ex:CodeShape , ex:ColourShape , ex:SizeShape , ex:OwnerShape , ex:LabelShape ,
        ex:TagShape .

ex:CodeShape
    a sh:PropertyShape ;
    sh:path ex:code ;
    sh:datatype xsd:string ;
    sh:pattern "^[A-Z]{2}-[0-9]+$" ;
    sh:maxLength 8 ;
    sh:minCount 1 ;
    sh:name "code" .

ex:ColourShape
    a sh:PropertyShape ;
    sh:path ex:colour ;
    sh:in ( "red" "green" ex:Blue ) ;
    sh:severity sh:Warning ;
    sh:name "colour" .

ex:SizeShape
    a sh:PropertyShape ;
    sh:path ex:size ;
    sh:minExclusive 0 ;
    sh:maxExclusive 10 ;
    sh:not [ sh:hasValue 5 ] ;
    sh:maxCount 2 ;
    sh:name "size" .

ex:OwnerShape
    a sh:PropertyShape ;
    sh:path ( ex:owner [ sh:inversePath ex:member ] ) ;
    sh:class ex:Team ;
    sh:nodeKind sh:IRI ;
    sh:severity sh:Info ;
    sh:name "owner's team" .

ex:LabelShape
    a sh:PropertyShape ;
    sh:path [ sh:zeroOrMorePath ex:part ] ;
    sh:and ( [ sh:nodeKind sh:IRI ] [ sh:class ex:Thing ] ) ;
    sh:name "parts are things" .

ex:TagShape
    a sh:PropertyShape ;
    sh:path ex:tag ;
    sh:hasValue "core" ;
    sh:minCount 2 ;
    sh:name "tags" .

ex:ClosedShape
    a sh:NodeShape ;
    sh:targetNode ex:b ;
    sh:closed true ;
    sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ex:code ) ;
    sh:name "closed" .
"""

CORE_DATA = """\
@prefix ex:   <https://example.org/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:SpecialThing rdfs:subClassOf ex:Thing .
ex:a a ex:Thing ; ex:code "AB-12" ; ex:colour "red" ; ex:size 3 ; ex:tag "core" , "x" ;
    ex:owner ex:o1 ; ex:part ex:a2 .
ex:a2 a ex:SpecialThing ; ex:code "CD-3" ; ex:tag "core" , "y" .
ex:t1 ex:member ex:o1 ; a ex:Team .
ex:b a ex:SpecialThing ; ex:code "bad code too long" , 42 ; ex:colour "blue" , ex:Blue ;
    ex:size 0 , 5 , 12 , "big" ; ex:owner ex:o2 ; ex:part ex:nothing , "text" ; ex:tag "x" .
ex:t2 ex:member ex:o2 ; a ex:Team .
ex:t3 ex:member ex:o2 .
_:anon a ex:Thing ; ex:code "EF-1" ; ex:tag "core" , "z" .
"""


def _bnodes_hidden(report: ValidationReport) -> ValidationReport:
    """Blank node labels differ between rdflib and the store: compare them as just "_:"."""

    def hide(text: str | None) -> str | None:
        return "_:" if text is not None and text.startswith("_:") else text

    report.findings = [
        replace(f, focus_node=hide(f.focus_node) or "", value=hide(f.value))
        for f in report.findings
    ]
    return report


def test_core_constructs_agree_and_untranslatable_shapes_fall_back(tmp_path: Path) -> None:
    (tmp_path / "shapes.ttl").write_text(CORE_SHAPES, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(CORE_DATA, encoding="utf-8")
    options = {"shapes": tmp_path / "shapes.ttl", "codelists": False}
    fast = _bnodes_hidden(validate([tmp_path / "data.ttl"], **options))
    reference = _bnodes_hidden(validate([tmp_path / "data.ttl"], engine="pyshacl", **options))
    assert fast.engine == "sparql+pyshacl"  # ex:ClosedShape (sh:closed) ran on pySHACL
    fast.engine = "sparql"
    assert_agree(fast, reference)
    components = {f.component.removeprefix(str(SH)) for f in fast.findings}
    assert components == {
        "NodeKindConstraintComponent",
        "DatatypeConstraintComponent",
        "PatternConstraintComponent",
        "MaxLengthConstraintComponent",
        "InConstraintComponent",
        "MinExclusiveConstraintComponent",
        "MaxExclusiveConstraintComponent",
        "NotConstraintComponent",
        "MaxCountConstraintComponent",
        "ClassConstraintComponent",
        "AndConstraintComponent",
        "HasValueConstraintComponent",
        "MinCountConstraintComponent",
        "ClosedConstraintComponent",
    }
    assert {f.focus_node for f in fast.findings} == {"https://example.org/b", "_:"}


# -- FILTER NOT EXISTS → MINUS ---------------------------------------------------------------

REWRITE_DATA = """\
@prefix ex: <https://example.org/> .
ex:a a ex:T ; ex:p ex:m ; ex:limit 5 .
ex:m ex:q ex:v ; ex:n 3 .
ex:b a ex:T ; ex:p ex:k ; ex:limit 1 .
ex:k ex:q ex:w ; ex:n 3 .
ex:c a ex:T .
"""
PREFIX = "PREFIX ex: <https://example.org/>\n"


@pytest.fixture(scope="module")
def small_store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(REWRITE_DATA, format="turtle", graph="https://example.org/g")
    return store


def _rows(store: EmbeddedStore, query: str) -> set[str]:
    return {row["this"].value for row in store.query(PREFIX + query)}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        ("SELECT ?this WHERE { ?this a ex:T FILTER NOT EXISTS { ?this ex:p/ex:q ex:v } }", True),
        (
            "SELECT ?this WHERE { ?this a ex:T "
            "FILTER NOT EXISTS { ?this ex:p ?m . ?m ex:n ?n FILTER (?n > 2) } }",
            True,
        ),
        # the inner FILTER reads an outer variable: MINUS would not see it
        (
            "SELECT ?this WHERE { ?this a ex:T ; ex:limit ?l "
            "FILTER NOT EXISTS { ?this ex:p ?m . ?m ex:n ?n FILTER (?n > ?l) } }",
            False,
        ),
        # no variable shared with the outer group: MINUS would remove nothing
        ("SELECT ?s WHERE { ?s a ex:T FILTER NOT EXISTS { ?x ex:q ex:v } }", False),
        # not at the top level of the WHERE group
        (
            "SELECT ?this WHERE { ?this a ex:T "
            "OPTIONAL { ?this ex:p ?m FILTER NOT EXISTS { ?m ex:q ex:v } } }",
            False,
        ),
    ],
)
def test_not_exists_becomes_minus_only_when_equivalent(
    small_store: EmbeddedStore, query: str, rewritten: bool
) -> None:
    out = not_exists_to_minus(query, bound=frozenset())
    assert ("MINUS" in out) is rewritten
    assert ("NOT EXISTS" not in out) is rewritten
    if "?this" in query:
        assert _rows(small_store, out) == _rows(small_store, query)


def test_strings_and_iris_do_not_confuse_the_rewrite(small_store: EmbeddedStore) -> None:
    query = (
        'SELECT ?this WHERE { ?this a ex:T FILTER (STR(?this) != "}{") '
        "FILTER NOT EXISTS { ?this ex:p/ex:q <https://example.org/v> } } # a } comment\n"
    )
    out = not_exists_to_minus(query)
    assert "MINUS" in out
    assert _rows(small_store, out) == _rows(small_store, query)


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        ("SELECT ?this WHERE { ?this ?p ?o FILTER (?p IN (ex:p, <https://example.org/q>)) }", True),
        # ?p only bound inside OPTIONAL: a VALUES join would bind it where the FILTER drops
        (
            "SELECT ?this WHERE { ?this a ex:T OPTIONAL { ?this ?p ?o } "
            "FILTER (?p IN (ex:p, ex:q)) }",
            False,
        ),
        # a literal item: IN compares values ("1" and 1.0), VALUES terms
        ("SELECT ?this WHERE { ?this ex:n ?n FILTER (?n IN (3, ex:q)) }", False),
    ],
)
def test_in_filters_become_values_only_when_equivalent(
    small_store: EmbeddedStore, query: str, rewritten: bool
) -> None:
    out = values_for_in_filters(query)
    assert ("VALUES" in out) is rewritten
    assert _rows(small_store, out) == _rows(small_store, query)


# Focus nodes: subjects of ex:p or ex:q (ex:a, ex:m, ex:b, ex:k), the shape of a targetSubjectsOf.
_TARGET = (
    "{ SELECT DISTINCT ?this WHERE { { ?this <https://example.org/p> ?target_o } "
    "UNION { ?this <https://example.org/q> ?target_o } } }"
)


@pytest.mark.parametrize(
    ("query", "binds"),
    [
        ("SELECT $this ?v WHERE { $this ex:p ?v }", True),
        ("SELECT $this ?v WHERE { ?v ex:p $this }", True),  # object position binds it too
        ("SELECT $this ?n WHERE { $this <https://example.org/n> ?n FILTER (?n > 2) }", True),
        # a variable predicate: filtering first would scan every triple
        ("SELECT $this ?v WHERE { $this ?p ?v FILTER (?p IN (ex:p)) }", False),
        # only inside OPTIONAL or an expression: solutions without ?this would match any target
        ("SELECT $this ?v WHERE { ?v ex:n ?n OPTIONAL { $this ex:p ?v } }", False),
        ("SELECT $this ?x WHERE { ?x ex:n ?n FILTER (?x != $this) }", False),
        ('SELECT $this ?x WHERE { ?x ex:n ?n BIND ("$this ex:p" AS ?s) }', False),
    ],
)
def test_target_filter_only_where_this_is_bound(
    small_store: EmbeddedStore, query: str, binds: bool
) -> None:
    """Where binds_this holds, the focus-node filter gives the same rows as the target join."""
    assert binds_this(query) is binds
    if binds:
        joined = bind_targets(query, _TARGET)
        filtered = bind_targets(query, target_filter(_TARGET))
        assert "FILTER EXISTS" in filtered

        def rows(q: str) -> Counter:
            result = small_store.query(PREFIX + q)
            return Counter(tuple(str(t) for t in row) for row in result)  # type: ignore[union-attr]

        assert rows(filtered) == rows(joined)
        assert rows(joined)  # the data gives rows to compare

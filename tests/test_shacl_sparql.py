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
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH, XSD

from devgraph.iati.importer import import_paths
from devgraph.load import load_paths
from devgraph.report import ValidationReport
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
    fast = validate_store(seed_store, graph=imaj, workers=2)
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

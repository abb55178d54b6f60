"""The seed portfolio is reported with exactly its real data-quality findings.

The expected findings are derived from what each seed page (/work/shared/seeds/*.txt) states,
written down by hand in ``STATED`` below, through the rules the shapes implement. They are
not copied from the validator's output: a finding the pages do not justify, or a missing one,
fails the test.

Activities are the five described projects plus those the pages only mention (dg:mentionedIn):
IMAJ's first phase (001: "un premier partenariat … entre 2021 et 2023") and the six related
projects listed at the foot of the AJEE page (004), known by their title only. Mentioned
activities are references: only the rules about what they do state apply to them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from devgraph.report import DGSH
from devgraph.validate import load_graph, validate

REPO = Path(__file__).parents[1]
DATA = REPO / "data" / "ttl"
ONTOLOGY = REPO / "ontology"
ACT = "https://w3id.org/devgraph/id/activity/"


@dataclass(frozen=True)
class Stated:
    """What a seed page states about one activity."""

    description: bool = True  # a description or objective text
    participants: bool = True  # any organisation named
    funder: bool = False  # a funding organisation named
    amounts: int = 0  # published amounts (budget, partner contribution); none has a value date
    start: bool = False  # a start date (planned or actual)
    year_only_dates: int = 0  # dates given as a year only
    country: bool = True  # a recipient country
    sector: bool = True  # a described domain the data codes as a DAC sector
    phases: int = 1  # distinct phase statements (0 or 1: consistent)
    sex_shares_sum: float | None = None  # female + male shares of one group, when both given
    mentioned: bool = False  # only mentioned by another project's page (dg:mentionedIn)


# Read from the pages. No page states an IATI identifier, a reporting organisation or an
# activity status: those three Violations apply to every activity.
STATED: dict[str, Stated] = {
    # 000: "4 ans (2019-2023)", "1,600,000 euro", "Bailleurs: Union Européenne", 4 implementers.
    "kimalakan": Stated(funder=True, amounts=1, start=True, year_only_dates=2),
    # 001: "Du 01 janvier 2024 au 31 décembre 2026", "300 000 €", DCI (Monaco) funds; title says
    # "Phase III", text says "seconde phase" / "phase II"; "34% de filles et 56% de garçons".
    "imaj": Stated(funder=True, amounts=1, start=True, phases=2, sex_shares_sum=90.0),
    # 001: first phase "entre 2021 et 2023" (years), supported by Monaco's cooperation, run by
    # SOS Villages d'Enfants France and Mali; no budget, no domain beyond the text.
    "imaj-phase-1": Stated(
        funder=True, start=True, year_only_dates=2, sector=False, mentioned=True
    ),
    # 002: BMZ funds; "Budget : 96 303 057 FCFA" and the same amount as Plan International
    # Mali's contribution; no dates ("Poursuite des activités du projet en 2024" is a plan).
    "ensemble-avenir-meilleur": Stated(funder=True, amounts=2),
    # 003: no organisation, funder, budget or dates; Kayes region of Mali.
    "kayes-participation-numerique": Stated(participants=False),
    # 004: IECD Maroc and partners; funder, budget and dates not stated; Drâa-Tafilalet.
    "ajee": Stated(),
    # 004, foot of the page: titles (with theme labels) only; a country only where the title
    # names one ("au Maroc", "au Liban").
    "houqouq-wa-moussawat-2": Stated(
        description=False, participants=False, sector=False, mentioned=True
    ),
    "agriter-phase-3": Stated(
        description=False, participants=False, country=False, sector=False, mentioned=True
    ),
    "adapter-formation-professionnelle-entreprises-locales": Stated(
        description=False, participants=False, country=False, sector=False, mentioned=True
    ),
    "protection-sociale-municipalites-liban-phase-2": Stated(
        description=False, participants=False, sector=False, mentioned=True
    ),
    "ignite": Stated(
        description=False, participants=False, country=False, sector=False, mentioned=True
    ),
    "ohangu": Stated(
        description=False, participants=False, country=False, sector=False, mentioned=True
    ),
}


def expected_findings(slug: str, stated: Stated) -> list[tuple[str, str, str]]:
    """The (activity, shape, severity) findings the shapes' rules give for these facts.

    Completeness rules (what IATI requires of a full record) apply only to activities a page
    describes; an activity a page merely mentions is a reference and skips them.
    """
    found: list[tuple[str, str]] = []
    if not stated.mentioned:
        found += [
            ("ActivityIdentifierShape", "Violation"),
            ("ActivityReportingOrgShape", "Violation"),
            ("ActivityStatusShape", "Violation"),
        ]
        if not stated.description:
            found.append(("ActivityDescriptionShape", "Violation"))
        if not stated.participants:
            found.append(("ActivityParticipatingOrgShape", "Violation"))
        if not stated.funder:
            found.append(("FundingOrganisationShape", "Warning"))
        if stated.amounts == 0:
            found.append(("BudgetPresenceShape", "Warning"))
        if not stated.start:
            found.append(("ActivityStartDateShape", "Violation"))
        if not stated.country:
            found.append(("ActivityRecipientShape", "Violation"))
        if not stated.sector:
            found.append(("ActivitySectorShape", "Warning"))
    found += [("AmountValueDateShape", "Violation")] * stated.amounts
    found += [("ImpreciseDateShape", "Warning")] * stated.year_only_dates
    if stated.phases > 1:
        found.append(("ActivityPhaseConflictShape", "Warning"))
    if stated.sex_shares_sum is not None and stated.sex_shares_sum != 100:
        found.append(("SexPercentageSumShape", "Warning"))
    return [(slug, shape, severity) for shape, severity in found]


def _activity_of(iri: str) -> str:
    """The activity a node belongs to (activity parts have IRIs below it), else the IRI."""
    if iri.startswith(ACT):
        return iri[len(ACT) :].split("/")[0]
    return iri


@pytest.fixture(scope="module")
def seed_files() -> list[Path]:
    files = sorted(DATA.glob("*.ttl"))
    assert len(files) >= 5, f"seed portfolio not found in {DATA}"
    return files


@pytest.fixture(scope="module")
def seed_report(seed_files: list[Path]):
    # The ontology modules beside the data; the codelists come with codelists=True.
    modules = sorted(ONTOLOGY.glob("*.ttl"))
    assert modules, f"no ontology modules in {ONTOLOGY}"
    return validate([*seed_files, *modules])


def test_every_activity_in_the_seeds_is_accounted_for(seed_files: list[Path]) -> None:
    graph = load_graph(seed_files)
    query = "SELECT ?a WHERE { ?a a <https://w3id.org/devgraph/ontology#Activity> }"
    activities = {_activity_of(str(row[0])) for row in graph.query(query)}  # type: ignore[index]
    assert activities == set(STATED)


def test_seed_findings_are_exactly_the_stated_gaps(seed_report) -> None:
    actual = Counter(
        (_activity_of(f.focus_node), f.shape.removeprefix(str(DGSH)), f.severity)
        for f in seed_report.findings
    )
    expected = Counter(
        finding for slug, stated in STATED.items() for finding in expected_findings(slug, stated)
    )
    missing = expected - actual
    unexpected = actual - expected
    assert (dict(missing), dict(unexpected)) == ({}, {})


def test_seed_portfolio_does_not_conform(seed_report) -> None:
    # Missing identifiers, reporting organisations and value dates are IATI errors.
    assert seed_report.conforms is False


def test_imaj_sex_shares_point_at_the_group_they_split(seed_report) -> None:
    (finding,) = [f for f in seed_report.findings if f.shape == str(DGSH.SexPercentageSumShape)]
    assert finding.focus_node == ACT + "imaj/beneficiary-count/youth-3-years"
    assert float(finding.value or "nan") == pytest.approx(90.0)
    assert "34" in finding.message and "56" in finding.message

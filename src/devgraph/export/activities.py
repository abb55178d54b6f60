"""``export_activities``: activities of the store → IATI 2.03 activity files, checked.

Why this order: select and plan (what each activity lacks) → build the XML (schema order)
→ check every activity against the official 2.03 XSD → run the SHACL shapes on what is
exported → decide. Incomplete activities are skipped with the list of what they lack, or
written with an XML comment saying so (``allow_incomplete``); ``strict`` refuses to produce
anything when a shape reports a Violation (an IATI Validator *error*).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import unquote

from lxml import etree

from devgraph.export.activity_xml import activity_element
from devgraph.export.findings import IatiFinding, check_file
from devgraph.export.order import sort_tree
from devgraph.export.plan import Plan, find_activities, plan_activity, resolve_org
from devgraph.export.repair import repair
from devgraph.export.view import View, data_graphs
from devgraph.iati import xsd
from devgraph.namespaces import ACTIVITY, PLACE
from devgraph.store import GraphStore

__all__ = ["ActivityExport", "ExportError", "IatiFile", "export_activities"]

LINKED_DATA_DEFAULT = ACTIVITY


class ExportError(Exception):
    """Bad export request (unknown activity or organisation), or refused under ``strict``."""


@dataclass
class IatiFile:
    """One activity file: its XML and what it holds."""

    key: str
    xml: bytes
    activities: list[Plan]
    xsd_errors: list[str]

    @property
    def activity_count(self) -> int:
        return len(self.activities)


@dataclass
class ActivityExport:
    files: list[IatiFile] = field(default_factory=list)
    skipped: list[Plan] = field(default_factory=list)
    written: list[Plan] = field(default_factory=list)
    findings: list[IatiFinding] = field(default_factory=list)
    refused: bool = False

    @property
    def violations(self) -> list[IatiFinding]:
        return [f for f in self.findings if f.severity == "error"]


def _select(
    view: View, candidates: list[str], wanted: list[str], reporter: str | None, country: str | None
) -> list[str]:
    out = []
    if wanted:
        by_key: dict[str, str] = {}
        for a in candidates:
            by_key[a] = a
            by_key[unquote(a.rsplit("/", 1)[-1])] = a
            ident = view.text(a, "iatiIdentifier")
            if ident:
                by_key[ident] = a
        unknown = [w for w in wanted if w not in by_key]
        if unknown:
            raise ExportError(f"no such activity in the store: {', '.join(unknown)}")
        candidates = list(dict.fromkeys(by_key[w] for w in wanted))
    for a in candidates:
        rep = view.iri(a, "reportingOrganisation")
        if reporter is not None and rep is not None and rep != reporter:
            continue
        if country is not None and country.upper() not in _countries(view, a):
            continue
        out.append(a)
    return out


def _countries(view: View, activity: str) -> list[str]:
    places = view.iris(activity, "recipientCountry") + [
        p for s in view.iris(activity, "countryShare") if (p := view.iri(s, "country"))
    ]
    return [
        (view.text(p, "isoCode") or unquote(p[len(PLACE) :])).upper() for p in dict.fromkeys(places)
    ]


def _comment(plan: Plan) -> list[etree._Comment]:
    """One comment before the activity: what it lacks (INCOMPLETE) and what was derived."""
    parts = []
    if plan.notes.missing:
        parts.append(f"INCOMPLETE, missing: {'; '.join(plan.notes.missing)}")
    if plan.notes.changed:
        parts.append(f"derived: {'; '.join(plan.notes.changed)}")
    if not parts:
        return []
    text = f" devgraph: {' | '.join(parts)} "
    return [etree.Comment(text.replace("--", "- -"))]


def _document(elements: list[etree._Element], generated: str) -> bytes:
    root = etree.Element("iati-activities", version="2.03")
    root.set("generated-datetime", generated)
    root.set("linked-data-default", LINKED_DATA_DEFAULT)
    for el in elements:
        root.append(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_activities(
    store: GraphStore,
    *,
    activities: list[str] | None = None,
    reporting_org: str | None = None,
    country: str | None = None,
    split: str | None = None,
    allow_incomplete: bool = False,
    strict: bool = False,
    shacl: bool = True,
    today: date | None = None,
    generated: datetime | None = None,
) -> ActivityExport:
    """Build IATI 2.03 activity files from the store (nothing is written to disk here).

    ``activities``: iati-identifiers, IRIs or IRI local names (default: every activity record).
    ``reporting_org``: an org identifier or IRI; activities reported by another organisation
    are left out, activities with no reporting organisation get this one (and an identifier
    minted from its ``dg:orgIdentifier``). ``split``: ``publisher`` or ``country`` for one file
    per reporting organisation or per first recipient country.
    """
    if split not in (None, "publisher", "country"):
        raise ExportError(f"--split must be publisher or country, not {split!r}")
    graphs = data_graphs(store)
    view = View(store, graphs=graphs)
    candidates = find_activities(store, graphs)
    reporter = None
    if reporting_org:
        reporter = resolve_org(store, graphs, reporting_org)
        if reporter is None:
            raise ExportError(f"no organisation {reporting_org!r} in the store")
        view.fetch([reporter])
    view.fetch(candidates if not activities else candidates)
    selected = _select(view, candidates, activities or [], reporter, country)
    today = today or date.today()
    result = ActivityExport()
    built: list[tuple[Plan, etree._Element]] = []
    for iri in selected:
        plan = plan_activity(
            view, iri, reporting_org=reporter, publisher_ref=reporting_org, today=today
        )
        if not plan.complete and not allow_incomplete:
            result.skipped.append(plan)
            continue
        elem = activity_element(view, iri, plan)
        sort_tree(elem, ("iati-activities", "iati-activity"))
        remaining = repair(elem, plan.notes)
        if remaining:
            plan.notes.missing.extend(f"2.03 schema: {msg}" for msg in remaining)
            if not allow_incomplete:
                result.skipped.append(plan)
                continue
        built.append((plan, elem))
        countries = _countries(view, iri)
        plan.country = countries[0] if countries else None
    generated_at = (generated or datetime.now(UTC)).replace(microsecond=0).isoformat()
    if shacl and built:
        whole = _document(
            [el for plan, elem in built for el in (*_comment(plan), elem)], generated_at
        )
        result.findings = check_file(whole)
        if strict and result.violations:
            result.refused = True
            return result
    groups: dict[str, list[tuple[Plan, etree._Element]]] = defaultdict(list)
    for plan, elem in built:
        if split == "publisher":
            key = view.text(plan.reporting_org, "orgIdentifier") if plan.reporting_org else None
        elif split == "country":
            key = plan.country
        else:
            key = "activities"
        groups[key or "none"].append((plan, elem))
    for key, members in groups.items():
        errors = []
        elements = []
        for plan, elem in members:
            for f in xsd.check(copy.deepcopy(elem), "iati-activities", "2.03", v1=False):
                errors.append(f"{plan.identifier or plan.iri}: {f.message}")
            elements.extend(_comment(plan))
            elements.append(elem)
        result.files.append(
            IatiFile(key, _document(elements, generated_at), [p for p, _ in members], errors)
        )
        result.written.extend(p for p, _ in members)
    return result

"""Which activities to export, and whether each has what IATI 2.03 requires.

Why before any XML: a publisher must learn *which* activity lacks *what* ("kayes: no
activity-date, no participating-org") rather than read an XSD error about a file. Each
activity gets a :class:`Plan`: its identifier, reporting organisation, dates and status as
they will be written, and notes of what is missing, changed or left out. Nothing is invented
silently: every derived value (an identifier minted from ``--reporting-org``, a year widened to
a date, a status read from the dates) is named in ``notes.changed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote

import pyoxigraph as ox

from devgraph.export.parts import Notes, code
from devgraph.export.view import View
from devgraph.iati.activity import DATE_PROPS, DESCRIPTION_PROPS
from devgraph.namespaces import ACTIVITY, DG, ORGANISATION, RDF
from devgraph.store import GraphStore

__all__ = ["Plan", "find_activities", "plan_activity", "resolve_org"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class Plan:
    """How one activity will be written."""

    iri: str
    identifier: str | None
    reporting_org: str | None
    status: str | None
    dates: dict[str, str] = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)
    country: str | None = None

    @property
    def complete(self) -> bool:
        return not self.notes.missing


def find_activities(store: GraphStore, graphs: list[str]) -> list[str]:
    """Activities that are records (with a source or an IATI identifier), not mere mentions."""
    rows = store.query(
        f"""SELECT DISTINCT ?a WHERE {{
              ?a <{RDF}type> <{DG}Activity> .
              FILTER EXISTS {{ {{ ?a <{DG}source> ?s }} UNION {{ ?a <{DG}iatiIdentifier> ?i }} }}
            }} ORDER BY ?a""",
        default_graphs=graphs,
    )
    assert isinstance(rows, ox.QuerySolutions)
    return [row["a"].value for row in rows]


def resolve_org(store: GraphStore, graphs: list[str], ref: str) -> str | None:
    """An organisation IRI from an IATI org identifier, a ``dgo:`` IRI or its local name."""
    if ref.startswith("http"):
        return ref
    rows = store.query(
        f"SELECT ?o ?ref WHERE {{ ?o <{DG}orgIdentifier> ?ref }} LIMIT 1",
        bindings={"ref": ox.Literal(ref)},
        default_graphs=graphs,
    )
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        return row["o"].value
    iri = ORGANISATION + ref
    rows = store.query(
        f"ASK {{ ?o <{RDF}type> <{DG}Organisation> }}",
        bindings={"o": ox.NamedNode(iri)},
        default_graphs=graphs,
    )
    return iri if rows else None


def _date(prop: str, lit: ox.Literal | None, notes: Notes) -> str | None:
    """An ``xsd:date`` for ``@iso-date``; a year or month is widened to its first/last day."""
    if lit is None:
        return None
    text = lit.value
    if _DATE.match(text):
        return text
    end = prop.endswith("End")
    if _YEAR.match(text):
        widened = f"{text}-12-31" if end else f"{text}-01-01"
    elif m := _YEAR_MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
        widened = f"{text}-{last:02d}" if end else f"{text}-01"
    elif len(text) > 10 and _DATE.match(text[:10]):
        widened = text[:10]
    else:
        notes.dropped.append(f"dg:{prop} {text!r}: not a date")
        return None
    notes.changed.append(f"dg:{prop} {text!r} written as {widened} (IATI needs a full date)")
    return widened


def _status(dates: dict[str, str], today: date, notes: Notes) -> str | None:
    """ActivityStatus read from the dates: 1 before the start, 2 during, 3 after the end."""
    start = dates.get("actualStart") or dates.get("plannedStart")
    end = dates.get("actualEnd") or dates.get("plannedEnd")
    if start is None:
        return None
    iso = today.isoformat()
    status = "1" if start > iso else "3" if end and end < iso else "2"
    notes.changed.append(
        f"activity-status: none in the graph, {status} derived from the dates"
        f" ({start} – {end or '…'}, today {iso})"
    )
    return status


def plan_activity(
    view: View,
    activity: str,
    *,
    reporting_org: str | None,
    publisher_ref: str | None,
    today: date,
) -> Plan:
    """Identifier, reporting org, dates and status of ``activity``, and what is missing."""
    notes = Notes()
    reporter = view.iri(activity, "reportingOrganisation")
    if reporter is None and reporting_org is not None:
        reporter = reporting_org
        notes.changed.append(f"reporting-org: none in the graph, {publisher_ref} (given as option)")
    ident = view.text(activity, "iatiIdentifier")
    if ident is None:
        org_ref = view.text(reporter, "orgIdentifier") if reporter else None
        if org_ref:
            local = unquote(activity.rsplit("/", 1)[-1])
            ident = f"{org_ref}-{local}"
            notes.changed.append(f"iati-identifier: none in the graph, {ident} minted")
        else:
            notes.missing.append("iati-identifier (none in the graph; name a reporting org)")
    if reporter is None:
        notes.missing.append("reporting-org (none in the graph; name a reporting org)")
    else:
        for what, ok in (
            ("@ref (dg:orgIdentifier)", view.text(reporter, "orgIdentifier")),
            ("@type (dg:organisationType)", view.iri(reporter, "organisationType")),
            ("narrative (dg:name)", view.literals(reporter, "name")),
        ):
            if not ok:
                notes.missing.append(f"reporting-org {what} of {reporter}")
    if not view.literals(activity, "title"):
        notes.missing.append("title")
    if not any(view.literals(activity, p) for p in DESCRIPTION_PROPS.values()):
        notes.missing.append("description")
    participations = view.iris(activity, "participation")
    if not participations:
        notes.missing.append("participating-org (no funder, implementer or other organisation)")
    elif not any(code(view.iri(p, "role")) for p in participations):
        notes.missing.append("participating-org/@role")
    dates = {p: d for p in DATE_PROPS.values() if (d := _date(p, view.literal(activity, p), notes))}
    if not dates:
        notes.missing.append("activity-date (no start or end date)")
    status = code(view.iri(activity, "activityStatus")) or _status(dates, today, notes)
    if status is None:
        notes.missing.append("activity-status")
    return Plan(activity, ident, reporter, status, dates, notes)


def activity_label(iri: str) -> str:
    """A short name for messages: the identifier part of an activity IRI."""
    return unquote(iri[len(ACTIVITY) :]) if iri.startswith(ACTIVITY) else iri

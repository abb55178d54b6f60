"""One activity of the graph → one ``iati-activity`` element (IATI 2.03).

Why: this is the importer's mapping (``devgraph.iati.activity``, ``finance``, ``results``)
read backwards, so import → export → import gives the same graph. Elements are built in any
order and sorted by the schema afterwards (:mod:`.order`); generic ``dg:IatiElement`` records
are put back under the element they belong to (:func:`.parts.kept`). What IATI cannot say
(devgraph-only terms such as ``dg:targetGroup``) is listed in the notes, never silently lost.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote

import pyoxigraph as ox
from lxml import etree

from devgraph.export import parts
from devgraph.export.parts import (
    Notes,
    code,
    document_links,
    kept,
    narratives,
    org_element,
    sub,
    value,
)
from devgraph.export.plan import Plan
from devgraph.export.results_xml import result
from devgraph.export.view import View
from devgraph.iati.activity import DATE_PROPS, DESCRIPTION_PROPS, SECTOR_LISTS
from devgraph.iati.builder import XML_LANG
from devgraph.iati.versions import DSTORE_NS
from devgraph.namespaces import ACTIVITY, DG, PLACE, PROV, RDF

__all__ = ["HANDLED", "ROOT", "activity_element"]

ROOT = "/iati-activities/iati-activity"
_DATE_TYPES = {prop: kind for kind, prop in DATE_PROPS.items()}
_DESCRIPTION_TYPES = {prop: kind for kind, prop in DESCRIPTION_PROPS.items()}
_SECTOR_VOCABULARY = {name: vocab for vocab, name in SECTOR_LISTS.items()}
_REGISTRY = "https://iatiregistry.org/dataset/"
_GEO_VOCABULARY = re.compile(r"^[AG]\d$")  # GeographicVocabulary codes (A1 … A9, G1, G2)
HANDLED = frozenset(
    DG + p
    for p in (
        "iatiIdentifier", "reportingOrganisation", "title", "participation", "activityStatus",
        "contactInfo", "recipientCountry", "countryShare", "recipientRegion", "location",
        "sectorShare", "sector", "budget", "plannedDisbursement", "transaction", "documentLink",
        "activityRelation", "relatedActivity", "result", "iatiElement", "source", "theme",
        "xsdFinding", "mentionedIn", *DATE_PROPS.values(), *DESCRIPTION_PROPS.values(),
    )
) | {RDF + "type", PROV + "wasDerivedFrom", "http://purl.org/dc/terms/conformsTo"}  # fmt: skip


def _currency(view: View, activity: str) -> str | None:
    """``@default-currency`` as published, else the most common currency of the values.

    An activity imported from IATI XML without ``@default-currency`` gets none (each value then
    carries ``@currency``, which IATI accepts), so a re-import gives the same graph.
    """
    recs = parts.records(view, activity)
    for rec in recs:
        if view.text(rec, "iatiPath") == f"{ROOT}/@default-currency":
            return view.text(rec, "xmlValue")
    if recs:  # imported without one: every value keeps its own @currency, as published
        return None
    counts: Counter[str] = Counter()
    for owner_prop in ("budget", "transaction", "plannedDisbursement"):
        for owner in view.iris(activity, owner_prop):
            cur = code(view.iri(view.iri(owner, "value") or "", "currency"))
            if cur:
                counts[cur] += 1
    return counts.most_common(1)[0][0] if counts else None


def _language(view: View, activity: str) -> str | None:
    """An ``xml:lang`` for the activity that re-imports to the same literals.

    Kept non-narrative texts inherited the activity's language, so theirs wins; narratives get
    their own ``xml:lang`` anyway.
    """
    langs = parts.kept_languages(view, activity)
    if len(langs) == 1:
        return next(iter(langs))
    return None


def _dates(plan: Plan, act: etree._Element) -> None:
    for prop, kind in _DATE_TYPES.items():
        when = plan.dates.get(prop)
        if when:
            sub(act, "activity-date", type=kind, iso_date=when)


def _descriptions(view: View, activity: str, act: etree._Element) -> None:
    for prop, kind in _DESCRIPTION_TYPES.items():
        lits = view.literals(activity, prop)
        if lits:
            narratives(sub(act, "description", type=kind), lits)


def _participations(view: View, activity: str, act: etree._Element) -> None:
    for node in view.iris(activity, "participation"):
        other = view.iri(node, "participantActivity")
        el = org_element(
            view,
            act,
            "participating-org",
            view.iri(node, "participant"),
            role=code(view.iri(node, "role")),
            activity_id=unquote(other[len(ACTIVITY) :]) if other else None,
        )
        kept(view, node, el, f"{ROOT}/participating-org")


def _contacts(view: View, activity: str, act: etree._Element) -> None:
    path = f"{ROOT}/contact-info"
    for node in view.iris(activity, "contactInfo"):
        el = sub(act, "contact-info")
        for prop, tag in (("organisationName", "organisation"), ("name", "person-name")):
            lits = view.literals(node, prop)
            if lits:
                narratives(sub(el, tag), lits)
        for tag in ("telephone", "email"):
            for lit in view.literals(node, tag):
                sub(el, tag).text = lit.value
        kept(view, node, el, path)


def _place_code(view: View, place: str) -> str:
    return view.text(place, "isoCode") or unquote(place[len(PLACE) :])


def _countries(view: View, activity: str, act: etree._Element) -> None:
    shares = view.iris(activity, "countryShare")
    done = set()
    for share in shares:
        place = view.iri(share, "country")
        if place is None:
            continue
        done.add(place)
        el = sub(act, "recipient-country", code=_place_code(view, place))
        pct = view.text(share, "percentage")
        if pct is not None:
            el.set("percentage", pct)
        kept(view, share, el, f"{ROOT}/recipient-country")
    for place in view.iris(activity, "recipientCountry"):
        if place not in done:
            sub(act, "recipient-country", code=_place_code(view, place))
    for place in view.iris(activity, "recipientRegion"):
        key = unquote(place[len(PLACE) :])
        if key.startswith("region-"):
            vocab, _, region = key[len("region-") :].partition("-")
            sub(act, "recipient-region", code=region, vocabulary=vocab)


def _locations(view: View, activity: str, act: etree._Element, notes: Notes) -> None:
    path = f"{ROOT}/location"
    for node in view.iris(activity, "location"):
        el = sub(act, "location")
        names = view.literals(node, "name")
        if names:
            narratives(sub(el, "name"), names)
        descriptions = view.literals(node, "locationDescription")
        for place in view.iris(node, "locationPlace"):
            key = unquote(place[len(PLACE) :]) if place.startswith(PLACE) else place
            types = {
                t.value.rsplit("#", 1)[-1] for t in view.props.get(place, {}).get(RDF + "type", [])
            }
            vocab, _, ident = key.partition("-")
            if not _GEO_VOCABULARY.match(vocab) or not ident:
                # A devgraph gazetteer place (seeds): IATI has no code for it, so its name.
                if not names and view.literals(place, "name"):
                    names = view.literals(place, "name")
                    narratives(sub(el, "name"), names)
                elif not view.literals(place, "name"):
                    notes.dropped.append(f"location place {key!r}: no name, no IATI code")
                continue
            levels = {"AdminArea1": "1", "AdminArea2": "2", "AdminArea3": "3"}
            level = next((levels[t] for t in types if t in levels), None)
            # One place may be both a location-id and an administrative area of a location.
            if "Place" in types:
                sub(el, "location-id", vocabulary=vocab, code=ident)
            if level is not None or "AdministrativeArea" in types or "Place" not in types:
                sub(el, "administrative", vocabulary=vocab, code=ident, level=level)
        if descriptions:
            narratives(sub(el, "description"), descriptions)
        point = view.text(node, "point")
        if point and point.startswith("POINT(") and point.endswith(")"):
            lon, _, lat = point[len("POINT(") : -1].partition(" ")
            pt = sub(el, "point", srsName="http://www.opengis.net/def/crs/EPSG/0/4326")
            sub(pt, "pos").text = f"{lat} {lon}"
        kept(view, node, el, path)


def _sectors(view: View, activity: str, act: etree._Element) -> None:
    covered = set()
    for share in view.iris(activity, "sectorShare"):
        el = sub(act, "sector")
        vocab = code(view.iri(share, "vocabulary"))
        concept = view.iri(share, "sector")
        if vocab:
            el.set("vocabulary", vocab)
        if concept:
            el.set("code", code(concept) or "")
            covered.add(concept)
        pct = view.text(share, "percentage")
        if pct is not None:
            el.set("percentage", pct)
        kept(view, share, el, f"{ROOT}/sector")
    for concept in view.iris(activity, "sector"):
        vocab = _SECTOR_VOCABULARY.get(parts.concept_list(concept))
        if concept not in covered and vocab:
            sub(act, "sector", vocabulary=vocab, code=code(concept))


def _budgets(view: View, activity: str, act: etree._Element, cur: str | None, plan: Plan) -> None:
    notes = plan.notes
    for prop, tag in (("budget", "budget"), ("plannedDisbursement", "planned-disbursement")):
        path = f"{ROOT}/{tag}"
        for node in view.iris(activity, prop):
            start, end = view.text(node, "periodStart"), view.text(node, "periodEnd")
            if (start is None or end is None) and tag == "budget":
                start = start or plan.dates.get("plannedStart") or plan.dates.get("actualStart")
                end = end or plan.dates.get("plannedEnd") or plan.dates.get("actualEnd")
                if start is None or end is None:
                    notes.dropped.append(f"{tag} {node}: no period in the graph")
                    continue
                notes.changed.append(f"{tag}: no period in the graph, the activity's used")
            el = sub(
                act,
                tag,
                type=code(view.iri(node, "budgetType")),
                status=code(view.iri(node, "budgetStatus")),
            )
            if start:
                sub(el, "period-start", iso_date=start)
            if end:
                sub(el, "period-end", iso_date=end)
            value(view, el, view.iri(node, "value"), cur, notes, fallback_date=start, where=path)
            for side in ("provider", "receiver"):
                org = view.iri(node, f"{side}Organisation")
                other = view.iri(node, f"{side}Activity")
                if org or other:
                    org_element(
                        view,
                        el,
                        f"{side}-org",
                        org,
                        **{f"{side}_activity_id": _ident(other)},
                    )
            kept(view, node, el, path)


def _ident(iri: str | None) -> str | None:
    return unquote(iri[len(ACTIVITY) :]) if iri and iri.startswith(ACTIVITY) else None


def _transactions(
    view: View, activity: str, act: etree._Element, cur: str | None, notes: Notes
) -> None:
    path = f"{ROOT}/transaction"
    for node in view.iris(activity, "transaction"):
        el = sub(act, "transaction")
        kind = code(view.iri(node, "transactionType"))
        sub(el, "transaction-type", code=kind)
        when = view.text(node, "transactionDate")
        sub(el, "transaction-date", iso_date=when)
        value(view, el, view.iri(node, "value"), cur, notes, fallback_date=when, where=path)
        texts = view.literals(node, "description")
        if texts:
            narratives(sub(el, "description"), texts)
        for side in ("provider", "receiver"):
            org = view.iri(node, f"{side}Organisation")
            other = view.iri(node, f"{side}Activity")
            if org or other:
                org_element(view, el, f"{side}-org", org, **{f"{side}_activity_id": _ident(other)})
        for concept in view.iris(node, "sector"):
            sub(el, "sector", vocabulary="1", code=code(concept))
        kept(view, node, el, path)


def _related(view: View, activity: str, act: etree._Element) -> None:
    for node in view.iris(activity, "activityRelation"):
        el = sub(
            act,
            "related-activity",
            ref=_ident(view.iri(node, "relatedTo")),
            type=code(view.iri(node, "relationType")),
        )
        kept(view, node, el, f"{ROOT}/related-activity")


def activity_element(view: View, activity: str, plan: Plan) -> etree._Element:
    """The ``iati-activity`` element of ``activity`` (children not yet in schema order)."""
    notes = plan.notes
    cur = _currency(view, activity)
    act = etree.Element("iati-activity")
    lang = _language(view, activity)
    if lang:
        act.set(XML_LANG, lang)
    if cur:
        act.set("default-currency", cur)
    for derived in view.props.get(activity, {}).get(PROV + "wasDerivedFrom", []):
        if isinstance(derived, ox.NamedNode) and derived.value.startswith(_REGISTRY):
            act.set(f"{{{DSTORE_NS}}}dataset", unquote(derived.value[len(_REGISTRY) :]))
    sub(act, "iati-identifier").text = plan.identifier
    # Leftovers of reporting-org (@secondary-reporter) are records on the activity: kept() below.
    org_element(view, act, "reporting-org", plan.reporting_org)
    narratives(sub(act, "title"), view.literals(activity, "title"))
    _descriptions(view, activity, act)
    _participations(view, activity, act)
    if plan.status:
        sub(act, "activity-status", code=plan.status)
    _dates(plan, act)
    _contacts(view, activity, act)
    _countries(view, activity, act)
    _locations(view, activity, act, notes)
    _sectors(view, activity, act)
    _budgets(view, activity, act, cur, plan)
    _transactions(view, activity, act, cur, notes)
    document_links(view, activity, act, ROOT)
    _related(view, activity, act)
    for node in view.iris(activity, "result"):
        result(view, node, act, notes)
    kept(view, activity, act, ROOT)
    act.set("linked-data-uri", activity)
    for prop in sorted(view.props.get(activity, {})):
        if prop not in HANDLED:
            notes.dropped.append(f"{prop.replace(DG, 'dg:')}: no IATI 2.03 element")
    return act

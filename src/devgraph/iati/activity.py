"""One ``iati-activity`` → triples: identity, texts, dates, organisations, places, sectors.

Why: this is the dispatch from IATI elements to the dg: terms listed in
``ontology/alignments/iati.ttl`` (``dg:iatiPath``); finance and results have their own
modules. An element with no dedicated term goes to the generic ``dg:IatiElement`` fallback,
so the graph holds everything the file said.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from lxml import etree

from devgraph.iati import finance, iris, results
from devgraph.iati.builder import (
    ALL,
    XML_LANG,
    ActivityContext,
    FileContext,
    dg,
    elements,
    norm_lang,
)
from devgraph.iati.organisation import org_ref
from devgraph.iati.versions import DSTORE_NS, activity_version, is_v1

__all__ = ["ROOT", "map_activity", "registry_dataset", "version_iri"]

ROOT = "/iati-activities/iati-activity"
DCTERMS_CONFORMS = ox.NamedNode("http://purl.org/dc/terms/conformsTo")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
GEO_WKT = ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
DATE_PROPS = {"1": "plannedStart", "2": "actualStart", "3": "plannedEnd", "4": "actualEnd"}
DESCRIPTION_PROPS = {
    "1": "description",
    "2": "objective",
    "3": "targetGroupDescription",
    "4": "otherDescription",
}
SECTOR_LISTS = {"1": "Sector", "2": "SectorCategory", "7": "UNSDG-Goals", "8": "UNSDG-Targets"}
ADMIN_CLASSES = {"1": "AdminArea1", "2": "AdminArea2", "3": "AdminArea3"}


def version_iri(version: str) -> ox.NamedNode:
    """The IATI standard version a file or activity conforms to, as an IRI."""
    # Percent-encoded: a hostile @version ("2 03", "2>03") must not break the IRI (fuzzing).
    return ox.NamedNode(
        f"https://iatistandard.org/en/iati-standard/{iris.encode(version.replace('.', ''))}/"
    )


def registry_dataset(name: str) -> ox.NamedNode:
    """The IATI Registry dataset a D-Portal re-export names in ``dstore:dataset``."""
    return ox.NamedNode(f"https://iatiregistry.org/dataset/{iris.encode(name)}")


def _texts(
    ctx: ActivityContext, el: etree._Element, node: ox.NamedNode, prop: str, path: str
) -> None:
    ctx.narratives(el, node, prop, path)
    ctx.rest(el, node, path, children=("narrative",), text=True)


def _participating(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    node = ctx.node("participation")
    ctx.link(ctx.subject, "participation", node, "Participation")
    org = org_ref(ctx, el, path, node, attrs=("role", "activity-id"), required=True)
    assert org is not None
    ctx.add(node, dg("participant"), org)
    ctx.concept(node, "role", "OrganisationRole", el.get("role"), f"{path}/@role")
    finance.activity_link(ctx, node, "participantActivity", el.get("activity-id"), path)
    ctx.report.participating_orgs += 1


def _date(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    code = ctx.concept_code("ActivityDateType", el.get("type"), f"{path}/@type")
    prop = DATE_PROPS.get(code or "")
    when = el.get("iso-date")
    from_text = when is None and ctx.v1  # 1.0x files often give the date as the text
    if from_text:
        when = (el.text or "").strip() or None
    if prop and when:
        ctx.date(ctx.subject, prop, when, f"{path}/@iso-date")
        ctx.rest(el, ctx.subject, path, attrs=("type", "iso-date"), text=from_text)
    else:
        ctx.keep(el, ctx.subject, ROOT)


def _contact(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    node = ctx.node("contact-info")
    ctx.link(ctx.subject, "contactInfo", node, "ContactInfo")
    names = {"organisation": "organisationName", "person-name": "name"}
    for child in el:
        tag = child.tag
        if tag in names:
            _texts(ctx, child, node, names[tag], f"{path}/{tag}")
        elif tag in ("telephone", "email"):
            ctx.string(node, tag, child.text)
            ctx.rest(child, node, f"{path}/{tag}", text=True)
        elif isinstance(tag, str):
            ctx.keep(child, node, path)
    ctx.rest(el, node, path, children=ALL)


def _country(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    code = (el.get("code") or "").strip().upper()
    if not code:
        ctx.keep(el, ctx.subject, ROOT)
        return
    place = iris.place(code)
    ctx.link(ctx.subject, "recipientCountry", place, "Country")
    ctx.add(place, dg("isoCode"), ox.Literal(code))
    ctx.concept(place, "countryCode", "Country", code, f"{path}/@code")
    share = ctx.node("country-share")
    ctx.link(ctx.subject, "countryShare", share, "CountryShare")
    ctx.add(share, dg("country"), place)
    ctx.decimal(share, "percentage", el.get("percentage"), f"{path}/@percentage")
    ctx.rest(el, share, path, attrs=("code", "percentage"))


def _region(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    code = (el.get("code") or "").strip()
    vocabulary = (el.get("vocabulary") or "1").strip()
    if not code:
        ctx.keep(el, ctx.subject, ROOT)
        return
    place = iris.place(f"region-{vocabulary}-{code}")
    ctx.link(ctx.subject, "recipientRegion", place, "SupranationalRegion")
    ctx.rest(el, ctx.subject, path, attrs=("code", "vocabulary"))


def _sector(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    node = ctx.node("sector-share")
    ctx.link(ctx.subject, "sectorShare", node, "SectorShare")
    vocab = ctx.concept(node, "vocabulary", "Vocabulary", el.get("vocabulary") or "1", path)
    list_name = SECTOR_LISTS.get(vocab or "")
    used = ["vocabulary", "percentage"]
    code = (el.get("code") or "").strip()
    if list_name and code:
        ctx.concept(node, "sector", list_name, code, f"{path}/@code")
        ctx.concept(ctx.subject, "sector", list_name, code, f"{path}/@code")
        used.append("code")
    ctx.decimal(node, "percentage", el.get("percentage"), f"{path}/@percentage")
    ctx.rest(el, node, path, attrs=used)


def _point(ctx: ActivityContext, node: ox.NamedNode, el: etree._Element, path: str) -> None:
    pos = el.find("pos")
    parts = (pos.text or "").split() if pos is not None else []
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        ctx.keep(el, node, path.rsplit("/", 1)[0])
        return
    assert pos is not None
    ctx.add(node, dg("point"), ox.Literal(f"POINT({parts[1]} {parts[0]})", datatype=GEO_WKT))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        ctx.report.warn("bad-point", f"{path}/pos: {pos.text!r} out of range")
    ctx.rest(el, node, path, children=("pos",))
    ctx.rest(pos, node, f"{path}/pos", text=True)


def _location(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    node = ctx.node("location")
    ctx.link(ctx.subject, "location", node, "Location")
    for child in el:
        tag = child.tag
        here = f"{path}/{tag}"
        if tag == "name":
            _texts(ctx, child, node, "name", here)
        elif tag == "description":
            _texts(ctx, child, node, "locationDescription", here)
        elif tag == "point":
            _point(ctx, node, child, here)
        elif tag in ("administrative", "location-id") and child.get("code"):
            vocab, code = (child.get("vocabulary") or "").strip(), child.get("code", "").strip()
            place = iris.place(f"{vocab}-{code}" if vocab else code)
            level = (child.get("level") or "").strip()
            cls = (
                "Place" if tag == "location-id" else ADMIN_CLASSES.get(level, "AdministrativeArea")
            )
            ctx.link(node, "locationPlace", place, cls)
            if level and level not in ADMIN_CLASSES:  # no class for it: kept on the location
                ctx.keep_attr(node, here, "level", child.get("level", ""))
            ctx.rest(child, place, here, attrs=("vocabulary", "code", "level"))
        elif isinstance(tag, str):
            ctx.keep(child, node, path)
    ctx.rest(el, node, path, children=ALL)


def _related(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    ref = (el.get("ref") or "").strip()
    if not ref:
        ctx.keep(el, ctx.subject, ROOT)
        return
    node = ctx.node("related-activity")
    ctx.link(ctx.subject, "activityRelation", node, "RelatedActivity")
    finance.activity_link(ctx, ctx.subject, "relatedActivity", el.get("ref"), f"{path}/@ref")
    finance.activity_link(ctx, node, "relatedTo", el.get("ref"), f"{path}/@ref")
    ctx.concept(node, "relationType", "RelatedActivityType", el.get("type"), f"{path}/@type")
    ctx.rest(el, node, path, attrs=("ref", "type"))


def _description(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    kind = (el.get("type") or "1").strip()
    prop = DESCRIPTION_PROPS.get(kind)
    if prop is None:
        ctx.keep(el, ctx.subject, ROOT)
        return
    ctx.narratives(el, ctx.subject, prop, path)
    ctx.rest(el, ctx.subject, path, attrs=("type",), children=("narrative",), text=True)


def _tag(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    if (el.get("vocabulary") or "").strip() == "99":
        for child in el:
            if child.tag == "narrative" and (child.text or "").strip():
                ctx.add(
                    ctx.subject,
                    dg("theme"),
                    ctx.text_literal(child.text.strip(), ctx.lang_of(child)),
                )
    ctx.keep(el, ctx.subject, ROOT)  # code and vocabulary have no dedicated term


def _status(ctx: ActivityContext, el: etree._Element, path: str) -> None:
    ctx.concept(ctx.subject, "activityStatus", "ActivityStatus", el.get("code"), f"{path}/@code")
    ctx.rest(el, ctx.subject, path, attrs=("code",))


Handler = Callable[[ActivityContext, etree._Element, str], None]
HANDLERS: dict[str, Handler] = {
    "participating-org": _participating,
    "activity-date": _date,
    "contact-info": _contact,
    "recipient-country": _country,
    "recipient-region": _region,
    "sector": _sector,
    "location": _location,
    "related-activity": _related,
    "description": _description,
    "tag": _tag,
    "title": lambda ctx, el, path: _texts(ctx, el, ctx.subject, "title", path),
    "activity-status": _status,
    "budget": finance.budget,
    "planned-disbursement": finance.planned_disbursement,
    "transaction": finance.transaction,
    "document-link": lambda ctx, el, path: finance.document_link(ctx, el, ctx.subject, path),
    "result": results.result,
}


def map_activity(elem: etree._Element, file: FileContext, index: int) -> ActivityContext:
    """Map one activity; ``index`` (1-based position in the file) names anonymous ones."""
    version = activity_version(elem.attrib, file.version)
    lang = norm_lang(elem.get(XML_LANG)) or file.lang
    ident_el = elem.find("iati-identifier")
    raw = ident_el.text if ident_el is not None and ident_el.text else ""
    ident = raw.strip()
    if ident:
        if raw != ident:
            file.report.warn("trimmed-identifier", f"iati-identifier {raw!r} trimmed")
        subject = iris.activity(ident)
    else:
        subject = ox.NamedNode(f"{file.source_doc.value}/activity/{index}")
        file.report.warn("no-identifier", f"activity {index} has no iati-identifier")
    seen = file.identifiers.get(subject.value, 0)
    file.identifiers[subject.value] = seen + 1
    base = subject.value if not seen else f"{subject.value}/occurrence/{seen + 1}"
    if seen:
        file.report.warn("duplicate-identifier", f"{ident!r} occurs {seen + 1} times")
    ctx = ActivityContext(file, subject, base, v1=is_v1(version), lang=lang)
    ctx.currency = (elem.get("default-currency") or "").strip() or None
    reporting = elem.find("reporting-org")
    ctx.publisher = (reporting.get("ref") or "").strip() or None if reporting is not None else None
    ctx.typed(subject, "Activity")
    ctx.add(subject, dg("source"), file.source_doc)
    ctx.add(subject, DCTERMS_CONFORMS, version_iri(version))
    file.report.versions[version] += 1
    if ident:
        ctx.add(subject, dg("iatiIdentifier"), ox.Literal(ident))
    dataset = elem.get(f"{{{DSTORE_NS}}}dataset")
    if dataset:
        ctx.add(subject, PROV_DERIVED, registry_dataset(dataset.strip()))
        file.report.datasets.add(dataset.strip())
    used = [f"{{{DSTORE_NS}}}dataset"]
    if (elem.get("linked-data-uri") or "").strip() == subject.value:
        used.append("linked-data-uri")  # devgraph's own export: the IRI is the subject itself
    ctx.rest(elem, subject, ROOT, attrs=used, children=ALL)
    for child, tag, path in elements(elem, ROOT):
        if tag == "iati-identifier":
            ctx.rest(child, subject, path, text=True)
        elif tag == "reporting-org":
            org = org_ref(ctx, child, path, subject)
            if org is not None:
                ctx.add(subject, dg("reportingOrganisation"), org)
        elif (handler := HANDLERS.get(tag)) is not None:
            handler(ctx, child, path)
        else:
            ctx.keep(child, subject, ROOT)
    file.report.activities += 1
    return ctx

"""IATI 2.03 activity XML for a synthetic portfolio, written element by element.

The importer's benchmark needs the same portfolio as the store's, in the format real
publishers produce. Elements follow the order of ``iati-activities-schema.xsd`` (2.03)
and a test validates a small file against it. Strings are written directly (not via
a tree) so 100 k activities stream in constant memory.
"""

from __future__ import annotations

from typing import IO
from xml.sax.saxutils import escape, quoteattr

from portfolio import Activity

GENERATED = "2026-01-01T00:00:00Z"
"""Fixed, so the same seed gives the same bytes."""
SRS = "http://www.opengis.net/def/crs/EPSG/0/4326"


def _attrs(**values: object) -> str:
    return "".join(
        f" {k.rstrip('_').replace('_', '-')}={quoteattr(str(v))}"
        for k, v in values.items()
        if v is not None
    )


def _narr(text: str, lang: str | None = None) -> str:
    lang_attr = f' xml:lang="{lang}"' if lang else ""
    return f"<narrative{lang_attr}>{escape(text)}</narrative>"


class IatiWriter:
    """Writes ``<iati-activities version="2.03">`` and one ``<iati-activity>`` per call."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<iati-activities version="2.03" generated-datetime="{GENERATED}">\n'
        )

    def close(self) -> None:
        self.out.write("</iati-activities>\n")

    def write(self, act: Activity) -> None:
        cur = act.currency
        x: list[str] = [
            "<iati-activity"
            + _attrs(
                last_updated_datetime=GENERATED,
                default_currency=cur,
                hierarchy=act.tier + 1,
            )
            + ' xml:lang="en">',
            f"<iati-identifier>{escape(act.identifier)}</iati-identifier>",
            f"<reporting-org{_attrs(ref=act.reporting.ref, type=act.reporting.type_code)}>"
            f"{_narr(act.reporting.name)}</reporting-org>",
            f"<title>{_narr(act.title_en)}{_narr(act.title_fr, 'fr')}</title>",
            f'<description type="1">{_narr(act.description)}</description>',
            f'<description type="2">{_narr(act.objective)}</description>',
        ]
        for org, role, other in act.participations:
            x.append(
                "<participating-org"
                + _attrs(
                    ref=org.ref,
                    type=org.type_code,
                    role=role,
                    activity_id=other.identifier if other else None,
                )
                + f">{_narr(org.name)}</participating-org>"
            )
        x.append(f'<activity-status code="{act.status}"/>')
        x.append(f'<activity-date type="1" iso-date="{act.start.isoformat()}"/>')
        if act.actual_start:
            x.append(f'<activity-date type="2" iso-date="{act.actual_start.isoformat()}"/>')
        x.append(f'<activity-date type="3" iso-date="{act.end.isoformat()}"/>')
        for iso, pct in act.countries:
            x.append(f'<recipient-country code="{iso}" percentage="{pct}"/>')
        iso, site, lat, lon = act.location
        x.append(
            f'<location ref="{iso}-site-{site:02d}">'
            f"<name>{_narr(f'Site {site}')}</name>"
            f'<point srsName="{SRS}"><pos>{lat:.4f} {lon:.4f}</pos></point>'
            '<exactness code="2"/><location-class code="2"/></location>'
        )
        for code, pct in act.sectors:
            x.append(f'<sector vocabulary="1" code="{code}" percentage="{pct}"/>')
        for start, end, amount, btype, status in act.budgets:
            x.append(
                f'<budget type="{btype}" status="{status}">'
                f'<period-start iso-date="{start.isoformat()}"/>'
                f'<period-end iso-date="{end.isoformat()}"/>'
                f'<value currency="{cur}" value-date="{start.isoformat()}">{amount}</value>'
                "</budget>"
            )
        for tx in act.transactions:
            day = tx.day.isoformat()
            prov = _attrs(
                ref=tx.provider.ref,
                provider_activity_id=tx.provider_activity.identifier
                if tx.provider_activity
                else None,
            )
            recv = _attrs(
                ref=tx.receiver.ref,
                receiver_activity_id=tx.receiver_activity.identifier
                if tx.receiver_activity
                else None,
            )
            x.append(
                f'<transaction><transaction-type code="{tx.type_code}"/>'
                f'<transaction-date iso-date="{day}"/>'
                f'<value currency="{cur}" value-date="{day}">{tx.amount}</value>'
                f"<provider-org{prov}>{_narr(tx.provider.name)}</provider-org>"
                f"<receiver-org{recv}>{_narr(tx.receiver.name)}</receiver-org>"
                "</transaction>"
            )
        if act.result:
            rtype, measure, title, baseline, target, actual = act.result
            x.append(
                f'<result type="{rtype}"><title>{_narr(title)}</title>'
                f'<indicator measure="{measure}"><title>{_narr(title)}</title>'
                f'<baseline year="{act.start.year}" value="{baseline}"/>'
                f'<period><period-start iso-date="{act.start.isoformat()}"/>'
                f'<period-end iso-date="{act.end.isoformat()}"/>'
                f'<target value="{target}"/><actual value="{actual}"/></period>'
                "</indicator></result>"
            )
        x.append("</iati-activity>\n")
        self.out.write("\n".join(x))

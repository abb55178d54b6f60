"""IATI Registry dataset records for exported files, ready for whichever Registry API is live.

Why from the files and not the graph: the Registry describes *published files*, so each record
is read back from the file it describes (activity count, countries, version, generation
time): what the Registry shows can never disagree with what was uploaded. Each record has the
flat fields publishers see on the Registry form and a ``ckan`` block in the shape of the
Registry's CKAN ``package_create`` call (``extras`` key/values, one ``IATI-XML`` resource).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

__all__ = ["LICENCES", "registry_record", "registry_records"]

LICENCES = {"cc-by", "cc-by-sa", "cc-zero", "odc-by", "odc-odbl", "odc-pddl", "other-open"}
_NAME = re.compile(r"[^a-z0-9_-]+")


def _slug(text: str) -> str:
    return _NAME.sub("-", text.lower()).strip("-")


def registry_record(
    path: Path, *, publisher: str, base_url: str, licence: str = "cc-by", code: str | None = None
) -> dict[str, Any]:
    """One dataset record for an exported IATI file.

    ``publisher`` is the Registry publisher id (e.g. ``eclosio``); ``code`` the dataset's own
    part of the name (default: the file name's stem after the publisher, e.g. ``ml`` for
    ``eclosio-ml.xml``); ``base_url`` where the file is published.
    """
    if licence not in LICENCES:
        raise ValueError(f"licence must be one of {', '.join(sorted(LICENCES))}, not {licence!r}")
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    kind = "organisation" if root.tag == "iati-organisations" else "activity"
    items = [el for el in root if isinstance(el.tag, str)]
    countries = sorted(
        {
            (c.get("code") or "").upper()
            for item in items
            for c in item.findall("recipient-country")
            if c.get("code")
        }
    )
    stem = _slug(path.stem)
    pub = _slug(publisher)
    code = _slug(code) if code else (stem[len(pub) + 1 :] if stem.startswith(pub + "-") else stem)
    name = f"{pub}-{code}"
    url = base_url.rstrip("/") + "/" + path.name
    updated = root.get("generated-datetime") or ""
    country = countries[0] if len(countries) == 1 else ""
    title = f"{publisher} {'organisation' if kind == 'organisation' else 'activity'} file" + (
        f" ({country})" if country else ""
    )
    record: dict[str, Any] = {
        "name": name,
        "title": title,
        "filetype": kind,
        "country": country,
        "countries": countries,
        "activity_count": len(items) if kind == "activity" else 0,
        "iati_version": root.get("version") or "",
        "data_updated": updated,
        "source_url": url,
        "licence": licence,
    }
    extras = {
        "filetype": kind,
        "country": country,
        "activity_count": str(record["activity_count"]),
        "data_updated": updated,
        "iati_version": record["iati_version"],
    }
    record["ckan"] = {
        "name": name,
        "title": title,
        "owner_org": pub,
        "license_id": licence,
        "resources": [{"url": url, "format": "IATI-XML"}],
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
    }
    return record


def registry_records(
    paths: list[Path], *, publisher: str, base_url: str, licence: str = "cc-by"
) -> list[dict[str, Any]]:
    """Records for several files; two files may not get the same dataset name."""
    records = [
        registry_record(p, publisher=publisher, base_url=base_url, licence=licence) for p in paths
    ]
    names = [r["name"] for r in records]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"two files would get the same Registry name: {', '.join(dupes)}")
    return records

"""IATI downloads from the browser: ``/export/iati.xml`` and ``/export/iati-org.xml``.

Why a blueprint of its own: the same library call as ``devgraph export iati`` (an activity,
an organisation's portfolio, a country), served as a file. Activities that lack what IATI
2.03 requires are left out and named in the ``X-Devgraph-Skipped`` header (or, when nothing
is left, in a 404 body); ``allow_incomplete=1`` writes them, marked by an XML comment. The
SHACL check is left to the CLI: it takes seconds, too long for a download link.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from devgraph.export import ExportError, export_activities, export_organisation
from devgraph.web import get_store

bp = Blueprint("downloads", __name__)

XML = "application/xml"


def _attachment(body: bytes, name: str, **headers: str) -> Response:
    resp = Response(body, mimetype=XML)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    for key, value in headers.items():
        resp.headers[key] = value
    return resp


def _text(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.get("/export/iati.xml")
def iati() -> Response:
    """Activities as IATI 2.03 XML: ``activity`` (repeatable), ``reporting_org``, ``country``."""
    try:
        result = export_activities(
            get_store(),
            activities=request.args.getlist("activity"),
            reporting_org=request.args.get("reporting_org") or None,
            country=request.args.get("country") or None,
            allow_incomplete=request.args.get("allow_incomplete") == "1",
            shacl=False,
        )
    except ExportError as exc:
        return _text(str(exc), 404)
    skipped = "; ".join(
        f"{p.iri} (missing {', '.join(m.split(' (')[0] for m in p.notes.missing)})"
        for p in result.skipped
    )
    if not result.files:
        return _text("no activity to export" + (f": {skipped}" if skipped else ""), 404)
    name = "-".join(
        part
        for part in ("iati", request.args.get("reporting_org"), request.args.get("country"))
        if part
    )
    headers = {"X-Devgraph-Activities": str(result.files[0].activity_count)}
    if skipped:
        headers["X-Devgraph-Skipped"] = skipped.encode("ascii", "backslashreplace").decode()
    return _attachment(result.files[0].xml, f"{name}.xml", **headers)


@bp.get("/export/iati-org.xml")
def iati_org() -> Response:
    """One organisation file: ``org`` is an org identifier or IRI."""
    org = request.args.get("org", "").strip()
    if not org:
        return _text("give ?org=<organisation identifier or IRI>", 400)
    try:
        result = export_organisation(
            get_store(), org, allow_incomplete=request.args.get("allow_incomplete") == "1"
        )
    except LookupError as exc:
        return _text(str(exc), 404)
    if result.xml is None:
        return _text(f"{result.org}: missing {'; '.join(result.notes.missing)}", 422)
    return _attachment(result.xml, "iati-org.xml")

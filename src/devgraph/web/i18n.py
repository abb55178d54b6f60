"""Interface language: French or English, chosen per request, with a small JSON catalogue.

The locale comes from ``?lang=fr|en`` (remembered in a cookie so the next page keeps it),
else the ``lang`` cookie, else the browser's ``Accept-Language``, else English. Interface
strings are looked up by their English text in ``translations/<lang>.*.json`` (English
catalogues only name field keys such as ``plannedStart``): every file of a language is
merged, so each area of the browser ships its own catalogue without touching another's.
A string missing from a catalogue shows in English rather than failing.

Templates get ``_`` (translate), ``locale`` and ``lang_url(code)`` (this page in another
language). Labels that come from the graph are not translated here: the page library picks
the literal whose language tag matches the locale (:mod:`devgraph.pages.labels`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, g, request, url_for

SUPPORTED = ("en", "fr")
DEFAULT = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
CATALOGUES = Path(__file__).parent / "translations"

bp = Blueprint("i18n", __name__)


@lru_cache(maxsize=8)
def catalogue(lang: str, directory: Path = CATALOGUES) -> dict[str, str]:
    """Every ``<lang>.*.json`` catalogue of ``directory`` merged (files in name order)."""
    merged: dict[str, str] = {}
    for path in sorted(directory.glob(f"{lang}.*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a translation catalogue is one JSON object")
        merged.update({str(k): str(v) for k, v in data.items()})
    return merged


def _asked(value: str | None) -> str | None:
    value = (value or "").strip().lower()[:2]
    return value if value in SUPPORTED else None


def get_locale() -> str:
    """The request's interface language (computed once per request)."""
    if "devgraph_locale" not in g:
        g.devgraph_locale = (
            _asked(request.args.get("lang"))
            or _asked(request.cookies.get(COOKIE))
            or request.accept_languages.best_match(SUPPORTED)
            or DEFAULT
        )
    return g.devgraph_locale


def gettext(message: str, /, **values: Any) -> str:
    """``message`` in the request's language; ``{name}`` placeholders filled from ``values``.

    Placeholders are filled after translation, so a translator may reorder them. The result
    is a plain string: Jinja escapes it, and the values in it, like any other text.
    """
    text = catalogue(get_locale()).get(message, message)
    if not values:
        return text
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation falls back to English
        return message.format(**values)


_ = gettext


def lang_url(lang: str) -> str:
    """This page's URL with ``lang`` set: the language switch is plain links, no script."""
    values: dict[str, Any] = request.args.to_dict(flat=False)
    values.update(request.view_args or {})
    values["lang"] = lang
    try:
        return url_for(request.endpoint or "browse.home", **values)
    except Exception:  # noqa: BLE001 - an endpoint that cannot be rebuilt: switch on the home page
        return url_for("browse.home", lang=lang)


@bp.record_once
def _globals(state: Any) -> None:
    # Globals as well as context: macros imported without context still translate.
    state.app.jinja_env.globals.update(_=gettext, lang_url=lang_url, languages=SUPPORTED)


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {"_": gettext, "locale": get_locale(), "lang_url": lang_url, "languages": SUPPORTED}


@bp.after_app_request
def _remember(response: Response) -> Response:
    """Keep an explicit ``?lang=`` choice; say that pages vary by language."""
    asked = _asked(request.args.get("lang"))
    if asked and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    # Every HTML page's chrome is translated, the linked-data views' included, so caches
    # must key on the language as well as on Accept.
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response

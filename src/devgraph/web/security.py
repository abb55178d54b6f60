"""Security headers on every response: what a browser may do with devgraph's pages.

Why a hook and not per-view headers: a page added tomorrow by anyone gets the same
policy without thinking about it. The Content-Security-Policy admits scripts, styles,
images and fonts from this origin only, and no inline ``<script>``/``style=`` at all, so
a title that slipped through escaping still could not run. ``frame-ancestors 'none'``
(and the older ``X-Frame-Options``) stop clickjacking; ``nosniff`` stops a browser from
running a SPARQL result as HTML; ``no-referrer`` keeps query strings (which may hold a
query) out of other sites' logs.

A view that needs something else sets its own header: the hook only fills what is
missing. ``SECURITY_HEADERS`` in the app config (a mapping) overrides or, with a value of
``None``, removes a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""No ``'unsafe-inline'`` anywhere: inline scripts, style attributes and ``<style>`` are off."""

DEFAULT_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(overrides: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The headers to add: the defaults, changed by ``overrides`` (None removes one)."""
    headers: dict[str, str | None] = dict(DEFAULT_HEADERS)
    headers.update(overrides or {})
    return {k: v for k, v in headers.items() if v is not None}


def add_security_headers(response: Response) -> Response:
    """after_request hook: set each security header the view did not set itself."""
    for name, value in security_headers(current_app.config.get("SECURITY_HEADERS")).items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


# --- SERVICE: federated queries reach other hosts only when the operator allows them ---

_LEXEME = re.compile(
    r"(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|#[^\n]*",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PREFIX = re.compile(r"(?<![\w?$:])PREFIX\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_SERVICE = re.compile(
    r"(?<![\w?$:])SERVICE(?![\w:-])\s*(?:SILENT(?![\w:-])\s*)?(\S*)", re.IGNORECASE
)


class ServiceRefused(ValueError):
    """A query names a SERVICE this server will not call; the message says which and why."""


def _unescape(text: str) -> str:
    """Apply SPARQL's ``\\u``/``\\U`` code point escapes, which the grammar allows anywhere."""

    def one(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:  # beyond U+10FFFF: the parser will refuse the query anyway
            return " "

    return _ESCAPE.sub(one, text)


def service_targets(text: str) -> list[str]:
    """What each ``SERVICE`` in a query points at, as written (IRIs resolved from prefixes).

    Strings and comments are blanked first, so ``"SERVICE <x>"`` or ``# SERVICE`` do not
    count; a variable or an unknown prefixed name comes back as written (it cannot be
    checked, so it is refused).
    """
    iris: list[str] = []

    def keep(m: re.Match[str]) -> str:
        """IRIs become ``<n>`` (so nothing inside one counts as a keyword), the rest blank."""
        if m.group("iri") is None:
            return " "
        iris.append(m.group("iri")[1:-1])
        return f"<{len(iris) - 1}>"

    plain = _LEXEME.sub(keep, _unescape(text))
    prefixes = {p.lower(): iris[int(i)] for p, i in _PREFIX.findall(plain)}
    targets = []
    for match in _SERVICE.finditer(plain):
        token = match.group(1)
        if token.startswith("<") and ">" in token:
            token = iris[int(token[1 : token.index(">")])]
        elif ":" in token and not token.startswith(("?", "$")):
            prefix, _, local = token.partition(":")
            local = re.split(r"[\s{]", local, maxsplit=1)[0]
            if prefix.lower() in prefixes:
                token = prefixes[prefix.lower()] + local
        targets.append(token)
    return targets


def _allowed(target: str, entry: str) -> bool:
    """Same scheme and host; same port (any port if the entry names none); path under."""
    want, got = urlsplit(entry.strip()), urlsplit(target)
    if not want.scheme or not want.hostname:
        return False
    if (got.scheme.lower(), got.hostname) != (want.scheme.lower(), want.hostname):
        return False
    if want.port is not None and got.port != want.port:
        return False
    return got.path.startswith(want.path.rstrip("/")) if want.path.strip("/") else True


def check_services(text: str, allow: str | list[str] | tuple[str, ...] | None) -> None:
    """Raise :class:`ServiceRefused` unless every SERVICE target is on the allow-list.

    ``allow`` is a list or a comma-separated string of endpoint IRIs or origins
    (``https://query.wikidata.org/sparql``, ``http://127.0.0.1``). Empty, the default,
    refuses every SERVICE: a public endpoint must not become a proxy that reaches the
    server's own network for whoever asks.
    """
    entries = allow.split(",") if isinstance(allow, str) else list(allow or ())
    entries = [e.strip() for e in entries if e.strip()]
    for target in service_targets(text):
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            raise ServiceRefused(
                f"SERVICE {target!r} refused: only a full http(s) IRI can be called"
            )
        if not any(_allowed(target, e) for e in entries):
            listed = ", ".join(entries) if entries else "none: federated queries are off"
            raise ServiceRefused(
                f"SERVICE <{target}> refused: not on this server's allow-list "
                f"(SERVICE_ALLOW; allowed: {listed})"
            )

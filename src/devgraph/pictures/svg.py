"""The few SVG building blocks the pictures share: escaping, the document, text, money."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

Translate = Callable[..., str]
"""``translate(message, **values)``, the signature of :func:`devgraph.web.i18n.gettext`."""

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
CHAR_WIDTH = 6.6
"""Approximate advance of one character at 12 px, to size boxes without a font engine."""
UPPER_WIDTH = 8.4
COLOURS = {
    "funder": "#1d5f86",
    "intermediary": "#b86e00",
    "implementer": "#2f7d3c",
    "ego": "#6b3fa0",
    "partner": "#6c757d",
}


def esc(value: object) -> str:
    """Text and attribute values escaped (quotes too): labels come from published data."""
    return escape(str(value), quote=True)


def clip(label: str, limit: int = 32) -> str:
    """Shorten a long name for a box; the full name stays in the element's ``<title>``."""
    label = " ".join(label.split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def text_width(label: str) -> float:
    """Capitals are wider: names published in upper case must still fit their boxes."""
    return sum(UPPER_WIDTH if c.isupper() else CHAR_WIDTH for c in label)


def format_eur(amount: float | None) -> str:
    """``€1.2M``, ``€350k``, ``€900``: short enough to sit on a curve."""
    if not amount:
        return ""
    for factor, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= factor:
            return f"€{amount / factor:.1f}{suffix}".replace(".0", "")
    return f"€{amount:.0f}"


def document(
    width: float, height: float, *, title: str, desc: str, body: list[str], ident: str
) -> str:
    """A standalone SVG document, usable as a file or inlined into an HTML page.

    ``ident`` prefixes the ids so several pictures can share one page.
    """
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dg-picture" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{FONT}" font-size="12">'
        f'<title id="{ident}-title">{esc(title)}</title>'
        f'<desc id="{ident}-desc">{esc(desc)}</desc>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def text(x: float, y: float, value: str, *, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{esc(value)}</text>'


def link_open(href: str | None) -> str:
    return f'<a href="{esc(href)}">' if href else ""


def link_close(href: str | None) -> str:
    return "</a>" if href else ""


def identity(message: str, /, **values: object) -> str:
    """The default ``translate``: English, placeholders filled (the web passes its gettext)."""
    return message.format(**values) if values else message

"""Pictures of who funds whom, as self-contained SVG text (no JavaScript, no external file).

Every picture carries ``<title>`` and ``<desc>`` (screen readers read them; ``role="img"``
with ``aria-labelledby``) and escapes every label, so a name holding markup is drawn as
text. Interface words (titles, column headings) are parameters, so the web layer can pass
them translated; the library itself stays free of Flask.

- :func:`network_svg`: funders, intermediaries and implementers in three columns, one
  curve per funding pair, its width by the EUR amount (dashed when inferred from roles).
- :func:`ego_svg`: one organisation, who funds it (left), whom it funds (right), and the
  partners it shares activities with (below).
- :func:`flows_svg`: a Sankey-style picture, bands as wide as the money they carry.
"""

from devgraph.pictures.layout import LAYERS, Layout, Link, Node, classify, layered_layout
from devgraph.pictures.network import ego_layout, ego_svg, network_svg
from devgraph.pictures.sankey import flows_svg
from devgraph.pictures.svg import format_eur

__all__ = [
    "LAYERS",
    "Layout",
    "Link",
    "Node",
    "classify",
    "ego_layout",
    "ego_svg",
    "flows_svg",
    "format_eur",
    "layered_layout",
    "network_svg",
]

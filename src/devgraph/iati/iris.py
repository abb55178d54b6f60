"""IRIs for everything the importer mints, decided in one place.

Activity IRIs are ``act:`` + the trimmed ``iati-identifier``, percent-encoded so that any
character a publisher used (``/``, spaces, ``#``) stays inside one path segment: a link to an
activity that is not loaded yet (a "phantom") is the very IRI its own file will mint.
Organisations use ``dgo:`` + ``@ref``; without a ref, a name-based IRI scoped to the publisher
(two publishers' "Ministry of Health" are not assumed to be the same body).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox

from devgraph.namespaces import ACTIVITY, CODELIST, ORGANISATION, PLACE

__all__ = ["activity", "concept", "encode", "named_organisation", "organisation", "place"]

_SPACES = re.compile(r"\s+")


def encode(text: str) -> str:
    """One IRI path segment: only unreserved characters stay as they are."""
    return quote(text, safe="-._~")


@lru_cache(maxsize=65536)
def activity(identifier: str) -> ox.NamedNode:
    """The activity IRI of an (already trimmed) IATI identifier."""
    return ox.NamedNode(ACTIVITY + encode(identifier))


@lru_cache(maxsize=65536)
def organisation(ref: str) -> ox.NamedNode:
    return ox.NamedNode(ORGANISATION + encode(ref))


def named_organisation(publisher: str | None, name: str) -> ox.NamedNode:
    """An organisation known only by name, scoped to the publisher that named it."""
    key = _SPACES.sub(" ", name).strip().casefold()
    scope = encode(publisher) if publisher else "unknown-publisher"
    return ox.NamedNode(f"{ORGANISATION}{scope}/name/{encode(key)}")


@lru_cache(maxsize=65536)
def concept(list_name: str, code: str) -> ox.NamedNode:
    """``cl:List/code``, the same rule as :func:`devgraph.codelists.concept_iri`."""
    return ox.NamedNode(f"{CODELIST}{list_name}/{encode(code)}")


@lru_cache(maxsize=65536)
def place(key: str) -> ox.NamedNode:
    return ox.NamedNode(PLACE + encode(key))

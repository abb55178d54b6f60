"""IATI versions: which one a file or activity follows, and 1.0x → 2.0x code normalisation.

Why: 1.00–1.05 wrote text codes (``C``, ``Funding``, ``start-planned``) and free text directly
in elements; 2.0x uses integer codes and ``narrative`` children. The mapping speaks 2.0x only,
so every coded attribute passes through :func:`code`, which consults
:func:`devgraph.codelists.v1_to_v2` for 1.0x text codes (any case). D-Portal re-exports carry
the original version and dataset of each activity in their own namespaces.
"""

from __future__ import annotations

from functools import cache, lru_cache

from devgraph.codelists import DEFAULT_SOURCE, read_codelist, v1_to_v2

__all__ = [
    "DSTORE_NS",
    "DPORTAL_VERSION",
    "DEFAULT_V1",
    "activity_version",
    "code",
    "is_v1",
    "known_codes",
]

DSTORE_NS = "http://d-portal.org/xmlns/dstore"
DPORTAL_VERSION = "{http://d-portal.org/xmlns/iati-activities}version"
DEFAULT_V1 = "1.01"
"""A file with no ``@version`` is read as 1.01 (IATI's own rule for unversioned files)."""

V1_LISTS = {
    "ActivityDateType",
    "ActivityStatus",
    "BudgetType",
    "DocumentCategory",
    "GazetteerAgency",
    "OrganisationRole",
    "RelatedActivityType",
    "TransactionType",
    "Vocabulary",
}
# 1.0x text codes outside the embedded lists (free-text codes seen in real 1.0x files, e.g.
# the Global Fund's result/@type="Output"); matched case-insensitively.
EXTRA_V1 = {"ResultType": {"output": "1", "outcome": "2", "impact": "3", "other": "9"}}
# 2.0x list name of a 1.0x list whose name changed.
V2_NAME = {"Vocabulary": "SectorVocabulary"}


def is_v1(version: str | None) -> bool:
    """1.00–1.05 (and files with no version, read as 1.01)."""
    return version is None or version.strip().startswith("1")


def activity_version(attrib: dict[str, str], file_version: str | None) -> str:
    """The version an activity follows: D-Portal's per-activity attribute, else the file's."""
    declared = (attrib.get(DPORTAL_VERSION) or "").strip()
    return declared or file_version or DEFAULT_V1


@cache
def known_codes(list_name: str) -> frozenset[str]:
    """Codes of a 2.0x IATI codelist (empty when the list is not shipped)."""
    for folder in ("embedded", "non-embedded"):
        path = DEFAULT_SOURCE / folder / f"{list_name}.xml"
        if path.exists():
            return frozenset(read_codelist(path).codes)
    return frozenset()


@lru_cache(maxsize=4096)
def code(list_name: str, value: str, v1: bool) -> tuple[str, bool]:
    """Normalise one code to 2.0x: returns (code, known).

    ``list_name`` is the 1.0x name for lists that were renamed (``Vocabulary``). A 1.0x text
    code is translated when the list had text codes; an integer code passes through (1.0x
    files also used integers for several lists). ``known`` says whether the result is on
    the 2.0x list, so the report can count unknown codes.
    """
    value = value.strip()
    v2_name = V2_NAME.get(list_name, list_name)
    extra = EXTRA_V1.get(list_name)
    if extra and value.casefold() in extra:
        value = extra[value.casefold()]
    elif list_name in V1_LISTS and not value.isdigit():
        mapped = v1_to_v2(list_name, value)
        if mapped is not None:
            value = mapped
        elif v1:
            return value, False
    codes = known_codes(v2_name)
    return value, (not codes) or value in codes

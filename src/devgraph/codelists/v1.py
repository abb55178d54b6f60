"""IATI 1.0x text codes (``C``, ``Funding``, ``start-planned``) and their 2.0x equivalents.

One hand-written table serves two users: the generated ``cl:v1/…`` schemes with their
exactMatch/closeMatch links, and :func:`v1_to_v2`, which the importer calls on 1.0x files.
:func:`check_v1_table` keeps the table honest against the 1.0x XML.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph
from rdflib.namespace import DCTERMS, SKOS

from devgraph.codelists.rdf import codelist_graph, concept_iri, scheme_iri
from devgraph.codelists.reader import Codelist

__all__ = ["V1_TABLE", "check_v1_table", "v1_graph", "v1_to_v2", "v2_list_for_v1"]


def _same(*codes: str) -> dict[str, str]:
    return {code: code for code in codes}


# 1.0x list → (2.0x list, {1.0x code: 2.0x code}). Text codes follow the IATI 2.01 changelog
# (IATI-Extra-Documentation, en/upgrade-changelogs/integer-upgrade-to-2-01/2-01-changes.rst);
# its Vocabulary table numbers the codes alphabetically, which contradicts the published
# SectorVocabulary list, so Vocabulary follows the list's own names (DAC = 1 "OECD DAC CRS
# Purpose Codes (5 digit)"). The other lists kept their codes and names in 2.0x.
V1_TABLE: dict[str, tuple[str, dict[str, str]]] = {
    "ActivityDateType": (
        "ActivityDateType",
        {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"},
    ),
    "ActivityStatus": ("ActivityStatus", _same("1", "2", "3", "4", "5", "6")),
    "AidTypeFlag": ("CRSAddOtherFlags", _same("1", "2", "3", "4")),
    "BudgetType": ("BudgetType", _same("1", "2")),
    "DocumentCategory": (
        "DocumentCategory",
        _same(*(f"A{n:02}" for n in range(1, 12)), *(f"B{n:02}" for n in range(1, 16))),
    ),
    "GazetteerAgency": ("GazetteerAgency", {"GEO": "1", "NGA": "2", "OSM": "3"}),
    "OrganisationRole": (
        "OrganisationRole",
        {"Funding": "1", "Accountable": "2", "Extending": "3", "Implementing": "4"},
    ),
    "RelatedActivityType": ("RelatedActivityType", _same("1", "2", "3", "4", "5")),
    "TransactionType": (
        "TransactionType",
        {
            "IF": "1",
            "C": "2",
            "D": "3",
            "E": "4",
            "IR": "5",
            "LR": "6",
            "R": "7",
            "QP": "8",
            "QS": "9",
            "CG": "10",
        },
    ),
    # ISO and WB have no 2.0x SectorVocabulary code.
    "Vocabulary": (
        "SectorVocabulary",
        {
            "DAC": "1",
            "DAC-3": "2",
            "COFOG": "3",
            "NACE": "4",
            "NTEE": "5",
            "ADT": "6",
            "RO": "99",
            "RO2": "98",
        },
    ),
}
# Not exact: 1.0x "Commitment" also covered incoming commitments (2.0x code 11 since 2.02).
V1_CLOSE = {("TransactionType", "C")}
# 1.0x Vocabulary also served policy-marker/@vocabulary, now PolicyMarkerVocabulary.
V1_EXTRA_CLOSE = {
    ("Vocabulary", "DAC"): ("PolicyMarkerVocabulary", "1"),
    ("Vocabulary", "RO"): ("PolicyMarkerVocabulary", "99"),
}


def _find_v1_list(list_name: str) -> str:
    for name in V1_TABLE:
        if name.casefold() == list_name.casefold():
            return name
    raise KeyError(f"no IATI 1.0x codelist {list_name!r}; known: {', '.join(sorted(V1_TABLE))}")


def v2_list_for_v1(list_name: str) -> str:
    """The 2.0x codelist a 1.0x list became (``Vocabulary`` → ``SectorVocabulary``)."""
    return V1_TABLE[_find_v1_list(list_name)][0]


def v1_to_v2(list_name: str, code: str) -> str | None:
    """The 2.0x code for a 1.0x code, e.g. ``("TransactionType", "C")`` → ``"2"``.

    Codes and list names match case-insensitively (1.0x files wrote ``funding`` as well as
    ``Funding``). Returns None for a code with no 2.0x equivalent (Vocabulary ``ISO``, ``WB``)
    or not on the list; raises KeyError for a list that had no 1.0x text codes.
    """
    table = V1_TABLE[_find_v1_list(list_name)][1]
    wanted = code.strip().casefold()
    for v1_code, v2_code in table.items():
        if v1_code.casefold() == wanted:
            return v2_code
    return None


def v1_graph(codelist: Codelist, lists: Mapping[str, Codelist]) -> Graph:
    """A 1.0x scheme with exactMatch/closeMatch links to the 2.0x concepts."""
    graph = codelist_graph(codelist, lists, v1=True)
    target, table = V1_TABLE[codelist.name]
    graph.add((scheme_iri(codelist.name, v1=True), DCTERMS.isReplacedBy, scheme_iri(target)))
    for item in codelist.items:
        v2_code = table.get(item.code)
        if v2_code is None:
            continue
        if v2_code not in lists[target].codes:
            raise ValueError(f"{target} has no code {v2_code!r} (mapped from v1 {item.code})")
        close = (codelist.name, item.code) in V1_CLOSE
        predicate = SKOS.closeMatch if close else SKOS.exactMatch
        graph.add(
            (
                concept_iri(codelist.name, item.code, v1=True),
                predicate,
                concept_iri(target, v2_code),
            )
        )
    for (name, v1_code), (other_list, other_code) in V1_EXTRA_CLOSE.items():
        if name != codelist.name:
            continue
        if other_code not in lists[other_list].codes:
            raise ValueError(f"{other_list} has no code {other_code!r} (mapped from {v1_code})")
        graph.add(
            (
                concept_iri(name, v1_code, v1=True),
                SKOS.closeMatch,
                concept_iri(other_list, other_code),
            )
        )
    return graph


def check_v1_table(v1_lists: Mapping[str, Codelist]) -> None:
    """Fail loudly if the hand-written 1.0x table and the 1.0x XML disagree."""
    for name, codelist in v1_lists.items():
        if name not in V1_TABLE:
            raise ValueError(f"1.0x codelist {name} has no entry in the v1 → v2 table")
        unknown = set(V1_TABLE[name][1]) - codelist.codes
        if unknown:
            raise ValueError(f"v1 table maps codes not on 1.0x {name}: {sorted(unknown)}")

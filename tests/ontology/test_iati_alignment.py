"""Check ontology/alignments/iati.ttl against the official IATI 2.03 schema and codelist mapping.

Why: a dg:iatiPath that names no element of the standard (a typo, a 1.0x name) would mislead
the IATI import/export code and the docs table; the XSD is the authority.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import rdflib
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DEVGRAPH_SHARED", REPO.parent / "shared"))
SCHEMAS = SHARED / "iati" / "schemas"
CODELISTS = SHARED / "iati" / "codelists"
ALIGNMENT = REPO / "ontology" / "alignments" / "iati.ttl"
DG = rdflib.Namespace("https://w3id.org/devgraph/ontology#")
XS = "{http://www.w3.org/2001/XMLSchema}"
_GROUPS = {f"{XS}sequence", f"{XS}choice", f"{XS}all", f"{XS}complexType"}
_GROUPS |= {f"{XS}complexContent", f"{XS}simpleContent"}


def schema_paths() -> set[str]:
    """Every element and attribute XPath under /iati-activities in the 2.03 activity schema."""
    elements: dict[str, etree._Element] = {}
    types: dict[str, etree._Element] = {}
    attribute_groups: dict[str, etree._Element] = {}
    for name in ("iati-activities-schema.xsd", "iati-common.xsd"):
        root = etree.parse(str(SCHEMAS / name)).getroot()
        elements.update({e.get("name"): e for e in root.findall(f"{XS}element")})
        types.update({t.get("name"): t for t in root.findall(f"{XS}complexType")})
        attribute_groups.update({g.get("name"): g for g in root.findall(f"{XS}attributeGroup")})
    paths: set[str] = set()

    def visit_content(node: etree._Element, path: str, depth: int) -> None:
        for child in node:
            if child.tag == f"{XS}element":
                visit_element(child, path, depth)
            elif child.tag == f"{XS}attribute":
                paths.add(f"{path}/@{child.get('name') or child.get('ref')}")
            elif child.tag == f"{XS}attributeGroup":
                visit_content(attribute_groups[child.get("ref")], path, depth)
            elif child.tag in (f"{XS}extension", f"{XS}restriction"):
                if child.get("base") in types:
                    visit_content(types[child.get("base")], path, depth)
                visit_content(child, path, depth)
            elif child.tag in _GROUPS:
                visit_content(child, path, depth)

    def visit_element(element: etree._Element, path: str, depth: int) -> None:
        name = element.get("ref") or element.get("name")
        definition = elements.get(name) if element.get("ref") else element
        if definition is None:
            return
        here = f"{path}/{name}"
        paths.add(here)
        if depth > 12:  # the schema is not recursive this deep; a guard against cycles
            return
        if definition.get("type") in types:
            visit_content(types[definition.get("type")], here, depth + 1)
        visit_content(definition, here, depth + 1)

    visit_element(elements["iati-activities"], "", 0)
    return paths


def codelist_mapping() -> dict[str, set[str]]:
    """IATI's mapping.xml as codelist name -> absolute paths that take its codes."""
    mapping: dict[str, set[str]] = {}
    for entry in etree.parse(str(CODELISTS / "mapping.xml")).getroot().iter("mapping"):
        path = entry.findtext("path").strip()
        path = re.sub(r"^//iati-activity", "/iati-activities/iati-activity", path)
        path = re.sub(r"^//iati-activities", "/iati-activities", path)
        mapping.setdefault(entry.find("codelist").get("ref"), set()).add(path)
    return mapping


def strip_predicates(path: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", path)


@pytest.fixture(scope="module")
def alignment() -> rdflib.Graph:
    return rdflib.Graph().parse(ALIGNMENT, format="turtle")


@pytest.fixture(scope="module")
def paths() -> set[str]:
    return schema_paths()


def test_schema_walk_found_the_standard(paths: set[str]) -> None:
    assert len(paths) > 400
    assert "/iati-activities/iati-activity/participating-org/@role" in paths
    assert "/iati-activities/iati-activity/result/indicator/period/target/@value" in paths


def test_every_iati_path_is_in_the_schema(alignment: rdflib.Graph, paths: set[str]) -> None:
    stated = {str(o) for o in alignment.objects(None, DG.iatiPath)}
    assert len(stated) > 100
    unknown = sorted(p for p in stated if strip_predicates(p) not in paths)
    assert unknown == []


def test_every_iati_codelist_matches_the_mapping(alignment: rdflib.Graph) -> None:
    mapping = codelist_mapping()
    assert "OrganisationRole" in mapping and len(mapping) > 40
    checked = 0
    for term, codelist in alignment.subject_objects(DG.iatiCodelist):
        name = str(codelist)
        files = list(CODELISTS.glob(f"*/{name}.xml"))
        assert files, f"no IATI codelist file for {name}"
        term_paths = {strip_predicates(str(p)) for p in alignment.objects(term, DG.iatiPath)}
        assert term_paths & mapping.get(name, set()), f"{term}: {name} not mapped at {term_paths}"
        checked += 1
    assert checked >= 12


def test_core_iati_elements_are_covered(alignment: rdflib.Graph) -> None:
    """The main activity elements each have a devgraph term."""
    stated = {strip_predicates(str(o)) for o in alignment.objects(None, DG.iatiPath)}
    base = "/iati-activities/iati-activity/"
    for element in (
        "iati-identifier",
        "reporting-org",
        "title",
        "description",
        "participating-org",
        "activity-status",
        "activity-date/@iso-date",
        "recipient-country",
        "recipient-region",
        "location",
        "sector",
        "budget",
        "planned-disbursement",
        "transaction",
        "document-link",
        "related-activity",
        "result",
        "contact-info",
    ):
        target = base + element
        assert any(p == target or p.startswith(target + "/") for p in stated), element

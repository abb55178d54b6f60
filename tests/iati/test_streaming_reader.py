"""The streaming reader: every child of the root, in document order, released once used.

Why: ``iter_elements`` asks lxml for the items' end events only (a C-side tag filter), so
the other children of the root (publisher extensions) and nested look-alikes are found by
position instead of by event; these tests pin that the order and the release of memory
stay what a full parse says, and that the mapping's memory does not grow with the file.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

from lxml import etree

from devgraph.iati import importer
from devgraph.iati.reader import discover, iter_elements, read_root
from devgraph.iati.report import FileReport

MIXED = b"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" xmlns:x="http://example.org/ext">
  <x:header n="1"/>
  <iati-activity><iati-identifier>A-1</iati-identifier></iati-activity>
  <x:note n="2"><iati-activity><iati-identifier>NESTED</iati-identifier></iati-activity></x:note>
  <x:note n="3"/>
  <iati-activity><iati-identifier>A-2</iati-identifier>
    <iati-activity><iati-identifier>INNER</iati-identifier></iati-activity>
  </iati-activity>
  <!-- a comment -->
  <x:trailer n="4"/>
</iati-activities>
"""


def _label(elem: etree._Element) -> str:
    ident = elem.findtext("iati-identifier")
    return ident if ident is not None else f"{etree.QName(elem).localname}{elem.get('n')}"


def test_root_children_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xml"
    path.write_bytes(MIXED)
    expected = [_label(c) for c in etree.fromstring(MIXED) if isinstance(c.tag, str)]
    source = discover([path])[0]
    seen = [_label(e) for e in iter_elements(source, read_root(source).tag)]
    assert seen == expected == ["header1", "A-1", "note2", "note3", "A-2", "trailer4"]


def test_used_elements_are_cleared_and_detached(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xml"
    path.write_bytes(MIXED)
    source = discover([path])[0]
    kept: list[etree._Element] = []
    for elem in iter_elements(source, "iati-activities"):
        for old in kept:
            assert old.getparent() is None and len(old) == 0
        assert elem.getparent() is not None
        kept.append(elem)
    assert len(kept) == 6


def _activities(n: int) -> bytes:
    item = (
        '<iati-activity default-currency="EUR"><iati-identifier>XM-{i}</iati-identifier>'
        '<reporting-org ref="XM-1" type="10"><narrative>R</narrative></reporting-org>'
        "<title><narrative>Title {i} with some words</narrative></title>"
        '<participating-org ref="XM-2" role="1"><narrative>Funder</narrative></participating-org>'
        '<activity-status code="2"/><activity-date type="1" iso-date="2020-01-01"/>'
        '<recipient-country code="KE" percentage="100"/>'
        '<sector vocabulary="1" code="12220" percentage="100"/>'
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2021-05-01"/>'
        '<value value-date="2021-05-01">{i}000</value></transaction></iati-activity>\n'
    )
    body = "".join(item.format(i=i) for i in range(n))
    return f'<iati-activities version="2.03">\n{body}</iati-activities>\n'.encode()


def _peak_mapping(path: Path) -> tuple[int, int]:
    """Peak Python-heap bytes while streaming one file through the mapping (no store).

    tracemalloc does not see libxml2's own allocations; that the tree does not grow is
    what ``test_used_elements_are_cleared_and_detached`` checks.
    """
    source = discover([path])[0]
    info = read_root(source)
    report = FileReport(source=source.name, graph=source.graph)
    clock = importer._Clock(None, 1000)
    gc.collect()
    tracemalloc.start()
    try:
        for _triple in importer._file_triples(source, info, report, strict=False, clock=clock):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return report.activities, peak


def test_mapping_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small.write_bytes(_activities(40))
    large.write_bytes(_activities(320))
    _peak_mapping(small)  # warm the caches (schemas, codelists) outside the comparison
    n_small, peak_small = _peak_mapping(small)
    n_large, peak_large = _peak_mapping(large)
    assert (n_small, n_large) == (40, 320)
    # One activity here is ~60 triples (>10 kB of terms); what may grow per activity is the
    # file's identifier register (duplicate detection) and the bounded IRI caches: < 1 kB.
    per_activity = (peak_large - peak_small) / (n_large - n_small)
    assert per_activity < 1024, (peak_small, peak_large)

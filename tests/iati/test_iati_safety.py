"""Hostile and broken XML is refused with a clear error, and the store is left as it was.

Why: IATI files come from anywhere. An XXE or entity-bomb file must not read local files,
reach the network or eat memory; a broken file must not leave half an import behind.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from devgraph.iati import IatiImportError, import_paths
from devgraph.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "two-activities_v2.03.xml"
ACTIVITY = (
    "<iati-activity><iati-identifier>XM-X-1</iati-identifier>"
    '<reporting-org ref="XM-X"/><title><narrative>{}</narrative></title></iati-activity>'
)


def dump(store: EmbeddedStore) -> bytes:
    out = BytesIO()
    store.dump(out, format="nquads")
    return b"\n".join(sorted(out.getvalue().splitlines()))


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    """A store that already holds one import, so "unchanged" is a real comparison."""
    s = EmbeddedStore(None)
    import_paths(s, [GOOD], root=FIXTURES)
    return s


HOSTILE = {
    "xxe-file": (
        '<?xml version="1.0"?><!DOCTYPE iati-activities [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<iati-activities version="2.03">' + ACTIVITY.format("&x;") + "</iati-activities>",
        "declares entities",
    ),
    "xxe-network": (
        '<?xml version="1.0"?><!DOCTYPE iati-activities [<!ENTITY x SYSTEM "http://example.org/x">]>'
        '<iati-activities version="2.03">' + ACTIVITY.format("&x;") + "</iati-activities>",
        "declares entities",
    ),
    "billion-laughs": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
            for i in range(1, 10)
        )
        + ']><iati-activities version="2.03">'
        + ACTIVITY.format("&lol9;")
        + "</iati-activities>",
        "declares entities",
    ),
    "external-dtd": (
        '<?xml version="1.0"?><!DOCTYPE iati-activities SYSTEM "http://example.org/iati.dtd">'
        '<iati-activities version="2.03">' + ACTIVITY.format("t") + "</iati-activities>",
        "external DTD",
    ),
    "truncated": (
        '<?xml version="1.0"?><iati-activities version="2.03">'
        + ACTIVITY.format("t")
        + "<iati-activity><iati-identifier>XM-X-2</iati-ident",
        "malformed XML",
    ),
    "wrong-root": (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        "expected <iati-activities>",
    ),
    "empty": ("", "empty file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_is_refused_and_store_unchanged(
    store: EmbeddedStore, tmp_path: Path, case: str
) -> None:
    text, expected = HOSTILE[case]
    bad = tmp_path / f"{case}.xml"
    bad.write_text(text, encoding="utf-8")
    before = dump(store)
    with pytest.raises(IatiImportError, match=expected) as info:
        import_paths(store, [bad], root=tmp_path)
    assert str(bad) in str(info.value)
    assert dump(store) == before


def test_truncated_error_names_line_and_column(tmp_path: Path, empty_store: EmbeddedStore) -> None:
    bad = tmp_path / "t.xml"
    bad.write_text(
        '<iati-activities version="2.03">\n' + ACTIVITY.format("t") + "\n<iati-activity>"
    )
    with pytest.raises(IatiImportError, match=r"t\.xml:3:\d+: malformed XML"):
        import_paths(empty_store, [bad], root=tmp_path)
    assert len(empty_store) == 0


def test_declared_encoding_mismatch(store: EmbeddedStore, tmp_path: Path) -> None:
    """Declared UTF-16, written as UTF-8 bytes: refused, not mis-decoded."""
    bad = tmp_path / "enc.xml"
    bad.write_bytes(
        b'<?xml version="1.0" encoding="UTF-16"?><iati-activities version="2.03">'
        + ACTIVITY.format("Caf\u00e9").encode("utf-8")
        + b"</iati-activities>"
    )
    before = dump(store)
    with pytest.raises(IatiImportError, match="enc.xml"):
        import_paths(store, [bad], root=tmp_path)
    assert dump(store) == before


def test_latin1_bytes_declared_utf8(store: EmbeddedStore, tmp_path: Path) -> None:
    bad = tmp_path / "latin.xml"
    bad.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?><iati-activities version="2.03">'
        + ACTIVITY.format("Caf\u00e9").encode("latin-1")
        + b"</iati-activities>"
    )
    before = dump(store)
    with pytest.raises(IatiImportError, match=r"latin\.xml:1:\d+: malformed XML"):
        import_paths(store, [bad], root=tmp_path)
    assert dump(store) == before


def test_a_bad_file_among_good_ones_changes_nothing(store: EmbeddedStore, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.xml").write_bytes(GOOD.read_bytes().replace(b"XM-TEST-", b"XM-OTHER-"))
    (folder / "b.xml").write_text('<iati-activities version="2.03">' + ACTIVITY.format("t"))
    before = dump(store)
    with pytest.raises(IatiImportError, match="b.xml"):
        import_paths(store, [folder], root=tmp_path)
    assert dump(store) == before


def test_strict_refuses_schema_invalid_activities(
    empty_store: EmbeddedStore, tmp_path: Path
) -> None:
    bad = tmp_path / "invalid.xml"
    # no reporting-org narrative is fine; an unknown element in iati-activity is not
    bad.write_text(
        '<iati-activities version="2.03">'
        + ACTIVITY.format("t").replace("</iati-activity>", "<not-iati/></iati-activity>")
        + "</iati-activities>"
    )
    with pytest.raises(IatiImportError, match="schema-invalid"):
        import_paths(empty_store, [bad], root=tmp_path, strict=True)
    assert len(empty_store) == 0
    report = import_paths(empty_store, [bad], root=tmp_path)
    assert report.files[0].xsd_invalid_activities == 1
    assert report.files[0].fallbacks["/iati-activities/iati-activity/not-iati"] == 1


def test_zip_archives_import_member_by_member(empty_store: EmbeddedStore, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(GOOD, "data/one.xml")
        zf.writestr("data/readme.txt", "not xml")
    report = import_paths(empty_store, [archive], root=tmp_path)
    assert [f.graph for f in report.files] == [
        "https://w3id.org/devgraph/graph/bundle.zip/data/one.xml"
    ]
    assert report.activities == 2

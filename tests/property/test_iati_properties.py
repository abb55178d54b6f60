"""Properties of the IATI reader and importer, over generated activities and bytes.

What must hold for every input, not just the samples: whatever text a publisher puts in
an identifier, a title or an amount comes back out of the store exactly (identifiers
trimmed, amounts as exact decimals), every minted IRI is valid and decodes back to the
identifier; importing is deterministic; and arbitrary bytes are either imported or refused
with :class:`IatiImportError`, never another exception, and a refusal changes nothing.
"""

from __future__ import annotations

import io
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from devgraph.iati import IatiImportError, import_paths
from devgraph.namespaces import ACTIVITY, META_GRAPH
from devgraph.store import EmbeddedStore

DG = "https://w3id.org/devgraph/ontology#"
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters XML 1.0 can carry (no C0 controls but tab/newline; no surrogates; no U+FFFE/F).
# Carriage returns are excluded: XML parsers normalise them to line feeds, as they must.
xml_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="\ufffe\uffff",
    )
    | st.sampled_from(" \t\n<>&\"'{}|^`\\#%/?"),
    min_size=1,
    max_size=40,
)
identifier = xml_text.filter(lambda s: s.strip() != "")
amount = st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), places=2, allow_nan=False
)


def activity_xml(activities: list[tuple[str, str, Decimal]]) -> bytes:
    root = etree.Element("iati-activities", version="2.03")
    for ident, title, value in activities:
        act = etree.SubElement(root, "iati-activity", {"default-currency": "EUR"})
        etree.SubElement(act, "iati-identifier").text = ident
        etree.SubElement(act, "reporting-org", ref="XM-PROP")
        etree.SubElement(etree.SubElement(act, "title"), "narrative").text = title
        tx = etree.SubElement(act, "transaction")
        etree.SubElement(tx, "transaction-type", code="3")
        etree.SubElement(tx, "transaction-date", {"iso-date": "2024-01-01"})
        etree.SubElement(tx, "value", {"value-date": "2024-01-01"}).text = str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def import_bytes(store: EmbeddedStore, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gen.xml"
        path.write_bytes(data)
        import_paths(store, [path], root=Path(tmp))


def dump(store: EmbeddedStore, *, without_meta: bool = False) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, format="nquads")
    lines = sorted(out.getvalue().splitlines())
    return [ln for ln in lines if not (without_meta and META_GRAPH.encode() in ln)]


@SETTINGS
@given(
    st.lists(
        st.tuples(identifier, xml_text, amount),
        min_size=1,
        max_size=3,
        unique_by=lambda a: a[0].strip(),
    )
)
def test_identifiers_titles_and_amounts_come_back_exactly(activities):
    store = EmbeddedStore(None)
    import_bytes(store, activity_xml(activities))
    rows = store.query(
        f"""SELECT ?a ?id ?amount WHERE {{ ?a <{DG}iatiIdentifier> ?id ;
              <{DG}transaction>/<{DG}value>/<{DG}amount> ?amount }}"""
    )
    got = {(r["a"].value, r["id"].value, Decimal(r["amount"].value)) for r in rows}
    published = {(ident.strip(), value) for ident, _title, value in activities}
    for a, ident, _value in got:
        assert a.startswith(ACTIVITY)
        assert unquote(a[len(ACTIVITY) :]) == ident  # the IRI decodes to the identifier
        ox.NamedNode(a)  # a valid IRI
    assert {(i, v) for _a, i, v in got} == published
    titles = {r["t"].value for r in store.query(f"SELECT ?t {{ ?a <{DG}title> ?t }}")}
    assert titles == {t.strip() for _i, t, _v in activities if t.strip()}


@SETTINGS
@given(st.lists(st.tuples(identifier, xml_text, amount), min_size=1, max_size=3))
def test_importing_is_deterministic(activities):
    one, two = EmbeddedStore(None), EmbeddedStore(None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gen.xml"
        path.write_bytes(activity_xml(activities))
        import_paths(one, [path], root=Path(tmp))
        import_paths(two, [path], root=Path(tmp))
    assert dump(one, without_meta=True) == dump(two, without_meta=True)


GOOD = activity_xml([("XM-PROP-1", "base", Decimal("1.00"))])


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=400),
        st.builds(lambda cut: GOOD[:cut], st.integers(0, len(GOOD))),
        st.builds(
            lambda at, junk: GOOD[:at] + junk + GOOD[at:],
            st.integers(0, len(GOOD)),
            st.binary(min_size=1, max_size=20),
        ),
    )
)
def test_any_bytes_are_imported_or_refused_cleanly_and_a_refusal_changes_nothing(data):
    store = EmbeddedStore(None)
    import_bytes(store, GOOD)
    before = dump(store)
    try:
        import_bytes(store, data)
    except IatiImportError as exc:
        assert "gen.xml" in str(exc)  # names the file
        assert dump(store) == before

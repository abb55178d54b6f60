"""The RDF/XML screen: namespace-abbreviating DTDs pass, amplifying or external ones do not."""

from __future__ import annotations

import pytest

from devgraph.load import LoadError, load_paths
from devgraph.store import EmbeddedStore
from devgraph.xmlguard import UnsafeXmlError, check_rdf_xml

RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/"'


def _doc(doctype: str, body: str = '<ex:p rdf:resource="&ex;o"/>') -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}<rdf:RDF {RDF}>'
        f'<rdf:Description rdf:about="http://e/s">{body}</rdf:Description></rdf:RDF>'
    ).encode()


PROTEGE = (
    '<!DOCTYPE rdf:RDF [<!ENTITY ex "http://e/"><!ENTITY owl "http://www.w3.org/2002/07/owl#">]>'
)


def test_protege_style_namespace_entities_load(tmp_path):
    path = tmp_path / "onto.owl"
    path.write_bytes(_doc(PROTEGE))
    store = EmbeddedStore(None)
    load_paths(store, [path], root=tmp_path)
    ask = store.query("ASK { GRAPH ?g { <http://e/s> <http://e/p> <http://e/o> } }")
    assert bool(ask)


@pytest.mark.parametrize(
    ("doctype", "needle"),
    [
        ('<!DOCTYPE rdf:RDF [<!ENTITY a "x"><!ENTITY ex "&a;&a;">]>', "refers to other entities"),
        ('<!DOCTYPE rdf:RDF [<!ENTITY ex SYSTEM "file:///etc/passwd">]>', "external entity"),
        ('<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/x.dtd">', "external DTD"),
        (f'<!DOCTYPE rdf:RDF [<!ENTITY ex "{"x" * 5000}">]>', "longer than"),
    ],
)
def test_hostile_doctypes_are_refused_with_a_reason(doctype, needle):
    with pytest.raises(UnsafeXmlError, match=needle):
        check_rdf_xml(_doc(doctype))


def test_nesting_deeper_than_the_limit_is_refused_and_the_store_is_unchanged(tmp_path):
    deep = "<ex:p><rdf:Description>" * 300 + "</rdf:Description></ex:p>" * 300
    (tmp_path / "deep.rdf").write_bytes(_doc("", deep))
    store = EmbeddedStore(None)
    with pytest.raises(LoadError, match="deeper than 256"):
        load_paths(store, [tmp_path / "deep.rdf"], root=tmp_path)
    assert len(store) == 0

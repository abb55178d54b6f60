"""The mapping of small hand-written files, fact by fact, and property-based round trips.

Why: the sample tests check counts; these check values (exact decimals, currencies,
languages, 1.0x codes, phantom links, the generic fallback, re-import semantics).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devgraph.iati import import_paths
from devgraph.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"
DG = "https://w3id.org/devgraph/ontology#"
ACT = "https://w3id.org/devgraph/id/activity/"
CL = "https://w3id.org/devgraph/codelist/"


def rows(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    result = store.query(f"PREFIX dg: <{DG}>\n" + query)
    return [{str(v)[1:]: r[v].value for v in result.variables if r[v] is not None} for r in result]


def test_v2_fixture_facts(empty_store: EmbeddedStore) -> None:
    report = import_paths(empty_store, [FIXTURES / "two-activities_v2.03.xml"], root=FIXTURES)
    fr = report.files[0]
    assert fr.warnings["trimmed-identifier"] == 1
    assert fr.fallbacks["/iati-activities/iati-activity/crs-add"] == 1
    assert fr.fallbacks["/iati-activities/iati-activity/crs-add/loan-terms/@rate-1"] == 1
    a1 = ACT + "XM-TEST-1"
    titles = rows(empty_store, f"SELECT ?t (LANG(?t) AS ?l) WHERE {{ <{a1}> dg:title ?t }}")
    assert {(r["t"], r["l"]) for r in titles} == {("Projet un", "fr"), ("Project one", "en")}
    amounts = rows(
        empty_store,
        f"""SELECT ?amount ?cur (DATATYPE(?amount) AS ?dt) WHERE {{
              <{a1}> dg:transaction/dg:value ?v . ?v dg:amount ?amount ; dg:currency ?cur }}""",
    )
    assert amounts == [
        {
            "amount": "1000000000000000000000.01",
            "cur": CL + "Currency/USD",
            "dt": "http://www.w3.org/2001/XMLSchema#decimal",
        }
    ]
    budget = rows(empty_store, f"SELECT ?c WHERE {{ <{a1}> dg:budget/dg:value/dg:currency ?c }}")
    assert budget == [{"c": CL + "Currency/EUR"}]  # default-currency fallback
    links = rows(
        empty_store,
        f"""SELECT ?p ?rel ?part WHERE {{ <{a1}> dg:transaction/dg:providerActivity ?p ;
              dg:relatedActivity ?rel ; dg:participation/dg:participantActivity ?part }}""",
    )
    assert links == [
        {"p": ACT + "XM-DONOR-ACT-1", "rel": ACT + "XM-TEST-2", "part": ACT + "XM-PARTNER-7"}
    ]
    phantom = rows(empty_store, f"SELECT ?p ?o WHERE {{ <{ACT}XM-DONOR-ACT-1> ?p ?o }}")
    assert phantom == []  # a plain IRI until its own file arrives
    names = rows(
        empty_store,
        f"""SELECT ?org WHERE {{ <{a1}> dg:participation ?p . ?p dg:role <{CL}OrganisationRole/4> ;
              dg:participant ?org }}""",
    )
    assert names == [
        {"org": "https://w3id.org/devgraph/id/organisation/XM-TEST/name/partenaire%20local"}
    ]
    assert fr.warnings["name-based-org"] == 1
    share = rows(
        empty_store,
        f"SELECT ?pct ?c WHERE {{ <{a1}> dg:countryShare [ dg:percentage ?pct ; dg:country ?c ] }}",
    )
    assert share == [{"pct": "100", "c": "https://w3id.org/devgraph/id/place/ML"}]


def test_v1_fixture_uses_v2_codes(empty_store: EmbeddedStore) -> None:
    import_paths(empty_store, [FIXTURES / "legacy_v1.03.xml"], root=FIXTURES)
    a = ACT + "GB-1-TEST-V1"
    types = rows(empty_store, f"SELECT ?c WHERE {{ <{a}> dg:transaction/dg:transactionType ?c }}")
    assert sorted(r["c"] for r in types) == [CL + "TransactionType/2", CL + "TransactionType/3"]
    roles = rows(empty_store, f"SELECT ?r WHERE {{ <{a}> dg:participation/dg:role ?r }}")
    assert sorted(r["r"] for r in roles) == [CL + "OrganisationRole/1", CL + "OrganisationRole/4"]
    facts = rows(
        empty_store,
        f"""SELECT ?title ?start ?voc ?rep WHERE {{ <{a}> dg:title ?title ; dg:plannedStart ?start ;
              dg:sectorShare/dg:vocabulary ?voc ; dg:reportingOrganisation ?rep }}""",
    )
    assert facts == [
        {
            "title": "Legacy project",
            "start": "2012-01-01",
            "voc": CL + "SectorVocabulary/1",
            "rep": "https://w3id.org/devgraph/id/organisation/GB-1",
        }
    ]


def test_reimport_replaces_exactly_the_file_graph(
    empty_store: EmbeddedStore, tmp_path: Path
) -> None:
    a = tmp_path / "a.xml"
    b = tmp_path / "b.xml"
    a.write_bytes((FIXTURES / "two-activities_v2.03.xml").read_bytes())
    b.write_bytes((FIXTURES / "legacy_v1.03.xml").read_bytes())
    import_paths(empty_store, [a, b], root=tmp_path)
    again = import_paths(empty_store, [a, b], root=tmp_path)
    assert [f.status for f in again.files] == ["unchanged", "unchanged"]
    a.write_bytes(a.read_bytes().replace(b"Projet un", b"Projet modifi\xc3\xa9"))
    import_paths(empty_store, [a], root=tmp_path)
    titles = {
        r["t"] for r in rows(empty_store, f"SELECT ?t WHERE {{ <{ACT}XM-TEST-1> dg:title ?t }}")
    }
    assert titles == {"Projet modifié", "Project one"}
    still = rows(empty_store, f"SELECT ?t WHERE {{ <{ACT}GB-1-TEST-V1> dg:title ?t }}")
    assert still == [{"t": "Legacy project"}]


# --- property-based: generated activities round-trip their facts -----------------------------

identifier = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ./:#%-]{0,20}[A-Za-z0-9]", fullmatch=True)
amount = st.decimals(min_value=-(10**15), max_value=10**15, places=2, allow_nan=False)
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s and s != "")
activity = st.fixed_dictionaries(
    {
        "id": identifier,
        "title": text,
        "lang": st.sampled_from(["EN", "fr", "Es", "ENG"]),
        "currency": st.sampled_from(["EUR", "USD", "XOF"]),
        "amounts": st.lists(amount, min_size=0, max_size=4),
        "tx_type": st.sampled_from(["1", "2", "3", "4", "11"]),
    }
)
LANGS = {"EN": "en", "fr": "fr", "Es": "es", "ENG": "en"}


def render(acts: list[dict]) -> str:
    body = []
    for a in acts:
        txs = "".join(
            f'<transaction><transaction-type code="{a["tx_type"]}"/>'
            f'<transaction-date iso-date="2024-01-01"/><value value-date="2024-01-01">{v}</value>'
            "</transaction>"
            for v in a["amounts"]
        )
        body.append(
            f"<iati-activity default-currency={quoteattr(a['currency'])}>"
            f"<iati-identifier>{escape(a['id'])}</iati-identifier>"
            '<reporting-org ref="XM-GEN"><narrative>Gen</narrative></reporting-org>'
            f"<title><narrative xml:lang={quoteattr(a['lang'])}>"
            f"{escape(a['title'])}</narrative></title>"
            f"{txs}</iati-activity>"
        )
    return '<iati-activities version="2.03">' + "".join(body) + "</iati-activities>"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(acts=st.lists(activity, min_size=1, max_size=4, unique_by=lambda a: a["id"]))
def test_generated_activities_round_trip(tmp_path: Path, acts: list[dict]) -> None:
    store = EmbeddedStore(None)
    path = tmp_path / "gen.xml"
    path.write_text(render(acts), encoding="utf-8")
    report = import_paths(store, [path], root=tmp_path, force=True)
    assert report.activities == len(acts)
    for a in acts:
        got = rows(
            store,
            """SELECT ?a ?t (LANG(?t) AS ?l) WHERE {
                 ?a dg:iatiIdentifier ?id ; dg:title ?t }""".replace(
                "?id", f'"{a["id"]}"'.replace("\\", "\\\\")
            ),
        )
        assert len(got) == 1
        assert got[0]["t"] == a["title"] and got[0]["l"] == LANGS[a["lang"]]
        txs = rows(
            store,
            f"""SELECT ?amount ?cur ?type WHERE {{ <{got[0]["a"]}> dg:transaction ?t .
                  ?t dg:transactionType ?type ;
                     dg:value [ dg:amount ?amount ; dg:currency ?cur ] }}""",
        )
        # exact decimals, never floats (the store writes the canonical form: 0.00 -> 0)
        assert sorted(Decimal(r["amount"]) for r in txs) == sorted(a["amounts"])
        assert {r["cur"] for r in txs} <= {CL + "Currency/" + a["currency"]}
        assert {r["type"] for r in txs} <= {CL + "TransactionType/" + a["tx_type"]}

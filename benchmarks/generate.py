"""Write a synthetic portfolio as RDF (N-Quads, N-Triples or Turtle) and as IATI 2.03 XML.

    python benchmarks/generate.py --activities 10000 --seed 42 --rdf out.nq --iati out.xml

The same seed gives the same bytes. Both outputs are written while the activities
are generated (a block of ten at a time), so 100 k activities need a few tens of MB
of memory, not the size of the graph. The RDF uses only terms of
``docs/vocabulary-contract.md`` and mints every node an IRI (no blank nodes).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

if __package__ in (None, ""):  # run as a script: make the sibling modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from iati_xml import IatiWriter  # noqa: E402
from portfolio import COUNTRIES, Activity, Organisation, Portfolio  # noqa: E402

from devgraph.namespaces import ACTIVITY as ACT  # noqa: E402
from devgraph.namespaces import BASE, DG, GEO, PLACE, RDF, XSD  # noqa: E402
from devgraph.namespaces import CODELIST as CL  # noqa: E402
from devgraph.namespaces import ORGANISATION as DGO  # noqa: E402

RDF_TYPE = RDF + "type"
GRAPH = BASE + "graph/synthetic/"

PREFIXES = {"dg": DG, "act": ACT, "dgo": DGO, "place": PLACE, "xsd": XSD, "geo": GEO}
DONOR_COUNTRIES = (("FR", "France"), ("BE", "Belgium"), ("DE", "Germany"), ("GB", "United Kingdom"))
SITES_PER_COUNTRY = 20

Triple = tuple[str, str, str]  # N-Triples terms


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{text}"@{lang}'
    return f'"{text}"' + (f"^^<{datatype}>" if datatype else "")


def dg(local: str) -> str:
    return f"<{DG}{local}>"


def cl(scheme: str, code: str) -> str:
    return f"<{CL}{scheme}/{code}>"


A = f"<{RDF_TYPE}>"


def reference_triples(portfolio: Portfolio) -> Iterator[Triple]:
    """Places and organisations, written once before the activities."""
    for iso, name, _lat, _lon in COUNTRIES:
        yield from _country(iso, name)
        for n in range(1, SITES_PER_COUNTRY + 1):
            site = iri(f"{PLACE}{iso}-site-{n:02d}")
            yield site, A, dg("Locality")
            yield site, dg("name"), lit(f"Site {n}, {name}", lang="en")
            yield site, dg("within"), iri(PLACE + iso)
    for iso, name in DONOR_COUNTRIES:
        yield from _country(iso, name)
    for org in portfolio.organisations:
        yield from _organisation(org)


def _country(iso: str, name: str) -> Iterator[Triple]:
    place = iri(PLACE + iso)
    yield place, A, dg("Country")
    yield place, dg("name"), lit(name, lang="en")
    yield place, dg("isoCode"), lit(iso, XSD + "string")
    yield place, dg("countryCode"), cl("Country", iso)


def _organisation(org: Organisation) -> Iterator[Triple]:
    s = iri(DGO + org.key)
    yield s, A, dg("Organisation")
    yield s, dg("name"), lit(org.name, lang="en")
    yield s, dg("orgIdentifier"), lit(org.ref, XSD + "string")
    yield s, dg("organisationType"), cl("OrganisationType", org.type_code)
    yield s, dg("basedIn"), iri(PLACE + org.country)


def activity_triples(act: Activity) -> Iterator[Triple]:
    """About a hundred triples describing one activity and its parts."""
    base = ACT + act.key
    s = iri(base)
    d = XSD + "date"
    dec = XSD + "decimal"
    yield s, A, dg("Activity")
    yield s, dg("iatiIdentifier"), lit(act.identifier, XSD + "string")
    yield s, dg("title"), lit(act.title_en, lang="en")
    yield s, dg("title"), lit(act.title_fr, lang="fr")
    yield s, dg("description"), lit(act.description, lang="en")
    yield s, dg("objective"), lit(act.objective, lang="en")
    yield s, dg("activityStatus"), cl("ActivityStatus", act.status)
    yield s, dg("plannedStart"), lit(act.start.isoformat(), d)
    yield s, dg("plannedEnd"), lit(act.end.isoformat(), d)
    if act.actual_start:
        yield s, dg("actualStart"), lit(act.actual_start.isoformat(), d)
    yield s, dg("reportingOrganisation"), iri(DGO + act.reporting.key)
    for n, (org, role, other) in enumerate(act.participations, 1):
        p = iri(f"{base}/participation/{n}")
        yield s, dg("participation"), p
        yield p, A, dg("Participation")
        yield p, dg("participant"), iri(DGO + org.key)
        yield p, dg("role"), cl("OrganisationRole", role)
        if other:
            yield p, dg("participantActivity"), iri(ACT + other.key)
    for iso, pct in act.countries:
        share = iri(f"{base}/country/{iso}")
        yield s, dg("recipientCountry"), iri(PLACE + iso)
        yield s, dg("countryShare"), share
        yield share, A, dg("CountryShare")
        yield share, dg("country"), iri(PLACE + iso)
        yield share, dg("percentage"), lit(str(pct), dec)
    for code, pct in act.sectors:
        share = iri(f"{base}/sector/{code}")
        yield s, dg("sector"), cl("Sector", code)
        yield s, dg("sectorShare"), share
        yield share, A, dg("SectorShare")
        yield share, dg("sector"), cl("Sector", code)
        yield share, dg("percentage"), lit(str(pct), dec)
        yield share, dg("vocabulary"), cl("SectorVocabulary", "1")
    iso, site, lat, lon = act.location
    loc = iri(f"{base}/location/1")
    yield s, dg("location"), loc
    yield loc, A, dg("Location")
    yield loc, dg("locationPlace"), iri(f"{PLACE}{iso}-site-{site:02d}")
    yield loc, dg("name"), lit(f"Site {site}", lang="en")
    yield loc, dg("point"), lit(f"POINT({lon:.4f} {lat:.4f})", GEO + "wktLiteral")
    for n, (start, end, amount, btype, status) in enumerate(act.budgets, 1):
        b = f"{base}/budget/{n}"
        yield s, dg("budget"), iri(b)
        yield iri(b), A, dg("Budget")
        yield iri(b), dg("periodStart"), lit(start.isoformat(), d)
        yield iri(b), dg("periodEnd"), lit(end.isoformat(), d)
        yield iri(b), dg("budgetType"), cl("BudgetType", btype)
        yield iri(b), dg("budgetStatus"), cl("BudgetStatus", status)
        yield from _amount(iri(b), b + "/value", amount, act.currency, start.isoformat())
    for n, tx in enumerate(act.transactions, 1):
        t = f"{base}/transaction/{n}"
        yield s, dg("transaction"), iri(t)
        yield iri(t), A, dg("Transaction")
        yield iri(t), dg("transactionType"), cl("TransactionType", tx.type_code)
        yield iri(t), dg("transactionDate"), lit(tx.day.isoformat(), d)
        yield iri(t), dg("providerOrganisation"), iri(DGO + tx.provider.key)
        yield iri(t), dg("receiverOrganisation"), iri(DGO + tx.receiver.key)
        if tx.provider_activity:
            yield iri(t), dg("providerActivity"), iri(ACT + tx.provider_activity.key)
        if tx.receiver_activity:
            yield iri(t), dg("receiverActivity"), iri(ACT + tx.receiver_activity.key)
        yield from _amount(iri(t), t + "/value", tx.amount, act.currency, tx.day.isoformat())
    if act.result:
        rtype, _measure, title, baseline, target, actual = act.result
        r = f"{base}/result/1"
        ind = r + "/indicator/1"
        per = ind + "/period/1"
        yield s, dg("result"), iri(r)
        yield iri(r), A, dg("Result")
        yield iri(r), dg("resultCode"), lit("R1", XSD + "string")
        yield iri(r), dg("title"), lit(title, lang="en")
        yield iri(r), dg("resultType"), cl("ResultType", rtype)
        yield iri(r), dg("indicator"), iri(ind)
        yield iri(ind), A, dg("Indicator")
        yield iri(ind), dg("title"), lit(title, lang="en")
        yield iri(ind), dg("measure"), cl("IndicatorMeasure", "1")
        yield iri(ind), dg("baseline"), iri(ind + "/baseline")
        yield iri(ind + "/baseline"), A, dg("Baseline")
        yield iri(ind + "/baseline"), dg("numericValue"), lit(baseline, dec)
        yield iri(ind), dg("period"), iri(per)
        yield iri(per), A, dg("ResultPeriod")
        yield iri(per), dg("periodStart"), lit(act.start.isoformat(), d)
        yield iri(per), dg("periodEnd"), lit(act.end.isoformat(), d)
        yield iri(per), dg("target"), iri(per + "/target")
        yield iri(per + "/target"), A, dg("Target")
        yield iri(per + "/target"), dg("numericValue"), lit(target, dec)
        yield iri(per), dg("actual"), iri(per + "/actual")
        yield iri(per + "/actual"), A, dg("Actual")
        yield iri(per + "/actual"), dg("numericValue"), lit(actual, dec)


def _amount(owner: str, node: str, amount: str, currency: str, day: str) -> Iterator[Triple]:
    yield owner, dg("value"), iri(node)
    yield iri(node), A, dg("MonetaryAmount")
    yield iri(node), dg("amount"), lit(amount, XSD + "decimal")
    yield iri(node), dg("currency"), cl("Currency", currency)
    yield iri(node), dg("valueDate"), lit(day, XSD + "date")


class RdfWriter:
    """Writes triples as N-Quads (into one named graph), N-Triples or Turtle."""

    def __init__(self, out: IO[str], fmt: str, *, graph: str) -> None:
        self.out = out
        self.fmt = fmt
        self.graph = f" <{graph}>" if fmt == "nquads" else ""
        if fmt == "turtle":
            out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")

    def write(self, triples: Iterable[Triple]) -> int:
        lines: list[str] = []
        count = 0
        if self.fmt == "turtle":
            subject = None
            for s, p, o in triples:
                count += 1
                if s != subject:
                    if subject is not None:
                        lines.append(" .\n")
                    lines.append(f"{_short(s)} {_short(p) if p != A else 'a'} {_short(o)}")
                    subject = s
                else:
                    lines.append(f" ;\n    {_short(p) if p != A else 'a'} {_short(o)}")
            if subject is not None:
                lines.append(" .\n")
        else:
            for s, p, o in triples:
                count += 1
                lines.append(f"{s} {p} {o}{self.graph} .\n")
        self.out.write("".join(lines))
        return count


def _short(term: str) -> str:
    """Abbreviate an IRI with a declared prefix when the local part is a plain name."""
    if term.startswith("<"):
        value = term[1:-1]
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns):
                local = value[len(ns) :]
                if local and all(c.isalnum() or c in "_-" for c in local) and local[-1] != "-":
                    return f"{prefix}:{local}"
        return term
    if term.startswith('"') and "^^<" in term:
        body, _, dt = term.rpartition("^^")
        return f"{body}^^{_short(dt)}"
    return term


FORMATS = {".nq": "nquads", ".nt": "ntriples", ".ttl": "turtle"}


def generate(
    activities: int,
    *,
    seed: int = 42,
    rdf: Path | None = None,
    iati: Path | None = None,
) -> dict[str, int]:
    """Write the requested outputs; return counts (activities, organisations, triples)."""
    if rdf is None and iati is None:
        raise ValueError("name at least one output (rdf or iati)")
    portfolio = Portfolio(activities, seed=seed)
    fmt = FORMATS.get(rdf.suffix.lower()) if rdf else None
    if rdf is not None and fmt is None:
        raise ValueError(f"{rdf}: RDF output must end in one of {', '.join(FORMATS)}")
    counts = {"activities": 0, "organisations": len(portfolio.organisations), "triples": 0}
    with _open(rdf) as rdf_out, _open(iati) as iati_out:
        rdf_writer = (
            RdfWriter(rdf_out, fmt, graph=f"{GRAPH}{activities}-{seed}")
            if rdf_out and fmt
            else None
        )
        xml_writer = IatiWriter(iati_out) if iati_out else None
        if rdf_writer:
            counts["triples"] += rdf_writer.write(reference_triples(portfolio))
        batch: list[Activity] = []
        for act in portfolio.activities():
            batch.append(act)
            counts["activities"] += 1
            if len(batch) == 100:
                _flush(batch, rdf_writer, xml_writer, counts)
        _flush(batch, rdf_writer, xml_writer, counts)
        if xml_writer:
            xml_writer.close()
    return counts


def _flush(
    batch: list[Activity],
    rdf_writer: RdfWriter | None,
    xml_writer: IatiWriter | None,
    counts: dict[str, int],
) -> None:
    for act in batch:
        if rdf_writer:
            counts["triples"] += rdf_writer.write(activity_triples(act))
        if xml_writer:
            xml_writer.write(act)
    batch.clear()


class _open:
    """Open an output for writing in UTF-8 (or give None when there is no such output)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.file: IO[str] | None = None

    def __enter__(self) -> IO[str] | None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.path.open("w", encoding="utf-8", buffering=1 << 20)
        return self.file

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rdf", type=Path, help="RDF output: .nq, .nt or .ttl")
    parser.add_argument("--iati", type=Path, help="IATI 2.03 XML output")
    args = parser.parse_args(argv)
    if args.rdf is None and args.iati is None:
        parser.error("give --rdf and/or --iati")
    started = time.perf_counter()
    counts = generate(args.activities, seed=args.seed, rdf=args.rdf, iati=args.iati)
    took = time.perf_counter() - started
    print(
        f"{counts['activities']} activities, {counts['organisations']} organisations, "
        f"{counts['triples']} triples in {took:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

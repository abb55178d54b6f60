"""Double counting and boundaries, the way OCHA's Financial Tracking Service does it.

The same flow is often reported twice: the provider's disbursement (type 3) or outgoing
commitment (2), and the receiver's incoming funds (1) or incoming commitment (11).
:func:`reconcile` pairs them — same provider, same receiver, matching type pair, value dates
within a window, normalised amounts within a tolerance — and reports each flow once as
``matched``, ``conflicting`` (a counterpart exists in the window but the amounts disagree) or
``one-sided`` (only one end reported it).

:func:`split` then places every reconciled flow against a boundary (a set of organisations;
:func:`country_boundary` and :func:`sector_boundary` build one from the data): ``incoming``
(from outside to inside: new money), ``internal`` (pass-through, not new money) or
``outgoing``. Counting incoming flows only, once each, is what keeps pass-through money
from being counted at every hop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pyoxigraph as ox

from devgraph.namespaces import DG, PLACE
from devgraph.network.flows import FlowEdge, FlowGraph
from devgraph.store import GraphStore

PAIRS = {"3": ("1", "disbursement"), "2": ("11", "commitment")}
"""Provider-side type → (receiver-side type, kind of flow)."""


@dataclass(frozen=True)
class Flow:
    """One flow counted once, with the records each end published."""

    provider: str
    receiver: str
    kind: str
    """``disbursement``, ``commitment``, or ``inferred`` (from roles, no amount)."""
    status: str
    """``matched``, ``conflicting``, ``one-sided`` or ``inferred``."""
    provider_record: FlowEdge | None = None
    receiver_record: FlowEdge | None = None

    @property
    def counted(self) -> FlowEdge | None:
        """The record whose amount counts: the provider's when both exist (it paid)."""
        return self.provider_record or self.receiver_record

    @property
    def eur(self) -> Decimal | None:
        rec = self.counted
        return rec.eur if rec else None


@dataclass
class Reconciliation:
    flows: list[Flow] = field(default_factory=list)

    def by_status(self, status: str) -> list[Flow]:
        return [f for f in self.flows if f.status == status]

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for f in self.flows:
            counts[f.status] += 1
        return dict(counts)


def _day(value: str | None) -> date | None:
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _comparable(a: FlowEdge, b: FlowEdge) -> tuple[Decimal, Decimal] | None:
    """Amounts to compare: published ones when the currency is the same, else EUR."""
    if a.amount is not None and b.amount is not None and a.currency == b.currency:
        return a.amount, b.amount
    if a.eur is not None and b.eur is not None:
        return a.eur, b.eur
    return None


def amounts_agree(a: FlowEdge, b: FlowEdge, tolerance: Decimal) -> bool | None:
    """True within ``tolerance`` (relative), False outside, None when not comparable."""
    pair = _comparable(a, b)
    if pair is None:
        return None
    x, y = pair
    scale = max(abs(x), abs(y))
    return scale == 0 or abs(x - y) <= tolerance * scale


def reconcile(
    fg: FlowGraph,
    *,
    window_days: int = 90,
    tolerance: Decimal = Decimal("0.01"),
) -> Reconciliation:
    """Pair provider-side and receiver-side reports of the same flow.

    Within each (provider, receiver, kind) group, exact matches (amounts within
    ``tolerance``, dates within ``window_days``) are taken first, closest dates first; then
    leftover pairs still within the window are ``conflicting``; what is left is
    ``one-sided``. Role-inferred edges have no amounts and are passed through as ``inferred``.
    """
    groups: dict[tuple[str, str, str], tuple[list[FlowEdge], list[FlowEdge]]] = defaultdict(
        lambda: ([], [])
    )
    result = Reconciliation()
    receiver_kinds = {rtype: kind for rtype, kind in PAIRS.values()}
    for e in fg.edges:
        if e.kind == "inferred":
            result.flows.append(Flow(e.source, e.target, "inferred", "inferred", e))
        elif e.tx_type in PAIRS:
            groups[(e.source, e.target, PAIRS[e.tx_type][1])][0].append(e)
        elif e.tx_type in receiver_kinds:
            groups[(e.source, e.target, receiver_kinds[e.tx_type])][1].append(e)
    for (provider, receiver, kind), (sent, got) in sorted(groups.items()):
        candidates = []
        for i, a in enumerate(sent):
            for j, b in enumerate(got):
                da, db = _day(a.date), _day(b.date)
                if da is None or db is None or abs((da - db).days) > window_days:
                    continue
                candidates.append((abs((da - db).days), i, j, amounts_agree(a, b, tolerance)))
        used_a: set[int] = set()
        used_b: set[int] = set()
        for wanted in (True, None, False):
            for _gap, i, j, agree in sorted(candidates, key=lambda c: c[:3]):
                if agree is not wanted or i in used_a or j in used_b:
                    continue
                used_a.add(i)
                used_b.add(j)
                status = "matched" if agree else "conflicting"
                result.flows.append(Flow(provider, receiver, kind, status, sent[i], got[j]))
        for i, a in enumerate(sent):
            if i not in used_a:
                result.flows.append(Flow(provider, receiver, kind, "one-sided", a, None))
        for j, b in enumerate(got):
            if j not in used_b:
                result.flows.append(Flow(provider, receiver, kind, "one-sided", None, b))
    return result


@dataclass
class BoundaryReport:
    """Flows against a boundary, each counted once; totals in EUR."""

    members: set[str]
    incoming: list[Flow] = field(default_factory=list)
    internal: list[Flow] = field(default_factory=list)
    outgoing: list[Flow] = field(default_factory=list)

    def total(self, part: str, *, kind: str = "disbursement") -> Decimal:
        """EUR sum of one part's flows of ``kind`` (flows without a EUR figure are skipped)."""
        flows: list[Flow] = getattr(self, part)
        return sum((f.eur for f in flows if f.kind == kind and f.eur is not None), Decimal(0))

    def unpriced(self, part: str) -> int:
        """How many flows of a part have no EUR figure (inferred, or not convertible)."""
        return sum(1 for f in getattr(self, part) if f.eur is None)


def split(reconciliation: Reconciliation, members: set[str]) -> BoundaryReport:
    """Incoming, internal and outgoing flows of a set of organisations."""
    report = BoundaryReport(members=set(members))
    for f in reconciliation.flows:
        inside = (f.provider in members, f.receiver in members)
        if inside == (False, True):
            report.incoming.append(f)
        elif inside == (True, True):
            report.internal.append(f)
        elif inside == (True, False):
            report.outgoing.append(f)
    return report


def _members(store: GraphStore, query: str, bindings: dict[str, ox.NamedNode]) -> set[str]:
    rows = store.query(query, bindings=bindings)
    assert isinstance(rows, ox.QuerySolutions)
    return {r["org"].value for r in rows}


def country_boundary(store: GraphStore, place: str) -> set[str]:
    """Organisations inside a country or region: based there, or implementing activities there.

    ``place`` is a place IRI or an ISO code (``ML``, ``GN-K``). An implementer (role 4) of an
    activity whose recipient country or location lies in the place counts as inside: money
    reaching it has reached the place.
    """
    iri = place if "://" in place else PLACE + place
    query = f"""PREFIX dg: <{DG}>
SELECT DISTINCT ?place ?org WHERE {{
  {{ ?org dg:basedIn ?in . ?in dg:within* ?place }}
  UNION {{
    ?activity dg:participation ?p . ?p dg:participant ?org ;
      dg:role <https://w3id.org/devgraph/codelist/OrganisationRole/4> .
    {{ ?activity dg:recipientCountry ?in }} UNION {{ ?activity dg:location/dg:locationPlace ?in }}
    ?in dg:within* ?place
  }}
}}"""
    return _members(store, query, {"place": ox.NamedNode(iri)})


def sector_boundary(store: GraphStore, sector: str) -> set[str]:
    """Implementers of activities in a sector (a 5-digit code, or a 3-digit category prefix)."""
    query = f"""PREFIX dg: <{DG}>
SELECT DISTINCT ?s ?org WHERE {{
  ?activity dg:sector ?s ; dg:participation ?p .
  ?p dg:participant ?org ;
     dg:role <https://w3id.org/devgraph/codelist/OrganisationRole/4> .
}}"""
    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    return {r["org"].value for r in rows if r["s"].value.rsplit("/", 1)[-1].startswith(sector)}

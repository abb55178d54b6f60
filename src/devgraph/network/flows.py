"""The flow graph: who passes money to whom (built from the store by :mod:`.build`).

Organisation → organisation edges come from transactions (provider → receiver). Where an
activity has no transaction naming both ends, its participations stand in, marked
``inferred``: funding (role 1) → extending (3) → implementing (4); when one implementer is the
lead (``dgr:lead-implementer``), money goes funder → lead → the other implementing or
operational partners. Activity → activity edges come from provider/receiver activities,
``participating-org/@activity-id`` and parent/child related activities. An activity that is
only referenced (no title, participation or transaction published) is a *phantom*.

Amounts stay per original currency; the EUR/USD figures are the ones :mod:`devgraph.money`
derived (or the publisher stated), so this module never converts anything itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import networkx as nx

from devgraph.namespaces import CODELIST

ROLE = CODELIST + "OrganisationRole/"
TX_TYPE = CODELIST + "TransactionType/"
PARTNER_ROLE = CODELIST + "PartnerRole/"
OUTGOING = frozenset({"2", "3", "4"})
"""Reported by the provider: outgoing commitment, disbursement, expenditure."""
INCOMING = frozenset({"1", "11"})
"""Reported by the receiver: incoming funds, incoming commitment."""
COMMITMENTS = frozenset({"2", "11"})
MONEY_PARTNERS = frozenset({"implementing-partner", "operational-partner"})
"""Finer roles that receive money from a lead implementer (technical/support partners do not)."""


@dataclass(frozen=True)
class FlowEdge:
    """One organisation → organisation flow: a transaction, or inferred from roles."""

    source: str
    target: str
    activity: str
    kind: str
    """``transaction`` or ``inferred``."""
    transaction: str | None = None
    tx_type: str | None = None
    date: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    eur: Decimal | None = None
    usd: Decimal | None = None
    provider_activity: str | None = None
    receiver_activity: str | None = None
    implicit: bool = False
    """One end was not stated and is the reporting organisation (IATI's convention)."""

    @property
    def side(self) -> str:
        """Who reported it: ``provider`` (outgoing types), ``receiver`` (incoming) or ``other``."""
        if self.tx_type in OUTGOING:
            return "provider"
        if self.tx_type in INCOMING:
            return "receiver"
        return "other"


@dataclass(frozen=True)
class ActivityLink:
    """Money (or a parent/child relation) going from one activity to another."""

    source: str
    target: str
    via: str
    """``transaction``, ``participating-org`` or ``related-activity``."""


@dataclass
class FlowGraph:
    """Edges plus what is needed to label and filter them."""

    edges: list[FlowEdge] = field(default_factory=list)
    links: list[ActivityLink] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    identifiers: dict[str, str] = field(default_factory=dict)
    """IATI identifier (activities) or organisation ref, by IRI."""
    activities: set[str] = field(default_factory=set)
    phantoms: set[str] = field(default_factory=set)
    partners: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per activity: organisation → its role code (1–4), for partner overlap and 3W."""
    countries: dict[str, set[str]] = field(default_factory=dict)
    """Per activity: recipient country codes (ISO 3166-1 alpha-2)."""
    sectors: dict[str, set[str]] = field(default_factory=dict)
    """Per activity: sector codes (DAC 5-digit as published)."""

    def subset(
        self, *, country: str | None = None, sector: str | None = None, funder: str | None = None
    ) -> FlowGraph:
        """Only the edges of activities in ``country`` / ``sector`` and downstream of ``funder``."""
        keep = list(self.edges)
        if country:
            keep = [e for e in keep if country in self.countries.get(e.activity, set())]
        if sector:
            keep = [
                e
                for e in keep
                if any(s.startswith(sector) for s in self.sectors.get(e.activity, ()))
            ]
        if funder:
            start = self.resolve(funder) or funder
            g = nx.DiGraph([(e.source, e.target) for e in keep])
            reach = (nx.descendants(g, start) | {start}) if start in g else set()
            keep = [e for e in keep if e.source in reach and e.target in reach]
        acts = {e.activity for e in keep}
        return FlowGraph(
            edges=keep,
            links=[x for x in self.links if x.source in acts or x.target in acts],
            labels=self.labels,
            identifiers=self.identifiers,
            activities=self.activities,
            phantoms=self.phantoms,
            partners={a: p for a, p in self.partners.items() if a in acts},
            countries=self.countries,
            sectors=self.sectors,
        )

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or self.identifiers.get(iri) or iri.rsplit("/", 1)[-1]

    def resolve(self, name: str) -> str | None:
        """An IRI from an IRI, an IATI identifier / org ref, or an IRI's last segment."""
        if name in self.labels or name in self.identifiers or name in self.activities:
            return name
        for iri, ident in self.identifiers.items():
            if ident == name:
                return iri
        tails = [i for i in {*self.labels, *self.activities} if i.rsplit("/", 1)[-1] == name]
        return tails[0] if len(tails) == 1 else None

    def organisation_graph(self) -> nx.MultiDiGraph:
        """Every edge kept (one per transaction or inferred link), nodes labelled."""
        g = nx.MultiDiGraph()
        for e in self.edges:
            for n in (e.source, e.target):
                if n not in g:
                    g.add_node(n, label=self.label(n), identifier=self.identifiers.get(n, ""))
            g.add_edge(e.source, e.target, kind=e.kind, activity=e.activity, tx_type=e.tx_type)
        return g

    def weighted_graph(self) -> nx.DiGraph:
        """One edge per organisation pair, with money counted once (see :func:`pair_totals`)."""
        g = nx.DiGraph()
        for (s, t), totals in pair_totals(self.edges).items():
            for n in (s, t):
                if n not in g:
                    g.add_node(n, label=self.label(n), identifier=self.identifiers.get(n, ""))
            g.add_edge(s, t, **totals)
        return g

    def activity_graph(self) -> nx.DiGraph:
        """Activity → activity money links; phantom activities flagged on their node."""
        g = nx.DiGraph()
        for link in self.links:
            for n in (link.source, link.target):
                if n not in g:
                    g.add_node(
                        n,
                        label=self.label(n),
                        identifier=self.identifiers.get(n, ""),
                        phantom=n in self.phantoms,
                    )
            g.add_edge(link.source, link.target, via=link.via)
        return g


def pair_totals(edges: list[FlowEdge]) -> dict[tuple[str, str], dict[str, object]]:
    """Per (provider, receiver): counts and EUR totals with each flow counted once.

    A flow reported by both ends appears twice (the provider's disbursement, the receiver's
    incoming funds); summing both would double it. So the disbursed figure of a pair is the
    larger of what the provider reported (types 3, 4) and what the receiver reported (type 1),
    and likewise for commitments (2 vs 11). Exact per-flow matching is
    :func:`devgraph.network.boundary.reconcile`.
    """
    acc: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    meta: dict[tuple[str, str], dict[str, object]] = defaultdict(lambda: {"count": 0})
    for e in edges:
        key = (e.source, e.target)
        m = meta[key]
        m["count"] = int(m["count"]) + 1  # type: ignore[call-overload]
        m["inferred"] = bool(m.get("inferred", True)) and e.kind == "inferred"
        if e.eur is None or e.tx_type is None:
            continue
        kind = "commit" if e.tx_type in COMMITMENTS else "disb"
        acc[key][f"{kind}_{e.side}"] += e.eur
    out = {}
    for key, m in meta.items():
        a = acc[key]
        disbursed = max(a["disb_provider"], a["disb_receiver"])
        committed = max(a["commit_provider"], a["commit_receiver"])
        out[key] = {
            **m,
            "disbursed_eur": float(disbursed),
            "committed_eur": float(committed),
            "weight": float(disbursed or committed) or 1.0,
        }
    return out

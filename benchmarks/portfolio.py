"""A synthetic IATI-like portfolio, generated block by block so any size streams.

Activities come in blocks of ten that form a funding tree: one funder activity
(tier 0) passes money to three intermediary activities (tier 1), each of which passes
it to two implementer activities (tier 2). Transactions name both organisations and
both activities, so who-funds-whom chains are two hops long, as in real IATI data.
Organisations are drawn with Zipf weights, so a few big funders and implementers
take part in many activities and most organisations in one or two.

Each block has its own random generator seeded from ``(seed, block)``: the output is
identical for a given seed whatever the writer, and nothing but the organisations
(a few per hundred activities) is ever held in memory.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

BLOCK = 10
CHILDREN: dict[int, tuple[int, ...]] = {0: (1, 2, 3), 1: (4, 5), 2: (6, 7), 3: (8, 9)}
"""Position in a block → positions of the activities it funds."""

# (ISO 3166-1 alpha-2, English name, latitude, longitude) of recipient countries.
COUNTRIES: tuple[tuple[str, str, float, float], ...] = (
    ("SN", "Senegal", 14.5, -14.4),
    ("ML", "Mali", 17.6, -4.0),
    ("BF", "Burkina Faso", 12.2, -1.6),
    ("NE", "Niger", 17.6, 8.1),
    ("GN", "Guinea", 9.9, -9.7),
    ("CI", "Côte d'Ivoire", 7.5, -5.5),
    ("BJ", "Benin", 9.3, 2.3),
    ("TG", "Togo", 8.6, 0.8),
    ("CD", "Congo, The Democratic Republic of the", -4.0, 21.8),
    ("RW", "Rwanda", -1.9, 29.9),
    ("UG", "Uganda", 1.4, 32.3),
    ("KE", "Kenya", 0.0, 37.9),
    ("ET", "Ethiopia", 9.1, 40.5),
    ("TZ", "Tanzania, United Republic of", -6.4, 34.9),
    ("MZ", "Mozambique", -18.7, 35.5),
    ("MG", "Madagascar", -18.8, 47.0),
    ("MA", "Morocco", 31.8, -7.1),
    ("HT", "Haiti", 18.9, -72.3),
    ("BO", "Bolivia, Plurinational State of", -16.3, -63.6),
    ("PE", "Peru", -9.2, -75.0),
    ("KH", "Cambodia", 12.6, 104.9),
    ("VN", "Viet Nam", 14.1, 108.3),
    ("NP", "Nepal", 28.4, 84.1),
    ("BD", "Bangladesh", 23.7, 90.4),
)

# Active DAC 5-digit purpose codes (IATI Sector codelist, vocabulary 1), with a word
# used to build readable titles.
SECTORS: tuple[tuple[str, str], ...] = (
    ("11110", "education policy"),
    ("11220", "primary education"),
    ("11330", "vocational training"),
    ("12110", "health policy"),
    ("12220", "basic health care"),
    ("12240", "basic nutrition"),
    ("12250", "infectious disease control"),
    ("13020", "reproductive health care"),
    ("14020", "water supply and sanitation"),
    ("14030", "basic drinking water"),
    ("15110", "public sector policy"),
    ("15150", "democratic participation"),
    ("15170", "women's rights organisations"),
    ("16010", "social protection"),
    ("21020", "road transport"),
    ("23210", "energy generation"),
    ("24030", "formal financial intermediaries"),
    ("25010", "business policy"),
    ("31120", "agricultural development"),
    ("31140", "agricultural water resources"),
    ("31161", "food crop production"),
    ("31166", "agricultural extension"),
    ("31191", "agricultural services"),
    ("31220", "forestry development"),
    ("32130", "small and medium enterprises"),
    ("41010", "environmental policy"),
    ("41030", "biodiversity"),
    ("43040", "rural development"),
    ("72010", "material relief assistance"),
    ("74020", "multi-hazard response preparedness"),
)

CURRENCIES: tuple[tuple[str, float], ...] = (("EUR", 0.5), ("USD", 0.3), ("GBP", 0.1), ("XOF", 0.1))
CURRENCY_SCALE = {"EUR": 1.0, "USD": 1.1, "GBP": 0.85, "XOF": 655.957}
"""Rough units per euro, so amounts look plausible in every currency."""

ORG_TYPES = {0: ("10", "40"), 1: ("21", "40", "80"), 2: ("22", "21", "23", "15")}
"""IATI OrganisationType codes per tier: governments and multilaterals fund,
international NGOs extend, national NGOs and others implement."""

WORDS = (
    "resilience",
    "livelihoods",
    "inclusion",
    "governance",
    "access",
    "capacity",
    "innovation",
    "value chains",
    "youth employment",
    "climate adaptation",
)


@dataclass(frozen=True)
class Organisation:
    """One organisation; ``tier`` says whether it mostly funds, extends or implements."""

    index: int
    tier: int
    key: str  # local part of the dgo: IRI
    ref: str  # IATI organisation identifier
    name: str
    type_code: str
    country: str


class ActRef(NamedTuple):
    """How another activity is named: its IRI local part and its IATI identifier."""

    key: str
    identifier: str


@dataclass
class Transaction:
    type_code: str  # 2 commitment, 3 disbursement, 4 expenditure
    day: date
    amount: str
    provider: Organisation
    receiver: Organisation
    provider_activity: ActRef | None = None
    receiver_activity: ActRef | None = None


@dataclass
class Activity:
    """Everything both writers need about one activity, already decided."""

    index: int
    tier: int
    key: str
    identifier: str
    reporting: Organisation
    title_en: str
    title_fr: str
    description: str
    objective: str
    status: str
    start: date
    end: date
    actual_start: date | None
    currency: str
    participations: list[tuple[Organisation, str, ActRef | None]]  # org, role code, activity
    countries: list[tuple[str, int]]  # ISO code, percentage
    sectors: list[tuple[str, int]]
    location: tuple[str, int, float, float]  # country, site number, lat, lon
    budgets: list[tuple[date, date, str, str, str]]  # start, end, amount, type, status
    transactions: list[Transaction] = field(default_factory=list)
    result: tuple[str, int, str, str, str, str] | None = None
    # (result type, measure, title, baseline, target, actual)


class Portfolio:
    """The organisations of a portfolio and an iterator over its activities."""

    def __init__(self, activities: int, *, seed: int = 42) -> None:
        if activities < 1:
            raise ValueError("a portfolio needs at least one activity")
        self.size = activities
        self.seed = seed
        rng = random.Random(seed)
        n_orgs = max(40, activities // 5)
        bounds = (max(4, n_orgs // 50), max(10, n_orgs // 8))  # funders | extenders | rest
        self.organisations: list[Organisation] = []
        for i in range(n_orgs):
            tier = 0 if i < bounds[0] else 1 if i < bounds[0] + bounds[1] else 2
            code = rng.choice(ORG_TYPES[tier])
            iso = rng.choice(COUNTRIES)[0] if tier == 2 else rng.choice(("FR", "BE", "DE", "GB"))
            kind = ("Fund", "Agency", "Partners")[tier]
            self.organisations.append(
                Organisation(
                    index=i,
                    tier=tier,
                    key=f"syn-org-{i:06d}",
                    ref=f"XI-SYN-{i:06d}",
                    name=f"Synthetic {kind} {i}",
                    type_code=code,
                    country=iso,
                )
            )
        self._pools = {t: [o for o in self.organisations if o.tier == t] for t in (0, 1, 2)}
        # Zipf weights (s = 1.1) within each pool: rank r is chosen ∝ 1 / r^1.1.
        self._cum = {
            t: list(itertools.accumulate(1 / (r + 1) ** 1.1 for r in range(len(pool))))
            for t, pool in self._pools.items()
        }

    def _pick(self, rng: random.Random, tier: int) -> Organisation:
        cum = self._cum[tier]
        return self._pools[tier][bisect.bisect(cum, rng.random() * cum[-1])]

    def activities(self) -> Iterator[Activity]:
        """Yield the activities in order, one block of ten at a time."""
        for block in range((self.size + BLOCK - 1) // BLOCK):
            yield from self._block(block)

    def _block(self, block: int) -> list[Activity]:
        rng = random.Random(self.seed * 1_000_003 + block)
        first = block * BLOCK
        count = min(BLOCK, self.size - first)
        funder = self._pick(rng, 0)
        extenders = {p: self._pick(rng, 1) for p in (1, 2, 3)}
        implementers = {p: self._pick(rng, 2) for p in range(4, 10)}
        reporting = {0: funder, **extenders, **implementers}
        parent = {c: p for p, cs in CHILDREN.items() for c in cs}
        ident = {
            p: ActRef(f"syn-{first + p:07d}", f"{reporting[p].ref}-A{first + p:07d}")
            for p in range(count)
        }
        acts = []
        for p in range(count):
            tier = 0 if p == 0 else 1 if p <= 3 else 2
            acts.append(self._activity(rng, first + p, tier, reporting[p], ident[p].identifier))
        # Participations: the root funder funds the whole tree; extenders extend theirs.
        for p, act in enumerate(acts):
            parts: list[tuple[Organisation, str, ActRef | None]] = [
                (funder, "1", ident[0] if p else None)
            ]
            if p == 0:
                parts.append((funder, "2", None))
            ext = p if 1 <= p <= 3 else parent.get(p, 0)
            if ext in extenders and ext < count:
                parts.append((extenders[ext], "3", ident[ext]))
            if p >= 4:
                parts.append((implementers[p], "4", ident[p]))
            elif p >= 1:
                parts += [(implementers[c], "4", ident[c]) for c in CHILDREN[p] if c < count]
            else:
                parts += [(extenders[c], "4", ident[c]) for c in CHILDREN[0] if c < count]
            if rng.random() < 0.2:
                parts.append((self._pick(rng, 0), "1", None))  # a co-funder
            act.participations = parts
            funded = [(reporting[c], ident[c]) for c in CHILDREN.get(p, ()) if c < count]
            self._transactions(rng, act, ident[p], funded)
        return acts

    def _activity(
        self, rng: random.Random, index: int, tier: int, org: Organisation, identifier: str
    ) -> Activity:
        start = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 10 * 365))
        end = start + timedelta(days=rng.randrange(2 * 365, 6 * 365))
        n_c = 1 if rng.random() < 0.7 else 2
        countries = rng.sample(COUNTRIES, n_c)
        n_s = rng.choice((1, 1, 2, 3))
        sectors = rng.sample(SECTORS, n_s)
        theme = rng.choice(WORDS)
        main = sectors[0][1]
        iso, cname, lat, lon = countries[0]
        currency = rng.choices([c for c, _ in CURRENCIES], [w for _, w in CURRENCIES])[0]
        scale = CURRENCY_SCALE[currency]
        total = rng.lognormvariate(13.5 - tier, 1.0) * scale
        budgets = []
        years = max(1, (end.year - start.year))
        for b in range(min(years, rng.choice((1, 2)))):
            b_start = date(start.year + b, 1, 1)
            budgets.append(
                (b_start, date(b_start.year, 12, 31), f"{total / years:.2f}", "1", rng.choice("12"))
            )
        result = None
        if rng.random() < 0.6:
            base = rng.randrange(0, 500)
            target = base + rng.randrange(50, 2000)
            result = (
                rng.choice("123"),
                1,
                f"People reached by {main} services",
                str(base),
                str(target),
                str(base + rng.randrange(0, target - base + 200)),
            )
        return Activity(
            index=index,
            tier=tier,
            key=f"syn-{index:07d}",
            identifier=identifier,
            reporting=org,
            title_en=f"{main.capitalize()} and {theme} in {cname} ({index})",
            title_fr=f"Projet {index} : {main} et {theme}",
            description=f"Synthetic activity {index} on {main} and {theme} in {cname}.",
            objective=f"Improve {theme} through {main}.",
            status=rng.choice("2234"),
            start=start,
            end=end,
            actual_start=start + timedelta(days=rng.randrange(0, 90))
            if rng.random() < 0.7
            else None,
            currency=currency,
            participations=[],
            countries=_shares(rng, [c[0] for c in countries]),
            sectors=_shares(rng, [s[0] for s in sectors]),
            location=(
                iso,
                rng.randrange(1, 21),
                lat + rng.uniform(-1, 1),
                lon + rng.uniform(-1, 1),
            ),
            budgets=budgets,
            result=result,
        )

    def _transactions(
        self,
        rng: random.Random,
        act: Activity,
        me: ActRef,
        children: list[tuple[Organisation, ActRef]],
    ) -> None:
        """Commitments and disbursements to each funded activity, then own expenditure."""
        total = sum(float(b[2]) for b in act.budgets) or 1000.0
        day = act.start
        txs = act.transactions
        for org, child_id in children:
            share = total / (len(children) + 1)
            day = day + timedelta(days=rng.randrange(10, 120))
            if act.tier == 0 or rng.random() < 0.5:
                txs.append(Transaction("2", day, f"{share:.2f}", act.reporting, org, me, child_id))
            paid = share * rng.uniform(0.3, 1.0)
            txs.append(
                Transaction(
                    "3", day + timedelta(days=30), f"{paid:.2f}", act.reporting, org, me, child_id
                )
            )
        for _ in range(rng.choice((1, 1, 2)) if act.tier else 0):
            supplier = self._pick(rng, 2)
            day = day + timedelta(days=rng.randrange(30, 200))
            kind = "4" if rng.random() < 0.8 else "3"
            txs.append(
                Transaction(
                    kind, day, f"{total * rng.uniform(0.05, 0.3):.2f}", act.reporting, supplier
                )
            )


def _shares(rng: random.Random, codes: list[str]) -> list[tuple[str, int]]:
    """Whole percentages summing to exactly 100, largest first."""
    if len(codes) == 1:
        return [(codes[0], 100)]
    cuts = sorted(rng.sample(range(10, 91, 5), len(codes) - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return list(zip(codes, sorted(parts, reverse=True), strict=True))

"""What an import did, file by file: counts, versions, fall-backs by XPath, warnings.

Why: an import of real IATI data is only trustworthy if it says what it could not map
exactly. The report is the CLI summary and, with ``--report FILE``, a stable JSON document
(keys below are part of the interface).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FileReport", "ImportReport", "Progress", "MAX_WARNING_EXAMPLES"]

MAX_WARNING_EXAMPLES = 20
"""Warnings are counted by kind; only the first few messages of each kind are kept."""


@dataclass
class FileReport:
    """One source file (or zip member)."""

    source: str
    graph: str
    kind: str = ""
    declared_version: str | None = None
    status: str = "imported"
    activities: int = 0
    organisations: int = 0
    transactions: int = 0
    budgets: int = 0
    planned_disbursements: int = 0
    results: int = 0
    participating_orgs: int = 0
    xsd_invalid_activities: int = 0
    xsd_findings: int = 0
    normalised_languages: int = 0
    triples: int = 0
    versions: Counter[str] = field(default_factory=Counter)
    datasets: set[str] = field(default_factory=set)
    fallbacks: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    warning_examples: dict[str, list[str]] = field(default_factory=dict)

    def fallback(self, path: str) -> None:
        self.fallbacks[path] += 1

    def warn(self, kind: str, message: str) -> None:
        self.warnings[kind] += 1
        examples = self.warning_examples.setdefault(kind, [])
        if len(examples) < MAX_WARNING_EXAMPLES:
            examples.append(message)

    def summary(self) -> str:
        """One line for the terminal."""
        versions = ", ".join(f"{v}×{n}" for v, n in sorted(self.versions.items())) or "-"
        return (
            f"{self.status:9} {self.source}: {self.activities} activities, "
            f"{self.organisations} organisations, {self.transactions} transactions, "
            f"{self.budgets} budgets, {self.results} results, "
            f"{sum(self.fallbacks.values())} fall-backs, {sum(self.warnings.values())} warnings, "
            f"{self.xsd_invalid_activities} schema-invalid; versions {versions}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "graph": self.graph,
            "kind": self.kind,
            "status": self.status,
            "declared_version": self.declared_version,
            "versions": dict(sorted(self.versions.items())),
            "datasets": sorted(self.datasets),
            "activities": self.activities,
            "organisations": self.organisations,
            "transactions": self.transactions,
            "budgets": self.budgets,
            "planned_disbursements": self.planned_disbursements,
            "results": self.results,
            "participating_orgs": self.participating_orgs,
            "triples": self.triples,
            "xsd_invalid_activities": self.xsd_invalid_activities,
            "xsd_findings": self.xsd_findings,
            "normalised_languages": self.normalised_languages,
            "fallbacks": dict(sorted(self.fallbacks.items())),
            "warnings": dict(sorted(self.warnings.items())),
            "warning_examples": {k: v for k, v in sorted(self.warning_examples.items())},
        }


@dataclass
class ImportReport:
    """All files of one ``import_paths`` call."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def imported(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "imported"]

    @property
    def unchanged(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "unchanged"]

    @property
    def activities(self) -> int:
        return sum(f.activities for f in self.imported)

    def summary(self) -> str:
        lines = [f.summary() for f in self.files]
        rate = self.activities / self.seconds if self.seconds else 0.0
        lines.append(
            f"{len(self.imported)} file(s) imported, {len(self.unchanged)} unchanged; "
            f"{self.activities} activities in {self.seconds:.1f} s ({rate:,.0f} activities/s)"
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "activities": self.activities,
            "seconds": round(self.seconds, 3),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


@dataclass(frozen=True)
class Progress:
    """Passed to the ``progress`` callback every N activities and at the end of each file."""

    source: str
    activities: int
    total_activities: int
    seconds: float
    done: bool = False

    @property
    def rate(self) -> float:
        """Activities per second over the whole import so far."""
        return self.total_activities / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        state = "done" if self.done else "..."
        return f"{self.source}: {self.activities} activities {state} ({self.rate:,.0f}/s)"

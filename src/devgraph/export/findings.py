"""SHACL findings on exported data, in the IATI Validator's terms (rule, severity, activity, path).

Why: a publisher compares devgraph's checks with what the IATI Validator will say about the
published file. The shapes already carry the Validator's severities (error → ``sh:Violation``,
warning → ``sh:Warning``, advisory → ``sh:Info``); here a finding is re-addressed: its focus node
becomes the activity (by identifier) and its ``dg:`` path the IATI XPath from the alignment
(``ontology/alignments/iati.ttl``).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from devgraph.namespaces import ACTIVITY, DG, expand

__all__ = ["IatiFinding", "check_file"]

_ALIGNMENT = Path(__file__).resolve().parents[3] / "ontology" / "alignments" / "iati.ttl"
SEVERITY = {"Violation": "error", "Warning": "warning", "Info": "advisory"}


@dataclass(frozen=True)
class IatiFinding:
    """One finding as the IATI Validator words it."""

    rule: str
    severity: str
    activity: str
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        return f"{self.severity:8} {self.rule:32} {self.activity}  {self.path}  {self.message}"


@cache
def _xpaths() -> dict[str, str]:
    """``dg:`` property IRI → its (first) IATI XPath."""
    out: dict[str, str] = {}
    if not _ALIGNMENT.exists():
        return out
    for quad in ox.parse(path=str(_ALIGNMENT), format=ox.RdfFormat.TURTLE):
        if quad.predicate.value == DG + "iatiPath" and isinstance(quad.object, ox.Literal):
            current = out.get(quad.subject.value)
            if current is None or len(quad.object.value) < len(current):
                out[quad.subject.value] = quad.object.value
    return out


def check_file(xml: bytes) -> list[IatiFinding]:
    """Run the SHACL shapes on what a file says: the file is imported into a scratch store.

    Checking the file (not the source graph) means the findings describe what is published,
    after the export's own derivations (minted identifiers, widened dates).
    """
    from devgraph.iati import import_paths
    from devgraph.store import EmbeddedStore
    from devgraph.validate import validate_store

    scratch = EmbeddedStore(None)
    with tempfile.TemporaryDirectory(prefix="devgraph-export-") as tmp:
        path = Path(tmp) / "export.xml"
        path.write_bytes(xml)
        import_paths(scratch, [path], root=Path(tmp))
    report = validate_store(scratch)
    return _iati_terms(report.findings)


def _xpath(path: str, xpaths: dict[str, str]) -> str:
    """A SHACL path as IATI XPaths (alternatives ``a|b`` each mapped), else as it was."""
    parts = []
    for alt in path.split("|"):
        prop = alt if alt.startswith("http") else expand(alt) or alt
        parts.append(xpaths.get(prop, alt))
    return " | ".join(dict.fromkeys(parts))


def _iati_terms(findings: list) -> list[IatiFinding]:  # list[devgraph.report.Finding]
    xpaths = _xpaths()
    out = []
    for f in findings:
        focus = f.focus_node
        owner = (
            unquote(focus[len(ACTIVITY) :].split("/", 1)[0])
            if focus.startswith(ACTIVITY)
            else focus
        )
        out.append(
            IatiFinding(
                rule=f.shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1].removeprefix("dgsh:"),
                severity=SEVERITY.get(f.severity, f.severity.lower()),
                activity=owner,
                path=_xpath(f.path or "", xpaths),
                message=f.message,
            )
        )
    rank = list(SEVERITY.values())
    out.sort(
        key=lambda x: (rank.index(x.severity) if x.severity in rank else 9, x.activity, x.rule)
    )
    return out

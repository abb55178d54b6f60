"""IATI import throughput: activities/s into an on-disk store vs a bare lxml iterparse pass.

Why: the bare ``iterparse`` over the same bytes is the physical limit of a streaming
lxml importer; the ratio says how much the mapping and the store cost on top of parsing.
The shared samples (every version, 1,877 activities) are copied ``--repeat`` times into a
work folder, each copy a file of its own (a graph of its own), then imported in one call.

    .venv/bin/python benchmarks/bench_import.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from lxml import etree

from devgraph.iati import import_paths
from devgraph.iati.reader import PARSER_OPTIONS
from devgraph.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
SAMPLES = Path(os.environ.get("DEVGRAPH_SHARED", REPO.parent / "shared")) / "iati" / "samples"


def copy_samples(work: Path, repeat: int) -> list[Path]:
    files = sorted(p for p in SAMPLES.rglob("*.xml"))
    out = []
    for n in range(repeat):
        folder = work / "data" / f"copy{n:03}"
        folder.mkdir(parents=True)
        for f in files:
            out.append(Path(shutil.copy(f, folder / f.name)))
    return out


def bare_iterparse(files: list[Path]) -> tuple[int, float]:
    """Count activities with the same parser options, clearing as we go (no mapping)."""
    start, count = time.perf_counter(), 0
    for f in files:
        for _event, elem in etree.iterparse(str(f), events=("end",), **PARSER_OPTIONS):
            if elem.tag == "iati-activity":
                count += 1
                elem.clear()
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="copies of the samples")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="devgraph-bench-import-"))
    files = copy_samples(work, args.repeat)
    size = sum(f.stat().st_size for f in files)
    acts_bare, secs_bare = bare_iterparse(files)
    store = EmbeddedStore(work / "store")
    report = import_paths(store, [work / "data"], root=work)
    store.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "files": len(files),
        "bytes": size,
        "activities": report.activities,
        "import_seconds": round(report.seconds, 2),
        "import_activities_per_s": round(report.activities / report.seconds, 1),
        "bare_iterparse_seconds": round(secs_bare, 2),
        "bare_iterparse_activities_per_s": round(acts_bare / secs_bare, 1),
        "ratio_import_to_bare": round(secs_bare / report.seconds, 4),
        "triples": sum(f.triples for f in report.files),
        "peak_rss_mb": round(rss_mb, 1),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.workdir is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

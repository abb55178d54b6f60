"""IATI import throughput and memory, against a bare lxml iterparse pass over the same bytes.

Why: the bare ``iterparse`` over the same bytes is the physical limit of a streaming lxml
importer; the ratio says how much the mapping and the store cost on top of parsing. Every
phase runs in a fresh child process so that its peak RSS is its own, and RSS is also
sampled while it runs (every ``--every`` activities) to show whether memory is flat.

Phases: ``parse-all`` (every end event, as the reader did before), ``parse`` (the reader's
C-side tag filter: the real limit), ``read`` (the importer's reader alone), ``map`` (reader +
XSD check + mapping + ``ox.Triple``, no store), ``import`` (``import_paths`` into a fresh
store, ``--store disk`` or ``memory``), ``ox-bulk`` / ``ox-bulk-chunked`` (the mapped
triples into pyoxigraph with one ``bulk_extend`` call, or one per 100 k quads).

    .venv/bin/python benchmarks/bench_import.py --repeat 5            # the shared samples
    .venv/bin/python benchmarks/bench_import.py --synthetic-mb 10 100  # generated IATI 2.03
    .venv/bin/python benchmarks/bench_import.py --snapshot DIR         # graphs per sample
    .venv/bin/python benchmarks/bench_import.py --compare DIR          # same graphs as DIR?

``--snapshot``/``--compare`` are the invariant check of performance work: for every sample
the quads of its graph (sorted N-Quads) and its report must stay exactly the same.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the sibling modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402
from lxml import etree  # noqa: E402

from devgraph.iati import import_paths  # noqa: E402
from devgraph.iati.reader import PARSER_OPTIONS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLES = Path(os.environ.get("DEVGRAPH_SHARED", REPO.parent / "shared")) / "iati" / "samples"
BYTES_PER_ACTIVITY = 3400
"""Size of one generated activity (benchmarks/iati_xml.py), to aim at a file size."""
PHASES = ("parse-all", "parse", "read", "map", "import", "ox-bulk", "ox-bulk-chunked")
DEFAULT_PHASES = ("parse-all", "parse", "map", "import")
CHUNK = 100_000
"""Quads per ``bulk_extend`` call in the ``ox-bulk-chunked`` phase."""


def rss_mb() -> float:
    """Current resident set size of this process (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """Peak RSS of this process (VmHWM): unlike ``ru_maxrss``, not inherited from the parent
    across fork + exec, so a phase's peak is its own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Sampler:
    """RSS every ``every`` activities: (activities, MB) pairs, to see growth over a file."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.samples: list[tuple[int, float]] = []

    def __call__(self, done: int) -> None:
        if done % self.every == 0:
            self.samples.append((done, round(rss_mb(), 1)))


def phase_parse(files: list[Path], sampler: Sampler, *, every_event: bool) -> int:
    count = 0
    for f in files:
        if every_event:
            events = etree.iterparse(str(f), events=("end",), **PARSER_OPTIONS)
        else:
            events = etree.iterparse(str(f), events=("end",), tag="iati-activity", **PARSER_OPTIONS)
        for _event, elem in events:
            if elem.tag == "iati-activity":
                count += 1
                elem.clear()
                parent = elem.getparent()
                if parent is not None:
                    parent.remove(elem)
                sampler(count)
    return count


def phase_read(files: list[Path], sampler: Sampler) -> int:
    """The importer's reader alone (safe parser options, tag filter, release of each item)."""
    from devgraph.iati.reader import discover, iter_elements, read_root

    count = 0
    for source in discover(files):
        for elem in iter_elements(source, read_root(source).tag):
            if elem.tag == "iati-activity":
                count += 1
                sampler(count)
    return count


def phase_map(files: list[Path], sampler: Sampler) -> tuple[int, int]:
    from devgraph.iati import importer
    from devgraph.iati.reader import discover, read_root
    from devgraph.iati.report import FileReport

    acts = triples = 0
    clock = importer._Clock(lambda p: sampler(p.total_activities), 1)
    for source in discover(files):
        report = FileReport(source=source.name, graph=source.graph)
        info = read_root(source)
        for _t in importer._file_triples(source, info, report, strict=False, clock=clock):
            triples += 1
        acts += report.activities
    return acts, triples


def phase_ox(files: list[Path], work: Path, sampler: Sampler, chunk: int) -> int:
    """The mapping's triples straight into pyoxigraph on disk: one ``bulk_extend`` over the
    whole stream (what ``EmbeddedStore.replace_graphs`` does) or one per ``chunk`` quads.
    Shows where the import's memory goes: pyoxigraph's bulk loader buffers what it is given
    (its memory target is ~2 GB per thread), so RSS grows with the file unless chunked."""
    from itertools import islice

    from devgraph.iati import importer
    from devgraph.iati.reader import discover, read_root
    from devgraph.iati.report import FileReport

    clock = importer._Clock(lambda p: sampler(p.total_activities), 1)
    store = ox.Store(str(work / "ox"))
    reports = []

    def quads():
        for source in discover(files):
            report = FileReport(source=source.name, graph=source.graph)
            reports.append(report)
            g = ox.NamedNode(source.graph)
            for t in importer._file_triples(source, read_root(source), report, strict=False,
                                            clock=clock):  # fmt: skip
                yield ox.Quad(t.subject, t.predicate, t.object, g)

    stream = quads()
    if not chunk:
        store.bulk_extend(stream)
    else:
        while batch := list(islice(stream, chunk)):
            store.bulk_extend(batch)
    del store
    return sum(r.activities for r in reports)


def phase_import(files: list[Path], work: Path, sampler: Sampler, store_kind: str) -> int:
    from devgraph.store import EmbeddedStore

    store = EmbeddedStore(work / "store" if store_kind == "disk" else None)
    root = Path(os.path.commonpath([f.parent for f in files]))  # distinct graphs per copy
    report = import_paths(
        store, files, root=root, progress=lambda p: sampler(p.total_activities), progress_every=1
    )
    store.close()
    return report.activities


def run_phase(args: argparse.Namespace) -> None:
    """Child process: one phase, figures as JSON on stdout."""
    files = [Path(f) for f in args.files]
    sampler = Sampler(args.every)
    work = Path(tempfile.mkdtemp(prefix="devgraph-bench-phase-", dir=args.tmp))
    wall, cpu = time.perf_counter(), time.process_time()
    triples = None
    if args.phase in ("parse-all", "parse"):
        acts = phase_parse(files, sampler, every_event=args.phase == "parse-all")
    elif args.phase == "read":
        acts = phase_read(files, sampler)
    elif args.phase == "map":
        acts, triples = phase_map(files, sampler)
    elif args.phase.startswith("ox-bulk"):
        acts = phase_ox(files, work, sampler, CHUNK if args.phase.endswith("chunked") else 0)
    else:
        acts = phase_import(files, work, sampler, args.store)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    shutil.rmtree(work, ignore_errors=True)
    out: dict[str, Any] = {
        "phase": args.phase + (f" ({args.store})" if args.phase == "import" else ""),
        "activities": acts,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "activities_per_s": round(acts / wall, 1) if wall else 0,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_samples_mb": thin(sampler.samples, 8),
    }
    if triples is not None:
        out["triples_emitted"] = triples
    print(json.dumps(out))


def thin(samples: list[tuple[int, float]], n: int) -> list[tuple[int, float]]:
    """About ``n`` evenly spaced samples, the last one included."""
    if len(samples) <= n:
        return samples
    step = len(samples) / n
    return [samples[int(i * step)] for i in range(n)] + [samples[-1]]


def measure(phase: str, files: list[Path], args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--store", args.store,
           "--every", str(args.every), "--tmp", str(args.tmp), *map(str, files)]  # fmt: skip
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare_phases(label: str, files: list[Path], args: argparse.Namespace) -> dict[str, Any]:
    size = sum(f.stat().st_size for f in files)
    result: dict[str, Any] = {"input": label, "files": len(files), "mb": round(size / 1e6, 1)}
    for phase in args.phases:
        figures = measure(phase, files, args)
        result[figures["phase"]] = figures
        print(f"  {label}: {json.dumps(figures)}", file=sys.stderr)
    bare = result.get("parse", {}).get("seconds")
    for figures in result.values():
        if isinstance(figures, dict) and bare and figures["seconds"]:
            figures["ratio_to_parse"] = round(bare / figures["seconds"], 4)
    return result


def copy_samples(work: Path, repeat: int) -> list[Path]:
    files = sorted(p for p in SAMPLES.rglob("*.xml"))
    out = []
    for n in range(repeat):
        folder = work / "data" / f"copy{n:03}"
        folder.mkdir(parents=True)
        for f in files:
            out.append(Path(shutil.copy(f, folder / f.name)))
    return out


def synthetic(work: Path, mb: float) -> Path:
    from generate import generate

    path = work / f"synthetic-{mb:g}mb.xml"
    generate(max(1, int(mb * 1e6 / BYTES_PER_ACTIVITY)), seed=42, iati=path)
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Per sample file: its graph as sorted N-Quads and its report (minus timings)."""
    from devgraph.store import EmbeddedStore

    out = {}
    for f in sorted(SAMPLES.rglob("*.xml")):
        store = EmbeddedStore(None)
        report = import_paths(store, [f], root=SAMPLES).files[0]
        buf = io.BytesIO()
        store._store.dump(buf, format=ox.RdfFormat.N_QUADS, from_graph=ox.NamedNode(report.graph))
        lines = sorted(set(buf.getvalue().decode().splitlines()))
        name = f.relative_to(SAMPLES).as_posix().replace("/", "__")
        out[name + ".nq"] = "\n".join(lines) + "\n"
        out[name + ".json"] = json.dumps(report.to_dict(), indent=1, sort_keys=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=0, help="copies of the samples")
    parser.add_argument("--synthetic-mb", type=float, nargs="*", default=[], metavar="MB")
    parser.add_argument("--phases", nargs="*", default=list(DEFAULT_PHASES), choices=PHASES)
    parser.add_argument("--store", choices=("disk", "memory"), default="disk")
    parser.add_argument("--every", type=int, default=500, help="activities between RSS samples")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--snapshot", type=Path, help="write each sample's graph and report")
    parser.add_argument("--compare", type=Path, help="compare with a --snapshot folder")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return
    if args.snapshot or args.compare:
        current = snapshot(args.snapshot or args.compare)
        if args.snapshot:
            args.snapshot.mkdir(parents=True, exist_ok=True)
            for name, text in current.items():
                (args.snapshot / name).write_text(text)
            print(f"{len(current) // 2} sample graphs written to {args.snapshot}")
            return
        differ = [n for n, t in current.items() if (args.compare / n).read_text() != t]
        print(f"{len(current) // 2} samples compared; differing: {differ or 'none'}")
        sys.exit(1 if differ else 0)
    if not args.repeat and not args.synthetic_mb:
        args.repeat = 2  # no input named: the samples twice
    work = Path(tempfile.mkdtemp(prefix="devgraph-bench-import-", dir=args.tmp))
    results = []
    try:
        if args.repeat:
            files = copy_samples(work, args.repeat)
            results.append(compare_phases(f"samples x{args.repeat}", files, args))
        for mb in args.synthetic_mb:
            path = synthetic(work, mb)
            results.append(compare_phases(path.name, [path], args))
            path.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps({"load_average": os.getloadavg(), "results": results}, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()

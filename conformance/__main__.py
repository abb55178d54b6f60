"""``python -m conformance``: run the W3C SPARQL 1.1 suites and write the report.

Examples::

    python -m conformance                        # all suites, devgraph and the baseline
    python -m conformance --suite protocol --target devgraph
    python -m conformance --only aggregates/agg01 -v
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from conformance import REPO
from conformance.manifest import SUITES, load_suite
from conformance.report import print_summary, write_report
from conformance.runner import Outcome, Runner
from conformance.servers import Target, devgraph_server, oxigraph_binary, oxigraph_server

SUITE_CHOICES = ["query", "update", "results", "fed", "protocol", "sd", "gsp", "all"]
ALIASES = {"sd": "service-description", "gsp": "graph-store-protocol"}


def run_target(name: str, suites: list[str], only: str | None, verbose: bool) -> list[Outcome]:
    """Start the target (and two plain endpoints for SERVICE), run, stop."""
    with ExitStack() as stack:
        target: Target = stack.enter_context(
            devgraph_server() if name == "devgraph" else oxigraph_server()
        )
        services = []
        if "fed" in suites:
            try:
                services = [
                    stack.enter_context(oxigraph_server(name=f"service{i}")) for i in (1, 2)
                ]
            except RuntimeError as e:  # no oxigraph binary: SERVICE tests are skipped
                print(f"  [{name}] no SERVICE endpoints ({e}); federation tests skip")
        runner = Runner(target, services=services)
        outcomes = []
        for suite in suites:
            for test in load_suite(suite):
                if only and only not in test.short:
                    continue
                o = runner.run(test)
                outcomes.append(o)
                if verbose or (only and o.status != "pass"):
                    print(f"  [{name}] {o.status:4} {test.short}: {o.message}")
        return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    parser.add_argument("--suite", choices=SUITE_CHOICES, default="all")
    parser.add_argument(
        "--target", choices=["devgraph", "oxigraph", "both"], default="both",
        help="server under test; 'both' also measures the bare Oxigraph baseline",
    )  # fmt: skip
    parser.add_argument("--report", type=Path, help="write the Markdown report here")
    parser.add_argument("--only", help="run only tests whose folder/name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every test")
    args = parser.parse_args(argv)
    if args.suite == "all":
        suites = list(SUITES)
    else:
        suites = [ALIASES.get(args.suite, args.suite)]
    targets = ["devgraph", "oxigraph"] if args.target == "both" else [args.target]
    results: dict[str, list[Outcome]] = {}
    timings: dict[str, float] = {}
    for name in targets:
        if name == "oxigraph":
            try:
                oxigraph_binary()
            except RuntimeError as e:
                print(f"oxigraph baseline not measured: {e}")
                continue
        start = time.perf_counter()
        results[name] = run_target(name, suites, args.only, args.verbose)
        timings[name] = time.perf_counter() - start
    print_summary(results, timings)
    if args.report:
        path = args.report if args.report.is_absolute() else Path.cwd() / args.report
        write_report(path, results, timings, suites)
        print(f"report written to {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

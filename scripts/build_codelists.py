"""Regenerate ontology/codelists/*.ttl from the IATI codelist XML.

Usage: python scripts/build_codelists.py [--source ../shared/iati/codelists]
                                         [--out ontology/codelists]
The work is done by devgraph.codelists; this script only parses arguments, so the tests can
call the same code without a subprocess.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from devgraph import codelists


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=codelists.DEFAULT_SOURCE,
        help="folder holding embedded/, non-embedded/, v1.05-embedded/",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=codelists.DEFAULT_OUTPUT,
        help="folder to write the Turtle files to",
    )
    args = parser.parse_args(argv)
    written = codelists.write_all(args.source, args.out)
    size = sum(path.stat().st_size for path in written)
    print(f"wrote {len(written)} files, {size / 1e6:.2f} MB, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

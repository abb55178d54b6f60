"""atheris fuzz target for the IATI reader and importer: any bytes, no surprise exception.

    python fuzz/fuzz_iati_reader.py fuzz/corpus -max_total_time=300   # or: make fuzz

Each input is written to a file and imported into a fresh in-memory store. The only
acceptable outcomes are an import or an :class:`IatiImportError`; anything else (a
``KeyError`` in a mapper, a ``ValueError`` from pyoxigraph on a minted IRI, a crash in
lxml) is a bug, and libFuzzer saves the input as ``crash-*`` under ``-artifact_prefix``.
``fuzz/corpus/`` holds the seeds: valid activity, 1.0x and organisation files and the
odd-values file of the hostile corpus.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["devgraph"]):
    from devgraph.iati import IatiImportError, import_paths
    from devgraph.store import EmbeddedStore

WORK = Path(tempfile.mkdtemp(prefix="devgraph-fuzz-"))
"""Where each input is written (one file, rewritten per input; under ``$TMPDIR``)."""
TARGET = WORK / "input.xml"


def test_one_input(data: bytes) -> None:
    """Import ``data`` as an IATI file; only IatiImportError may escape (and is swallowed)."""
    TARGET.write_bytes(data)
    store = EmbeddedStore(None)
    try:
        import_paths(store, [TARGET], root=WORK)
    except IatiImportError:
        return


def main() -> None:
    os.environ.setdefault("RUST_BACKTRACE", "0")
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

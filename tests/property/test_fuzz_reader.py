"""A short, bounded run of the atheris fuzz target for the IATI reader (``make fuzz``: long).

The target runs in a child process for a few seconds from the committed seeds; it must
end without a crash (libFuzzer exits non-zero and writes ``crash-*`` when an input makes
the importer raise anything but :class:`IatiImportError`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TARGET = REPO / "fuzz" / "fuzz_iati_reader.py"
SEEDS = REPO / "fuzz" / "corpus"
SECONDS = 5


@pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None,
    reason="atheris is not installed (pip install -e '.[fuzz]'; it has no wheel for every Python)",
)
def test_the_reader_survives_a_short_fuzzing_run(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)  # libFuzzer adds what it finds to the first directory
    assert len(list(corpus.iterdir())) >= 4
    run = subprocess.run(
        [
            sys.executable,
            str(TARGET),
            str(corpus),
            f"-max_total_time={SECONDS}",
            f"-artifact_prefix={tmp_path}/",
            "-rss_limit_mb=2048",
        ],
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # the target's work file goes here
    )
    crashes = [
        p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "oom-", "timeout-"))
    ]
    assert run.returncode == 0 and not crashes, (crashes, run.stderr[-3000:])
    assert "Done" in run.stderr and "runs in" in run.stderr  # it really fuzzed

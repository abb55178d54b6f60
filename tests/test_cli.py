"""The CLI, through click's runner and through the installed console script."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from devgraph.load import graph_iri_for
from devgraph.namespaces import GRAPH

DATA = Path(__file__).resolve().parent / "data"

EXPECTED_COMMANDS = {"load", "graphs", "query", "queries", "stats", "serve", "validate", "reason"}


def test_help_lists_the_commands(runner):
    result = runner("--help")
    assert result.exit_code == 0
    listed = {
        line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()
    }
    assert EXPECTED_COMMANDS <= listed


def test_load_graphs_stats_query(runner, tmp_path):
    result = runner("load", str(DATA / "portfolio.ttl"))
    assert result.exit_code == 0, result.output
    assert "loaded 1 file(s), 9 triples" in result.output

    again = runner("load", str(DATA / "portfolio.ttl"))
    assert "0 file(s)" in again.output and "1 unchanged" in again.output

    graphs = runner("graphs")
    assert "portfolio.ttl" in graphs.output and graphs.output.rstrip().split()[-1].isdigit()

    stats = runner("stats")
    assert "Activity" in stats.output and "triples  9" in stats.output

    rq = tmp_path / "titles.rq"
    rq.write_text(
        "#+ title: Titles\n#+ description: d\n#+ param: lang — a language\n"
        "PREFIX dg: <https://w3id.org/devgraph/ontology#>\n"
        "SELECT ?a ?t ?lang WHERE { ?a dg:title ?t BIND(LANG(?t) AS ?lang) } ORDER BY ?t"
    )
    out = runner("query", str(rq), "-p", "lang=fr", "-f", "csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["t"] for r in rows] == ["Projet Alpha"]

    js = json.loads(runner("query", str(rq), "-f", "json").output)
    assert len(js["results"]["bindings"]) == 3

    table = runner("query", str(rq))
    assert "(3 rows)" in table.output


def test_load_error_exits_1_and_names_the_file(runner, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/a> <http://e/b> .\n")
    result = runner("load", str(bad))
    assert result.exit_code == 1
    assert "bad.ttl" in result.output and "line 1" in result.output
    assert "store is unchanged" in result.output
    assert "empty" in runner("graphs").output


def test_query_errors_are_one_line_messages(runner, tmp_path):
    result = runner("query", "no-such-query")
    assert result.exit_code == 1 and "no query named" in result.output
    rq = tmp_path / "x.rq"
    rq.write_text("SELEKT * { ?s ?p ?o }")
    result = runner("query", str(rq))
    assert result.exit_code == 1 and "syntax error" in result.output.lower()
    result = runner("query", str(rq), "-p", "novalue")
    assert result.exit_code == 2 and "NAME=VALUE" in result.output


def _script(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_installed_console_script_and_python_m(tmp_path):
    store = tmp_path / "store"
    loaded = subprocess.run(
        [_script("devgraph"), "--store", str(store), "load", str(DATA / "portfolio.ttl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "devgraph", "--store", str(store), "graphs"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "portfolio.ttl" in listed.stdout
    version = subprocess.run([_script("devgraph"), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("devgraph, version")


def test_store_locked_by_another_process_is_a_clear_error(tmp_path):
    store = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('ok', flush=True); "
            "sys.stdin.read()",
            str(store),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = subprocess.run(
            [_script("devgraph"), "--store", str(store), "graphs"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert "in use by another process" in result.stderr
    finally:
        holder.communicate("", timeout=10)


def test_validate_files_exit_codes_and_formats(runner, tmp_path):
    repo = Path(__file__).resolve().parents[1]
    seeds = runner("validate", str(repo / "data" / "ttl"), "-f", "json")
    assert seeds.exit_code == 1  # the seeds lack IATI identifiers: Violations
    report = json.loads(seeds.output)
    assert report["conforms"] is False and report["counts"]["Violation"] > 0
    complete = repo / "tests" / "shapes" / "fixtures" / "complete_activity.ttl"
    ok = runner("validate", str(complete), "--no-codelists")
    assert ok.exit_code == 0, ok.output
    assert "Conforms: True" in ok.output
    out = tmp_path / "report.html"
    written = runner("validate", str(repo / "data" / "ttl"), "-f", "html", "-o", str(out))
    assert written.exit_code == 1 and "report written" in written.output
    assert out.read_text().startswith("<!doctype html>") or "<html" in out.read_text()


def test_validate_the_store_and_one_graph(runner):
    repo = Path(__file__).resolve().parents[1]
    runner("load", "-q", str(repo / "data" / "ttl"))
    whole = runner("validate", "-f", "json")
    assert whole.exit_code == 1
    kimalakan = graph_iri_for(repo / "data" / "ttl" / "kimalakan.ttl")
    one = json.loads(runner("validate", "--graph", kimalakan, "-f", "json").output)
    focus = {f["focus_node"] for f in one["findings"]}
    activities = {f.split("/activity/")[1].split("/")[0] for f in focus if "/activity/" in f}
    assert activities == {"kimalakan"}  # only that file's activity was validated
    missing = runner("validate", "--graph", GRAPH + "no-such-graph")
    assert missing.exit_code == 1 and "no graph named" in missing.output
    bad = runner("validate", str(repo / "data" / "ttl"), "--shape", "NoSuchShape")
    assert bad.exit_code == 1 and "unknown shapes" in bad.output


SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "iati" / "samples"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/iati/samples not present")
def test_import_iati_and_load_dispatch(runner, tmp_path):
    sample = SAMPLES / "worldvision-uk_v1.0x_provider-activity-id.xml"
    report = tmp_path / "import.json"
    result = runner("import-iati", str(sample), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text())["activities"] == 2
    again = runner("load", str(sample))  # .xml goes to the importer; unchanged: skipped
    assert again.exit_code == 0 and "1 unchanged" in again.output
    hostile = tmp_path / "xxe.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<iati-activities version="2.03"><iati-activity>&e;</iati-activity></iati-activities>'
    )
    refused = runner("import-iati", str(hostile))
    assert refused.exit_code == 1 and "store is unchanged" in refused.output

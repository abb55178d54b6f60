"""The summaries are refreshed by every command that changes what they add up."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).parent
SUMMARY = "https://w3id.org/devgraph/graph/summary"
O1 = "https://w3id.org/devgraph/id/organisation/O1"
COMMITMENT = "https://w3id.org/devgraph/codelist/TransactionType/2"


def _o1_commitments(runner) -> str:
    out = runner(
        "query",
        "totals-by-funder",
        "-p",
        f"funder=<{O1}>",
        "-p",
        f"type=<{COMMITMENT}>",
        "-f",
        "csv",
    )
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert lines[0] == "funder,type,transactions,totalEur,withoutEur"
    return lines[1]


def test_load_refreshes_and_money_updates_the_totals(runner, tmp_path: Path) -> None:
    data = tmp_path / "flows.ttl"
    shutil.copy(HERE / "flows.ttl", data)
    loaded = runner("load", str(data))
    assert loaded.exit_code == 0, loaded.output
    assert "summaries: 7 transactions" in loaded.output
    assert SUMMARY in runner("graphs").output
    # The 500 USD commitment has no EUR figure until `devgraph money` converts it.
    assert _o1_commitments(runner).endswith(",1,0,1")
    money = runner("money")
    assert money.exit_code == 0 and "summaries: 7 transactions" in money.output
    row = _o1_commitments(runner).split(",")
    assert row[2] == "1" and row[4] == "0" and float(row[3]) > 400  # 500 USD at ~1.106 per EUR

    # Reloading a changed file recomputes; an unchanged reload leaves the totals alone.
    data.write_text(data.read_text().replace("dg:amount 300 ;", "dg:amount 301 ;"))
    again = runner("load", str(data))
    assert "summaries:" in again.output
    assert "summaries:" not in runner("load", str(data)).output


def test_no_summaries_then_summarise(runner, tmp_path: Path) -> None:
    result = runner("load", "--no-summaries", str(HERE / "flows.ttl"))
    assert result.exit_code == 0 and "summaries:" not in result.output
    assert SUMMARY not in runner("graphs").output
    assert runner("summarise").exit_code == 0
    assert _o1_commitments(runner).endswith(",1,0,1")


def test_a_failed_load_leaves_the_totals(runner, tmp_path: Path) -> None:
    runner("load", str(HERE / "flows.ttl"))
    before = _o1_commitments(runner)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/a> <http://e/b> .\n")
    assert runner("load", str(bad)).exit_code == 1
    assert _o1_commitments(runner) == before


def test_transactionless_data_gets_no_summary_graph(runner) -> None:
    runner("load", str(HERE.parent / "data" / "portfolio.ttl"))
    assert "summaries: 0 transactions → no rows" in runner("summarise").output
    assert SUMMARY not in runner("graphs").output

"""The who-funds-whom commands on the seed portfolio, through the CLI runner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _seeded(runner) -> None:
    codelists = REPO / "ontology" / "codelists"
    result = runner("load", "-q", str(REPO / "data" / "ttl"), str(codelists / "Sector.ttl"))
    assert result.exit_code == 0, result.output


def test_trace_money_and_flows_on_the_seeds(runner):
    _seeded(runner)
    money = runner("money")
    assert money.exit_code == 0, money.output
    assert "already stated in the data: 1" in money.output  # the XOF budget's own EUR figure
    down = runner("trace", "bmz", "--down", "-f", "json")
    assert down.exit_code == 0, down.output
    labels = {n["label"] for n in json.loads(down.output)["nodes"]}
    assert "Plan International Mali" in labels
    assert any(label.startswith("Association Malienne pour la Survie") for label in labels)
    table = runner("trace", "eu", "--depth", "1")
    assert table.output.count("\n") >= 5  # the EU and its four implementers
    flows = runner("flows", "--boundary", "--country", "ML", "-f", "json")
    parts = json.loads(flows.output)["parts"]
    assert parts["incoming"]["flows"] >= 1  # BMZ → Plan International Mali enters Mali
    missing = runner("trace", "no-such-organisation")
    assert missing.exit_code == 1 and "no activity or organisation" in missing.output


def test_3w_and_network_exports(runner, tmp_path):
    _seeded(runner)
    rows = list(csv.DictReader(io.StringIO(runner("3w", "--country", "GN").output)))
    orgs = {r["organisation_label"] for r in rows}
    assert {"Eclosio", "Trias", "CADES"} <= orgs
    assert {r["region_label"] for r in rows} >= {"Kindia", "Mamou", "Labé", "Kankan"}
    out = tmp_path / "net.gexf"
    written = runner("network", "-f", "gexf", "-o", str(out))
    assert written.exit_code == 0 and out.read_text().lstrip().startswith("<?xml")

"""Backup and restore of the on-disk store: exact round trip, refusals that change nothing.

Real on-disk pyoxigraph stores in temp dirs; the commands run through the CLI.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from devgraph.backup import BackupError, backup_store, read_manifest, restore_store
from devgraph.cli import main
from devgraph.store import EmbeddedStore, StoreLockedError

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests" / "data" / "portfolio.ttl"


def cli(store: Path, *args: str):
    return CliRunner().invoke(main, ["--store", str(store), *args], catch_exceptions=False)


def dump(location: Path) -> bytes:
    store = EmbeddedStore(location)
    try:
        out = io.BytesIO()
        store.dump(out, format="nquads")
        return b"\n".join(sorted(out.getvalue().splitlines()))
    finally:
        store.close()


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    location = tmp_path / "store"
    result = cli(location, "load", str(SEED))
    assert result.exit_code == 0, result.output
    return location


def test_backup_then_restore_gives_back_exactly_the_backed_up_store(loaded, tmp_path):
    original = dump(loaded)
    result = cli(loaded, "backup", str(tmp_path / "bk"))
    assert result.exit_code == 0, result.output
    manifest = read_manifest(tmp_path / "bk")
    assert manifest.quads == original.count(b"\n") + 1
    assert any(g.endswith("portfolio.ttl") for g in manifest.graphs)

    extra = tmp_path / "extra.ttl"
    extra.write_text("<http://example.org/s> <http://example.org/p> 1 .\n")
    assert cli(loaded, "load", str(extra)).exit_code == 0
    assert dump(loaded) != original

    result = cli(loaded, "restore", str(tmp_path / "bk"))
    assert result.exit_code == 0, result.output
    assert dump(loaded) == original
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("store.before-restore-")]
    assert len(kept) == 1 and f"kept at {kept[0]}" in result.output
    assert b"http://example.org/s" in dump(kept[0])  # the replaced store is intact


def test_backup_works_while_another_handle_holds_the_store(loaded, tmp_path):
    """As under `devgraph serve`: the store is open for writing elsewhere."""
    held = EmbeddedStore(loaded)
    try:
        manifest = backup_store(loaded, tmp_path / "bk")
        assert manifest.quads == len(held)
        with pytest.raises(StoreLockedError):
            restore_store(tmp_path / "bk", loaded)  # the swap needs the store closed
    finally:
        held.close()


def test_a_backup_is_independent_of_the_store(loaded, tmp_path):
    backup_store(loaded, tmp_path / "bk")
    before = read_manifest(tmp_path / "bk")
    assert cli(loaded, "load", "--force", str(SEED)).exit_code == 0
    other = tmp_path / "other.ttl"
    other.write_text("<http://example.org/x> <http://example.org/p> 2 .\n")
    assert cli(loaded, "load", str(other)).exit_code == 0
    restore_store(tmp_path / "bk", tmp_path / "fresh")
    assert read_manifest(tmp_path / "bk") == before
    assert b"http://example.org/x" not in dump(tmp_path / "fresh")


def test_backup_refuses_an_existing_destination_or_a_missing_store(loaded, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    result = cli(loaded, "backup", str(tmp_path / "taken"))
    assert result.exit_code == 1 and "already exists" in result.output
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"
    with pytest.raises(BackupError, match="no on-disk store"):
        backup_store(tmp_path / "nothing", tmp_path / "bk")
    assert not (tmp_path / "bk").exists()


def test_restore_refuses_an_incomplete_or_tampered_backup_and_changes_nothing(loaded, tmp_path):
    original = dump(loaded)
    backup_store(loaded, tmp_path / "bk")
    manifest_path = tmp_path / "bk" / "manifest.json"

    data = json.loads(manifest_path.read_text())
    data["quads"] += 1  # a snapshot that does not hold what the manifest promises
    manifest_path.write_text(json.dumps(data))
    result = cli(loaded, "restore", str(tmp_path / "bk"))
    assert result.exit_code == 1 and "the manifest says" in result.output
    assert "store is unchanged" in result.output

    manifest_path.unlink()  # as if the backup was interrupted before its manifest
    result = cli(loaded, "restore", str(tmp_path / "bk"))
    assert result.exit_code == 1 and "not a complete devgraph backup" in result.output

    assert dump(loaded) == original
    leftovers = [p.name for p in tmp_path.iterdir() if "restoring" in p.name]
    assert leftovers == [] and not any("before-restore" in p.name for p in tmp_path.iterdir())


def test_restore_into_a_new_location(loaded, tmp_path):
    backup_store(loaded, tmp_path / "bk")
    manifest = restore_store(tmp_path / "bk", tmp_path / "new" / "store")
    assert manifest.replaced is None
    assert dump(tmp_path / "new" / "store") == dump(loaded)

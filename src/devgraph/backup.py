"""Backup and restore of the on-disk store, each checked before it is trusted.

Why not just copy the directory: RocksDB files change under a running server, so a copy
taken while ``devgraph serve`` runs can be torn. pyoxigraph's ``Store.backup`` takes a
consistent snapshot (hard links to the immutable SST files on the same file system, so it
is cheap) and works through a read-only handle, which any process may open while the
server holds the store. A backup is a folder::

    DEST/store/          the snapshot, a regular pyoxigraph store
    DEST/manifest.json   what it holds: quads, graphs and their triple counts

The manifest is written last, after the snapshot has been opened and counted, so a folder
without one is an interrupted backup and :func:`restore_store` refuses it. Restore copies
the snapshot next to the target, checks it against the manifest, then swaps it in with
two renames; the previous store is kept aside (its path is reported), never deleted.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from devgraph import __version__
from devgraph.namespaces import STAGING_GRAPH
from devgraph.store import StoreError, StoreLockedError

__all__ = ["FORMAT", "BackupError", "Manifest", "backup_store", "read_manifest", "restore_store"]

FORMAT = "devgraph-backup/1"
MANIFEST = "manifest.json"
SNAPSHOT = "store"


class BackupError(StoreError):
    """A backup or restore was refused or failed; the live store was not changed."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, so a restore can prove it got all of it back."""

    quads: int
    graphs: dict[str, int]
    created: str
    source: str
    format: str = FORMAT
    devgraph: str = __version__
    pyoxigraph: str = ox.__version__
    replaced: str | None = field(default=None, compare=False)
    """After a restore: where the store that was replaced now lies (None if there was none)."""


def _is_store(path: Path) -> bool:
    return (path / "CURRENT").is_file()


def _census(path: Path) -> tuple[int, dict[str, int]]:
    """Quads and per-graph triple counts of the store at ``path`` (staging graphs excluded)."""
    store = ox.Store.read_only(str(path))
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    graphs = {r["g"].value: int(r["n"].value) for r in rows}  # type: ignore[union-attr]
    default = store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    graphs[""] = int(next(iter(default))["n"].value)  # type: ignore[index,arg-type]
    staged = sum(n for g, n in graphs.items() if g.startswith(STAGING_GRAPH))
    kept = {g: n for g, n in sorted(graphs.items()) if n and not g.startswith(STAGING_GRAPH)}
    return len(store) - staged, kept


def read_manifest(backup: Path) -> Manifest:
    """The manifest of a complete backup; :class:`BackupError` for anything else."""
    path = Path(backup) / MANIFEST
    if not (Path(backup) / SNAPSHOT).is_dir() or not path.is_file():
        raise BackupError(
            f"{backup}: not a complete devgraph backup (needs {SNAPSHOT}/ and {MANIFEST}; "
            "a backup interrupted before its manifest was written is incomplete)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**{k: v for k, v in data.items() if k != "replaced"})
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{path}: unreadable manifest: {exc}") from exc
    if manifest.format != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.format!r}, expected {FORMAT!r}")
    return manifest


def backup_store(location: Path | str, dest: Path | str) -> Manifest:
    """Snapshot the on-disk store at ``location`` into the new folder ``dest``.

    Works while another process (``devgraph serve``) holds the store. ``dest`` must not
    exist. On any failure ``dest`` is removed, so no half-backup is left looking whole.
    """
    location, dest = Path(location), Path(dest)
    if not _is_store(location):
        raise BackupError(f"{location}: no on-disk store here (backup needs a store directory)")
    if dest.exists():
        raise BackupError(f"{dest}: already exists; name a new folder for the backup")
    dest.mkdir(parents=True)
    try:
        ox.Store.read_only(str(location)).backup(str(dest / SNAPSHOT))
        quads, graphs = _census(dest / SNAPSHOT)
        manifest = Manifest(
            quads=quads,
            graphs=graphs,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            source=str(location.resolve()),
        )
        tmp = dest / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, dest / MANIFEST)
    except BaseException as exc:
        shutil.rmtree(dest, ignore_errors=True)
        if isinstance(exc, OSError | RuntimeError):
            raise BackupError(f"backup to {dest} failed, nothing kept: {exc}") from exc
        raise
    return manifest


def _check_unlocked(location: Path) -> None:
    """Refuse to swap a store some process has open for writing."""
    try:
        ox.Store(str(location))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreLockedError(
                f"the store at {location} is in use (stop `devgraph serve` before restoring)"
            ) from exc
        raise BackupError(f"cannot open the store at {location}: {exc}") from exc


def restore_store(backup: Path | str, location: Path | str) -> Manifest:
    """Make the store at ``location`` the backup's content; check it before the swap.

    The snapshot is copied beside ``location`` and counted against the manifest; only
    then is the old store renamed aside (``<location>.before-restore-<time>``, reported
    in the returned manifest's ``replaced``) and the copy renamed into place.
    """
    backup, location = Path(backup), Path(location)
    manifest = read_manifest(backup)
    if location.exists() and _is_store(location):
        _check_unlocked(location)
    elif location.exists() and any(location.iterdir()):
        raise BackupError(f"{location}: exists and is not a store; refusing to replace it")
    staging = location.parent / f".{location.name}.restoring-{uuid.uuid4().hex[:8]}"
    location.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(backup / SNAPSHOT, staging)
        quads, graphs = _census(staging)
        if (quads, graphs) != (manifest.quads, manifest.graphs):
            raise BackupError(
                f"{backup}: the snapshot holds {quads} quads in {len(graphs)} graphs, the "
                f"manifest says {manifest.quads} in {len(manifest.graphs)}; not restored"
            )
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError | RuntimeError):
            raise BackupError(f"restore from {backup} failed, store unchanged: {exc}") from exc
        raise
    replaced = None
    if location.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = location.parent / f"{location.name}.before-restore-{stamp}"
        os.replace(location, aside)
        replaced = str(aside)
    os.replace(staging, location)
    return Manifest(**{**asdict(manifest), "replaced": replaced})

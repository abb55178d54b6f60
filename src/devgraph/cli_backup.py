"""``devgraph backup DEST`` and ``devgraph restore SRC``: snapshots of the on-disk store.

Like :mod:`devgraph.cli`, this module only parses options, calls :mod:`devgraph.backup`
and prints. Neither command opens the store through the CLI context: ``backup`` reads it
through a read-only handle (so it works while ``devgraph serve`` runs) and ``restore``
must find it closed.
"""

from __future__ import annotations

from pathlib import Path

import click

from devgraph.store import StoreError


def register(main: click.Group, pass_ctx) -> None:  # noqa: ANN001 - click decorator
    """Add the commands to the ``devgraph`` group (called once by :mod:`devgraph.cli`)."""

    @main.command()
    @click.argument("dest", type=click.Path(path_type=Path))
    @pass_ctx
    def backup(ctx, dest: Path) -> None:
        """Snapshot the store into the new folder DEST (safe while `devgraph serve` runs)."""
        from devgraph.backup import backup_store

        try:
            manifest = backup_store(Path(ctx.location), dest)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"backed up {manifest.quads} quads in {len(manifest.graphs)} graph(s) to {dest}")

    @main.command()
    @click.argument("src", type=click.Path(path_type=Path, exists=True, file_okay=False))
    @pass_ctx
    def restore(ctx, src: Path) -> None:
        """Replace the store with the backup in SRC, checked against its manifest first.

        The store being replaced is kept beside it (its new name is printed); stop
        `devgraph serve` first.
        """
        from devgraph.backup import restore_store

        try:
            manifest = restore_store(src, Path(ctx.location))
        except StoreError as exc:
            raise click.ClickException(f"{exc}\nthe store is unchanged") from exc
        click.echo(
            f"restored {manifest.quads} quads in {len(manifest.graphs)} graph(s) "
            f"from {src} (backup of {manifest.created})"
        )
        if manifest.replaced:
            click.echo(f"the previous store is kept at {manifest.replaced}")

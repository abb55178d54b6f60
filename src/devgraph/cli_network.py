"""Who-funds-whom commands of the ``devgraph`` CLI: money, summarise, network, trace, flows, 3w.

Kept apart from :mod:`devgraph.cli` (the data and endpoint verbs) so each stays small;
like it, this module only parses options, calls the library and prints.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import click

from devgraph.store import StoreError


def refresh_summaries(store) -> None:  # noqa: ANN001 - a GraphStore
    """Recompute graph:summary and print one line (shared by load, import-iati and money)."""
    from devgraph import summaries

    try:
        report = summaries.refresh(store, progress=lambda line: click.echo(line, err=True))
    except StoreError as exc:
        raise click.ClickException(
            f"{exc}\nthe summaries may be missing: run `devgraph summarise`"
        ) from exc
    click.echo(report.summary())


def register(main: click.Group, pass_ctx) -> None:  # noqa: ANN001 - click decorator
    """Add the commands to the ``devgraph`` group (called once by :mod:`devgraph.cli`)."""

    @main.command()
    @click.option("--rates", type=click.Path(path_type=Path), help="Another rate table (CSV).")
    @click.option("--show-missing", is_flag=True, help="List every amount left unconverted.")
    @pass_ctx
    def money(ctx, rates: Path | None, show_missing: bool) -> None:
        """Add EUR and USD conversions beside every published amount (graph:money)."""
        from devgraph import money as money_lib

        try:
            table = money_lib.RateTable.load(rates) if rates else None
            report = money_lib.normalise(ctx.store, rates=table)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        for currency, count in sorted(report.converted.items()):
            click.echo(f"converted to {currency}: {count}")
        click.echo(f"already stated in the data: {report.already_stated}")
        missing = report.missing_by_currency()
        click.echo(
            "missing: "
            + (", ".join(f"{c} {n}" for c, n in sorted(missing.items())) if missing else "none")
        )
        if show_missing:
            for m in report.missing:
                click.echo(f"  {m}")
        refresh_summaries(ctx.store)  # the totals in EUR depend on the conversions

    @main.command()
    @pass_ctx
    def summarise(ctx) -> None:
        """Recompute the transaction totals in graph:summary (done after every load).

        Needed only after `load --no-summaries`, or after changing the store by SPARQL Update.
        """
        refresh_summaries(ctx.store)

    @main.command()
    @click.option("--country", help="ISO 3166-1 alpha-2 code of a recipient country.")
    @click.option("--sector", help="DAC sector code (5 or 3 digits).")
    @click.option("--funder", help="Organisation IRI or IATI ref: keep what it funds, downstream.")
    @click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["graphml", "gexf", "csv", "json"]),
        default="json",
        show_default=True,
    )
    @click.option("-o", "--output", type=click.Path(path_type=Path), help="File (default: stdout).")
    @click.option("--centrality", is_flag=True, help="Print the top 20 organisations instead.")
    @pass_ctx
    def network(ctx, country, sector, funder, fmt: str, output: Path | None, centrality: bool):
        """Export the funding network (organisations and flows) for Gephi and friends."""
        from devgraph.network import analytics, export
        from devgraph.network.build import build_flows

        fg = build_flows(ctx.store).subset(country=country, sector=sector, funder=funder)
        if centrality:
            click.echo(f"{'pagerank':>9} {'in':>4} {'out':>4} {'betweenness':>11}  organisation")
            for c in analytics.centralities(fg)[:20]:
                click.echo(
                    f"{c.pagerank:9.4f} {c.in_degree:4d} {c.out_degree:4d} "
                    f"{c.betweenness:11.4f}  {c.label}"
                )
            return
        if output:
            export.write(fg, output, fmt)
            click.echo(f"wrote {output}")
        else:
            sys.stdout.buffer.write(export.render(fg, fmt))

    @main.command()
    @click.argument("start")
    @click.option("--up", "direction", flag_value="up", help="Follow the money upstream.")
    @click.option("--down", "direction", flag_value="down", default=True, help="Downstream.")
    @click.option("--depth", type=int, help="Stop after this many steps.")
    @click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table")
    @pass_ctx
    def trace(ctx, start: str, direction: str, depth: int | None, fmt: str) -> None:
        """Follow money from an activity or organisation (IRI or IATI identifier)."""
        from devgraph.network import chains
        from devgraph.network.build import build_flows

        fg = build_flows(ctx.store)
        iri = fg.resolve(start)
        if iri is None:
            raise click.ClickException(f"no activity or organisation matches {start!r}")
        result = chains.trace(fg, iri, direction=direction, depth=depth)
        if fmt == "json":
            click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
            return
        for node in result.nodes:
            mark = "  (phantom: referenced, not published)" if node.phantom else ""
            click.echo(f"{node.depth:>3}  {node.kind:<12} {node.label}  {node.identifier}{mark}")
        for cycle in result.cycles:
            click.echo("cycle: " + " → ".join(fg.label(n) for n in cycle))

    @main.command()
    @click.option("--boundary", is_flag=True, required=True, help="Split flows at a boundary.")
    @click.option("--country", help="Boundary: organisations active in this country (ISO2).")
    @click.option("--sector", help="Boundary: organisations active in this DAC sector.")
    @click.option("--org", "orgs", multiple=True, help="Boundary: these organisations.")
    @click.option("--window-days", default=90, show_default=True, type=int)
    @click.option("--tolerance", default="0.01", show_default=True, help="Relative difference.")
    @click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table")
    @pass_ctx
    def flows(ctx, boundary, country, sector, orgs, window_days, tolerance, fmt) -> None:
        """Incoming, internal and outgoing money of a boundary, each flow counted once."""
        from devgraph.network import boundary as bnd
        from devgraph.network.build import build_flows

        if not (country or sector or orgs):
            raise click.UsageError("give --country, --sector or --org")
        fg = build_flows(ctx.store)
        members: set[str] = set()
        if country:
            members |= bnd.country_boundary(ctx.store, country)
        if sector:
            members |= bnd.sector_boundary(ctx.store, sector)
        for org in orgs:
            iri = fg.resolve(org)
            if iri is None:
                raise click.ClickException(f"no organisation matches {org!r}")
            members.add(iri)
        rec = bnd.reconcile(fg, window_days=window_days, tolerance=Decimal(tolerance))
        report = bnd.split(rec, members)
        parts = {
            part: {
                "flows": len(getattr(report, part)),
                "disbursed_eur": str(report.total(part)),
                "without_eur": report.unpriced(part),
            }
            for part in ("incoming", "internal", "outgoing")
        }
        data = {"members": len(members), "parts": parts, "reconciliation": rec.summary()}
        if fmt == "json":
            click.echo(json.dumps(data, indent=2))
            return
        click.echo(f"boundary: {len(members)} organisations")
        for part, row in parts.items():
            click.echo(
                f"  {part:<9} {row['flows']:>6} flows  {row['disbursed_eur']:>18} EUR disbursed"
                f"  ({row['without_eur']} without a EUR figure)"
            )
        click.echo("reconciliation: " + ", ".join(f"{k} {v}" for k, v in rec.summary().items()))

    @main.command("3w")
    @click.option("--country", help="ISO 3166-1 alpha-2 code.")
    @click.option("-f", "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
    @pass_ctx
    def three_w(ctx, country: str | None, fmt: str) -> None:
        """Who does what where (and when): region × sector × organisation × year."""
        from devgraph.network import analytics

        matrix = analytics.matrix_3w(ctx.store, country=country)
        columns = [
            "region",
            "region_label",
            "sector",
            "sector_label",
            "organisation",
            "organisation_label",
            "year",
        ]
        rows = [
            {**{c: getattr(cell, c) for c in columns}, "activities": len(cell.activities)}
            for cell in matrix.cells
        ]
        if fmt == "json":
            click.echo(
                json.dumps(
                    {"cells": rows, "overlaps": matrix.overlaps, "gaps": matrix.gaps},
                    indent=2,
                    ensure_ascii=False,
                    default=list,
                )
            )
            return
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*columns, "activities"])
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)

"""Publication commands of the ``devgraph`` CLI: ``devgraph export iati|iati-org|…``.

Like :mod:`devgraph.cli_network`, this module only parses options, calls
:mod:`devgraph.export` and prints; the exit status is 1 when nothing could be written.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from devgraph.store import StoreError


def _print_export(result) -> None:  # noqa: ANN001 - devgraph.export.ActivityExport
    for plan in result.skipped:
        click.echo(f"skipped {plan.iri}: missing {'; '.join(plan.notes.missing)}", err=True)
    for plan in result.written:
        label = plan.identifier or plan.iri
        if plan.notes.missing:
            click.echo(f"INCOMPLETE {label}: missing {'; '.join(plan.notes.missing)}", err=True)
        for line in plan.notes.changed:
            click.echo(f"derived   {label}: {line}", err=True)
        for line in plan.notes.dropped:
            click.echo(f"left out  {label}: {line}", err=True)
    if result.findings:
        click.echo(
            "SHACL findings (IATI Validator terms: severity, rule, activity, path):", err=True
        )
        for f in result.findings:
            click.echo("  " + f.line(), err=True)


def register(main: click.Group, pass_ctx) -> None:  # noqa: ANN001 - click decorator
    """Add the ``export`` group to the ``devgraph`` group (called once by :mod:`devgraph.cli`)."""

    @main.group()
    def export() -> None:
        """Publish: IATI 2.03 activity and organisation files, Registry records, RDF dumps."""

    @export.command("iati")
    @click.option("--reporting-org", help="Publisher's org identifier (or dgo: IRI/local name).")
    @click.option("--activity", "activities", multiple=True, help="iati-identifier or IRI.")
    @click.option("--country", help="Only activities in this recipient country (ISO alpha-2).")
    @click.option("--split", type=click.Choice(["publisher", "country"]), help="One file per …")
    @click.option("--allow-incomplete", is_flag=True, help="Write incomplete activities, marked.")
    @click.option("--strict", is_flag=True, help="Write nothing when a shape reports an error.")
    @click.option("--no-shacl", is_flag=True, help="Skip the SHACL check (faster).")
    @click.option(
        "--compare-with",
        type=click.Path(exists=True, path_type=Path),
        help="An IATI file these activities came from: list what the export changed.",
    )
    @click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        required=True,
        help="File (or folder with --split).",
    )
    @pass_ctx
    def iati(
        ctx,
        reporting_org,
        activities,
        country,
        split,
        allow_incomplete,
        strict,
        no_shacl,
        compare_with,
        output,
    ) -> None:
        """IATI 2.03 activity XML from the activities in the store, XSD-checked."""
        from devgraph.export import ExportError, export_activities

        try:
            result = export_activities(
                ctx.store,
                activities=list(activities),
                reporting_org=reporting_org,
                country=country,
                split=split,
                allow_incomplete=allow_incomplete,
                strict=strict,
                shacl=not no_shacl,
            )
        except (ExportError, StoreError) as exc:
            raise click.ClickException(str(exc)) from exc
        _print_export(result)
        if result.refused:
            n = len(result.violations)
            raise click.ClickException(f"{n} error(s) from the shapes: nothing written (--strict)")
        if not result.files:
            raise click.ClickException("no activity to write (see the messages above)")
        for f in result.files:
            path = output / f"{f.key.lower()}.xml" if split else output
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.xml)
            state = "XSD-valid" if not f.xsd_errors else f"{len(f.xsd_errors)} XSD error(s)"
            click.echo(f"wrote {path}: {f.activity_count} activities, IATI 2.03, {state}")
            for err in f.xsd_errors:
                click.echo(f"  XSD {err}", err=True)
            if compare_with:
                from devgraph.export.roundtrip import compare_xml, xml_items

                lines = compare_xml(xml_items(compare_with), xml_items(f.xml))
                click.echo(f"compared with {compare_with}: {len(lines)} difference(s)")
                for line in lines:
                    click.echo(f"  {line}")

    @export.command("iati-org")
    @click.argument("org")
    @click.option("--allow-incomplete", is_flag=True)
    @click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
    @pass_ctx
    def iati_org(ctx, org, allow_incomplete, output) -> None:
        """IATI 2.03 organisation XML for ORG (org identifier, dgo: IRI or local name)."""
        from devgraph.export import export_organisation

        try:
            result = export_organisation(ctx.store, org, allow_incomplete=allow_incomplete)
        except (LookupError, StoreError) as exc:
            raise click.ClickException(str(exc)) from exc
        if result.xml is None:
            raise click.ClickException(
                f"{result.org}: missing {'; '.join(result.notes.missing)} (--allow-incomplete)"
            )
        output.write_bytes(result.xml)
        state = "XSD-valid" if not result.xsd_errors else f"{len(result.xsd_errors)} XSD error(s)"
        click.echo(f"wrote {output}: organisation {result.org}, IATI 2.03, {state}")

    @export.command("registry")
    @click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option("--publisher", required=True, help="IATI Registry publisher id.")
    @click.option("--base-url", required=True, help="Where the files are published.")
    @click.option("--licence", default="cc-by", show_default=True)
    @click.option(
        "-o", "--output", type=click.Path(path_type=Path), help="JSON file (default stdout)."
    )
    def registry(files, publisher, base_url, licence, output) -> None:
        """IATI Registry dataset records (JSON) for exported FILES."""
        from devgraph.export import registry_records

        try:
            records = registry_records(
                list(files), publisher=publisher, base_url=base_url, licence=licence
            )
        except (ValueError, OSError) as exc:
            raise click.ClickException(str(exc)) from exc
        text = json.dumps(records, indent=2, ensure_ascii=False)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            click.echo(f"wrote {output}: {len(records)} dataset record(s)")
        else:
            click.echo(text)

    @export.command("linked-data")
    @click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder.")
    @click.option("--base-url", required=True, help="Where the dumps are published.")
    @click.option("--title", default="devgraph portfolio", show_default=True)
    @click.option("--licence", default="cc-by", show_default=True)
    @pass_ctx
    def linked_data(ctx, output, base_url, title, licence) -> None:
        """Turtle, JSON-LD and N-Quads dumps with a DCAT/VoID description (void.ttl)."""
        from devgraph.export import write_dumps

        try:
            dumps = write_dumps(ctx.store, output, base_url=base_url, title=title, licence=licence)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        for d in dumps:
            click.echo(f"wrote {d.path} ({d.media_type}, {d.size} bytes)")

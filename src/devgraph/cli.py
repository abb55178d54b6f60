"""The ``devgraph`` command: one verb per library function, nothing more.

Every command only parses options, calls the library and prints; errors from the
library arrive as :class:`~devgraph.store.StoreError` and leave with exit status 1
and a one-line message, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from devgraph import __version__, queries, results, stats
from devgraph import load as loader
from devgraph.store import GraphStore, StoreError, open_store

DEFAULT_STORE = "var/store"


class Context:
    """Opens the store on first use, so ``--help`` never touches the disk."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._store: GraphStore | None = None

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            try:
                self._store = open_store(self.location)
            except StoreError as exc:  # e.g. a store URL whose server is down
                raise click.ClickException(str(exc)) from exc
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    envvar="DEVGRAPH_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    help="Store directory (embedded pyoxigraph), ':memory:', or a SPARQL server URL "
    "(docs/scaling.md).",
)
@click.version_option(__version__, prog_name="devgraph")
@click.pass_context
def main(ctx: click.Context, store: str) -> None:
    """devgraph: a knowledge graph of development-cooperation projects."""
    ctx.obj = Context(store)
    ctx.call_on_close(ctx.obj.close)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Reload files even when unchanged.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@click.option("--no-summaries", is_flag=True, help="Skip the summary refresh (run `summarise`).")
@pass_ctx
def load(
    ctx: Context, paths: tuple[Path, ...], force: bool, quiet: bool, no_summaries: bool
) -> None:
    """Load RDF files and folders, one named graph per file, all or nothing.

    .xml and .zip files named in PATHS, and IATI XML found inside folders, go to the
    IATI importer (see `devgraph import-iati`); RDF and IATI are committed separately.
    When anything changed, the transaction totals in graph:summary are recomputed.
    """
    from devgraph.iati import is_iati_file

    progress = None if quiet else (lambda line: click.echo(line, err=True))
    # A named .xml file is meant as IATI: the importer says why it is refused (entities,
    # wrong root, bad syntax) instead of the RDF loader's "unknown file type".
    iati = [p for p in paths if p.is_file() and p.suffix.lower() in (".zip", ".xml")]
    iati += [x for p in paths if p.is_dir() for x in sorted(p.rglob("*.xml")) if is_iati_file(x)]
    rdf = [p for p in paths if p not in iati]
    changed = False
    if rdf:
        try:
            report = loader.load_paths(ctx.store, rdf, force=force, progress=progress)
        except StoreError as exc:
            raise click.ClickException(
                f"{exc}\nnothing was loaded; the store is unchanged"
            ) from exc
        skipped = len([s for s in report.skipped if s not in iati])
        click.echo(
            f"loaded {len(report.loaded)} file(s), {report.triples} triples; "
            f"{len(report.unchanged)} unchanged; {skipped} skipped (not RDF)"
        )
        changed = bool(report.loaded)
    if iati:
        changed |= _import_iati(ctx, iati, strict=False, report_file=None, force=force, quiet=quiet)
    if changed and not no_summaries:
        refresh_summaries(ctx.store)


@main.command("import-iati")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Refuse the import if any activity fails the XSD.")
@click.option("--report", "report_file", type=click.Path(path_type=Path), help="Write JSON.")
@click.option("--force", is_flag=True, help="Re-import files even when unchanged.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("--no-summaries", is_flag=True, help="Skip the summary refresh (run `summarise`).")
@pass_ctx
def import_iati(
    ctx: Context,
    paths: tuple[Path, ...],
    strict: bool,
    report_file: Path | None,
    force: bool,
    quiet: bool,
    no_summaries: bool,
) -> None:
    """Import IATI XML (files, folders, .zip; versions 1.00–2.03), one graph per file.

    When anything changed, the transaction totals in graph:summary are recomputed.
    """
    changed = _import_iati(
        ctx, list(paths), strict=strict, report_file=report_file, force=force, quiet=quiet
    )
    if changed and not no_summaries:
        refresh_summaries(ctx.store)


def _import_iati(
    ctx: Context,
    paths: list[Path],
    *,
    strict: bool,
    report_file: Path | None,
    force: bool,
    quiet: bool,
) -> bool:
    """Import and print the report; True when a file was (re)imported."""
    from devgraph.iati import IatiImportError, import_paths

    tty = sys.stderr.isatty()

    def progress(p: object) -> None:
        if quiet:
            return
        if tty:
            click.echo(f"\r{p}", err=True, nl=bool(getattr(p, "done", False)))
        elif getattr(p, "done", False):
            click.echo(str(p), err=True)

    try:
        report = import_paths(ctx.store, paths, strict=strict, progress=progress, force=force)
    except (IatiImportError, StoreError) as exc:
        raise click.ClickException(f"{exc}\nnothing was written; the store is unchanged") from exc
    click.echo(report.summary())
    if report_file:
        report_file.write_text(report.to_json(), encoding="utf-8")
        click.echo(f"report written to {report_file}")
    return bool(report.imported)


@main.command()
@pass_ctx
def graphs(ctx: Context) -> None:
    """List named graphs with their triple counts."""
    infos = ctx.store.graphs()
    if not infos:
        click.echo("the store is empty: run `devgraph load PATH`")
        return
    width = max(len(g.iri) for g in infos)
    for g in infos:
        click.echo(f"{g.iri.ljust(width)}  {g.triples:>9}")


@main.command("query")
@click.argument("query")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter: <iri>, prefix:name, a literal in N-Triples syntax, or text.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(results.ALL_FORMATS),
    help="Output format (default: table, or ttl for CONSTRUCT/DESCRIBE).",
)
@pass_ctx
def query_cmd(ctx: Context, query: str, params: tuple[str, ...], fmt: str | None) -> None:
    """Run QUERY: a named query (see `devgraph queries`) or a path to an .rq file."""
    bound: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="-p")
        bound[name.strip().lstrip("?")] = value
    try:
        named = queries.get_query(query)
        result = queries.run_query(ctx.store, named, bound)
        body, _ = results.serialize(result, fmt or results.default_format(result))
    except StoreError as exc:
        raise _fail(exc) from exc
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


@main.command("queries")
def queries_cmd() -> None:
    """List the named queries with their titles and parameters."""
    for q in queries.list_queries():
        params = " ".join(f"-p {p.name}=…" for p in q.params)
        click.echo(f"{q.name}: {q.title}" + (f"  [{params}]" if params else ""))


@main.command("stats")
@pass_ctx
def stats_cmd(ctx: Context) -> None:
    """Triples, graphs and instances per class."""
    s = stats.compute(ctx.store)
    click.echo(f"triples  {s.triples}\ngraphs   {s.graphs}")
    for name, count in s.classes.items():
        click.echo(f"  {name:<24} {count:>7}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--graph", help="Validate one named graph of the store (default: all data graphs).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "ttl", "html"]),
    default="text",
    show_default=True,
)
@click.option("--shape", "only", multiple=True, help="Run only this shape (repeatable).")
@click.option("--no-codelists", is_flag=True, help="Skip codelist-membership shapes.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here.")
@click.option(
    "--engine",
    type=click.Choice(["sparql", "pyshacl"]),
    default="sparql",
    show_default=True,
    help="sparql: shapes compiled to queries on the store; pyshacl: the reference.",
)
@pass_ctx
def validate(
    ctx: Context,
    paths: tuple[Path, ...],
    graph: str | None,
    fmt: str,
    only: tuple[str, ...],
    no_codelists: bool,
    output: Path | None,
    engine: str,
) -> None:
    """Check files (PATHS) or the store against the SHACL shapes; exit 1 on a Violation."""
    from devgraph import validate as validation

    options = {"codelists": not no_codelists, "only": list(only) or None, "engine": engine}
    try:
        if paths:
            if graph:
                raise click.UsageError("--graph applies to the store, not to PATHS")
            report = validation.validate(list(paths), **options)
        else:
            report = validation.validate_store(ctx.store, graph=graph, **options)
    except (StoreError, ValueError, FileNotFoundError) as exc:
        raise _fail(exc) from exc
    text = {
        "text": report.to_text,
        "json": report.to_json,
        "ttl": report.to_turtle,
        "html": report.to_html,
    }[fmt]()
    if output:
        output.write_text(text, encoding="utf-8")
        counts = ", ".join(f"{n} {k}" for k, n in report.counts().items())
        click.echo(f"report written to {output} ({counts})")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    if not report.conforms:
        raise SystemExit(1)


@main.command()
@click.option(
    "--consistency/--no-consistency",
    default=True,
    show_default=True,
    help="Also check ontology + data with HermiT (needs Java; slow on large portfolios).",
)
@click.option("-v", "--verbose", is_flag=True, help="List every inferred class membership.")
@pass_ctx
def reason(ctx: Context, consistency: bool, verbose: bool) -> None:
    """Materialise entailments into graph:inferred; check consistency with HermiT."""
    from devgraph import reason as reasoning

    try:
        report = reasoning.materialise(ctx.store)
    except StoreError as exc:
        raise _fail(exc) from exc
    for rule, count in report.derived.items():
        click.echo(f"  {rule:<24} {count:>7}")
    click.echo(f"materialised {report.total} triples into graph:inferred ({report.rounds} rounds)")
    if not consistency:
        return
    result = reasoning.check_store_consistency(ctx.store)
    click.echo(result.message)
    for cls in result.unsatisfiable_classes:
        click.echo(f"  unsatisfiable: {cls}")
    shown = result.inferred_types if verbose else result.inferred_types[:20]
    for individual, cls in shown:
        click.echo(f"  {individual}  a  {cls}")
    if len(shown) < len(result.inferred_types):
        click.echo(f"  … {len(result.inferred_types) - len(shown)} more (use --verbose)")
    if not result.consistent or result.unsatisfiable_classes:
        raise SystemExit(1)


@main.command()
@click.option("--host", envvar="DEVGRAPH_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="DEVGRAPH_PORT", default=5000, show_default=True, type=int)
@click.option("--threads", envvar="DEVGRAPH_THREADS", default=8, show_default=True, type=int)
@click.option(
    "--timeout",
    envvar="DEVGRAPH_QUERY_TIMEOUT",
    default=10.0,
    show_default=True,
    type=float,
    help="Seconds a SPARQL query may run before its worker is killed (503).",
)
@click.option(
    "--workers",
    envvar="DEVGRAPH_QUERY_WORKERS",
    default=4,
    show_default=True,
    type=int,
    help="Query worker processes (0: run queries in the request thread).",
)
@click.option(
    "--warm/--no-warm",
    default=True,
    show_default=True,
    help="At start, compute the browser's whole-store pages in the background "
    "(home and flows, search index, organisations, validation).",
)
@pass_ctx
def serve(
    ctx: Context, host: str, port: int, threads: int, timeout: float, workers: int, warm: bool
) -> None:
    """Serve the browser and the SPARQL endpoint with waitress."""
    import waitress

    from devgraph.web import create_app

    app = create_app({"STORE": ctx.store, "QUERY_TIMEOUT": timeout, "QUERY_WORKERS": workers})
    if warm:
        from devgraph.pages import warm_up

        warm_up(ctx.store)
    click.echo(f"devgraph on http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="devgraph")


from devgraph.cli_network import refresh_summaries  # noqa: E402
from devgraph.cli_network import register as _register_network  # noqa: E402

_register_network(main, pass_ctx)
from devgraph.cli_backup import register as _register_backup  # noqa: E402

_register_backup(main, pass_ctx)
from devgraph.cli_export import register as _register_export  # noqa: E402

_register_export(main, pass_ctx)

if __name__ == "__main__":  # pragma: no cover
    main()

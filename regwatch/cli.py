"""The ``regwatch`` command line: a thin skin over the Python API.

Library errors become CLI errors only here, at the boundary: a ``RegwatchError`` prints one
clear line on stderr and exits non-zero; it never shows a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from regwatch import output
from regwatch.config import Settings, load_settings
from regwatch.errors import LockHeld, RegwatchError
from regwatch.output import CsvOpt, Format, FormatOpt, JsonOpt, TableOpt

app = typer.Typer(
    help="Watch MOFCOM for export-control measures: crawl, store every version, parse, query.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

_fmt = output.choose


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings file (also REGWATCH_CONFIG).")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Database, lock and logs (default ./var).")
    ] = None,
    db_url: Annotated[
        str | None,
        typer.Option("--db", help="SQLAlchemy database URL (default SQLite in the data dir)."),
    ] = None,
    mirror: Annotated[
        str | None, typer.Option("--mirror", help="Fetch every source from this local mirror URL.")
    ] = None,
    log_file: Annotated[
        Path | None, typer.Option("--log-file", help="Also append logs to this file.")
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="Compute legal statuses for this day (YYYY-MM-DD; default: the real date).",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    """Global options; every value can also come from REGWATCH_* variables or --config."""
    try:
        settings = load_settings(
            os.environ,
            config,
            data_dir=data_dir,
            db_url=db_url,
            mirror_url=mirror,
            log_file=log_file,
            log_level="DEBUG" if verbose else None,
            today=today,
        )
    except RegwatchError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    _configure_logging(settings)
    ctx.obj = settings


def _configure_logging(settings: Settings) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.log_file:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(settings.log_file, encoding="utf-8"))
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    if settings.log_level != "DEBUG":
        # Third-party INFO chatter (Scrapy's banner and stats dumps, Alembic's plugin list) is
        # noise beside regwatch's own per-source summary; -v shows it all.
        for handler in handlers:
            handler.addFilter(_quiet_third_party)


def _quiet_third_party(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or not record.name.startswith(
        ("scrapy", "alembic", "twisted")
    )


def _crawl(
    ctx: typer.Context,
    command: str,
    sources: list[str],
    backfill: bool,
    revisit: str | None,
    parse: bool,
    progress: bool,
) -> None:
    from regwatch import pipeline
    from regwatch.sources import resolve_sources

    settings = _settings(ctx).replace(revisit=revisit)
    try:
        names = resolve_sources(sources or list(settings.sources))
        report = pipeline.crawl_and_process(
            settings,
            command=command,
            sources=names,
            backfill=backfill,
            parse=parse,
            progress=progress and sys.stderr.isatty(),
        )
    except LockHeld as exc:
        err.print(f"[yellow]{exc}[/]")
        raise typer.Exit(pipeline.EXIT_LOCKED) from exc
    except RegwatchError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(pipeline.EXIT_USAGE) from exc
    _print_report(report)
    raise typer.Exit(report.exit_code)


def _print_report(report: Any) -> None:
    err.print(f"run {report.run_id}: [bold]{report.status}[/]")
    for name, outcome in report.sources.items():
        stats = outcome.stats
        line = (
            f"  {name:<20} {outcome.status:<8} lists={stats.get('list_pages', 0)} "
            f"fetched={stats.get('pages_fetched', 0)} new={stats.get('new_documents', 0)} "
            f"changed={stats.get('new_versions', 0)} errors={stats.get('errors', 0)}"
        )
        err.print(line + (f"  ({outcome.error})" if outcome.error else ""))
    if report.processed is not None:
        err.print(
            f"  parsed {report.processed.parsed} version(s), {report.processed.failed} failed"
        )
    if report.changes is not None:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.changes.events.items()))
        err.print(f"  change events: {report.changes.total()}" + (f" ({kinds})" if kinds else ""))


RevisitOpt = Annotated[
    str | None, typer.Option("--revisit", help="Re-fetch stored pages: none, due (default) or all.")
]


@app.command()
def run(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Only these sources.")
    ] = None,
    backfill: Annotated[
        bool, typer.Option("--backfill", help="Page every list to its end.")
    ] = False,
    revisit: RevisitOpt = None,
    progress: Annotated[
        bool, typer.Option(help="Progress display when attached to a terminal.")
    ] = True,
) -> None:
    """Crawl all sources, store new versions, parse them (the cron entry point).

    Exit codes: 0 every source ok; 3 some pages failed (recorded); 1 a source failed;
    75 another run holds the lock; 2 usage or configuration error.
    """
    _crawl(ctx, "run", source or [], backfill, revisit, parse=True, progress=progress)


@app.command()
def crawl(
    ctx: typer.Context,
    sources: Annotated[list[str], typer.Argument(help="Source name(s); see `regwatch sources`.")],
    backfill: Annotated[
        bool, typer.Option("--backfill", help="Page every list to its end.")
    ] = False,
    revisit: RevisitOpt = None,
    parse: Annotated[bool, typer.Option(help="Also parse what was stored.")] = False,
    progress: Annotated[
        bool, typer.Option(help="Progress display when attached to a terminal.")
    ] = True,
) -> None:
    """Crawl the named source(s) and store raw versions (parse later with `regwatch process`)."""
    _crawl(ctx, "crawl", sources, backfill, revisit, parse=parse, progress=progress)


@app.command()
def sources() -> None:
    """List the source names."""
    from regwatch.sources import SOURCE_NAMES

    for name in SOURCE_NAMES:
        typer.echo(name)


@app.command()
def process(ctx: typer.Context) -> None:
    """Parse stored versions not yet parsed by this parser version, then detect changes."""
    from regwatch import pipeline

    sessions = pipeline.open_db(_settings(ctx))
    stats = pipeline.process_pending(sessions)
    found = pipeline.detect_changes(sessions, _settings(ctx))
    err.print(
        f"parsed {stats.parsed} version(s), {stats.failed} failed; {found.total()} change event(s)"
    )
    raise typer.Exit(1 if stats.failed or found.failed else 0)


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many documents.")] = 50,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="Parsed kind: announcement, entity_list, news, qa, notice, other."
        ),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Only this source.")] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Only documents first seen in the latest run.")
    ] = False,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_table: TableOpt = False,
) -> None:
    """Latest stored documents with their numbers, publish and effective dates."""
    from regwatch import views

    rows = views.document_rows(_settings(ctx), limit=limit, kind=kind, source=source, new_only=new)
    output.emit(
        rows, _fmt(fmt, as_json, as_csv, as_table), views.LIST_COLUMNS, title="regwatch documents"
    )


@app.command()
def show(
    ctx: typer.Context,
    doc_id: Annotated[int, typer.Argument(help="Document id (see `regwatch list`).")],
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_table: TableOpt = False,
) -> None:
    """One document: its facts, locations and every stored version."""
    from regwatch import views

    detail = views.document_detail(_settings(ctx), doc_id)
    if detail is None:
        err.print(f"[red]error:[/] no document {doc_id}")
        raise typer.Exit(1)
    if output.resolve(_fmt(fmt, as_json, False, as_table)) is Format.json:
        typer.echo(json.dumps(detail, ensure_ascii=False, indent=2, default=str))
    else:
        views.print_detail(detail)


@app.command()
def parse(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="HTML or text file.")
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="URL the file came from (resolves annex links).")
    ] = None,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
) -> None:
    """Parse one local file and print its record (the contract in shared/contract)."""
    import parsers

    record = parsers.parse_file(file.read_bytes(), file.name).to_dict()
    if url:
        record["url"] = url
    if output.resolve(_fmt(fmt, as_json, False, False)) is Format.json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        from regwatch import views

        views.print_record(record)


@app.command()
def status(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 10,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_table: TableOpt = False,
) -> None:
    """Recent runs with per-source outcomes."""
    from regwatch import views

    rows = views.run_rows(_settings(ctx), limit)
    output.emit(rows, _fmt(fmt, as_json, as_csv, as_table), views.RUN_COLUMNS, title="recent runs")
    from regwatch import cli_alerts

    cli_alerts.print_health(_settings(ctx))


@app.command()
def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database schema to the latest migration."""
    from regwatch import pipeline

    pipeline.open_db(_settings(ctx))
    err.print(f"database at {_settings(ctx).db_url} is up to date")


@app.command()
def mirror(
    port: Annotated[int, typer.Option(help="0 picks a free port.")] = 0,
    state: Annotated[int, typer.Option(help="Initial site state (1-5).")] = 1,
    synthetic: Annotated[int, typer.Option(help="Extra generated articles (benchmarks).")] = 0,
) -> None:
    """Serve the local MOFCOM mirror until interrupted (prints MIRROR_URL=...)."""
    from mirror.__main__ import serve_forever

    serve_forever(port=port, state=state, synthetic=synthetic)


@app.command()
def demo(
    data_dir: Annotated[
        Path, typer.Option(help="Where the demo database goes (wiped first).")
    ] = Path("var/demo"),
) -> None:
    """Crawl the bundled mirror, show what was found, change the world, crawl again."""
    from regwatch.demo import run_demo

    raise typer.Exit(run_demo(data_dir))


def _register_modules() -> None:
    from regwatch import cli_alerts, cli_changes

    cli_changes.register(app)
    cli_alerts.register(app)


_register_modules()

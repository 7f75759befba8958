"""CLI commands of the diff layer: changes, controls, entities, diff, reparse.

A thin skin over ``db.controls`` (read side) and ``regwatch.pipeline`` (reparse); registered on
the main Typer app by ``regwatch.cli``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

from regwatch import output
from regwatch.config import Settings
from regwatch.output import CsvOpt, Format, FormatOpt, JsonOpt, TableOpt

err = Console(stderr=True)

CompareOpt = Annotated[
    tuple[str, str] | None,
    typer.Option("--compare", help="Two days D1 D2: what was added, removed or changed."),
]
EVENT_COLUMNS = ("id", "detected_at", "kind", "cause", "effective_on", "instrument", "summary_en")
CONTROL_COLUMNS = (
    "code",
    "name",
    "hs_codes",
    "status",
    "since",
    "until",
    "instrument",
    "status_by",
)
ENTITY_COLUMNS = ("name_zh", "name_en", "country", "list", "status", "since", "instrument")
DIFF_COLUMNS = ("change", "label", "before", "after", "key")
SUMMARY_COLUMNS = ("instrument", "items", "codes", "status", "since", "until", "status_by")


_fmt = output.choose


def _day(raw: str | None, what: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        err.print(f"[red]error:[/] {what}: {raw!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from exc


def _sessions(ctx: typer.Context) -> Any:
    from regwatch.pipeline import open_db

    settings: Settings = ctx.obj
    return open_db(settings)


def _today(ctx: typer.Context) -> date:
    settings: Settings = ctx.obj
    return settings.today or date.today()


def changes(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only events detected or taking effect on/after this day."),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", "-k", help="Only these kinds (repeatable), e.g. item_added."),
    ] = None,
    cause: Annotated[
        list[str] | None,
        typer.Option("--cause", help="Only these causes: content, parser, time, site."),
    ] = None,
    instrument: Annotated[
        str | None, typer.Option("--instrument", help="Only events of this instrument key.")
    ] = None,
    run: Annotated[
        int | None, typer.Option("--run", help="Only events detected by this run id.")
    ] = None,
    last_run: Annotated[
        bool, typer.Option("--last-run", help="Only events detected by the latest run.")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="The newest N.")] = None,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_table: TableOpt = False,
) -> None:
    """Change events: new and changed documents, items, thresholds, measures, entities."""
    from db import queries
    from db.controls import change_events

    with _sessions(ctx)() as s:
        run_id = queries.latest_run_id(s) if last_run else run
        rows = change_events(
            s,
            since=_day(since, "--since"),
            kinds=kind,
            causes=cause,
            instrument_key=instrument,
            run_id=run_id,
            limit=limit,
        )
    output.emit(rows, _fmt(fmt, as_json, as_csv, as_table), EVENT_COLUMNS, title="change events")


def controls(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day (default: today).")] = None,
    compare: CompareOpt = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Only control codes starting with this.")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="Only pending, in_force, suspended, lifted, repealed."),
    ] = None,
    by_instrument: Annotated[
        bool,
        typer.Option("--by-instrument", help="One row per announcement: item count and status."),
    ] = False,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_table: TableOpt = False,
) -> None:
    """The control list on a day (every item, its status and why), or between two days."""
    from db.controls import compare_controls, controls_as_of

    chosen = _fmt(fmt, as_json, as_csv, as_table)
    with _sessions(ctx)() as s:
        if compare:
            _emit_comparison(compare, chosen, "controls", lambda a, b: compare_controls(s, a, b))
            return
        on = _day(as_of, "--as-of") or _today(ctx)
        rows = [r.to_dict() for r in controls_as_of(s, on)]
    if code:
        rows = [r for r in rows if (r["code"] or "").startswith(code)]
    if status:
        rows = [r for r in rows if r["status"] in status]
    if by_instrument:
        output.emit(_per_instrument(rows), chosen, SUMMARY_COLUMNS, title=f"controls as of {on}")
        return
    output.emit(rows, chosen, CONTROL_COLUMNS, title=f"controls as of {on}")


def _emit_comparison(
    days: tuple[str, str], chosen: Format, what: str, compare: Callable[[date, date], list[Any]]
) -> None:
    first, second = _day(days[0], "--compare"), _day(days[1], "--compare")
    assert first is not None and second is not None
    diffs = [d.to_dict() for d in compare(first, second)]
    output.emit(diffs, chosen, DIFF_COLUMNS, title=f"{what} {first} → {second}")


def _per_instrument(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Control rows folded to one row per instrument and status."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["instrument_key"], r["status"])
        row = out.setdefault(
            key,
            {
                "instrument": r["instrument"],
                "items": 0,
                "codes": [],
                "status": r["status"],
                "since": r["since"],
                "until": r["until"],
                "status_by": r["status_by"],
            },
        )
        row["items"] += 1
        if r["code"] and r["code"] not in row["codes"] and len(row["codes"]) < 4:
            row["codes"].append(r["code"])
    return list(out.values())


def entities(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day (default: today).")] = None,
    compare: CompareOpt = None,
    list_name: Annotated[
        str | None,
        typer.Option("--list", help="unreliable_entity, control_list, watch_list or other."),
    ] = None,
    fmt: FormatOpt = Format.auto,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
    as_table: TableOpt = False,
) -> None:
    """The entity lists on a day (who is listed, since when, by which decision)."""
    from db.controls import compare_entities, entities_as_of

    chosen = _fmt(fmt, as_json, as_csv, as_table)
    with _sessions(ctx)() as s:
        if compare:
            _emit_comparison(
                compare, chosen, "entities", lambda a, b: compare_entities(s, a, b, list_name)
            )
            return
        on = _day(as_of, "--as-of") or _today(ctx)
        rows = [r.to_dict() for r in entities_as_of(s, on, list_name)]
    output.emit(rows, chosen, ENTITY_COLUMNS, title=f"entities as of {on}")


def diff(
    ctx: typer.Context,
    doc_id: Annotated[int, typer.Argument(help="Document id (see `regwatch list`).")],
    from_seq: Annotated[
        int | None, typer.Option("--from", help="Version number (default: the one before last).")
    ] = None,
    to_seq: Annotated[
        int | None, typer.Option("--to", help="Version number (default: the last).")
    ] = None,
    side_by_side: Annotated[
        bool, typer.Option("--side-by-side", help="Changed lines side by side.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show what changed between two stored versions of a document, clause by clause."""
    from db import textdiff
    from db.controls import version_texts

    with _sessions(ctx)() as s:
        versions = version_texts(s, doc_id)
    if not versions:
        err.print(f"[red]error:[/] document {doc_id} has no stored versions")
        raise typer.Exit(1)
    by_seq = {v.seq: v for v in versions}
    to_v = by_seq.get(to_seq) if to_seq is not None else versions[-1]
    default_from = versions[-2] if len(versions) > 1 else versions[-1]
    from_v = by_seq.get(from_seq) if from_seq is not None else default_from
    if from_v is None or to_v is None:
        err.print(f"[red]error:[/] document {doc_id} has versions {sorted(by_seq)}")
        raise typer.Exit(1)
    labels = {"old_label": f"version {from_v.seq}", "new_label": f"version {to_v.seq}"}
    text = (
        textdiff.side_by_side(from_v.text, to_v.text)
        if side_by_side
        else textdiff.unified(from_v.text, to_v.text, **labels)
    )
    if as_json:
        payload = {"document": doc_id, "from": from_v.seq, "to": to_v.seq, "diff": text}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo(text or f"versions {from_v.seq} and {to_v.seq} have the same text")


def reparse(ctx: typer.Context) -> None:
    """Re-run stored versions through the current parsers, then detect what changed.

    Events caused only by a parser change are marked ``cause=parser`` and never alerted.
    """
    from regwatch import pipeline

    settings: Settings = ctx.obj
    sessions = pipeline.open_db(settings)
    parsed = pipeline.process_pending(sessions)
    found = pipeline.detect_changes(sessions, settings)
    err.print(
        f"parsed {parsed.parsed} version(s), {parsed.failed} failed; "
        f"{found.total()} change event(s)"
    )
    raise typer.Exit(1 if parsed.failed or found.failed else 0)


def register(app: typer.Typer) -> None:
    """Add these commands to the ``regwatch`` app."""
    for command in (changes, controls, entities, diff, reparse):
        app.command()(command)

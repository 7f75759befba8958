"""Shared output options for list-like commands: JSON, CSV or a rich table.

Default: a table when stdout is a terminal, JSON otherwise (so pipes and scripts get data).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    auto = "auto"
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="auto: table on a terminal, JSON otherwise.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Shorthand for --format csv.")]
TableOpt = Annotated[bool, typer.Option("--table", help="Shorthand for --format table.")]


def choose(fmt: Format, as_json: bool, as_csv: bool, as_table: bool) -> Format:
    """The format the shorthand flags ask for (the first given wins), else ``fmt``."""
    if as_json:
        return Format.json
    if as_csv:
        return Format.csv
    if as_table:
        return Format.table
    return fmt


def resolve(fmt: Format) -> Format:
    if fmt is Format.auto:
        return Format.table if sys.stdout.isatty() else Format.json
    return fmt


def emit(
    rows: Sequence[dict[str, Any]], fmt: Format, columns: Sequence[str], title: str | None = None
) -> None:
    """Print ``rows`` in the chosen format; ``columns`` picks and orders table/CSV columns."""
    fmt = resolve(fmt)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _cell(row.get(c)) for c in columns})
    else:
        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        Console().print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)

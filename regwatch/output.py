"""Shared output options for list-like commands: JSON, CSV or a rich table.

Default: a table when stdout is a terminal, JSON otherwise (so pipes and scripts get data).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    auto = "auto"
    table = "table"
    json = "json"
    csv = "csv"


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

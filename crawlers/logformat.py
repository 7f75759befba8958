"""Log items as one short line: a stored page's body has no place in a log file."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


def describe(item: Any) -> str:
    """``FetchedPage article 200 https://…`` instead of the item's repr."""
    parts = [type(item).__name__, getattr(item, "kind", ""), getattr(item, "status", "")]
    outcome = getattr(item, "outcome", None)
    if outcome:
        parts.append(outcome)
    parts.append(getattr(item, "url", ""))
    return " ".join(str(p) for p in parts if p not in ("", None))


class ShortItemLogFormatter(LogFormatter):
    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        result = super().scraped(item, response, spider)
        result["args"] = {**result["args"], "item": describe(item)}  # type: ignore[index]
        return result

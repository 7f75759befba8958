"""Source names, known without importing Scrapy (a test keeps this in step with the spiders)."""

from __future__ import annotations

from regwatch.errors import ConfigError

SOURCE_NAMES: tuple[str, ...] = (
    "gov_mofcom_zcfb",
    "gov_mofcom_rcxwfb",
    "gov_mofcom_xwfyrth",
    "gov_mofcom_gg",
    "gov_mofcom_aqygzj",
)


def resolve_sources(names: list[str]) -> list[str]:
    """Validate ``names``; an empty list means every source."""
    if not names:
        return list(SOURCE_NAMES)
    unknown = [n for n in names if n not in SOURCE_NAMES]
    if unknown:
        raise ConfigError(
            f"unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCE_NAMES)}"
        )
    return list(dict.fromkeys(names))

"""CLI surface: every command is documented, errors are one clear line, not a traceback."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from regwatch.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_is_documented_in_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"regwatch ([a-z][a-z-]+)", readme))
    missing = [c for c in _commands() if c not in documented]
    assert not missing, f"commands not documented in README: {missing}"


def test_unknown_source_is_a_clear_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "crawl", "gov_nowhere"])
    assert result.exit_code == 2
    assert "unknown source" in result.output
    assert "Traceback" not in result.output


def test_bad_config_value_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("revisit = 'often'\n")
    result = CliRunner().invoke(app, ["--config", str(cfg), "sources"])
    assert result.exit_code == 2
    assert "revisit must be one of" in result.output


def test_sources_lists_every_spider() -> None:
    from crawlers.spiders import SOURCES

    result = CliRunner().invoke(app, ["sources"])
    assert result.exit_code == 0
    assert result.output.split() == list(SOURCES)

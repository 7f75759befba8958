from pathlib import Path

import pytest

from regwatch.config import Settings, load_settings
from regwatch.errors import ConfigError


def test_defaults_use_sqlite_in_data_dir() -> None:
    s = load_settings({})
    assert s.db_url == "sqlite:///var/regwatch.db"
    assert s.mirror_url is None
    assert s.lock_path == Path("var/regwatch.lock")


def test_precedence_file_then_env_then_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "regwatch.toml"
    cfg.write_text(
        '[regwatch]\nrevisit = "all"\nrevisit_budget = 5\nmirror_url = "http://127.0.0.1:1/"\n'
    )
    env = {"REGWATCH_REVISIT_BUDGET": "7", "REGWATCH_SOURCES": "gov_mofcom_zcfb, gov_mofcom_gg"}
    s = load_settings(env, cfg, revisit="none")
    assert s.revisit == "none"  # flag beats file
    assert s.revisit_budget == 7  # env beats file
    assert s.mirror_url == "http://127.0.0.1:1"  # trailing slash trimmed
    assert s.sources == ("gov_mofcom_zcfb", "gov_mofcom_gg")


def test_data_dir_moves_default_db(tmp_path: Path) -> None:
    s = load_settings({"REGWATCH_DATA_DIR": str(tmp_path)})
    assert s.db_url == f"sqlite:///{tmp_path / 'regwatch.db'}"
    moved = Settings().replace(data_dir=tmp_path / "x")
    assert moved.db_url.endswith("x/regwatch.db")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REGWATCH_REVISIT": "sometimes"}, "revisit must be one of"),
        ({"REGWATCH_REVISIT_BUDGET": "lots"}, "revisit_budget"),
    ],
)
def test_bad_values_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_unknown_key_in_file_is_named(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("databse = 'x'\n")
    with pytest.raises(ConfigError, match="databse"):
        load_settings({}, cfg)

"""Configuration: one door in.

Settings are built once, at the CLI boundary, from (lowest to highest precedence) built-in
defaults, a TOML file, ``REGWATCH_*`` environment variables and command-line flags, then passed
down explicitly. Library code never reads ``os.environ``.

Production URLs are the spiders' defaults; ``mirror_url`` swaps every source for the local mirror.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from regwatch.errors import ConfigError

ENV_PREFIX = "REGWATCH_"
REVISIT_MODES = ("none", "due", "all")
SMTP_TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_DATA_DIR = Path("var")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, resolved.

    Attributes:
        data_dir: Where the SQLite database, the lock file and logs live by default.
        db_url: SQLAlchemy URL; defaults to a SQLite file inside ``data_dir``.
        mirror_url: When set, every source is fetched from this local mirror instead.
        sources: Source names to crawl; empty means all.
        user_agent: Overrides the crawlers' honest default User-Agent.
        download_delay: Seconds between requests to one domain (None: crawler default;
            0 against the mirror).
        revisit: Which already-stored pages to fetch again: ``none``, ``due`` or ``all``.
        revisit_after_hours: A stored page is due for a re-check after this long.
        revisit_budget: At most this many re-checks per source and run.
        log_file: Also append logs to this file.
        log_level: Logging level name.
        today: The day legal statuses are computed for (default: the real date). The demo and
            tests set it to the date of the mirror's site state; cron leaves it unset.
        smtp_host, smtp_port, smtp_tls, smtp_user, smtp_password, smtp_from, smtp_ca_file,
        smtp_timeout: The relay alerts are sent through (``smtp_tls``: starttls, ssl or none;
            the port defaults to 587, 465 or 25 accordingly; ``smtp_ca_file`` trusts a private
            CA). The password never appears in a repr, a log line or an error message.
        mail_dir: Outbox mode: write each email as a ``.eml`` file (and each webhook as a
            ``.json`` file) here instead of sending it.
        alert_admin: Address that receives source health notices.
        webhook_secret: Key of the HMAC-SHA256 signature on webhook posts.
        health_failed_runs: A source failing (or yielding no list rows) this many runs in a row
            opens a health incident.
        health_parse_jump: A source's share of fetched pages that fail to parse rising by at
            least this much over its recent average opens a health incident.
    """

    data_dir: Path = DEFAULT_DATA_DIR
    db_url: str = ""
    mirror_url: str | None = None
    sources: tuple[str, ...] = ()
    user_agent: str | None = None
    download_delay: float | None = None
    revisit: str = "due"
    revisit_after_hours: float = 24.0
    revisit_budget: int = 50
    log_file: Path | None = None
    log_level: str = "INFO"
    today: date | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_tls: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = "regwatch@localhost"
    smtp_ca_file: Path | None = None
    smtp_timeout: float = 30.0
    mail_dir: Path | None = None
    alert_admin: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    health_failed_runs: int = 3
    health_parse_jump: float = 0.3
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.db_url:
            object.__setattr__(self, "db_url", f"sqlite:///{self.data_dir / 'regwatch.db'}")
        if self.revisit not in REVISIT_MODES:
            raise ConfigError(
                f"revisit must be one of {', '.join(REVISIT_MODES)}, not {self.revisit!r}"
            )
        if self.smtp_tls not in SMTP_TLS_MODES:
            raise ConfigError(
                f"smtp_tls must be one of {', '.join(SMTP_TLS_MODES)}, not {self.smtp_tls!r}"
            )
        if self.mirror_url is not None:
            object.__setattr__(self, "mirror_url", self.mirror_url.rstrip("/") or None)

    @property
    def lock_path(self) -> Path:
        """The file whose lock keeps two runs from overlapping."""
        return self.data_dir / "regwatch.lock"

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (``None`` values are ignored)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if "data_dir" in changes and "db_url" not in changes and self._db_url_is_default():
            changes["db_url"] = ""
        return dataclasses.replace(self, **changes)

    def _db_url_is_default(self) -> bool:
        return self.db_url == f"sqlite:///{self.data_dir / 'regwatch.db'}"


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "extra"}
_PATHS = ("data_dir", "log_file", "mail_dir", "smtp_ca_file")
_FLOATS = ("download_delay", "revisit_after_hours", "smtp_timeout", "health_parse_jump")
_INTS = ("revisit_budget", "smtp_port", "health_failed_runs")


def _coerce(name: str, raw: Any) -> Any:
    kind = _FIELDS[name].type
    try:
        if name in _PATHS:
            return Path(raw)
        if name == "sources":
            if isinstance(raw, str):
                return tuple(s.strip() for s in raw.split(",") if s.strip())
            return tuple(raw)
        if name in _FLOATS:
            return float(raw)
        if name in _INTS:
            return int(raw)
        if name == "today":
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name} ({kind}): cannot use {raw!r}: {exc}") from exc


def load_settings(
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from a TOML file, environment variables and explicit overrides.

    Args:
        env: Environment mapping to read ``REGWATCH_*`` variables from (the CLI passes
            ``os.environ``; tests pass a dict).
        config_file: Optional TOML file; keys at top level or under ``[regwatch]``.
            ``REGWATCH_CONFIG`` in ``env`` names one too.
        **overrides: Values from command-line flags; ``None`` means "not given".

    Returns:
        The resolved settings.

    Raises:
        ConfigError: Unknown keys, unreadable file or values of the wrong type.
    """
    env = env or {}
    values: dict[str, Any] = {}
    path = config_file or (
        Path(env[f"{ENV_PREFIX}CONFIG"]) if env.get(f"{ENV_PREFIX}CONFIG") else None
    )
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
        data = data.get("regwatch", data)
        for key, raw in data.items():
            if not isinstance(raw, dict) and key not in _FIELDS:
                raise ConfigError(
                    f"{path}: unknown setting {key!r} (known: {', '.join(sorted(_FIELDS))})"
                )
            if key in _FIELDS:
                values[key] = _coerce(key, raw)
    for name in _FIELDS:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw not in (None, ""):
            values[name] = _coerce(name, raw)
    for name, raw in overrides.items():
        if raw is None:
            continue
        if name not in _FIELDS:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _coerce(name, raw)
    return Settings(**values)

"""Scheduling text for ``regwatch cron``: a crontab line and a systemd service + timer.

Overlap is handled by ``regwatch run`` itself (the run lock: a second run exits 75 at once), so
neither needs ``flock``. Intervals are minutes that divide an hour (5m, 10m, 15m, 20m, 30m) or
hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h).
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from regwatch.errors import ConfigError

INTERVAL_RE = re.compile(r"^\s*(\d+)\s*(m|min|h)\s*$")


@dataclass(frozen=True)
class Interval:
    minutes: int

    @property
    def crontab(self) -> str:
        if self.minutes < 60:
            return f"*/{self.minutes} * * * *"
        hours = self.minutes // 60
        return "0 * * * *" if hours == 1 else "0 0 * * *" if hours == 24 else f"0 */{hours} * * *"

    @property
    def on_calendar(self) -> str:
        if self.minutes < 60:
            return f"*:0/{self.minutes}"
        hours = self.minutes // 60
        return "hourly" if hours == 1 else "daily" if hours == 24 else f"0/{hours}:00"


def parse_interval(text: str) -> Interval:
    """``30m`` → 30 minutes; refuses intervals cron cannot express evenly."""
    match = INTERVAL_RE.match(text.lower())
    if match:
        n = int(match.group(1))
        minutes = n if match.group(2) != "h" else n * 60
        if (minutes < 60 and minutes >= 1 and 60 % minutes == 0) or (
            minutes >= 60 and minutes % 60 == 0 and 24 % (minutes // 60) == 0
        ):
            return Interval(minutes)
    raise ConfigError(
        f"interval {text!r}: use minutes dividing an hour (5m, 15m, 30m) or hours dividing a "
        "day (1h, 2h, 6h, 24h)"
    )


def command_line(
    program: list[str],
    config: Path | None,
    data_dir: Path,
    log_file: Path,
    env: dict[str, str] | None = None,
) -> str:
    """The shell command of one run, with absolute paths (cron starts in the home directory).

    ``env`` is set through ``env(1)``, which both cron and systemd's ``ExecStart`` accept.
    """
    parts = (
        [shutil.which("env") or "/usr/bin/env", *(f"{k}={v}" for k, v in env.items())]
        if env
        else []
    )
    parts += program
    if config is not None:
        parts += ["--config", str(config)]
    parts += ["--data-dir", str(data_dir), "--log-file", str(log_file), "run", "--no-progress"]
    return shlex.join(parts)


def crontab_line(interval: Interval, command: str, workdir: Path) -> str:
    # cron mails whatever a job prints: the log file keeps it instead
    return f"{interval.crontab} cd {shlex.quote(str(workdir))} && {command} >/dev/null 2>&1"


def systemd_units(interval: Interval, command: str, workdir: Path, user: str) -> str:
    return f"""# /etc/systemd/system/regwatch.service
[Unit]
Description=regwatch: crawl MOFCOM, record changes, send alerts
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
User={user}
WorkingDirectory={workdir}
ExecStart={command}
# 3: some pages failed (recorded in fetch_log); 75: another run holds the lock
SuccessExitStatus=3 75

# /etc/systemd/system/regwatch.timer
[Unit]
Description=Run regwatch every {interval.minutes} minutes

[Timer]
OnCalendar={interval.on_calendar}
Persistent=true
RandomizedDelaySec=60

[Install]
WantedBy=timers.target

# then: systemctl daemon-reload && systemctl enable --now regwatch.timer
"""

"""``make demo``: the main job against the bundled mirror, start to finish, offline.

Starts the mirror on a free loopback port, runs ``regwatch run`` against it (each crawl in its own
process, as cron would), shows the stored announcements, switches the mirror to its next site
state (announcement 70 of 7 November 2025 appears) and runs again, then shows the change events
that run found and the control list as of two days. Every command runs with ``--today`` set to the
day the mirror's state stands for, so statuses are those of the mirror's world.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console

console = Console(stderr=True)


def _regwatch(data_dir: Path, mirror_url: str, today: str, *args: str) -> int:
    cmd = [
        sys.executable,
        "-m",
        "regwatch",
        "--data-dir",
        str(data_dir),
        "--mirror",
        mirror_url,
        "--today",
        today,
        *args,
    ]
    env = {**os.environ, "COLUMNS": os.environ.get("COLUMNS", "160")}
    env["REGWATCH_MAIL_DIR"] = str(data_dir / "outbox")  # alerts as .eml files, never sent
    return subprocess.run(cmd, env=env, check=False).returncode


def run_demo(data_dir: Path) -> int:
    """Run the demo; returns the exit code of the last crawl."""
    from mirror import MirrorServer

    shutil.rmtree(data_dir, ignore_errors=True)
    with MirrorServer(state=1) as mirror:
        day = mirror.day or ""
        console.rule(f"[bold]1. crawl the mirror at {mirror.url} (site state 1: {day})")
        rc = _regwatch(data_dir, mirror.url, day, "run", "--no-progress")
        console.rule("[bold]announcements stored")
        _regwatch(
            data_dir, mirror.url, day, "list", "--kind", "announcement", "--table", "-n", "40"
        )
        _regwatch(data_dir, mirror.url, day, "list", "--kind", "entity_list", "--table", "-n", "10")

        console.rule(
            "[bold]subscribe to every change by email (outbox mode: written as .eml files)"
        )
        _regwatch(data_dir, mirror.url, day, "subscribe", "demo", "--email", "analyst@example.com")

        mirror.set_state(2)
        day = mirror.day or ""
        console.rule(f"[bold]2. the world changes (state 2: {day}) — crawl again")
        rc = _regwatch(data_dir, mirror.url, day, "run", "--no-progress")
        console.rule("[bold]new in the second run")
        _regwatch(data_dir, mirror.url, day, "list", "--new", "--table")
        console.rule("[bold]changes found by the second run")
        _regwatch(data_dir, mirror.url, day, "changes", "--last-run", "--table")
        for as_of in ("2025-11-06", "2025-11-20"):
            console.rule(f"[bold]the control list as of {as_of}, per announcement")
            _regwatch(
                data_dir,
                mirror.url,
                day,
                "controls",
                "--as-of",
                as_of,
                "--by-instrument",
                "--table",
            )
        console.rule(f"[bold]emails regwatch would send ({data_dir / 'outbox'})")
        show_outbox(data_dir / "outbox")
        console.rule("[bold]runs")
        _regwatch(data_dir, mirror.url, day, "status", "--table")
    console.print(
        f"database: {data_dir / 'regwatch.db'} — try: regwatch --data-dir {data_dir} show 1"
    )
    return rc


def show_outbox(directory: Path, lines: int = 30) -> None:
    """Print each .eml file's recipient, subject and the start of its text part."""
    import email
    import email.policy

    files = sorted(directory.glob("*.eml"))
    if not files:
        console.print("(no emails: no change event matched the demo subscription)")
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""  # type: ignore[attr-defined]
        console.print(f"[bold]{path.name}[/]  To: {msg['To']}  Subject: {msg['Subject']}")
        console.print("\n".join(text.splitlines()[:lines]), markup=False, highlight=False)

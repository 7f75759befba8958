"""``make demo``: the main job against the bundled mirror, start to finish, offline.

Starts the mirror on a free loopback port, runs ``regwatch run`` against it (each crawl in its own
process, as cron would), shows the stored announcements, switches the mirror to its next site
state (announcement 70 of 7 November 2025 appears) and runs again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console

console = Console(stderr=True)


def _regwatch(data_dir: Path, mirror_url: str, *args: str) -> int:
    cmd = [
        sys.executable,
        "-m",
        "regwatch",
        "--data-dir",
        str(data_dir),
        "--mirror",
        mirror_url,
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
        console.rule(f"[bold]1. crawl the mirror at {mirror.url} (site state 1: 6 November 2025)")
        rc = _regwatch(data_dir, mirror.url, "run", "--no-progress")
        console.rule("[bold]announcements stored")
        _regwatch(data_dir, mirror.url, "list", "--kind", "announcement", "--table", "-n", "40")
        _regwatch(data_dir, mirror.url, "list", "--kind", "entity_list", "--table", "-n", "10")

        console.rule(
            "[bold]subscribe to every change by email (outbox mode: written as .eml files)"
        )
        _regwatch(data_dir, mirror.url, "subscribe", "demo", "--email", "analyst@example.com")

        mirror.set_state(2)
        console.rule("[bold]2. the world changes (state 2: 7 November 2025) — crawl again")
        rc = _regwatch(data_dir, mirror.url, "run", "--no-progress")
        console.rule("[bold]new in the second run")
        _regwatch(data_dir, mirror.url, "list", "--new", "--table")
        console.rule(f"[bold]emails regwatch would send ({data_dir / 'outbox'})")
        show_outbox(data_dir / "outbox")
        console.rule("[bold]runs")
        _regwatch(data_dir, mirror.url, "status", "--table")
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

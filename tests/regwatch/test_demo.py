"""`make demo` stays true: the package is stored, then announcement 70 arrives on the second run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_shows_the_package_then_announcement_70(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "regwatch", "demo", "--data-dir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, _, second = proc.stdout.partition("2025年第70号")
    for seq in (55, 56, 57, 58, 61, 62):
        assert f"2025年第{seq}" in first, f"announcement {seq} not shown after the first crawl"
    assert second, "announcement 70 not shown after the second crawl"
    assert "new in the second run" in proc.stderr
    assert "emails regwatch would send" in proc.stderr  # the outbox files (alerts)
    assert "Traceback" not in proc.stderr
    # it ends with the changes found and the control list as of two days
    assert "changes found by the second run" in proc.stderr
    assert proc.stdout.count("measure_suspended") == 6
    before, _, after = proc.stdout.partition("controls as of 2025-11-20")
    assert (
        "controls as of 2025-11-06" in before
        and "suspended" not in before.split("controls as of 2025-11-06")[1]
    )
    assert after.count("suspended") >= 5 and "商务部 海关总署公告2025年第70号" in after

import subprocess
import sys
from pathlib import Path

import pytest

from regwatch.errors import LockHeld
from regwatch.lock import run_lock


def test_second_holder_is_refused_and_named(tmp_path: Path) -> None:
    path = tmp_path / "regwatch.lock"
    with run_lock(path):
        code = f"from regwatch.lock import run_lock\nfrom pathlib import Path\nwith run_lock(Path({str(path)!r})): pass"
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert proc.returncode != 0
        assert "LockHeld" in proc.stderr and "holds" in proc.stderr
    with run_lock(path):  # released on exit: can be taken again
        pass


def test_lock_is_released_when_holder_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "regwatch.lock"
    code = (
        "import os, signal\nfrom pathlib import Path\nfrom regwatch.lock import run_lock\n"
        f"with run_lock(Path({str(path)!r})):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False)
    assert proc.returncode == -9
    with run_lock(path):
        pass


def test_reentry_in_same_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "regwatch.lock"
    with run_lock(path), pytest.raises(LockHeld), run_lock(path):
        pass

"""Shared fixtures: the local mirror on loopback, a throwaway data dir, the CLI as a subprocess.

Crawls run in a child process (``python -m regwatch …``) exactly as cron runs them; a Twisted
reactor cannot be restarted inside one test process anyway.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCHEMA_PATH = Path(
    os.environ.get("REGWATCH_SCHEMA", REPO.parent / "shared/contract/document.schema.json")
)


@pytest.fixture
def mirror() -> Iterator[MirrorServer]:  # noqa: F821
    """A fresh mirror (site state 1, no faults) on 127.0.0.1 with a random port."""
    from mirror import MirrorServer

    with MirrorServer(state=1) as server:
        yield server


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@dataclass
class Cli:
    """Runs ``regwatch`` in a subprocess against one data dir and (optionally) the mirror."""

    data_dir: Path
    mirror_url: str | None = None

    def __call__(self, *args: str, timeout: float = 240) -> CliResult:
        cmd = [sys.executable, "-m", "regwatch", "--data-dir", str(self.data_dir)]
        if self.mirror_url:
            cmd += ["--mirror", self.mirror_url]
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGWATCH_")}
        proc = subprocess.run(
            [*cmd, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'regwatch.db'}"


@pytest.fixture
def cli(tmp_path: Path, mirror) -> Cli:
    return Cli(tmp_path / "data", mirror.url)


@pytest.fixture(scope="session")
def contract_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

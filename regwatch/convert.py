"""Convert legacy Office annexes (.doc/.wps/.xls) to OOXML with LibreOffice, when it is installed.

``parsers.annexes`` reads DOCX/XLSX but not the old binary formats; this is the I/O edge that
shells out to ``soffice --headless --convert-to`` so the pure parser can read the result.

Invariants:
- Nothing here raises on a bad file or a missing converter: failures log a warning and return
  None, and the caller keeps the ``ok=False`` annex result it already has.
- The input is written under a fixed ASCII name in a fresh temporary directory (never the
  annex's own file name, which comes from the web), with a throwaway LibreOffice profile so
  concurrent runs do not fight over the user's profile lock. The directory is always removed.
- A conversion that outlives ``timeout`` is killed with its whole process group (soffice
  forks ``soffice.bin``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

LOG = logging.getLogger(__name__)

CONVERTER_NAMES = ("soffice", "libreoffice")
#: Legacy extension → the OOXML extension LibreOffice converts it to.
TARGETS = {"doc": "docx", "wps": "docx", "rtf": "docx", "xls": "xlsx", "et": "xlsx"}
INPUT_STEM = "annex"


def find_converter() -> str | None:
    """Path of the LibreOffice command-line converter, or None when none is installed."""
    for name in CONVERTER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _extension(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _run(argv: list[str], timeout: float) -> tuple[int, str] | None:
    """Run ``argv`` in its own process group; (returncode, stderr), or None on timeout."""
    with subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as proc:
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):  # it may have just finished
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None
    return proc.returncode, err.decode("utf-8", "replace").strip()


def convert_legacy(
    data: bytes, filename: str, timeout: float = 60, *, converter: str | None = None
) -> tuple[bytes, str] | None:
    """Convert a legacy Word/WPS/Excel annex to DOCX/XLSX.

    Args:
        data: The legacy file's bytes.
        filename: Its file name; the extension picks the target (.doc/.wps → .docx,
            .xls → .xlsx).
        timeout: Seconds before the conversion is killed.
        converter: Path of ``soffice``; found on PATH when None.

    Returns:
        (converted bytes, the file name with its new extension), or None when no converter is
        installed, the extension is not a legacy one, or the conversion fails.
    """
    ext = _extension(filename)
    target = TARGETS.get(ext)
    if target is None:
        LOG.warning("annex %s: not a legacy Office file name, not converted", filename)
        return None
    soffice = converter or find_converter()
    if soffice is None:
        LOG.warning("annex %s: LibreOffice (soffice) is not installed, not converted", filename)
        return None
    with tempfile.TemporaryDirectory(prefix="regwatch-convert-") as tmp:
        workdir = Path(tmp)
        source = workdir / f"{INPUT_STEM}.{ext}"
        source.write_bytes(data)
        outdir = workdir / "out"
        argv = [
            soffice,
            f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ]
        try:
            result = _run(argv, timeout)
        except OSError as exc:
            LOG.warning("annex %s: cannot run %s: %s", filename, soffice, exc)
            return None
        if result is None:
            LOG.warning("annex %s: conversion timed out after %s s, killed", filename, timeout)
            return None
        output = outdir / f"{INPUT_STEM}.{target}"
        if result[0] != 0 or not output.is_file():
            LOG.warning(
                "annex %s: conversion failed (exit %s): %s", filename, result[0], result[1][:300]
            )
            return None
        new_name = f"{filename[: -len(ext)]}{target}"
        return output.read_bytes(), new_name

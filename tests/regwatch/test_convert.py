"""Legacy annex conversion: the no-converter path, the subprocess plumbing with a fake soffice,
and a real LibreOffice round trip when one is installed (skipped otherwise)."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mirror.annexes import build_annex
from parsers.annexes import annex_text
from regwatch import convert
from regwatch.convert import convert_legacy, find_converter

#: Stands in for soffice: copies the input to --outdir under the --convert-to extension.
FAKE_SOFFICE = f"""#!{sys.executable}
import pathlib, sys, time
args = sys.argv[1:]
mode = pathlib.Path(__file__).with_suffix(".mode").read_text()
if mode == "hang":
    time.sleep(30)
if mode == "fail":
    sys.stderr.write("Error: source file could not be loaded")
    sys.exit(1)
target = args[args.index("--convert-to") + 1]
outdir = pathlib.Path(args[args.index("--outdir") + 1])
source = pathlib.Path(args[-1])
assert any(a.startswith("-env:UserInstallation=file://") for a in args), args
assert "--headless" in args
outdir.mkdir(parents=True, exist_ok=True)
(outdir / f"{{source.stem}}.{{target}}").write_bytes(b"converted:" + source.read_bytes())
"""


@pytest.fixture
def fake_soffice(tmp_path: Path) -> tuple[str, Path]:
    script = tmp_path / "soffice"
    script.write_text(FAKE_SOFFICE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    mode = script.with_suffix(".mode")
    mode.write_text("ok")
    return str(script), mode


def test_find_converter_none_when_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    assert find_converter() is None


def test_find_converter_prefers_soffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name: f"/opt/lo/{name}")
    assert find_converter() == "/opt/lo/soffice"


def test_no_converter_returns_none_and_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    data, _ = build_annex("附件1.doc", "附件1", "附件1")
    with caplog.at_level(logging.WARNING, logger="regwatch.convert"):
        assert convert_legacy(data, "附件1.doc") is None
    assert "LibreOffice (soffice) is not installed" in caplog.text


def test_not_a_legacy_name(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="regwatch.convert"):
        assert convert_legacy(b"x", "附件1.pdf", converter="/bin/false") is None
    assert "not a legacy Office file name" in caplog.text


@pytest.mark.parametrize(("name", "new"), [("附件1.doc", "附件1.docx"), ("清单.XLS", "清单.xlsx")])
def test_fake_converter_round_trip(fake_soffice: tuple[str, Path], name: str, new: str) -> None:
    script, _ = fake_soffice
    result = convert_legacy(b"legacy bytes", name, converter=script)
    assert result == (b"converted:legacy bytes", new)


def test_failed_conversion_returns_none(
    fake_soffice: tuple[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    script, mode = fake_soffice
    mode.write_text("fail")
    with caplog.at_level(logging.WARNING, logger="regwatch.convert"):
        assert convert_legacy(b"x", "a.wps", converter=script) is None
    assert "conversion failed (exit 1): Error: source file could not be loaded" in caplog.text


def test_hanging_conversion_is_killed(
    fake_soffice: tuple[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    script, mode = fake_soffice
    mode.write_text("hang")
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="regwatch.convert"):
        assert convert_legacy(b"x", "a.doc", timeout=0.5, converter=script) is None
    assert time.perf_counter() - started < 10
    assert "timed out" in caplog.text


def test_missing_converter_binary(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="regwatch.convert"):
        assert convert_legacy(b"x", "a.doc", converter=str(tmp_path / "nope")) is None
    assert "cannot run" in caplog.text


def _real_doc(soffice: str, tmp_path: Path) -> bytes:
    """A genuine Word 97 binary made by LibreOffice itself from a small HTML page."""
    source = tmp_path / "src.html"
    source.write_text("<html><body><p>人造金刚石微粉 1C902.a</p></body></html>", encoding="utf-8")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--infilter=HTML (StarWriter)",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    data = (tmp_path / "src.doc").read_bytes()
    assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE compound file, not HTML
    return data


def test_real_libreoffice_conversion(tmp_path: Path) -> None:
    soffice = find_converter()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    result = convert_legacy(_real_doc(soffice, tmp_path), "附件1.doc", timeout=180)
    assert result is not None
    data, name = result
    assert name == "附件1.docx"
    assert "1C902.a" in annex_text(data, name).text

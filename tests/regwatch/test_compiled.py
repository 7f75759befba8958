"""The compiled-parsers build: its loader never runs code older than the checkout's sources.

A real mypyc build of the parsers is made by ``make test`` itself (its second pass runs the
parser tests on it); here small stand-in packages keep each case to milliseconds, except the
one that runs mypyc on a module it must refuse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from regwatch import compiled


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "_state", None)
    monkeypatch.setattr(compiled, "_stale", False)


def fake_build(tmp_path: Path) -> tuple[Path, Path]:
    """A checkout ``parsers`` package and a build of it laid out as ``build`` lays it out, with
    each ``__init__`` saying where it came from (no C: the loader does not care)."""
    source = tmp_path / "checkout" / "parsers"
    source.mkdir(parents=True)
    (source / "__init__.py").write_text('WHO = "source"\n', encoding="utf-8")
    (source / "one.py").write_text("X = 1\n", encoding="utf-8")
    out = tmp_path / "build"
    package = out / "parsers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(compiled.LOADER, encoding="utf-8")
    (package / compiled.INIT_COPY).write_text('WHO = "build"\n', encoding="utf-8")
    (package / f"one.tag{compiled.EXTENSION}").write_bytes(b"")
    compiled.write_manifest(out, source, ["one"], compiled.digests(source))
    return source, out


def namespace(out: Path) -> dict[str, object]:
    return {"__name__": "parsers", "__path__": [str(out / "parsers")]}


def test_a_build_of_the_current_sources_runs_as_built(tmp_path: Path) -> None:
    _, out = fake_build(tmp_path)
    ns = namespace(out)
    compiled.load(ns)
    assert ns["WHO"] == "build" and ns["__path__"] == [str(out / "parsers")]
    assert compiled.describe().startswith(f"compiled (mypyc) from {out / 'parsers'}")
    assert not compiled.is_stale()
    assert compiled.up_to_date(out, tmp_path / "checkout" / "parsers")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda src: (src / "one.py").write_text("X = 2\n", encoding="utf-8"), "one.py"),
        (lambda src: (src / "two.py").write_text("Y = 1\n", encoding="utf-8"), "two.py"),
        (lambda src: (src / "one.py").unlink(), "one.py"),
        (
            lambda src: (src / "__init__.py").write_text('WHO = "new"\n', encoding="utf-8"),
            "__init__.py",
        ),
    ],
    ids=["edited", "added", "removed", "init-edited"],
)
def test_once_a_source_changes_the_sources_run_with_a_warning(
    tmp_path: Path, change: object, named: str
) -> None:
    source, out = fake_build(tmp_path)
    change(source)  # type: ignore[operator]
    ns = namespace(out)
    with pytest.warns(RuntimeWarning, match=f"{named} changed.*make compiled"):
        compiled.load(ns)
    assert ns["__path__"] == [str(source)]  # submodules now load from the checkout
    assert ns["WHO"] == ("new" if named == "__init__.py" else "source")
    assert compiled.is_stale() and named in compiled.describe()
    assert not compiled.up_to_date(out, source)


def test_a_build_without_its_record_runs_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = fake_build(tmp_path)
    (out / compiled.MANIFEST).write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(compiled, "SOURCE", source)  # the checkout regwatch itself comes from
    ns = namespace(out)
    with pytest.warns(RuntimeWarning, match="built-from.json is missing or unreadable"):
        compiled.load(ns)
    assert ns["WHO"] == "source" and ns["__path__"] == [str(source)] and compiled.is_stale()


def test_a_build_away_from_its_checkout_runs_as_built(tmp_path: Path) -> None:
    source, out = fake_build(tmp_path)
    shutil.rmtree(source)
    ns = namespace(out)
    compiled.load(ns)
    assert ns["WHO"] == "build" and not compiled.is_stale()


def test_up_to_date_needs_the_same_python_and_every_extension(tmp_path: Path) -> None:
    source, out = fake_build(tmp_path)
    assert compiled.up_to_date(out, source)
    manifest = json.loads((out / compiled.MANIFEST).read_text(encoding="utf-8"))
    (out / compiled.MANIFEST).write_text(json.dumps({**manifest, "python": "cpython-30"}))
    assert not compiled.up_to_date(out, source)
    compiled.write_manifest(out, source, ["one"], compiled.digests(source))
    (out / "parsers" / f"one.tag{compiled.EXTENSION}").unlink()
    assert not compiled.up_to_date(out, source)
    assert not compiled.up_to_date(tmp_path / "nothing", source)


def test_the_loader_works_in_a_real_import(tmp_path: Path) -> None:
    source, out = fake_build(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(out), "PYTHONSAFEPATH": "1"}
    code = "import parsers; print(parsers.WHO)"

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    fresh = run()
    assert (fresh.returncode, fresh.stdout.strip(), fresh.stderr) == (0, "build", "")
    (source / "one.py").write_text("X = 3\n", encoding="utf-8")
    stale = run()
    assert (stale.returncode, stale.stdout.strip()) == (0, "source")
    assert "RuntimeWarning" in stale.stderr and "one.py changed" in stale.stderr


def test_a_failed_build_leaves_no_build_behind(tmp_path: Path) -> None:
    source = tmp_path / "checkout" / "parsers"
    source.mkdir(parents=True)
    (source / "__init__.py").write_text("", encoding="utf-8")
    (source / "bad.py").write_text('def f() -> int:\n    return "x"\n', encoding="utf-8")
    out = tmp_path / "build"
    (out / "parsers").mkdir(parents=True)  # an older build, now out of date
    with pytest.raises(compiled.BuildError, match=r"mypyc failed(.|\n)*bad\.py:2: error"):
        compiled.build(out, source)
    assert not out.exists()

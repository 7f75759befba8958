"""The parsers compiled to C extensions with mypyc, in a build that never runs stale code.

``make compiled`` runs ``python -m regwatch.compiled build/compiled``. When the build there was
made from exactly the current ``parsers/`` files it does nothing; otherwise it copies
``parsers/`` into the build directory, compiles the modules with mypyc (the same source,
unchanged; about 40 s with gcc), records what it compiled in ``built-from.json`` and replaces
the package ``__init__`` with a loader. ``make run``, ``make bench`` and the second pass of
``make test`` put the build directory first on ``PYTHONPATH``; everything else (the first test
pass, the demo, a development checkout) imports the sources as they are.

The loader (``load``) compares the files compiled with the files in the checkout. While they
are the same it runs the compiled modules; once any file differs it warns and imports the
sources instead, so an edit or a ``git pull`` can slow a run down but never make it run old
code. ``describe`` says which parsers a process runs (logged by every parse pass and printed
by ``make bench``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.machinery
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

#: The file name suffix of a C extension module here (``.so`` on Linux).
EXTENSION = importlib.machinery.EXTENSION_SUFFIXES[-1]

SOURCE = Path(__file__).resolve().parents[1] / "parsers"
#: Where ``make compiled`` builds (the Makefile's ``COMPILED``); ``regwatch cron`` schedules runs
#: with it on the path when it exists.
BUILD_DIR = SOURCE.parent / "build" / "compiled"
#: Left interpreted: the package ``__init__`` (the loader replaces it), and ``annexes``, whose
#: time goes to the zip, XML and PDF libraries and whose error handling reuses one ``except …
#: as exc`` name across handlers of different types, which mypyc narrows to the first type.
INTERPRETED = ("__init__.py", "annexes.py")
#: The package's own ``__init__.py``, kept in the build under a name nothing imports.
INIT_COPY = "_package_init.py"
#: Beside the package in the build: the checkout, the digests of the files compiled, the modules.
MANIFEST = "built-from.json"
MYPY_CONFIG = "[mypy]\npython_version = 3.11\nignore_missing_imports = True\n"
LOADER = '''"""regwatch's parsers compiled with mypyc (written by regwatch.compiled; do not edit)."""

from regwatch.compiled import load as _load

_load(globals())
del _load
'''

#: What ``load`` found in this process; None while the parsers come from the checkout directly.
_state: str | None = None
_stale = False


class BuildError(RuntimeError):
    """mypyc or the C compiler failed; the message ends with their output."""


def digests(package: Path) -> dict[str, str]:
    """sha256 of every file of a package directory by relative path (bytecode caches left out)."""
    return {
        path.relative_to(package).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _manifest(out: Path) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found


def _changed(built_from: dict[str, str], now: dict[str, str]) -> list[str]:
    return sorted(k for k in built_from.keys() | now.keys() if built_from.get(k) != now.get(k))


def up_to_date(out: Path, source: Path = SOURCE) -> bool:
    """``out`` holds a build of exactly the current ``source``, for this Python."""
    manifest = _manifest(out)
    return (
        manifest is not None
        and manifest.get("source") == str(source.resolve())
        and manifest.get("python") == sys.implementation.cache_tag
        and not _changed(manifest.get("digests", {}), digests(source))
        and all(
            any((out / "parsers").glob(f"{name}.*{EXTENSION}"))
            for name in manifest.get("modules", [])
        )
    )


def build(out: Path, source: Path = SOURCE) -> list[str]:
    """Compile ``source`` into ``out/parsers``; returns the compiled module names.

    Any earlier build is removed first, so a failed build leaves none and the sources run.
    """
    shutil.rmtree(out, ignore_errors=True)
    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    package = work / "parsers"
    shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    built_from = digests(package)  # what is compiled, even if the checkout changes meanwhile
    modules = sorted(p.stem for p in package.glob("*.py") if p.name not in INTERPRETED)
    (work / "mypy.ini").write_text(MYPY_CONFIG, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypyc", *(f"parsers/{name}.py" for name in modules)],
        cwd=work,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise BuildError(f"mypyc failed (exit {done.returncode}) in {work}:\n{tail}")
    for scratch in ("build", ".mypy_cache", "mypy.ini"):  # C sources and objects: 100+ MB
        target = work / scratch
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    (package / "__init__.py").rename(package / INIT_COPY)
    (package / "__init__.py").write_text(LOADER, encoding="utf-8")
    write_manifest(work, source, modules, built_from)
    work.rename(out)
    return modules


def write_manifest(out: Path, source: Path, modules: list[str], built_from: dict[str, str]) -> None:
    """Record in ``out`` which checkout, Python and files a build was made from."""
    manifest = {
        "source": str(source.resolve()),
        "python": sys.implementation.cache_tag,
        "modules": modules,
        "digests": built_from,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def load(namespace: dict[str, Any]) -> None:
    """Run the package ``__init__`` of a build (``namespace`` is its module's globals).

    With the checkout the build was made from unchanged, the compiled modules load and the
    build's copy of ``__init__`` runs. When any file there differs, was added or removed (or
    the build's record of them is unreadable), the package path is pointed at the checkout (its
    modules load from source) and the checkout's ``__init__`` runs, with a warning saying why.
    A build whose checkout is gone (installed elsewhere) runs as built.
    """
    global _state, _stale
    here = Path(namespace["__path__"][0])
    manifest = _manifest(here.parent)
    checkout = Path(manifest["source"]) if manifest and "source" in manifest else SOURCE
    if manifest is None:
        why = f"its {MANIFEST} is missing or unreadable"
    elif not checkout.is_dir():
        why = ""
    else:
        changed = _changed(manifest.get("digests", {}), digests(checkout))
        why = f"{', '.join(changed[:5])} changed" if changed else ""
    _stale = bool(why)
    if not _stale:
        exec(compile((here / INIT_COPY).read_bytes(), str(here / INIT_COPY), "exec"), namespace)
        modules = manifest.get("modules", []) if manifest else []
        native = [m for m in modules if _file_of(f"parsers.{m}").endswith(EXTENSION)]
        _state = f"compiled (mypyc) from {here}: {len(native)} of {len(modules)} modules"
        return
    namespace["__path__"][:] = [str(checkout)]
    _state = (
        f"interpreted from {checkout}: the compiled build in {here} is not of these sources "
        f"({why}); rebuild it with `make compiled`"
    )
    warnings.warn(_state, RuntimeWarning, stacklevel=2)
    init = checkout / "__init__.py"
    exec(compile(init.read_bytes(), str(init), "exec"), namespace)


def _file_of(module: str) -> str:
    return str(getattr(sys.modules.get(module), "__file__", ""))


def describe() -> str:
    """Which parsers this process runs: compiled, interpreted, or interpreted over a stale build."""
    return _state or f"interpreted from {SOURCE}"


def is_stale() -> bool:
    """A build is on the path but is not of the checkout's sources, so those run instead."""
    return _stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="build directory (make uses build/compiled)")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args(argv)
    if not args.force and up_to_date(args.out):
        print(f"the compiled parsers in {args.out} are up to date")
        return 0
    try:
        modules = build(args.out)
    except BuildError as exc:
        print(f"regwatch: {exc}", file=sys.stderr)
        return 1
    print(f"compiled {len(modules)} parser modules into {args.out}/parsers")
    return 0


if __name__ == "__main__":
    sys.exit(main())

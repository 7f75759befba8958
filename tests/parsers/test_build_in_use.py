"""The parsers a test run exercises: the sources, or in the second pass of ``make test`` the
mypyc build (``REGWATCH_EXPECT_COMPILED=1``), which must then be what every module runs."""

import importlib
import json
import os
from pathlib import Path

import parsers
from regwatch import compiled


def test_the_parsers_under_test_are_the_intended_ones() -> None:
    if os.environ.get("REGWATCH_EXPECT_COMPILED"):
        assert compiled.describe().startswith("compiled"), compiled.describe()
        build = Path(parsers.__file__).parent
        modules = json.loads((build.parent / compiled.MANIFEST).read_text())["modules"]
        assert len(modules) >= 19 and "build" in modules and "annexes" not in modules
        for name in modules:
            module = importlib.import_module(f"parsers.{name}")
            assert str(module.__file__).endswith(compiled.EXTENSION), module.__file__
    else:
        assert Path(parsers.__file__).resolve() == compiled.SOURCE / "__init__.py"
        assert compiled.describe() == f"interpreted from {compiled.SOURCE}"

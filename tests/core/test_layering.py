"""The layering rule: calc_core needs no plotting or Streamlit, viz needs no Streamlit, and
only calc_core/expressions.py turns text into code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_IMPORT_ALL = """
import importlib, json, pkgutil, sys
package = importlib.import_module({package!r})
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(json.dumps({{"modules": names, "loaded": sorted(sys.modules)}}))
"""


def _import_everything(package: str) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL.format(package=package)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _top_level(loaded: list[str]) -> set[str]:
    return {name.split(".")[0] for name in loaded}


def test_calc_core_imports_neither_streamlit_nor_plotly():
    """Every calc_core module imports with streamlit and plotly absent from sys.modules."""
    found = _import_everything("calc_core")
    assert "calc_core.expressions" in found["modules"]
    assert "calc_core.symbolic_worker" in found["modules"]
    assert not {"streamlit", "plotly"} & _top_level(found["loaded"])


def test_viz_does_not_import_streamlit():
    """Every viz module imports without streamlit."""
    found = _import_everything("viz")
    assert "streamlit" not in _top_level(found["loaded"])


_TEXT_TO_CODE = re.compile(r"\b(sympify|parse_expr|eval|exec)\s*\(")
_EXCLUDED_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "tests"}


def test_only_the_formula_door_turns_text_into_code():
    """No .py file outside calc_core/expressions.py and tests/ calls sympify, parse_expr,
    eval or exec."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if _EXCLUDED_DIRS & set(relative.parts[:-1]) or relative.parts[0].startswith("."):
            continue
        if relative == Path("calc_core/expressions.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _TEXT_TO_CODE.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_the_pattern_catches_what_it_should():
    """The search pattern finds the calls it is meant to forbid and spares look-alikes."""
    assert _TEXT_TO_CODE.search("expr = sympy.sympify(text)")
    assert _TEXT_TO_CODE.search("eval (code)")
    assert _TEXT_TO_CODE.search("parse_expr(s, transformations=t)")
    assert not _TEXT_TO_CODE.search("model.evaluate(x)")
    assert not _TEXT_TO_CODE.search("def retrieval(x):")

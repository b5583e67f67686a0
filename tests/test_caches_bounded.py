"""Every cache is bounded, so a day of classes does not grow the server's memory without limit.

A Streamlit cache (``st.cache_data`` / ``st.cache_resource``) keeps one entry per distinct
argument tuple for the server's whole life; with a hundred learners typing formulas and moving
sliders, an unbounded one only grows. Each must say how many entries it keeps (``max_entries``)
and for how long (``ttl``); only a cache of a function without parameters (one entry) may omit
them. ``functools`` memoisation must give an integer ``maxsize`` (``functools.cache`` and
``maxsize=None`` are unbounded).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [ROOT / "dashboard.py"]
    + [
        path
        for folder in ("pages", "ui", "viz", "calc_core")
        for path in (ROOT / folder).rglob("*.py")
    ]
)
STREAMLIT_CACHES = {"cache_data", "cache_resource"}


def _name(node: ast.expr) -> str:
    """The decorator's last dotted name: `st.cache_data(...)` -> "cache_data"."""
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _keywords(node: ast.expr) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in node.keywords if k.arg} if isinstance(node, ast.Call) else {}


def _unbounded(path: Path, root: Path = ROOT) -> list[str]:
    """Each cached function of `path` whose cache has no bound, as "file:line name: why"."""
    problems = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        takes_arguments = bool(
            node.args.args or node.args.posonlyargs or node.args.kwonlyargs or node.args.vararg
        )
        for decorator in node.decorator_list:
            name, keywords = _name(decorator), _keywords(decorator)
            where = f"{path.relative_to(root)}:{node.lineno} {node.name}"
            if name in STREAMLIT_CACHES and takes_arguments:
                missing = [k for k in ("max_entries", "ttl") if k not in keywords]
                if missing:
                    problems.append(f"{where}: {name} without {', '.join(missing)}")
            elif name == "cache" and takes_arguments:
                problems.append(f"{where}: functools.cache is unbounded, use lru_cache(maxsize=N)")
            elif name == "lru_cache":
                size = keywords.get("maxsize")
                if size is None and isinstance(decorator, ast.Call) and decorator.args:
                    size = decorator.args[0]
                if not (isinstance(size, ast.Constant) and isinstance(size.value, int)):
                    problems.append(f"{where}: lru_cache needs an integer maxsize")
    return problems


def test_the_source_list_is_not_empty():
    """The scan reaches the project's modules (a wrong root would pass vacuously)."""
    assert len(SOURCES) > 30
    assert any(path.name == "cache.py" for path in SOURCES)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cache_is_bounded(path):
    """st.cache_* with max_entries and ttl; lru_cache with an integer maxsize."""
    assert _unbounded(path) == []


def test_the_check_catches_unbounded_caches(tmp_path):
    """The checker itself flags each unbounded form (and accepts the bounded ones)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import functools\nimport streamlit as st\n"
        "@st.cache_data\ndef a(x): ...\n"
        "@st.cache_resource(max_entries=3)\ndef b(x): ...\n"
        "@functools.cache\ndef c(x): ...\n"
        "@functools.lru_cache(maxsize=None)\ndef d(x): ...\n"
        "@st.cache_data(max_entries=3, ttl=60)\ndef ok1(x): ...\n"
        "@functools.lru_cache(128)\ndef ok2(x): ...\n"
        "@st.cache_resource\ndef ok3(): ...\n"
    )
    found = _unbounded(sample, root=tmp_path)
    assert [line.split(":")[1].split()[1] for line in found] == ["a", "b", "c", "d"]

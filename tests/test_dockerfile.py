"""deploy/Dockerfile holds what the app needs to run (no Docker daemon is needed to check it).

The image itself is built where Docker runs (deploy/README.md); these checks catch the ways it
goes stale as the code changes: a new top-level package the app imports but the image leaves
out, a copied path that no longer exists, a health check or port that drifts from the command.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
# Instructions with their continuation lines joined, comments dropped.
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def _args(keyword: str) -> list[str]:
    return [line.split(None, 1)[1] for line in INSTRUCTIONS if line.split()[0] == keyword]


def _copied() -> set[str]:
    """Top-level names the image copies from the project (the build context)."""
    sources = set()
    for args in _args("COPY"):
        *paths, _destination = args.split()
        sources.update(p.rstrip("/").split("/")[0] for p in paths if not p.startswith("--"))
    return sources


def _project_imports(path: Path) -> set[str]:
    """Top-level modules `path` imports that are the project's own folders or files."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return {n for n in names if (ROOT / n).is_dir() or (ROOT / f"{n}.py").is_file()}


def test_every_copied_path_exists():
    """Each COPY source is in the project (a renamed folder would break the build)."""
    for name in _copied():
        assert (ROOT / name).exists(), f"deploy/Dockerfile copies {name}, which is gone"


def test_the_image_holds_every_module_the_app_imports():
    """dashboard.py and the four layers import only what the image copies (never bench/ or
    tests/, which it leaves out)."""
    app_files = [ROOT / "dashboard.py"] + [
        path
        for layer in ("pages", "ui", "viz", "calc_core")
        for path in (ROOT / layer).rglob("*.py")
    ]
    imported = set().union(*(_project_imports(path) for path in app_files))
    assert {"calc_core", "viz", "ui"} <= imported  # the scan sees the layers
    assert imported <= _copied(), f"imported but not in the image: {imported - _copied()}"
    assert {"dashboard.py", "pages", ".streamlit"} <= _copied()
    assert not {"tests", "bench", ".git"} & _copied()


def test_runtime_requirements_only_and_a_user_that_is_not_root():
    """pip installs requirements.txt (not the test tools); the app runs as an unprivileged user."""
    installs = [args for args in _args("RUN") if "pip install" in args]
    assert installs and all("requirements.txt" in args for args in installs)
    assert not any("requirements-dev" in args for args in installs)
    users = _args("USER")
    assert users and users[-1] not in {"root", "0"}


def test_health_check_asks_streamlit_on_the_port_it_serves():
    """HEALTHCHECK calls /_stcore/health on the port the command listens on, the one exposed."""
    (command,) = _args("CMD")
    argv = json.loads(command)
    port = argv[argv.index("--server.port") + 1]
    assert argv[:3] == ["streamlit", "run", "dashboard.py"]
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0"
    assert _args("EXPOSE") == [port]
    (health,) = _args("HEALTHCHECK")
    check = json.loads(health.split("CMD", 1)[1])
    assert f"http://127.0.0.1:{port}/_stcore/health" in check[-1]
    compile(check[-1], "healthcheck", "exec")  # the python -c program is valid Python
    assert check[:2] == ["python", "-c"]

"""The interaction benchmark still runs (``--quick``), so it cannot rot unnoticed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui.navigation import all_pages

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick_prints_a_row_per_page(chromium_path: str) -> None:
    """``bench/interaction.py --quick`` exits 0 and prints a table row for every page."""
    proc = subprocess.run(
        [sys.executable, "bench/interaction.py", "--quick"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}
    missing = [p.url_path for p in all_pages() if p.url_path not in rows]
    assert not missing, f"no row for {missing}:\n{proc.stdout}"
    assert "budgets:" in proc.stdout

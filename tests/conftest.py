"""Test-wide settings: in CI (CI=true) hypothesis draws the same examples every run, so main
stays green or red for a reason; run by hand, it explores new examples each time."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

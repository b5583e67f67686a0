"""Take real screenshots of the dashboard in headless Chromium against a real server.

    python scripts/screenshot.py                       # docs/screenshot.png (the README's)
    python scripts/screenshot.py --all --out-dir /tmp/shots [--theme dark]

Every registered page can be shot, so each change can be looked at before it is called done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    launch_browser,
    new_page,
    open_page,
    streamlit_server,
)
from ui.navigation import all_pages  # noqa: E402


def shoot(url_paths: list[str], out_dir: Path, theme: str, full_page: bool) -> list[Path]:
    """Open each page and save `<out_dir>/<url_path>-<theme>.png`; return the files written."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with (
        streamlit_server(extra_args=["--theme.base", theme]) as base_url,
        sync_playwright() as playwright,
    ):
        browser = launch_browser(playwright)
        try:
            page = new_page(browser)
            if full_page:  # Streamlit scrolls inside the app, so show it all in a tall window
                page.set_viewport_size({"width": 1400, "height": 3600})
            for url_path in url_paths:
                open_page(page, base_url, url_path)
                page.wait_for_timeout(500)  # let fonts and the last paint settle
                target = out_dir / f"{url_path or 'home'}-{theme}.png"
                page.screenshot(path=str(target))
                written.append(target)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every registered page")
    parser.add_argument(
        "--pages", default=None, help='comma-separated url paths ("" is the default page)'
    )
    parser.add_argument("--out-dir", type=Path, default=None)
    parser.add_argument("--theme", choices=["light", "dark"], default="light")
    parser.add_argument("--full-page", action="store_true", help="the whole scrolled page")
    args = parser.parse_args(argv)

    if args.all or args.pages is not None:
        paths = [p.route for p in all_pages()] if args.all else args.pages.split(",")
        for path in shoot(
            paths, args.out_dir or ROOT / "bench" / "results", args.theme, args.full_page
        ):
            print(path)
        return 0
    # The README's screenshot: the default page, above the fold, light theme.
    default = next(p for p in all_pages() if p.default)
    (shot,) = shoot([default.route], Path("/tmp"), "light", full_page=False)
    target = ROOT / "docs" / "screenshot.png"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(shot.read_bytes())
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

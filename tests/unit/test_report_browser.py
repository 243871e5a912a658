"""The HTML report in a real browser (headless Chromium through Playwright).

It must render with no console error, make no request but for the page itself, load every
figure, fit a phone's width (tables scroll inside their box) and hide the navigation when
printed. Screenshots go to the test's temporary folder. Without Playwright or a Chromium
binary the test is skipped and says which is missing (``.ci/run`` installs Debian's
``chromium``; do not run ``playwright install``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim import api
from tests.conftest import REPO

SMALL = REPO / "scenarios" / "corridor-small.yaml"
REFERENCE_REPORT = REPO / "results" / "reference" / "syria-2015-10" / "report.html"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _browser_path() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')"
    )
    executable = _browser_path()
    if executable is None:
        pytest.skip(f"no Chromium browser found on PATH (looked for {', '.join(BROWSERS)}; apt-get install chromium)")
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # root cannot use the sandbox
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=args)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load(SMALL.read_text())
    data["sectors_file"] = str(SMALL.parent / data["sectors_file"])
    results = api.run(data, replications=2, workers=1, out=tmp_path_factory.mktemp("browser") / "run", progress="none")
    return results.report()


def _open(browser: Any, report: Path, width: int, height: int) -> tuple[Any, dict[str, list[str]]]:
    """A page showing ``report`` at ``width`` x ``height`` CSS px, and what it logged and fetched."""
    page = browser.new_page(viewport={"width": width, "height": height})
    seen: dict[str, list[str]] = {"console": [], "errors": [], "requests": []}
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(report.resolve().as_uri(), wait_until="load")
    return page, seen


@pytest.mark.parametrize("which", ["reference", "tiny run"])
def test_report_renders_offline_with_every_figure(which: str, browser: Any, tiny_report: Path, tmp_path: Path) -> None:
    report = REFERENCE_REPORT if which == "reference" else tiny_report
    page, seen = _open(browser, report, 1280, 900)
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
    assert images and len(images) == report.read_text(encoding="utf-8").count("<img ")
    assert all(complete and width > 0 and len(alt) > 20 for complete, width, alt in images), images
    assert page.evaluate("document.querySelectorAll('table thead th').length") > 10
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

    phone, phone_seen = _open(browser, report, 390, 844)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow} px wider than a phone's screen"
    phone.screenshot(path=str(tmp_path / "report-phone.png"), full_page=True)
    phone.emulate_media(media="print")
    assert phone.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"

    for logged in (seen, phone_seen):
        assert logged["errors"] == [] and [m for m in logged["console"] if m.startswith("error")] == []
        assert logged["requests"] == [report.resolve().as_uri()], logged["requests"]
    assert (tmp_path / "report.png").stat().st_size > 10_000 and (tmp_path / "report-phone.png").stat().st_size > 10_000
    page.close()
    phone.close()

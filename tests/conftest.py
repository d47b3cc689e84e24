"""Shared fixtures: headless Chromium rendering of HTML reports."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class RenderedPage:
    """What headless Chromium saw when it opened a report."""

    text: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    broken_images: int = 0
    #: ``document.documentElement.scrollWidth``: wider than the viewport means the page
    #: scrolls sideways.
    scroll_width: int = 0


@pytest.fixture(scope="session")
def render_html() -> Callable[..., RenderedPage]:
    """Open an HTML file in headless Chromium (optionally ``width`` pixels wide) and report its
    text, any errors and its scroll width.

    Skips (with the reason) where Chromium or Playwright is missing; ``.ci/run`` installs
    Chromium so that CI always runs these tests.
    """
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    manager = sync_api.sync_playwright().start()
    browser = manager.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )

    def render(path: Path, width: int | None = None) -> RenderedPage:
        page = browser.new_page(**({"viewport": {"width": width, "height": 844}} if width else {}))
        result = RenderedPage(text="")
        page.on(
            "console",
            lambda m: result.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_load_state("load")
        result.text = page.inner_text("body")
        result.broken_images = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
        )
        result.scroll_width = page.evaluate("document.documentElement.scrollWidth")
        page.close()
        return result

    render.browser = browser  # for tests that drive a page themselves (axe-core)
    yield render
    browser.close()
    manager.stop()

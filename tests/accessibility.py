"""axe-core in headless Chromium, and the structure every report page shares.

:func:`axe_violations` opens each page in Chromium, injects axe-core (``axe.min.js`` of the
``axe-playwright-python`` package) and lists the violations of the impacts that fail a test.
:class:`PageStructure` reads what the issue asks of every page from its HTML: the ``<main>``
landmark, the caveats at its top, captions and header scopes of tables, link names.
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM

#: Impacts that fail a test (axe's others are "moderate" and "minor").
BLOCKING = ("serious", "critical")


def require_axe() -> None:
    """Skip, saying why, where Chromium, Playwright or the axe-core script is missing."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    pytest.importorskip(
        "axe_playwright_python", reason="axe-playwright-python is not installed (the dev extra)"
    )


def _line(violation: dict) -> str:
    targets = "; ".join(
        " ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])[:5]
    )
    return f"{violation['id']} ({violation.get('impact')}): {targets}"


def axe_violations(
    browser: Any, paths: Iterable[Path], impacts: Iterable[str] = BLOCKING
) -> dict[str, list[str]]:
    """Per page, one line per axe-core violation of ``impacts``: rule id, impact, targets.

    ``browser`` is a Playwright browser (``render_html.browser``: one Chromium for the run).
    """
    from axe_playwright_python.sync_playwright import Axe

    impacts = set(impacts)
    axe = Axe()
    found: dict[str, list[str]] = {}
    for path in paths:
        page = browser.new_page()
        try:
            page.goto(Path(path).resolve().as_uri())
            page.wait_for_load_state("load")
            violations = axe.run(page).response["violations"]
        finally:
            page.close()
        found[str(path)] = [_line(v) for v in violations if v.get("impact") in impacts]
    return found


class PageStructure(HTMLParser):
    """Landmarks, caveats, tables and links of one page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.mains = 0
        self.ids: list[str] = []  # in document order
        self.tables = 0
        self.captions = 0
        self.header_scopes: list[str | None] = []
        self.link_names: list[str] = []
        self._link: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "main":
            self.mains += 1
            self.ids.append("<main>")
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.header_scopes.append(attrs.get("scope"))
        elif tag == "a":
            self._link = []

    def handle_data(self, data):
        if self._link is not None:
            self._link.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.link_names.append(" ".join("".join(self._link).split()))
            self._link = None

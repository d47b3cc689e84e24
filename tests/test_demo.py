"""The demo runs end to end, every link on its landing page opens in headless Chromium, and
every page it writes has the structure of a report and no serious accessibility violation
(axe-core). One demo run serves every test here."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from riskmodel._messages import DECISION_NOTE, PROVEN_REOFFENDING_NOTE, SYNTHETIC_NOTE
from riskmodel.cli._demo_steps import inject_bad_rows, run_demo
from riskmodel.synthetic import generate_population, write_population
from tests.accessibility import PageStructure, axe_violations, require_axe
from tests.conftest import built_once


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href")


def test_injected_bad_rows_are_all_rejected(tmp_path):
    from riskmodel.contract import read_tables, validate_tables

    data = write_population(generate_population(300, seed=3), tmp_path / "data")
    bad = inject_bad_rows(data, tmp_path / "bad")
    validated = validate_tables(read_tables(tmp_path / "bad"))
    assert set(bad) <= set(validated.rejects["person_id"])
    people = pd.read_csv(tmp_path / "bad" / "people.csv")
    assert validated.summary["people_read"] == len(people)
    assert validated.summary["people_kept"] == 300 - 1  # the duplicated person goes too


def _run_demo(out: Path) -> None:
    """The demo into ``out``, with the lines it printed kept in ``out / "printed.txt"``."""
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{out / 'mlflow.db'}")
        run_demo(out / "demo", n_people=1000, n_batch=400, seed=3, echo=lines.append)
    (out / "printed.txt").write_text("\n".join(lines))


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """One demo run for every test here, shared by the test workers of a run: the landing page
    and the lines it printed. The smallest sizes at which every step still has something to
    show (the tests check the pages and their links, not the figures)."""
    out = built_once(tmp_path_factory, "demo", _run_demo)
    return out / "demo" / "index.html", (out / "printed.txt").read_text().splitlines()


def _landing_page_links_every_report(demo, render_html):
    index, lines = demo
    assert any(str(index) in line for line in lines)
    assert any("mlflow ui --backend-store-uri" in line for line in lines)
    parser = _Links()
    parser.feed(index.read_text())
    reports = [href for href in parser.hrefs if href.endswith("report.html")]
    steps = ("model", "crossval", "evaluate", "explain", "fairness", "threshold", "cohort")
    for step in (*steps, "programme"):
        assert f"{step}/report.html" in reports
    assert "model/model_card.html" in parser.hrefs
    for href in parser.hrefs:
        target = (index.parent / href).resolve()
        assert target.exists(), href
        page = render_html(target)
        assert page.console_errors == [] and page.page_errors == [], href
        assert page.broken_images == 0, href
        assert page.text.strip(), href
    landing = render_html(index)
    assert landing.console_errors == []
    assert "Fairness" in landing.text and "Programme cohort" in landing.text
    assert "Programme evaluation" in landing.text


def _pages(index: Path) -> list[Path]:
    return sorted(index.parent.rglob("*.html"))


def _every_page_shares_the_structure_of_a_report(demo):
    index, _ = demo
    pages = _pages(index)
    assert len(pages) == 10  # the landing page, eight reports and the model card
    for path in pages:
        html = path.read_text(encoding="utf-8")
        page = PageStructure(html)
        where = path.relative_to(index.parent)
        assert page.mains == 1, where
        assert page.ids[:4] == ["<main>", "caveats", "decision-note", "synthetic-note"], where
        assert DECISION_NOTE in html and PROVEN_REOFFENDING_NOTE in html, where
        assert html.count(SYNTHETIC_NOTE) == 1, where
        assert page.tables and page.captions == page.tables, where
        assert None not in page.header_scopes, where
        assert not {"here", "report", "report.html"} & {n.lower() for n in page.link_names}, where
        assert "p = 0.000" not in html, where
        assert re.search(r"P\([^<]*</t[dh]><td>0\.000<", html) is None, where


def _axe_finds_no_serious_violation_on_any_page(demo, render_html):
    require_axe()
    index, _ = demo
    found = axe_violations(render_html.browser, _pages(index))
    assert len(found) == 10
    problems = {page: lines for page, lines in found.items() if lines}
    assert problems == {}, "\n".join(
        f"{page}: {line}" for page, lines in problems.items() for line in lines
    )


@pytest.mark.slow
@pytest.mark.browser
def test_demo_pages(demo, render_html):
    """One test over the one demo run (so that it runs once, on one test worker): the landing
    page links every report and every page opens cleanly; every page has the structure of a
    report; axe-core finds no serious or critical violation on any of them."""
    _landing_page_links_every_report(demo, render_html)
    _every_page_shares_the_structure_of_a_report(demo)
    _axe_finds_no_serious_violation_on_any_page(demo, render_html)

"""The demo runs end to end, and every link on its landing page opens in headless Chromium."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

from riskmodel.cli._demo_steps import inject_bad_rows, run_demo
from riskmodel.synthetic import generate_population, write_population


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


@pytest.mark.slow
@pytest.mark.browser
def test_demo_landing_page_links_every_report(tmp_path, monkeypatch, render_html):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    lines: list[str] = []
    # The smallest sizes at which every step still has something to show: the test checks the
    # pages and their links, not the figures.
    index = run_demo(tmp_path / "demo", n_people=1000, n_batch=400, seed=3, echo=lines.append)
    assert any(str(index) in line for line in lines)
    assert any("mlflow ui --backend-store-uri" in line for line in lines)
    parser = _Links()
    parser.feed(index.read_text())
    reports = [href for href in parser.hrefs if href.endswith("report.html")]
    for step in ("model", "evaluate", "explain", "fairness", "threshold", "cohort"):
        assert f"{step}/report.html" in reports
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

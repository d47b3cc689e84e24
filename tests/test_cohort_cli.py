"""``riskmodel cohort``: JSON contract, clear errors, and the HTML report."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import binom

from riskmodel._tables import _messages as table_msg
from riskmodel.allocation import _messages as msg
from riskmodel.reports._cohort_report import EXAMPLE_NOTE, MEANING_NOTE
from tests.commands import run_cli, run_main
from tests.test_cohort import KEYS


@pytest.fixture
def cohort_csv(tmp_path: Path) -> Path:
    frame = pd.DataFrame(
        {
            "person_id": [f"C{i:02d}" for i in range(38)],
            "probability_2y": [0.71] * 38,
            "reoffended": [1] * 21 + [0] * 17,
            "reoffences": [3] * 10 + [1] * 11 + [0] * 17,
            "risk_band": ["Medium"] * 38,
        }
    )
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    return path


def _cohort(cohort_csv: Path, tmp_path: Path, capsys, *extra: str) -> Path:
    out = tmp_path / "out"
    code, stdout, _ = run_main(
        ["cohort", "--scores", str(cohort_csv), "--outcome-column", "reoffended",
         "--n-bootstrap", "200", "--out", str(out), *extra],
        capsys,
    )  # fmt: skip
    assert code == 0
    assert "P(<= observed) 0.028" in stdout
    return out


def test_worked_example_json(cohort_csv, tmp_path, capsys):
    out = _cohort(cohort_csv, tmp_path, capsys, "--count-column", "reoffences")
    data = json.loads((out / "cohort.json").read_text())
    for key in KEYS:
        assert key in data
    assert data["n"] == 38
    assert round(data["observed_rate"], 3) == 0.553
    assert round(data["expected_rate"], 3) == 0.710
    assert round(data["p_value_lower"], 3) == 0.028
    assert data["p_value_lower"] == pytest.approx(binom.cdf(21, 38, 0.71))
    assert data["p_value_upper"] == pytest.approx(binom.sf(20, 38, 0.71))
    low, high = data["difference_ci"]
    assert low < data["difference"] < high
    assert data["frequency"]["reoffences_per_reoffender"] == pytest.approx(41 / 21)
    assert [b["band"] for b in data["by_band"]] == ["Low", "Medium", "High", "Very high"]
    assert data["by_band"][0]["observed_rate"] is None  # nobody in Low: null, not NaN


def test_band_column(cohort_csv, tmp_path, capsys):
    out = _cohort(cohort_csv, tmp_path, capsys, "--band-column", "risk_band")
    data = json.loads((out / "cohort.json").read_text())
    assert [b["band"] for b in data["by_band"]] == ["Medium"]
    assert data["band_source"] == "column"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome-column", "nope"], table_msg.UNKNOWN_COLUMN.format(
            file="cohort.csv", column="nope", option="--outcome-column",
            columns="person_id, probability_2y, reoffended, reoffences, risk_band")),
        (["--outcome-column", "reoffended", "--score-column", "reoffences"],
         msg.OUT_OF_RANGE.format(column="reoffences", count=10, example=3.0, row=1)),
    ],
)  # fmt: skip
def test_bad_input_exits_2(cohort_csv, tmp_path, capsys, args, message):
    out = tmp_path / "bad"
    code, _, err = run_main(["cohort", "--scores", cohort_csv, *args, "--out", out], capsys)
    assert code == 2
    assert err.strip() == f"error: {message}"
    assert not out.exists()


def test_missing_outcome_option_is_a_usage_error(cohort_csv, tmp_path, capsys):
    code, _, err = run_main(["cohort", "--scores", cohort_csv, "--out", tmp_path], capsys)
    assert code == 2
    assert "--outcome-column" in err


def test_no_traceback_via_subprocess(tmp_path):
    missing = tmp_path / "none.csv"
    result = run_cli(
        "cohort", "--scores", missing, "--outcome-column", "y", "--out", tmp_path / "o"
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: none.csv: cannot be read")


def test_report_content(cohort_csv, tmp_path, capsys):
    html = (_cohort(cohort_csv, tmp_path, capsys) / "report.html").read_text()
    images: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                images.append(dict(attrs)["src"])

    Parser().feed(html)
    assert len(images) == 2
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert MEANING_NOTE.replace("'", "&#39;") in html
    assert "not a random sample" in html
    # said once, first (NOT_AN_EFFECT); the note on what the ratio means does not repeat it
    assert html.count("not a programme effect") == 1
    assert "effect" not in MEANING_NOTE
    assert EXAMPLE_NOTE in html
    assert "completed the programme reoffended at 45%" in html
    assert "not an assessment of risk of serious harm" in html
    assert "0.028" in html


@pytest.mark.browser
def test_report_renders_in_a_browser(cohort_csv, tmp_path, capsys, render_html):
    page = render_html(_cohort(cohort_csv, tmp_path, capsys) / "report.html")
    assert page.console_errors == []
    assert page.page_errors == []
    assert page.broken_images == 0
    assert "not a random sample" in page.text
    assert "not an assessment of risk of serious harm" in page.text

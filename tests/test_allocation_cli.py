"""``riskmodel threshold``: JSON contract, clear errors, and the HTML report."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel._tables import _messages as table_msg
from riskmodel.allocation import _messages as msg
from riskmodel.bands import BAD_BANDS
from riskmodel.reports._threshold_report import DECISION_NOTE
from tests.commands import run_cli, run_main

HARM_SENTENCE = "not an assessment of risk of serious harm"


@pytest.fixture
def scores_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 300
    p = np.round(rng.beta(2, 3, n), 2)
    frame = pd.DataFrame(
        {
            "person_id": [f"P{i:04d}" for i in range(n)],
            "probability_2y": p,
            "reoffended": (rng.uniform(size=n) < p).astype(int),
            "cohort": rng.choice(["young_male", "adult_male", "female"], n),
        }
    )
    frame.loc[[3, 7], "probability_2y"] = np.nan
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    return path


def _threshold(scores: Path, out: Path, capsys, *options: str) -> tuple[int, str, str]:
    """``riskmodel threshold --scores SCORES OPTIONS --out OUT`` in this process: exit code,
    standard output and standard error."""
    return run_main(["threshold", "--scores", scores, *options, "--out", out], capsys)


def _threshold_json(scores: Path, out: Path, capsys, *options: str) -> tuple[dict, str]:
    """Run :func:`_threshold`, which must succeed: ``threshold.json`` and standard output."""
    code, stdout, err = _threshold(scores, out, capsys, *options)
    assert code == 0, err
    return json.loads((out / "threshold.json").read_text()), stdout


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        if attributes.get("id"):
            self.ids.add(attributes["id"])


def test_capacity_json_contract(scores_csv, tmp_path, capsys):
    data, stdout = _threshold_json(
        scores_csv, tmp_path / "out", capsys, "--outcome-column", "reoffended",
        "--group-column", "cohort", "--capacity", "30", "--n-bootstrap", "50",
    )  # fmt: skip
    assert "allocated 30 of 298" in stdout
    for key in ("policy", "threshold", "allocated", "allocated_fraction", "table", "tie_rule"):
        assert key in data
    frame = pd.read_csv(scores_csv)
    p = frame["probability_2y"].dropna().to_numpy()
    assert data["policy"] == "capacity"
    assert data["allocated"] == 30
    assert data["allocated_fraction"] == pytest.approx(30 / 298)
    assert data["n_missing_score"] == 2
    assert data["threshold"] == pytest.approx(np.sort(p)[::-1][29])
    assert data["expected_reoffenders_captured"] == pytest.approx(np.sort(p)[::-1][:30].sum())
    assert isinstance(data["table"], list) and any(row["chosen"] for row in data["table"])
    assert set(data["by_group"]["cohort"]) == {"young_male", "adult_male", "female"}
    assert len(data["by_group"]["cohort"]["female"]["fpr_ci"]) == 2


def test_fraction_and_percentage_agree(scores_csv, tmp_path, capsys):
    results = []
    for value in ("0.1", "10%"):
        out = tmp_path / value.replace("%", "pct")
        data, _ = _threshold_json(
            scores_csv, out, capsys, "--capacity", value, "--n-bootstrap", "0"
        )
        results.append(data["allocated"])
    assert results == [30, 30]  # 10% of 298 people with a score, rounded


def test_bands_json(scores_csv, tmp_path, capsys):
    out = tmp_path / "bands"
    data, _ = _threshold_json(
        scores_csv, out, capsys, "--bands", "0.5,0.75,0.9", "--n-bootstrap", "0"
    )
    p = pd.read_csv(scores_csv)["probability_2y"].dropna()
    assert [b["name"] for b in data["bands"]] == ["Low", "Medium", "High", "Very high"]
    assert data["bands"][0]["n"] == (p < 0.5).sum()
    assert data["bands"][1]["n"] == ((p >= 0.5) & (p < 0.75)).sum()
    for band in data["bands"]:
        assert {"name", "low", "high", "n"} <= set(band)


def test_cost_json_and_report(scores_csv, tmp_path, capsys):
    out = tmp_path / "cost"
    data, _ = _threshold_json(
        scores_csv, out, capsys, "--cost-reoffence", "10", "--cost-intervention", "2",
        "--effect", "0.4", "--n-bootstrap", "0",
    )  # fmt: skip
    p = pd.read_csv(scores_csv)["probability_2y"].dropna().to_numpy()
    allocated = p > 2 / (10 * 0.4)
    by_hand = (2 + 10 * p[allocated] * 0.6).sum() + (10 * p[~allocated]).sum()
    assert data["allocated"] == allocated.sum()
    assert data["cost"]["expected_cost"] == pytest.approx(by_hand)
    assert data["cost"]["saving_vs_nobody"] == pytest.approx(10 * p.sum() - by_hand)
    assert "Expected total cost" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--capacity", "3", "--ppv", "0.5"], msg.ONE_POLICY),
        ([], msg.ONE_POLICY),
        (["--cost-reoffence", "5"], msg.COST_INCOMPLETE.format(
            missing="--cost-intervention, --effect")),
        (["--capacity", "2.5"], msg.BAD_CAPACITY.format(value="2.5")),
        (["--bands", "0.9,0.5"], BAD_BANDS.format(value="0.9,0.5")),
        (["--sensitivity", "1.5"], msg.BAD_TARGET.format(name="sensitivity", value=1.5)),
        (["--capacity", "3", "--score-column", "nope"], table_msg.UNKNOWN_COLUMN.format(
            file="scores.csv", column="nope", option="--score-column",
            columns="person_id, probability_2y, reoffended, cohort")),
        (["--capacity", "3", "--outcome-column", "cohort"], msg.BAD_OUTCOME.format(
            column="cohort", count=300, example="young_male", row=1)),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_clear_message(scores_csv, tmp_path, capsys, args, message):
    out = tmp_path / "bad"
    if "--outcome-column" in args:
        frame = pd.read_csv(scores_csv)
        frame["cohort"] = "young_male"
        frame.to_csv(scores_csv, index=False)
    code, _, err = _threshold(scores_csv, out, capsys, *args)
    assert code == 2
    assert err.strip() == f"error: {message}"
    assert not out.exists()


def test_scores_outside_zero_one(tmp_path, capsys):
    path = tmp_path / "scores.csv"
    pd.DataFrame({"probability_2y": [0.2, 7.0, 0.4]}).to_csv(path, index=False)
    code, _, err = _threshold(path, tmp_path / "o", capsys, "--capacity", "1")
    assert code == 2
    expected = msg.OUT_OF_RANGE.format(column="probability_2y", count=1, example=7.0, row=2)
    assert err.strip() == f"error: {expected}"


def test_parquet_input(scores_csv, tmp_path, capsys):
    parquet = tmp_path / "scores.parquet"
    pd.read_csv(scores_csv).to_parquet(parquet, index=False)
    out = tmp_path / "pq"
    data, _ = _threshold_json(parquet, out, capsys, "--capacity", "30", "--n-bootstrap", "0")
    assert data["allocated"] == 30


def test_no_traceback_via_subprocess(scores_csv, tmp_path):
    result = run_cli(
        "threshold", "--scores", scores_csv, "--capacity", "3", "--sensitivity", "0.5", "--out",
        tmp_path / "o",
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: {msg.ONE_POLICY}"


def test_help_has_an_example(capsys):
    code, stdout, _ = run_main(["threshold", "--help"], capsys)
    assert code == 0
    assert "riskmodel threshold --scores scores.csv --capacity 134" in stdout
    assert "0.5,0.75,0.9" in stdout


def _report(scores_csv: Path, tmp_path: Path, capsys, *extra: str) -> Path:
    out = tmp_path / "report"
    code, _, _ = _threshold(
        scores_csv, out, capsys, "--outcome-column", "reoffended", "--group-column", "cohort",
        "--n-bootstrap", "50", *extra,
    )  # fmt: skip
    assert code == 0
    return out / "report.html"


def test_report_content(scores_csv, tmp_path, capsys):
    html = _report(scores_csv, tmp_path, capsys, "--capacity", "30").read_text()
    parser = _Images()
    parser.feed(html)
    assert parser.images, "the capacity curve is embedded"
    assert all(str(img["src"]).startswith("data:image/png;base64,") for img in parser.images)
    assert any("Capacity curve" in str(img["alt"]) for img in parser.images)
    assert {"decision-note", "summary", "missing-scores", "tie-rule", "across"} <= parser.ids
    assert DECISION_NOTE in html
    assert HARM_SENTENCE in html
    assert "2 of 300" in html  # people without a score, reported
    assert "young_male" in html


def test_report_says_when_capacity_exceeds_the_caseload(scores_csv, tmp_path, capsys):
    html = _report(scores_csv, tmp_path, capsys, "--capacity", "5000").read_text()
    assert 'id="capacity-exceeds"' in html
    assert "5,000 places were asked for" in html


ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "models" / "default"


@pytest.fixture
def scores_file(tmp_path: Path) -> Path:
    """A scores file as ``riskmodel score --carry sex,ethnicity,officer`` writes one."""
    rng = np.random.default_rng(1)
    n = 300
    sex = rng.choice(["female", "male"], n, p=[0.2, 0.8])
    p = np.clip(rng.beta(2, 3, n) + np.where(sex == "male", 0.15, 0.0), 0, 1)
    manifest = json.loads((BUNDLE / "manifest.json").read_text())
    frame = pd.DataFrame(
        {
            "person_id": [f"P{i:04d}" for i in range(n)],
            "probability_2y": p,
            "risk_band": "Low",
            "cohort": np.where(sex == "female", "female", "adult_male"),
            "age_band": rng.choice(["18-20", "30-39", "50+"], n),
            "model_id": manifest["model_id"],
            "sex": sex,
            "ethnicity": rng.choice(["white", "black", "asian", "mixed", None], n),
            "officer": [f"O{i % 30}" for i in range(n)],
            "reason_1": [f"reason {i}" for i in range(n)],
        }
    )
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    return path


def test_every_group_column_of_the_scores_file_is_reported(scores_file, tmp_path, capsys):
    out = tmp_path / "groups"
    data, stdout = _threshold_json(
        scores_file, out, capsys, "--capacity", "10%", "--n-bootstrap", "50"
    )
    assert list(data["by_group"]) == ["cohort", "age_band", "sex", "ethnicity"]
    assert "(missing)" in data["by_group"]["ethnicity"]
    for entries in data["by_group"].values():
        assert sum(e["n"] for e in entries.values()) == data["n_scored"]
        assert sum(e["allocated"] for e in entries.values()) == data["allocated"]
    left_out = msg.LEFT_OUT_MANY_VALUES.format(column="officer", count=30, limit=20)
    assert data["group_columns_left_out"] == [left_out]
    html = unescape((out / "report.html").read_text())
    assert left_out in html
    assert data["calibration"] is None
    assert f"note: {msg.CALIBRATION_LEFT_OUT}" in stdout
    # the first screen says the intervals leave calibration error out, before any figure
    assert msg.CALIBRATION_LEFT_OUT in html
    assert html.index('id="calibration-note"') < html.index('id="plain-summary"')
    assert html.index('id="plain-summary"') < html.index('id="summary"')
    for sentence in data["summary"]:
        assert sentence in html
    # the gaps in points, each with its sign, the minus sign as in the sentences
    gaps = [
        e["selection_rate_difference"]
        for entries in data["by_group"].values()
        for e in entries.values()
        if e.get("selection_rate_difference") is not None
    ]
    assert any(g < -0.0005 for g in gaps) and any(g > 0.0005 for g in gaps)
    for gap in gaps:
        text = f"{100 * gap:+.1f}"
        text = text[1:] if float(text) == 0 else text.replace("-", "\N{MINUS SIGN}")
        assert f"<td>{text} (" in html, gap
    assert not re.search(r"<td>-\d", html)


def test_model_bundle_puts_its_calibration_error_in_the_intervals(scores_file, tmp_path, capsys):
    plain, _ = _threshold_json(
        scores_file, tmp_path / "plain", capsys, "--capacity", "10%", "--n-bootstrap", "100"
    )
    wide, _ = _threshold_json(
        scores_file, tmp_path / "wide", capsys, "--capacity", "10%", "--n-bootstrap", "100",
        "--model", str(BUNDLE),
    )  # fmt: skip
    manifest = json.loads((BUNDLE / "manifest.json").read_text())
    assert wide["calibration"]["slope_ci"] == manifest["metrics"]["calibration_slope_ci"]
    (lo, hi), (wlo, whi) = plain["expected_ppv_ci"], wide["expected_ppv_ci"]
    assert wlo < lo and hi < whi
    assert wide["expected_ppv"] == plain["expected_ppv"]
    html = unescape((tmp_path / "wide" / "report.html").read_text())
    assert wide["calibration_note"].startswith("Intervals of expected figures include")
    assert wide["calibration_note"] in html
    assert html.index('id="calibration-note"') < html.index('id="summary"')


def test_a_bundle_that_did_not_make_the_scores_is_refused(scores_file, tmp_path, capsys):
    frame = pd.read_csv(scores_file)
    frame["model_id"] = "gbm-other"
    frame.to_csv(scores_file, index=False)
    manifest = json.loads((BUNDLE / "manifest.json").read_text())
    out = tmp_path / "mismatch"
    code, _, err = _threshold(
        scores_file, out, capsys, "--capacity", "10%", "--model", str(BUNDLE)
    )
    assert code == 2
    expected = msg.MODEL_MISMATCH.format(scored_by="gbm-other", model_id=manifest["model_id"])
    assert err.strip() == f"error: {expected}"
    assert not out.exists()


@pytest.mark.browser
def test_report_renders_in_a_browser(scores_csv, tmp_path, capsys, render_html):
    page = render_html(_report(scores_csv, tmp_path, capsys, "--capacity", "30"))
    assert page.console_errors == []
    assert page.page_errors == []
    assert page.broken_images == 0
    assert HARM_SENTENCE in page.text
    assert "decision made by people" in page.text

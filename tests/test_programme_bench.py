"""The programme-evaluation simulation of ``make bench`` at a tiny size, and its section of
RESULTS.md."""

from __future__ import annotations

import argparse
import json

import pytest

from tests.test_benchmarks import _load


@pytest.fixture(scope="module")
def bench_programme():
    return _load("bench_programme")


@pytest.mark.slow
def test_tiny_simulation_has_its_shape(bench_programme, tmp_path, monkeypatch):
    args = argparse.Namespace(quick=True, out=tmp_path, runs=4, hidden_runs=1, seed=1, threads=1)
    monkeypatch.setattr(bench_programme, "QUICK_PEOPLE", 1_500)
    assert bench_programme.run(args) == 0
    data = json.loads((tmp_path / "programme.json").read_text())
    assert data["benchmark"] == "programme" and data["quick"] is True
    assert data["runs"] == 4 and data["coverage_target"] == [0.9, 0.98]
    assert data["coverage"] in {0.0, 0.25, 0.5, 0.75, 1.0}
    assert set(data["by_effect"]) == {"0", "0.1", "0.2", "0.3"}
    assert data["by_effect"]["0"]["mean_true_difference"] == 0.0
    assert data["hidden_selection"]["runs"] == 1
    assert data["mean_naive_bias"] > 0  # selection on risk: participants look worse


def test_design_constants(bench_programme):
    assert bench_programme.RUNS == 200 and 0.0 in bench_programme.EFFECTS
    assert bench_programme.COVERAGE_TARGET == (0.90, 0.98)
    assert bench_programme.BALANCE_TARGET == 0.95


def test_results_markdown_has_the_programme_table():
    report = _load("_report")
    programme = {
        "design": "d",
        "runs": 200,
        "coverage": 0.935,
        "coverage_se": 0.0174,
        "coverage_target": [0.9, 0.98],
        "balanced_share": 0.99,
        "balance_target": 0.95,
        "mean_bias": -0.002,
        "mean_naive_bias": 0.356,
        "median_width": 0.043,
        "meets_target": True,
        "by_effect": {
            "0.1": {
                "runs": 50,
                "coverage": 0.94,
                "mean_true_difference": -0.075,
                "mean_estimate": -0.076,
                "mean_naive_bias": 0.357,
            },
        },
        "hidden_selection": {"runs": 40, "coverage": 0.775, "mean_bias": 0.014},
    }
    text = report.render_markdown({"programme": programme}, command="c")
    assert "| 200 | 93.5% (± 1.7%) | 99.0% | −0.2 | +35.6 | 4.3 | yes |".replace("−", "-") in text
    assert "- effect 0.1: 50 runs, coverage 94%, true difference -7.5 points" in text
    assert "coverage 78%, matched bias +1.4 points" in text
    assert "Other results" not in text

"""The programme-cohort coverage simulation of ``make bench`` at a tiny size, and its section
of RESULTS.md."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from tests.test_benchmarks import _load


@pytest.fixture(scope="module")
def bench_cohort():
    return _load("bench_cohort")


@pytest.mark.slow
def test_tiny_simulation_has_its_shape(bench_cohort, tmp_path, monkeypatch):
    args = argparse.Namespace(quick=True, out=tmp_path, runs=4, seed=1, threads=1)
    monkeypatch.setattr(bench_cohort, "QUICK_PEOPLE", 1_500)
    assert bench_cohort.run(args) == 0
    data = json.loads((tmp_path / "cohort.json").read_text())
    assert data["benchmark"] == "cohort" and data["quick"] is True
    assert data["cohort_size"] == 100 and data["target"] == [0.93, 0.97]
    (size,) = data["sizes"]
    assert size["n_train"] == 200 and size["runs"] == 4 and size["models"] == 4
    for key in ("coverage_known", "coverage_new"):
        assert size[key] in {0.0, 0.25, 0.5, 0.75, 1.0}
    assert size["median_width_new"] > size["median_width_known"] > 0
    assert 0.5 < size["mean_observed_expected"] < 1.5
    assert size["meets_target"] == (0.93 <= size["coverage_new"] <= 0.97)


def test_design_constants(bench_cohort):
    assert bench_cohort.TRAINING_SIZES == (200, 1_000, 5_000)
    assert bench_cohort.RUNS == 400 and bench_cohort.COHORT_SIZE == 100
    assert bench_cohort.covers([0.9, 1.0]) and not bench_cohort.covers([np.nan, 2.0])


def test_results_markdown_has_the_coverage_table():
    report = _load("_report")
    size = {
        "n_train": 1000,
        "runs": 400,
        "models": 400,
        "cohorts_per_model": 1,
        "coverage_known": 0.9425,
        "coverage_new": 0.9575,
        "coverage_new_se": 0.0101,
        "meets_target": True,
    }
    cohort = {"design": "d", "cohort_size": 100, "target": [0.93, 0.97], "sizes": [size]}
    text = report.render_markdown({"cohort": cohort}, command="c")
    assert "| 1,000 | 400 (400 models × 1) | 94.2% | 95.8% (± 1.0%) | yes |" in text
    assert "Other results" not in text

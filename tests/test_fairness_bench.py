"""The fairness-verdict simulation of ``make bench`` (a few datasets) and its RESULTS.md part."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_fairness_simulation_counts_verdicts_and_renders(tmp_path):
    bench = _load("bench_fairness")
    report = _load("_report")
    gap = bench.run_scenario(0.30, datasets=2, group_size=1500, n_resamples=200, seed=1)
    shares = gap["share"]["fpr"]
    assert sum(shares.values()) == 1
    # 2,000 people a group: a 10-point gap in false positive rates is told.
    assert shares["does not hold"] == 1 and shares["holds"] == 0
    assert gap["share_any_pairwise_does_not_hold"] == 1
    none = bench.run_scenario(0.20, datasets=2, group_size=200, n_resamples=200, seed=2)
    assert none["share"]["fpr"]["does not hold"] == 0
    checks = {
        "no_difference_does_not_hold": {"share": 0.0, "target": 0.05, "met": True},
        "gap_holds": {"share": 0.0, "target": 0.05, "met": True},
    }
    result = {"quick": False, "group_size": 200, "n_resamples": 200, "tolerance": 0.05,
              "seconds": 1.0, "checks": checks,
              "scenarios": {"no_difference": none, "gap_10_points": gap}}  # fmt: skip
    text = report.render_markdown({"fairness": result}, command="run_all.py")
    assert "## Fairness verdicts" in text
    assert "| gap 10 points | 0.0% | 100.0% | 0.0% | 0.0% |" in text
    assert "- No difference: “does not hold” in 0.0% (target ≤ 5%): yes;" in text
    assert "Other results" not in text

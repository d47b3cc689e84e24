"""The monotone bound benchmark: fitted to the truth, scored against the oracle."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_monotone_bound


def test_the_bound_is_scored_against_the_oracle_on_the_same_people(tmp_path):
    train = bench_monotone_bound.synthesise(tmp_path / "train", 600, 21)
    test = bench_monotone_bound.synthesise(tmp_path / "test", 600, 2)
    figures = bench_monotone_bound.measure(train, test, max_iter=20)
    _, y, truth, _ = bench_monotone_bound.labelled_with_truth(test)
    assert figures["test_rows"] == len(y)
    assert figures["oracle_brier"] == pytest.approx(np.mean((truth - y) ** 2), rel=1e-12)
    monotone, free = figures["monotone"], figures["free"]
    assert monotone["directions"] > 0 and free["directions"] == 0
    assert not monotone["profiles"] and free["profiles"]
    for fit in (monotone, free):
        assert fit["brier_over_oracle"] == pytest.approx(fit["brier"] / figures["oracle_brier"])
        assert 0 < fit["mean_squared_gap_to_truth"] < 0.05
    assert figures["directions_cost"] == pytest.approx(monotone["brier"] - free["brier"])
    assert figures["monotone_within_oracle_ratio"] == (
        monotone["brier_over_oracle"] <= figures["oracle_ratio_target"]
    )

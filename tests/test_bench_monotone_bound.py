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


@pytest.mark.parametrize("ratio", [1.0112, 1.008, 1.0125])
def test_the_section_says_what_the_figures_say(ratio):
    from _report import monotone_bound_section

    oracle = 0.16287
    monotone = {"brier": oracle * ratio, "brier_over_oracle": ratio, "directions": 66}
    bound = {
        "oracle_brier": oracle,
        "train_rows": 138_846,
        "train_seed": 21,
        "test_rows": 34_662,
        "test_seed": 2,
        "monotone": {**monotone, "profiles": False, "mean_squared_gap_to_truth": 0.0015},
        "free": {
            "brier": 0.16346,
            "brier_over_oracle": 0.16346 / oracle,
            "directions": 0,
            "profiles": True,
            "mean_squared_gap_to_truth": 0.0004,
        },
        "directions_cost": oracle * ratio - 0.16346,
        "oracle_ratio_target": 1.01,
        "monotone_within_oracle_ratio": ratio <= 1.01,
        "synthetic_ceiling": 0.1647929,
        "monotone_within_synthetic_ceiling": oracle * ratio <= 0.1647929,
    }
    text = "\n".join(monotone_bound_section(bound))
    side = "within" if ratio <= 1.01 else "above"
    assert f"reaches {ratio:.4f} × the oracle's Brier score, {side} the 1.01 × target" in text
    assert "| monotone in the catalogue's 66 directions, without offending profiles |" in text
    assert "| free (no directions), with offending profiles | 0.16346 |" in text
    below = "within" if oracle * ratio <= 0.1647929 else "above"
    assert f"{oracle * ratio:.5f}, {below} the synthetic ceiling of 0.16479" in text
    assert "138,846 labelled synthetic people (seed 21)" in text

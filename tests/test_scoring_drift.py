"""Drift (population stability) and risk bands: properties, not echoed figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel._errors import ConfigError
from riskmodel.bands import BAD_BANDS
from riskmodel.baselines import ogrs3_band
from riskmodel.scoring import (
    BANDS_NOT_WHOLE_PERCENT,
    DRIFT_WARNING,
    NO_REFERENCE,
    PSI_WARN,
    drift_counts,
    drift_reference,
    drift_report,
    merge_counts,
    parse_bands,
    psi,
    risk_band,
)


def population(n: int, seed: int, shift: float = 0.0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "age": rng.normal(35 + shift, 10, n).round(),
            "priors": rng.poisson(2 + shift / 5, n).astype(float),
            "flag": (rng.random(n) < 0.3).astype(float),
            "offence": rng.choice(["theft", "violence", "fraud"], n, p=[0.5, 0.3, 0.2]),
        }
    )
    X.loc[rng.random(n) < 0.1, "priors"] = np.nan
    X.loc[rng.random(n) < 0.05, "offence"] = None
    scores = 1 / (1 + np.exp(-(X["age"].to_numpy() - 35) / 10))
    return X, scores


def test_psi_is_zero_for_equal_shares_and_grows_with_the_shift():
    base = np.array([0.25, 0.25, 0.25, 0.25])
    assert psi(base, base * 40) == 0.0
    shifts = [psi(base, np.array([0.25 + d, 0.25, 0.25, 0.25 - d])) for d in (0.05, 0.1, 0.2)]
    assert 0 < shifts[0] < shifts[1] < shifts[2]
    assert np.isfinite(psi(base, np.array([1.0, 0, 0, 0])))  # empty bins are floored


def test_reference_shares_sum_to_one_and_are_json_ready():
    import json

    X, scores = population(2000, seed=0)
    reference = drift_reference(X, scores)
    json.dumps(reference, allow_nan=False)
    for name, feature in reference["features"].items():
        shares = feature["shares"]
        total = sum(shares.values()) if isinstance(shares, dict) else sum(shares)
        assert total == pytest.approx(1.0), name
    assert sum(reference["score"]["shares"]) == pytest.approx(1.0)
    assert reference["features"]["priors"]["shares"][-1] == pytest.approx(
        X["priors"].isna().mean()
    )
    assert len(reference["features"]["flag"]["edges"]) == 1  # one bin per value


def test_chunk_counts_add_up_to_the_counts_of_the_whole():
    X, scores = population(3000, seed=1)
    reference = drift_reference(X, scores)
    batch, batch_scores = population(1000, seed=2, shift=3)
    whole = drift_counts(batch, batch_scores, reference)
    merged = None
    for start in range(0, 1000, 137):
        part = slice(start, start + 137)
        merged = merge_counts(
            merged, drift_counts(batch.iloc[part], batch_scores[part], reference)
        )
    assert merged == whole
    assert drift_report(reference, merged) == drift_report(reference, whole)


def test_numeric_bins_are_those_of_a_binary_search_with_missing_last():
    from riskmodel.scoring._drift import _bin_numeric

    rng = np.random.default_rng(3)
    values = np.r_[rng.integers(0, 6, 500).astype(float), rng.normal(2, 2, 500)]
    values[rng.random(1000) < 0.05] = np.nan
    values[:4] = [np.inf, -np.inf, 2.0, 2.5]  # infinite counts as missing; ties go right
    for edges in ([], [2.0], [0.5, 1.5, 2.0, 2.5, 4.0], [-10.0, 100.0]):
        finite = values[np.isfinite(values)]
        position = np.searchsorted(np.asarray(edges), finite, side="right")
        expected = np.append(np.bincount(position, minlength=len(edges) + 1), 1000 - finite.size)
        got = _bin_numeric(values, edges)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, expected)


def test_same_population_is_stable_and_a_shifted_one_warns():
    X, scores = population(5000, seed=3)
    reference = drift_reference(X, scores)
    same, same_scores = population(2000, seed=4)
    report = drift_report(reference, drift_counts(same, same_scores, reference))
    assert report["score_psi"] < 0.05 and report["warnings"] == []
    assert report["score_level"] == "stable"
    moved, moved_scores = population(2000, seed=5, shift=15)
    report = drift_report(reference, drift_counts(moved, moved_scores, reference))
    assert report["score_psi"] > PSI_WARN
    assert {"age", "priors"} <= set(report["shifted_features"])
    assert not {"offence", "flag"} & set(report["shifted_features"])
    assert DRIFT_WARNING.format(psi=report["score_psi"], limit=PSI_WARN) in report["warnings"]
    assert "riskmodel recalibrate" in report["warnings"][0]


def test_unseen_categories_are_counted_and_named():
    X, scores = population(1000, seed=6)
    reference = drift_reference(X, scores)
    batch = X.iloc[:100].copy()
    batch.loc[batch.index[:7], "offence"] = "arson"
    report = drift_report(reference, drift_counts(batch, scores[:100], reference))
    assert report["unseen_categories"] == {"offence": {"arson": 7}}
    assert any("'arson' (7 people)" in w for w in report["warnings"])


def test_no_reference_is_said_in_words():
    report = drift_report(None, None)
    assert report["available"] is False and report["reason"] == NO_REFERENCE


def test_default_bands_agree_with_ogrs3_bands():
    p = np.concatenate([np.linspace(0, 1, 2001), [0.495, 0.745, 0.895, 0.4949999]])
    assert (risk_band(p) == ogrs3_band(p)).all()


def test_custom_bands_and_their_errors():
    bands = parse_bands("0.3,0.6")
    assert risk_band(np.array([0.294, 0.295, 0.6, 0.99]), bands).tolist() == [
        "0-30%",
        "30-60%",
        "60-100%",
        "60-100%",
    ]
    with pytest.raises(ConfigError, match="whole percentages") as info:
        parse_bands("0.333,0.5")
    assert str(info.value) == BANDS_NOT_WHOLE_PERCENT.format(value="0.333,0.5")
    with pytest.raises(ConfigError) as info:
        parse_bands("0.7,0.5")
    assert str(info.value) == BAD_BANDS.format(value="0.7,0.5")

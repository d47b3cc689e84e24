"""Cohort evaluation: the Poisson-binomial distribution and observed against expected."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, binomtest

from riskmodel import DataError
from riskmodel.cohort import _cohort as cohort_module
from riskmodel.cohort import _poisson_binomial as pb
from riskmodel.cohort import (
    cohort_evaluation,
    observed_expected_summary,
    poisson_binomial_pmf,
    poisson_binomial_tails,
)

#: What a cohort result holds (``to_dict`` and ``cohort.json``).
KEYS = (
    "n",
    "observed_rate",
    "expected_rate",
    "observed_expected",
    "difference",
    "difference_ci",
    "p_value_lower",
    "p_value_upper",
    "by_band",
)
WORKED_P = [0.71] * 38
WORKED_Y = [1] * 21 + [0] * 17


# --- the worked example (DOMAIN.md): 21 of 38 against 71% predicted -------------------------


def test_worked_example():
    result = cohort_evaluation(y_true=WORKED_Y, y_prob=WORKED_P).overall
    assert result["n"] == 38
    assert round(result["observed_rate"], 3) == 0.553
    assert round(result["expected_rate"], 3) == 0.710
    assert round(result["p_value_lower"], 3) == 0.028
    assert result["p_value_lower"] == pytest.approx(binom.cdf(21, 38, 0.71), rel=1e-12)
    assert result["p_value_upper"] == pytest.approx(binom.sf(20, 38, 0.71), rel=1e-12)
    assert result["observed_expected"] == pytest.approx(21 / (38 * 0.71))
    assert result["difference"] == pytest.approx(21 / 38 - 0.71)


def test_worked_example_interval_is_clopper_pearson_and_wide():
    result = observed_expected_summary(y_true=WORKED_Y, y_prob=WORKED_P)
    exact = binomtest(21, 38).proportion_ci(confidence_level=0.95, method="exact")
    assert result["rate_ci"] == pytest.approx([exact.low, exact.high], abs=1e-7)
    assert result["difference_ci"] == pytest.approx(
        [exact.low - 0.71, exact.high - 0.71], abs=1e-7
    )
    low, high = result["difference_ci"]
    assert high - low > 0.3  # a cohort of 38 cannot say much
    assert low < result["difference"] < high


# --- Poisson-binomial ----------------------------------------------------------------------


def _brute_force(p):
    pmf = np.zeros(len(p) + 1)
    for outcome in itertools.product([0, 1], repeat=len(p)):
        prob = np.prod([q if o else 1 - q for q, o in zip(p, outcome, strict=True)])
        pmf[sum(outcome)] += prob
    return pmf


@settings(max_examples=40, deadline=None)
@given(p=st.lists(st.floats(0, 1), min_size=0, max_size=8))
def test_pmf_matches_enumeration(p):
    expected = _brute_force(p) if p else np.ones(1)
    for method in ("dp", "fft"):
        assert poisson_binomial_pmf(p, method=method) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=300))
def test_pmf_sums_to_one_and_methods_agree(p):
    dp = poisson_binomial_pmf(p, method="dp")
    fft = poisson_binomial_pmf(p, method="fft")
    assert dp.sum() == pytest.approx(1.0, abs=1e-12)
    assert (dp >= 0).all()
    assert fft == pytest.approx(dp, abs=1e-12)
    mean = (np.arange(dp.size) * dp).sum()
    assert mean == pytest.approx(sum(p), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 200), q=st.just(0.0) | st.floats(1e-9, 1.0))
def test_pmf_is_binomial_for_equal_probabilities(n, q):
    expected = binom.pmf(np.arange(n + 1), n, q)
    assert poisson_binomial_pmf([q] * n) == pytest.approx(expected, abs=1e-12)


def test_methods_agree_on_a_large_cohort():
    p = np.random.default_rng(0).beta(2, 3, 6000)
    dp = poisson_binomial_pmf(p, method="dp")
    fft = poisson_binomial_pmf(p, method="fft")
    assert np.abs(dp - fft).max() < 1e-12
    k = int(p.sum()) - 60
    assert dp[: k + 1].sum() == pytest.approx(fft[: k + 1].sum(), rel=1e-6)


def test_auto_switches_to_fft_above_the_limit():
    p = np.full(pb.DP_MAX_N + 1, 0.3)
    expected = binom.pmf(np.arange(p.size + 1), p.size, 0.3)
    assert poisson_binomial_pmf(p) == pytest.approx(expected, abs=1e-12)


def test_tails_and_errors():
    lower, upper = poisson_binomial_tails(1, [0.5, 0.5])
    assert (lower, upper) == (0.75, 0.75)
    with pytest.raises(ValueError, match=r"outside 0\.\.2"):
        poisson_binomial_tails(3, [0.5, 0.5])
    with pytest.raises(ValueError, match=re.escape(pb.PROBABILITY_ERROR)):
        poisson_binomial_pmf([0.5, 1.2])
    with pytest.raises(ValueError, match=re.escape(pb.METHOD_ERROR)):
        poisson_binomial_pmf([0.5], method="normal")


# --- observed against expected -------------------------------------------------------------


def test_heterogeneous_probabilities_by_hand():
    p = [0.2, 0.5, 0.9]
    y = [0, 1, 1]
    pmf = _brute_force(p)
    result = observed_expected_summary(y_true=y, y_prob=p)
    assert result["p_value_lower"] == pytest.approx(pmf[:3].sum())
    assert result["p_value_upper"] == pytest.approx(pmf[2:].sum())
    assert result["expected_rate"] == pytest.approx(1.6 / 3)


@settings(max_examples=15, deadline=None)
@given(
    p=st.lists(st.floats(0.02, 0.98), min_size=1, max_size=40),
    data=st.data(),
)
def test_interval_is_an_inverted_exact_test(p, data):
    p = np.asarray(p)
    observed = data.draw(st.integers(0, p.size))
    y = np.r_[np.ones(observed), np.zeros(p.size - observed)]
    result = observed_expected_summary(y_true=y, y_prob=p)
    low, high = result["rate_ci"]
    assert 0 <= low <= observed / p.size <= high <= 1
    # at each end, the shifted probabilities give a tail probability of 2.5%
    for bound, tail in ((low, 1), (high, 0)):
        if bound in (0.0, 1.0):
            continue
        shift = _shift_for_mean(p, bound)
        shifted = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + shift)))
        assert poisson_binomial_tails(observed, shifted)[tail] == pytest.approx(0.025, abs=1e-6)


def _shift_for_mean(p, target):
    from scipy.optimize import brentq

    logits = np.log(p / (1 - p))
    return brentq(lambda s: (1 / (1 + np.exp(-(logits + s)))).mean() - target, -50, 50)


def test_interval_narrows_with_cohort_size():
    widths = []
    for n in (38, 380, 3800):
        p = np.full(n, 0.71)
        y = np.r_[np.ones(round(n * 21 / 38)), np.zeros(n - round(n * 21 / 38))]
        low, high = observed_expected_summary(y_true=y, y_prob=p)["difference_ci"]
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2]
    assert widths[0] > 3 * widths[2]


def test_by_band_from_probabilities():
    p = [0.2, 0.2, 0.6, 0.6, 0.8]
    y = [0, 1, 1, 1, 0]
    result = cohort_evaluation(y_true=y, y_prob=p)
    bands = {b["band"]: b for b in result.by_band}
    assert list(bands) == ["Low", "Medium", "High", "Very high"]
    assert (bands["Low"]["n"], bands["Low"]["observed"]) == (2, 1)
    assert bands["Low"]["expected"] == pytest.approx(0.4)
    assert (bands["Medium"]["n"], bands["Medium"]["observed"]) == (2, 2)
    assert bands["Medium"]["p_value_upper"] == pytest.approx(0.36)
    assert (bands["High"]["n"], bands["High"]["observed"]) == (1, 0)
    assert bands["High"]["p_value_lower"] == pytest.approx(0.2)
    assert bands["Very high"]["n"] == 0
    assert bands["Very high"]["observed_rate"] is None
    assert result.by_band_table().shape[0] == 4


def test_by_band_from_a_column_ordered_by_probability():
    p = [0.9, 0.1, 0.2, 0.8]
    y = [1, 0, 0, 1]
    result = cohort_evaluation(y_true=y, y_prob=p, bands=["hi", "lo", "lo", "hi"])
    assert [b["band"] for b in result.by_band] == ["lo", "hi"]
    assert result.band_source == "column"
    assert result.by_band[1]["observed"] == 2


def test_frequency_measure():
    result = cohort_evaluation(
        y_true=[1, 1, 0, 1, 0],
        y_prob=[0.5, 0.6, 0.2, 0.7, 0.1],
        counts=[2, 1, 0, 3, 0],
        n_resamples=500,
    )
    f = result.frequency
    assert f["reoffences"] == 6
    assert f["reoffenders"] == 3
    assert f["reoffences_per_reoffender"] == pytest.approx(2.0)
    assert f["reoffences_per_person"] == pytest.approx(1.2)
    low, high = f["reoffences_per_reoffender_ci"]
    assert 1 <= low <= 2 <= high <= 3


def test_frequency_count_must_agree_with_outcome():
    with pytest.raises(DataError) as info:
        cohort_evaluation(y_true=[1, 0], y_prob=[0.5, 0.6], counts=[0, 0])
    assert str(info.value) == cohort_module.COUNT_CONTRADICTS_OUTCOME.format(
        column="count", count=1, row=1, outcome=1.0, value=0.0
    )


def test_missing_scores_and_outcomes_are_counted():
    result = cohort_evaluation(y_true=[1, 1, None, 0], y_prob=[0.5, np.nan, 0.3, 0.4])
    assert result.n_rows == 4
    assert result.n_missing_score == 1
    assert result.n_missing_outcome == 1
    assert result.overall["n"] == 2
    data = result.to_dict()
    for key in KEYS:
        assert key in data


def test_nobody_usable_is_a_clear_error():
    with pytest.raises(DataError, match="nobody in the cohort"):
        cohort_evaluation(y_true=[1, None], y_prob=[np.nan, 0.3])

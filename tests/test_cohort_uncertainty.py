"""Observed against expected with the model's own uncertainty: the quadrature, the reduction
to the interval that treats predictions as known, and what a bundle's manifest gives."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, logit

from riskmodel._errors import DataError
from riskmodel.cohort import (
    FEW_TRAINING_LIMIT,
    CalibrationUncertainty,
    calibration_covariance,
    cohort_evaluation,
    decile_points,
    mixture_tails,
    observed_expected_summary,
    poisson_binomial_pmf,
    poisson_binomial_pmfs,
    poisson_binomial_tails,
    with_model_uncertainty,
)
from riskmodel.cohort import _messages as msg

EDGES = [0.08, 0.13, 0.21, 0.29, 0.39, 0.51, 0.63, 0.75, 0.85]
KEYS = (
    "rate_ci",
    "difference_ci",
    "observed_expected_ci",
    "p_value_lower",
    "p_value_upper",
    "p_value_two_sided",
)


def _cohort(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.9, n)
    return p, (rng.random(n) < p).astype(int)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 40),
    seed=st.integers(0, 10_000),
    confidence=st.sampled_from([0.8, 0.9, 0.95]),
)
def test_without_model_uncertainty_it_is_the_interval_of_known_predictions(n, seed, confidence):
    p, y = _cohort(n, seed)
    known = observed_expected_summary(y_true=y, y_prob=p, confidence=confidence)
    reduced = with_model_uncertainty(
        p, int(y.sum()), CalibrationUncertainty.none(), confidence=confidence
    )
    for key in KEYS:
        np.testing.assert_allclose(reduced[key], known[key], rtol=1e-9, atol=1e-12)
    assert known["with_model_uncertainty"] is None


def test_worked_example_reduces_exactly_and_widens_with_few_training_people():
    p, k = [0.71] * 38, 21
    known = observed_expected_summary(y_true=[1] * k + [0] * 17, y_prob=p)
    none = with_model_uncertainty(p, k, CalibrationUncertainty.none())
    assert none["observed_expected_ci"] == known["observed_expected_ci"]
    assert none["p_value_lower"] == pytest.approx(known["p_value_lower"], rel=1e-12)
    widths = []
    for n_train in (50_000, 5_000, 1_000, 200):
        u = CalibrationUncertainty.from_reference(decile_points(EDGES), n_train)
        low, high = with_model_uncertainty(p, k, u)["observed_expected_ci"]
        widths.append(high - low)
    assert widths == sorted(widths)  # fewer training people: a wider interval
    exact_wide = CalibrationUncertainty(200, calibration_covariance(p, 200), mid_p=False)
    low, high = with_model_uncertainty(p, k, exact_wide)["observed_expected_ci"]
    known_low, known_high = known["observed_expected_ci"]
    assert low < known_low and high > known_high  # same tails, more uncertainty: wider


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 30), seed=st.integers(0, 10_000), n_train=st.integers(50, 5000))
def test_mixture_tails_add_up(n, seed, n_train):
    p, y = _cohort(n, seed)
    k = int(y.sum())
    mid = CalibrationUncertainty.from_reference(decile_points(EDGES), n_train)
    exact = CalibrationUncertainty(n_train, mid.covariance, mid_p=False)
    lower, upper = mixture_tails(k, p, mid)
    assert lower + upper == pytest.approx(1.0)
    e_lower, e_upper = mixture_tails(k, p, exact)
    offsets, weights = exact.nodes(p)
    at = weights @ poisson_binomial_pmfs(expit(logit(p) + offsets))[:, k]
    assert e_lower + e_upper == pytest.approx(1.0 + at)
    assert e_lower >= lower and e_upper >= upper


def test_quadrature_reproduces_the_calibration_covariance():
    u = CalibrationUncertainty.from_reference(decile_points(EDGES), 300)
    p = np.array([0.1, 0.3, 0.5, 0.7, 0.95])
    offsets, weights = u.nodes(p)
    assert weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(weights @ offsets, 0.0, atol=1e-12)
    x = logit(p)
    cov = u.covariance
    expected = cov[0, 0] + 2 * x * cov[0, 1] + x**2 * cov[1, 1]  # Var(a + (b - 1) x)
    np.testing.assert_allclose(weights @ offsets**2, expected, rtol=1e-9)


def test_calibration_covariance_is_the_spread_of_refitted_calibrations():
    from sklearn.linear_model import LogisticRegression

    reference = decile_points(EDGES)
    n_train = 1000
    cov = calibration_covariance(reference, n_train)
    rng = np.random.default_rng(0)
    x = np.repeat(logit(reference), n_train // reference.size)
    fits = []
    for _ in range(120):
        y = (rng.random(x.size) < expit(x)).astype(int)
        fit = LogisticRegression(C=np.inf).fit(x[:, None], y)
        fits.append([fit.intercept_[0], fit.coef_[0, 0]])
    empirical = np.cov(np.array(fits).T)
    np.testing.assert_allclose(np.sqrt(np.diag(empirical)), np.sqrt(np.diag(cov)), rtol=0.2)


def test_calibration_covariance_without_spread_holds_the_slope():
    cov = calibration_covariance([0.2, 0.2, 0.2], 500)
    assert cov[0, 0] == pytest.approx(1 / (500 * 0.2 * 0.8))
    assert cov[1, 1] == 0 and cov[0, 1] == 0


def test_decile_points_lie_between_the_cut_points():
    points = decile_points(EDGES)
    assert points.size == 10 and np.all(np.diff(points) > 0)
    assert points[0] < EDGES[0] and points[-1] > EDGES[-1]
    for inner, (a, b) in zip(points[1:-1], itertools.pairwise(EDGES), strict=True):
        assert a < inner < b
        assert logit(inner) == pytest.approx((logit(a) + logit(b)) / 2)


def test_probabilities_of_zero_and_one_stay_put():
    u = CalibrationUncertainty.from_reference(decile_points(EDGES), 200)
    p = np.array([0.0, 1.0, 0.5, 0.5])
    lower, upper = mixture_tails(0, p, u)
    assert np.isfinite([lower, upper]).all()
    assert lower == 0.0 and upper == 1.0  # one certain reoffender: X >= 1 whatever the model
    lower, upper = mixture_tails(1, p, u)  # mid-p: half of P(X = 1), the others both not
    offsets, weights = u.nodes(p)
    assert lower == pytest.approx(0.5 * weights @ (1 - expit(offsets[:, 2])) ** 2)


def test_pmfs_of_rows_match_the_single_distribution():
    rows = np.array([[0.1, 0.5, 0.9], [0.3, 0.3, 0.3]])
    for row, pmf in zip(rows, poisson_binomial_pmfs(rows), strict=True):
        np.testing.assert_allclose(pmf, poisson_binomial_pmf(row))
    lower, upper = poisson_binomial_tails(1, rows[0])
    none = CalibrationUncertainty.none()
    assert mixture_tails(1, rows[0], none) == pytest.approx((lower, upper))


def _manifest(n_train, edges=EDGES):
    reference = {"score": {"edges": edges, "shares": [0.1] * 10}} if edges else {}
    return {"model_id": "m1", "split": {"n_train": n_train}, "drift_reference": reference}


def test_from_manifest_reads_training_size_and_deciles():
    p = np.full(10, 0.4)
    u = CalibrationUncertainty.from_manifest(_manifest(800), p)
    assert u.n_train == 800 and u.reference == "training deciles" and u.model_id == "m1"
    np.testing.assert_allclose(u.covariance, calibration_covariance(decile_points(EDGES), 800))
    assert msg.REFERENCE_DECILES in u.describe()
    assert u.describe() == msg.COMBINED_METHOD.format(
        n_train=800, reference=msg.REFERENCE_DECILES, tails="mid-p"
    )
    bare = CalibrationUncertainty.from_manifest(_manifest(800, edges=None), p)
    assert bare.reference == "cohort" and msg.REFERENCE_COHORT in bare.describe()


@pytest.mark.parametrize("n_train", [None, 0, "1000", True])
def test_manifest_without_a_training_size_is_refused(n_train):
    with pytest.raises(DataError) as caught:
        CalibrationUncertainty.from_manifest(_manifest(n_train), [0.5], where="models/x")
    assert str(caught.value) == msg.NO_TRAINING_SIZE.format(path="models/x")


def test_few_training_people_warns_with_the_widening():
    assert FEW_TRAINING_LIMIT == 1000
    p, y = _cohort(120, 3)
    few = CalibrationUncertainty.from_reference(decile_points(EDGES), 999)
    enough = CalibrationUncertainty.from_reference(decile_points(EDGES), 1000)
    assert few.few_people and not enough.few_people
    result = cohort_evaluation(y_true=y, y_prob=p, uncertainty=few)
    ratio = result.widening()
    known = np.diff(result.overall["observed_expected_ci"])[0]
    combined = np.diff(result.overall["with_model_uncertainty"]["observed_expected_ci"])[0]
    assert ratio == pytest.approx(combined / known) and ratio > 1
    warning = msg.FEW_TRAINING_PEOPLE.format(
        n_train=999, limit=1000, effect=msg.WIDENING.format(ratio=ratio)
    )
    assert result.warnings() == [warning]
    data = result.to_dict()
    assert data["warnings"] == [warning] and data["model_uncertainty"]["warning"] == warning
    assert data["predictions_treated_as_known"] is False
    assert few.warning(None) == msg.FEW_TRAINING_PEOPLE.format(n_train=999, limit=1000, effect="")
    assert few.warning(0.98) == few.warning(None)
    assert cohort_evaluation(y_true=y, y_prob=p, uncertainty=enough).warnings() == []


def test_every_band_gets_the_combined_figures():
    p, y = _cohort(200, 4)
    u = CalibrationUncertainty.from_reference(decile_points(EDGES), 2000)
    result = cohort_evaluation(y_true=y, y_prob=p, uncertainty=u)
    for band in result.by_band:
        if band["n"]:
            assert set(KEYS) <= set(band["with_model_uncertainty"])
        else:
            assert band["with_model_uncertainty"] is None
    data = result.to_dict()
    assert data["model_uncertainty"]["n_train"] == 2000
    assert data["model_uncertainty"]["tails"] == "mid-p"
    plain = cohort_evaluation(y_true=y, y_prob=p).to_dict()
    assert plain["model_uncertainty"] is None and plain["predictions_treated_as_known"] is True
    assert plain["warnings"] == []

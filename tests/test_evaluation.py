"""Evaluation metrics, bootstrap intervals and displays."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.metrics import log_loss as sk_log_loss

from riskmodel import evaluation as ev
from riskmodel._io import write_json
from riskmodel.evaluation import (
    METRIC_NAMES,
    ReliabilityDisplay,
    RiskDistributionDisplay,
    evaluate_predictions,
    metrics_by_group,
)
from riskmodel.evaluation._metrics import _all_metrics, _weighted_metrics


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(3)
    n = 2000
    p = np.round(rng.uniform(0.02, 0.98, n), 2)  # ties, as discrete features give
    y = (rng.random(n) < p**1.4).astype(int)
    return y, p


def test_metrics_agree_with_scikit_learn(sample):
    y, p = sample
    assert ev.auc(y_true=y, y_prob=p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert ev.brier(y_true=y, y_prob=p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert ev.log_loss(y_true=y, y_prob=p) == pytest.approx(sk_log_loss(y, p), abs=1e-12)
    assert ev.observed_expected_ratio(y_true=y, y_prob=p) == pytest.approx(y.mean() / p.mean())


def test_calibration_slope_intercept_is_logistic_recalibration(sample):
    y, p = sample
    x = np.log(p / (1 - p)).reshape(-1, 1)
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(x, y)
    slope, intercept = ev.calibration_slope_intercept(y_true=y, y_prob=p)
    assert slope == pytest.approx(reference.coef_[0, 0], abs=1e-5)
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-5)


def test_ece_by_hand():
    # two bins of two: [0.1, 0.3] observed 0/2 → |0 − 0.2|; [0.6, 0.8] observed 2/2 → |1 − 0.7|
    y = [0, 0, 1, 1]
    p = [0.1, 0.3, 0.6, 0.8]
    assert ev.expected_calibration_error(y_true=y, y_prob=p, n_bins=2) == pytest.approx(
        (0.2 + 0.3) / 2
    )
    # ten equal-frequency bins by default
    rng = np.random.default_rng(0)
    p = rng.uniform(size=1000)
    y = np.zeros(1000)
    order = np.argsort(p)
    expected = np.mean([p[order[i * 100 : (i + 1) * 100]].mean() for i in range(10)])
    assert ev.expected_calibration_error(y_true=y, y_prob=p) == pytest.approx(expected)


@pytest.mark.parametrize("decimals", [None, 1])  # distinct scores, and runs of tied ones
def test_bootstrap_counts_give_the_same_metrics_as_resampled_arrays(decimals):
    rng = np.random.default_rng(5)
    n = 700
    p = rng.uniform(0.05, 0.95, n)
    p = p if decimals is None else p.round(decimals)
    y = (rng.random(n) < p).astype(float)
    order = np.argsort(p, kind="stable")
    ys, ps = y[order], p[order]
    starts = np.flatnonzero(np.r_[True, np.diff(ps) != 0])
    idx = rng.integers(0, n, (6, n))
    W = np.stack([np.bincount(row, minlength=n) for row in idx]).astype(float)
    direct = _all_metrics(ys[idx], ps[idx])
    weighted = _weighted_metrics(W, ys, ps, starts, (1.0, 0.0))
    # (equal-frequency bins split tied scores by position: ECE is compared without ties)
    columns = list(range(7)) if decimals is None else [0, 1, 2, 4, 5, 6]
    np.testing.assert_allclose(weighted[:, columns], direct[:, columns], atol=1e-8)


def test_undefined_resamples_are_skipped_and_the_others_unchanged():
    # resamples with one class, and a score without spread: slope and intercept undefined
    # there (NaN, without fitting), the same as alone everywhere else
    rng = np.random.default_rng(8)
    n = 300
    p = rng.uniform(0.05, 0.95, (4, n))
    y = (rng.random((4, n)) < p).astype(float)
    y[1] = 0.0  # one class
    p[2] = 0.3  # no spread
    slope, intercept = ev.calibration_slope_intercept(y_true=y, y_prob=p)
    assert np.isnan(slope[[1, 2]]).all() and np.isnan(intercept[[1, 2]]).all()
    for row in (0, 3):
        alone = ev.calibration_slope_intercept(y_true=y[row], y_prob=p[row])
        assert (slope[row], intercept[row]) == pytest.approx(alone, abs=1e-12)
    # a constant score (the base-rate model): every resample's slope is undefined
    flat = evaluate_predictions(y_true=y[0], y_prob=np.full(n, 0.4), n_resamples=200)
    assert np.isnan(flat["calibration_slope"]) and np.isnan(flat["calibration_slope_ci"]).all()
    assert flat["brier_ci"][0] < flat["brier"] < flat["brier_ci"][1]


def test_evaluate_predictions_keys_and_intervals(sample):
    y, p = sample
    m = evaluate_predictions(y_true=y, y_prob=p, n_resamples=300, seed=1)
    assert m["n"] == len(y)
    assert m["base_rate"] == pytest.approx(y.mean())
    for name in METRIC_NAMES:
        low, high = m[f"{name}_ci"]
        assert low <= m[name] <= high, name
    assert m == evaluate_predictions(y_true=y, y_prob=p, n_resamples=300, seed=1)  # seeded
    assert (
        m["auc_ci"] != evaluate_predictions(y_true=y, y_prob=p, n_resamples=300, seed=2)["auc_ci"]
    )


def test_interval_coverage_is_plausible():
    """The AUC interval from one sample should cover the population AUC in most samples."""
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(20):
        p = rng.uniform(0.05, 0.95, 400)
        y = (rng.random(400) < p).astype(int)
        low, high = evaluate_predictions(y_true=y, y_prob=p, n_resamples=300, seed=0)["brier_ci"]
        covered += low <= np.mean(p * (1 - p)) <= high
    assert covered >= 15


def test_undefined_metrics_are_null(tmp_path):
    m = evaluate_predictions(y_true=np.zeros(20), y_prob=np.full(20, 0.3), n_resamples=50)
    assert np.isnan(m["auc"]) and np.isnan(m["calibration_slope"])
    assert m["brier"] == pytest.approx(0.09)
    path = write_json(m, tmp_path / "metrics.json")
    loaded = json.loads(path.read_text())
    assert loaded["auc"] is None and loaded["auc_ci"] == [None, None]


def test_metrics_by_group(sample):
    y, p = sample
    groups = pd.DataFrame({"index_disposal": np.where(p > 0.5, "custody", "fine")})
    groups.loc[:4, "index_disposal"] = None
    out = metrics_by_group(y_true=y, y_prob=p, groups=groups, n_resamples=50)
    assert set(out["index_disposal"]) == {"custody", "fine", "missing"}
    fine = p <= 0.5
    fine[:5] = False
    assert out["index_disposal"]["fine"]["n"] == int(fine.sum())
    assert out["index_disposal"]["fine"]["auc"] == pytest.approx(
        ev.auc(y_true=y[fine], y_prob=p[fine])
    )


def test_displays_plot_on_given_axes(sample):
    y, p = sample
    fig, (left, right) = plt.subplots(1, 2)
    reliability = ReliabilityDisplay.from_predictions(y, p).plot(ax=left)
    distribution = RiskDistributionDisplay.from_predictions(y, p).plot(ax=right)
    assert reliability.ax_ is left and distribution.ax_ is right
    assert len(reliability.predicted) == 10
    assert np.all(np.diff(reliability.predicted) >= 0)
    plt.close(fig)


def test_evaluation_report_content(sample, tmp_path):
    from riskmodel.reports._evaluation_report import write_evaluation

    y, p = sample
    groups = pd.DataFrame({"index_disposal": np.where(p > 0.5, "custody", "fine")})
    metrics = write_evaluation(
        tmp_path,
        y,
        p,
        groups=groups,
        n_resamples=50,
        source="sample.csv",
        outcome="a <new> conviction",
        follow_up_months=24,
    )
    html = (tmp_path / "report.html").read_text()
    assert "a &lt;new&gt; conviction" in html  # escaped
    assert "conviction (follow-up 24 months).</p>" in html
    assert f"{metrics['auc']:.3f}" in html
    assert 'id="by-index_disposal"' in html and "custody" in html
    assert html.count("data:image/png;base64,") == 2
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert set(saved["by_group"]["index_disposal"]) == {"custody", "fine"}


@pytest.mark.browser
def test_evaluation_report_renders(sample, tmp_path, render_html):
    from riskmodel.reports._evaluation_report import write_evaluation

    y, p = sample
    write_evaluation(tmp_path, y, p, n_resamples=50, source="s.csv", outcome="outcome")
    page = render_html(tmp_path / "report.html")
    assert not page.console_errors and not page.page_errors and not page.broken_images
    assert "Reliability" in page.text


def test_calibration_slope_when_scores_carry_no_information():
    """Undamped Newton from slope 1 diverges here; the fit must still find slope ≈ 0."""
    rng = np.random.default_rng(0)
    p = rng.uniform(0.04, 0.9, 400)
    y = (rng.random(400) < 0.8).astype(int)
    x = np.log(p / (1 - p)).reshape(-1, 1)
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(x, y)
    slope, intercept = ev.calibration_slope_intercept(y_true=y, y_prob=p)
    assert slope == pytest.approx(reference.coef_[0, 0], abs=1e-5)
    assert intercept == pytest.approx(reference.intercept_[0], abs=1e-5)

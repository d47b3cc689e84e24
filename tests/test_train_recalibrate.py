"""``riskmodel recalibrate``: a locally miscalibrated model gets a new intercept and slope."""

from __future__ import annotations

import json

import numpy as np
import pytest

from riskmodel._errors import ConfigError
from riskmodel.bundle import load_bundle
from riskmodel.cli import main
from riskmodel.evaluation import calibration_slope_intercept, observed_expected_ratio
from riskmodel.models import RiskModel
from riskmodel.training._recalibrate import NOT_RECALIBRATABLE, recalibrate_model
from tests.test_crossval import CONFIG
from tests.test_models import make_flat_frame

FEATURES = ["age", "priors", "employed", "area", "offence"]


def _shifted_outcomes(frame, shift, seed):
    """Outcomes of a 'local area' where the log-odds run ``shift`` higher."""
    model = RiskModel(family="logistic").fit(frame[FEATURES], frame["outcome"])
    logit = model.decision_function(frame[FEATURES]) + shift
    rng = np.random.default_rng(seed)
    return (rng.random(len(frame)) < 1 / (1 + np.exp(-logit))).astype(int)


def test_recalibrate_model_is_exact_and_fixes_calibration():
    national = make_flat_frame(n=700, seed=1)
    model = RiskModel(family="logistic").fit(national[FEATURES], national["outcome"])
    local = make_flat_frame(n=700, seed=2)
    y = _shifted_outcomes(local, 0.8, 3)
    before = model.predict_proba(local[FEATURES])[:, 1]
    assert observed_expected_ratio(y_true=y, y_prob=before) > 1.1
    new, fit = recalibrate_model(model, local[FEATURES], y)
    after = new.predict_proba(local[FEATURES])[:, 1]
    assert observed_expected_ratio(y_true=y, y_prob=after) == pytest.approx(1.0, abs=0.01)
    slope, intercept = calibration_slope_intercept(y_true=y, y_prob=after)
    assert slope == pytest.approx(1.0, abs=1e-4) and intercept == pytest.approx(0.0, abs=1e-4)
    # still one sigmoid of the unchanged inner model: exactly explainable
    raw = model.raw_decision_function(local[FEATURES])
    np.testing.assert_allclose(new.raw_decision_function(local[FEATURES]), raw)
    expected = new.calibration_slope_ * raw + new.calibration_intercept_
    np.testing.assert_allclose(np.log(after / (1 - after)), expected, atol=1e-9)
    old_logit = model.decision_function(local[FEATURES])
    np.testing.assert_allclose(
        expected,
        fit["recalibration_intercept"] + fit["recalibration_slope"] * old_logit,
        atol=1e-9,
    )


def test_isotonic_model_refused():
    frame = make_flat_frame(n=300, seed=1)
    model = RiskModel(family="logistic", calibration="isotonic")
    model.fit(frame[FEATURES], frame["outcome"])
    with pytest.raises(ConfigError, match="only a sigmoid-calibrated model"):
        recalibrate_model(model, frame[FEATURES], frame["outcome"])
    assert "isotonic" in NOT_RECALIBRATABLE.format(calibration="isotonic")


def test_recalibrate_command_records_parent(tmp_path, capsys):
    make_flat_frame(n=600, seed=1).to_csv(tmp_path / "national.csv", index=False)
    local = make_flat_frame(n=600, seed=2)
    local["outcome"] = _shifted_outcomes(local, 0.8, 4)
    local.to_csv(tmp_path / "local.csv", index=False)
    (tmp_path / "config.toml").write_text(CONFIG + '\n[model]\nfamily = "logistic"\n')
    parent_dir, child_dir = tmp_path / "national-model", tmp_path / "local-model"
    code = main(
        [
            "train",
            "--table",
            str(tmp_path / "national.csv"),
            "--config",
            str(tmp_path / "config.toml"),
            "--out",
            str(parent_dir),
            "--n-resamples",
            "30",
            "--no-mlflow",
        ]
    )
    assert code == 0
    code = main(
        [
            "recalibrate",
            "--model",
            str(parent_dir),
            "--table",
            str(tmp_path / "local.csv"),
            "--out",
            str(child_dir),
            "--n-resamples",
            "30",
        ]
    )
    assert code == 0
    parent = load_bundle(parent_dir)
    child = load_bundle(child_dir)
    assert child.manifest["parent"]["model_id"] == parent.model_id
    assert child.manifest["parent"]["model_sha256"] == parent.manifest["model_sha256"]
    metrics = json.loads((child_dir / "metrics.json").read_text())
    assert metrics["before"]["observed_expected"] > 1.1
    assert metrics["after"]["observed_expected"] == pytest.approx(1.0, abs=0.01)
    assert "recalibrated" in capsys.readouterr().out
    assert "before" in (child_dir / "report.html").read_text()
    card_page = (child_dir / "model_card.html").read_text()
    assert '<a href="report.html">recalibration report</a>' in card_page

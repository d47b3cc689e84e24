"""``riskmodel train`` and ``riskmodel evaluate`` on a flat table and on event data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from riskmodel._messages import DECISION_NOTE, SYNTHETIC_NOTE
from riskmodel.bundle import load_bundle
from riskmodel.cli import main
from riskmodel.evaluation import METRIC_NAMES
from riskmodel.training._train import split_rows
from tests.commands import on_flat_table, write_flat_inputs
from tests.test_crossval import LOGISTIC_CONFIG
from tests.test_models import make_flat_frame

#: Training options of every run here: few resamples, no tracking.
TRAIN_OPTIONS = ("--n-resamples", "50", "--no-mlflow")


@pytest.fixture(scope="module")
def flat_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    return write_flat_inputs(root, make_flat_frame(n=800, seed=5), LOGISTIC_CONFIG)


@pytest.fixture(scope="module")
def trained(flat_dir):
    out = flat_dir / "bundle"
    assert on_flat_table("train", flat_dir, out, *TRAIN_OPTIONS) == 0
    return out


def test_bundle_contents(trained):
    assert {p.name for p in trained.iterdir()} >= {
        "model.skops",
        "manifest.json",
        "MODEL_CARD.md",
        "model_card.html",
        "metrics.json",
        "report.html",
    }
    manifest = json.loads((trained / "manifest.json").read_text())
    for key in (
        "model_id",
        "created_at",
        "versions",
        "model_sha256",
        "feature_spec",
        "training_data",
        "metrics",
        "config",
        "outcome",
        "follow_up_months",
    ):
        assert key in manifest, key
    assert manifest["outcome"] == "any new conviction within two years"
    assert manifest["follow_up_months"] == 24
    assert "scikit-learn" in manifest["versions"]
    assert manifest["feature_spec"]["numeric"] == ["age", "priors", "employed"]
    assert "group" not in manifest["feature_spec"]["categorical"]
    assert manifest["split"]["method"] == "stratified at random"
    assert manifest["split"]["n_test"] == 160
    card = (trained / "MODEL_CARD.md").read_text()
    assert manifest["model_id"] in card and manifest["model_sha256"] in card
    assert "any new conviction within two years" in card and "24 months" in card
    assert DECISION_NOTE in card
    page = (trained / "model_card.html").read_text()
    assert f"<h1>Model card: {manifest['model_id']}</h1>" in page
    assert SYNTHETIC_NOTE not in page  # a flat table of no generator's making
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["n"] == 160 and all(f"{m}_ci" in metrics for m in METRIC_NAMES)


def test_bundle_model_reproduces_held_out_metrics(trained, flat_dir):
    bundle = load_bundle(trained)
    frame = make_flat_frame(n=800, seed=5)
    p = bundle.model.predict_proba(frame[["age", "priors", "employed", "area", "offence"]])[:, 1]
    assert np.all((p > 0) & (p < 1))
    assert bundle.model_id.startswith(bundle.model.family_)


def test_evaluate_command(trained, flat_dir, tmp_path, capsys):
    code = main(
        [
            "evaluate",
            "--model",
            str(trained),
            "--table",
            str(flat_dir / "people.csv"),
            "--out",
            str(tmp_path),
            "--n-resamples",
            "50",
        ]
    )
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["n"] == 800
    for name in ("n", "base_rate", *METRIC_NAMES):
        assert name in metrics
    assert metrics["calibration_slope_ci"][0] < metrics["calibration_slope_ci"][1]
    html = (tmp_path / "report.html").read_text()
    assert "any new conviction within two years" in html
    assert "AUC" in capsys.readouterr().out


def test_split_by_index_date_tests_on_later_people():
    rng = np.random.default_rng(0)
    dates = pd.Series(
        pd.to_datetime("2018-01-01") + pd.to_timedelta(rng.integers(0, 900, 500), "D")
    )
    y = rng.integers(0, 2, 500)
    train, test, info = split_rows(y, dates, test_fraction=0.2, seed=0)
    assert info["method"] == "by index date"
    assert dates.iloc[train].max() < dates.iloc[test].min()
    assert abs(len(test) - 100) <= 5
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == 500
    _, _, info = split_rows(y, None, test_fraction=0.2, seed=0)
    assert info["method"] == "stratified at random"


@pytest.mark.slow
def test_train_on_event_data_splits_by_date(tmp_path):
    assert main(["synth", "--n-people", "2500", "--seed", "4", "--out", str(tmp_path / "d")]) == 0
    out = tmp_path / "bundle"
    config = tmp_path / "logistic.toml"
    config.write_text('[model]\nfamily = "logistic"\n')
    args = ["train", "--data", str(tmp_path / "d"), "--config", str(config), "--out", str(out)]
    assert main([*args, *TRAIN_OPTIONS]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["split"]["method"] == "by index date"
    assert manifest["follow_up_months"] == 24
    assert "ethnicity" not in manifest["feature_spec"]["categorical"]
    assert "by_group" in manifest["metrics"]
    assert "index_disposal" in manifest["metrics"]["by_group"]
    # The short fairness summary of the held-out people, in the manifest, model card and report.
    summary = manifest["group_summary"]
    assert {"sex", "age_band", "cohort", "ethnicity"} <= set(summary["by_group"])
    assert "index_disposal" not in summary["by_group"]
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import build_labels

    data = validate_tables(read_tables(tmp_path / "d"))
    labels = build_labels(data.people, data.offences, data.extract_date)
    held_out = manifest["split"]["n_test"]
    assert sum(g["n"] for g in summary["by_group"]["sex"].values()) == held_out
    assert held_out < (labels["label_status"] == "labelled").sum()
    card = (out / "MODEL_CARD.md").read_text()
    assert "## Fairness summary (held-out)" in card and "young_male" in card
    report = (out / "report.html").read_text()
    assert 'id="fairness-cohort"' in report and 'id="fairness-ethnicity"' in report
    assert "false positive rate" in report

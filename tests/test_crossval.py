"""``riskmodel crossval``: a never-seen flat table with nothing but a [table] config, and the
COMPAS acceptance figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.evaluation import METRIC_NAMES, auc, brier
from riskmodel.training._inputs import NO_INPUT, NO_TABLE_SECTION
from riskmodel.training._messages import CROSSVAL_ESTIMATE
from tests.commands import on_flat_table, run_here, write_flat_inputs
from tests.test_models import make_flat_frame

ROOT = Path(__file__).resolve().parents[1]
COMPAS = ROOT.parent / "shared" / "data" / "compas" / "compas-scores-two-years.csv"

CONFIG = """
[table]
id = "case"
label = "outcome"
numeric = ["age", "priors", "employed"]
categorical = ["area", "offence"]
groups = ["group"]
outcome = "any new conviction within two years"
follow_up_months = 24
"""
#: The same configuration, choosing the logistic family.
LOGISTIC_CONFIG = CONFIG + '\n[model]\nfamily = "logistic"\n'
#: Options of the cross-validation runs that must agree fold for fold.
CROSSVAL_OPTIONS = ("--folds", "3", "--seed", "0", "--n-resamples", "100", "--no-mlflow")


@pytest.fixture(scope="module")
def flat_inputs(tmp_path_factory):
    frame = make_flat_frame(n=700, seed=3)
    frame["employed"] = frame["employed"].map({True: "yes", False: "no"})  # booleans as text
    frame.loc[::17, "employed"] = None
    return write_flat_inputs(tmp_path_factory.mktemp("flat"), frame, CONFIG)


@pytest.fixture(scope="module")
def crossval_run(flat_inputs):
    out = flat_inputs / "cv"
    return on_flat_table("crossval", flat_inputs, out, *CROSSVAL_OPTIONS), out


def test_crossval_writes_contract_outputs(crossval_run):
    code, out = crossval_run
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["configured"] == "default"
    assert set(metrics["models"]) == {"default", "base_rate"}
    for model in metrics["models"].values():
        for key in ("n", "base_rate", *METRIC_NAMES):
            assert key in model
        for name in METRIC_NAMES:
            assert len(model[f"{name}_ci"]) == 2
    assert metrics["outcome"] == "any new conviction within two years"
    oof = pd.read_csv(out / "oof.csv")
    assert len(oof) == metrics["models"]["default"]["n"] == 700
    assert set(oof["fold"]) == {0, 1, 2}
    assert "group" in oof.columns  # the config's group column, for fairness reports
    # metrics.json is what the out-of-fold predictions give
    y, p = oof["outcome"].to_numpy(), oof["p_default"].to_numpy()
    assert metrics["models"]["default"]["auc"] == pytest.approx(auc(y_true=y, y_prob=p))
    assert metrics["models"]["default"]["brier"] == pytest.approx(brier(y_true=y, y_prob=p))
    # the model learns something the base rate cannot
    assert metrics["models"]["default"]["auc"] > 0.6
    assert metrics["models"]["default"]["brier"] < metrics["models"]["base_rate"]["brier"]
    assert (out / "report.html").read_text().count("<img") == 2


def test_crossval_same_seed_same_folds(crossval_run, flat_inputs, tmp_path, capsys):
    _, out = crossval_run
    assert on_flat_table("crossval", flat_inputs, tmp_path, *CROSSVAL_OPTIONS) == 0
    # after its first fold the command says how long the folds will take, before any result
    lines = capsys.readouterr().out.splitlines()
    said = [i for i, line in enumerate(lines) if line.startswith("fold 1 of 3 took ")]
    assert len(said) == 1 and said[0] < min(i for i, x in enumerate(lines) if "AUC" in x)
    first = float(re.match(r"fold 1 of 3 took ([0-9.,]+) s", lines[said[0]]).group(1))
    expected = CROSSVAL_ESTIMATE.format(folds=3, first=first, total=3 * first, left=2 * first)
    assert lines[said[0]] == expected
    first, second = pd.read_csv(out / "oof.csv"), pd.read_csv(tmp_path / "oof.csv")
    pd.testing.assert_series_equal(first["fold"], second["fold"])
    np.testing.assert_allclose(first["p_default"], second["p_default"])


def test_crossval_input_errors(flat_inputs, tmp_path, capsys):
    assert main(["crossval", "--out", str(tmp_path)]) == 2
    assert NO_INPUT in capsys.readouterr().err
    code = main(["crossval", "--table", str(flat_inputs / "people.csv"), "--out", str(tmp_path)])
    assert code == 2
    assert NO_TABLE_SECTION in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG.replace('"priors"', '"prior_count"'))
    code = main(
        [
            "crossval",
            "--table",
            str(flat_inputs / "people.csv"),
            "--config",
            str(bad),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "'prior_count'" in err and "columns available" in err
    assert not (tmp_path / "o" / "metrics.json").exists()


def test_crossval_bad_config_no_traceback(flat_inputs, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG + "\n[model]\nfamily = 'forest'\n")
    result = run_here(
        "crossval",
        "--table",
        flat_inputs / "people.csv",
        "--config",
        bad,
        "--out",
        tmp_path / "cv",
        "--no-mlflow",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: the model family ([model] family) must be one of")


@pytest.mark.slow
@pytest.mark.skipif(not COMPAS.exists(), reason="COMPAS data not available")
def test_compas_acceptance(tmp_path):
    """The default model on COMPAS with ProPublica's filters, 5 stratified folds, seed 0:
    AUC at least 0.740 and Brier at most 0.205 out of fold (DOMAIN.md's baselines: 0.727 for
    age and priors, 0.733 for seven columns)."""
    code = main(
        [
            "crossval",
            "--table",
            str(COMPAS),
            "--config",
            str(ROOT / "training" / "compas.toml"),
            "--folds",
            "5",
            "--seed",
            "0",
            "--n-resamples",
            "200",
            "--out",
            str(tmp_path),
            "--no-mlflow",
        ]
    )
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    default = metrics["models"]["default"]
    assert default["n"] == 6172
    assert default["base_rate"] == pytest.approx(0.455, abs=0.001)
    assert default["auc"] >= 0.740
    assert default["brier"] <= 0.205
    oof = pd.read_csv(tmp_path / "oof.csv")
    assert "race" in oof.columns  # carried for fairness, never a feature

"""The follow-up horizon: names and words that follow it, and a one-year model end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from riskmodel import ConfigError, DataError
from riskmodel._horizon import (
    BAD_MONTHS,
    HORIZON_MISMATCH,
    HORIZON_WITH_TABLE,
    NO_PROBABILITY_COLUMN,
    SEVERAL_PROBABILITY_COLUMNS,
    bundle_horizon,
    find_probability_column,
    horizon_of_column,
    horizon_words,
    outcome_column,
    outcome_text,
    probability_column,
)
from riskmodel.reports._threshold_report import ranking_note
from riskmodel.synthetic import generate_population, write_population
from tests.commands import run_here

# --- names and words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "probability", "outcome", "words"),
    [
        (12, "probability_1y", "reoffended_1y", "within one year"),
        (24, "probability_2y", "reoffended_2y", "within two years"),
        (18, "probability_18m", "reoffended_18m", "within 18 months"),
        (36, "probability_36m", "reoffended_36m", "within three years"),
        (6, "probability_6m", "reoffended_6m", "within 6 months"),
    ],
)
def test_names_and_words_follow_the_horizon(months, probability, outcome, words):
    assert probability_column(months) == probability
    assert outcome_column(months) == outcome
    assert horizon_words(months) == words
    assert horizon_of_column(probability) == horizon_of_column(outcome) == months
    assert f"proven reoffending {words} (" in outcome_text(months, 6)


def test_the_two_year_names_stay_the_defaults():
    assert (probability_column(), outcome_column()) == ("probability_2y", "reoffended_2y")
    assert outcome_text() == "proven reoffending within two years (Ministry of Justice definition)"


@pytest.mark.parametrize("months", [0, -12, 1.5, True, "12"])
def test_a_horizon_is_positive_whole_months(months):
    with pytest.raises(
        ConfigError, match=re.escape(BAD_MONTHS.format(what="the horizon", value=months))
    ):
        probability_column(months)


def test_the_probability_column_is_found_whatever_its_horizon():
    assert find_probability_column(["person_id", "probability_18m"], "s.csv") == "probability_18m"
    # probability_of_x is not a horizon's column
    assert find_probability_column(["probability_1y", "probability_of_x"], "s.csv") == (
        "probability_1y"
    )
    expected = NO_PROBABILITY_COLUMN.format(file="s.csv", columns="person_id, p")
    with pytest.raises(DataError, match=re.escape(expected)):
        find_probability_column(["person_id", "p"], "s.csv")
    expected = SEVERAL_PROBABILITY_COLUMNS.format(
        file="s.csv", found="probability_1y, probability_2y"
    )
    with pytest.raises(DataError, match=re.escape(expected)):
        find_probability_column(["probability_1y", "probability_2y"], "s.csv")


def test_a_bundle_horizon_is_recorded_or_two_years_and_explicit_options_must_agree():
    assert bundle_horizon({}) == (24, 6)
    assert bundle_horizon({"follow_up_months": 12, "feature_spec": {"source": "table"}}) == (
        12,
        None,
    )
    assert bundle_horizon({"horizon_months": 12, "proof_months": 6}, horizon_months=12) == (12, 6)
    expected = HORIZON_MISMATCH.format(
        option="--horizon-months", given=24, recorded=12, where="models/x"
    )
    with pytest.raises(ConfigError, match=re.escape(expected)):
        bundle_horizon({"horizon_months": 12}, horizon_months=24, where="models/x")
    expected = HORIZON_MISMATCH.format(
        option="--proof-months", given=3, recorded=6, where="its manifest"
    )
    with pytest.raises(ConfigError, match=re.escape(expected)):
        bundle_horizon({"horizon_months": 12, "proof_months": 6}, proof_months=3)
    expected = HORIZON_WITH_TABLE.format(option="--proof-months")
    with pytest.raises(ConfigError, match=re.escape(expected)):
        bundle_horizon({"feature_spec": {"source": "table"}}, proof_months=6)


def test_the_ranking_note_states_the_horizon_only_when_known():
    assert "proven reoffending within one year; panels" in ranking_note(12)
    assert "proven reoffending within two years; panels" in ranking_note(24)
    assert "proven reoffending; panels" in ranking_note(None)


# --- a one-year model end to end ------------------------------------------------------------


@pytest.fixture(scope="module")
def one_year(tmp_path_factory, bundle) -> Path:
    """Synthetic event data, and the session's small event-data model saved as a bundle
    trained for 12 months (its manifest records the horizon)."""
    from riskmodel.bundle import load_bundle, save_bundle

    root = tmp_path_factory.mktemp("one-year")
    write_population(generate_population(300, seed=3), root / "data")
    parent = load_bundle(bundle)
    manifest = {k: parent.manifest[k] for k in ("feature_spec", "drift_reference")}
    save_bundle(
        root / "model",
        parent.model,
        manifest={**manifest, "horizon_months": 12, "proof_months": 6},
        family="logistic",
    )
    return root


def test_a_one_year_bundle_scores_probability_1y_and_its_threshold_says_one_year(one_year):
    scores = one_year / "scores.csv"
    result = run_here("score", "--model", one_year / "model", "--data", one_year / "data",
                      "--out", scores)  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(scores)
    assert frame.columns[:3].tolist() == ["person_id", "probability_1y", "risk_band"]
    assert "probability_2y" not in frame.columns
    result = run_here("threshold", "--scores", scores, "--capacity", "10%",
                      "--out", one_year / "iom")  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = (one_year / "iom" / "report.html").read_text()
    assert ranking_note(12) in page
    assert "within two years" not in page
    assert "<code>probability_1y</code>" in page
    # cohort and fairness find the one-year column too
    frame["reoffended_1y"] = (frame["probability_1y"] > frame["probability_1y"].median()) * 1
    frame.to_csv(one_year / "audit.csv", index=False)
    result = run_here("cohort", "--scores", one_year / "audit.csv", "--outcome-column",
                      "reoffended_1y", "--n-bootstrap", "50",
                      "--out", one_year / "cohort")  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = run_here("fairness", "--scores", one_year / "audit.csv", "--outcome-column",
                      "reoffended_1y", "--group-column", "cohort", "--n-resamples", "20",
                      "--out", one_year / "fairness")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "score 'probability_1y'" in result.stdout


def test_scores_with_two_probability_columns_need_a_score_column(tmp_path):
    scores = tmp_path / "two.csv"
    scores.write_text("person_id,probability_1y,probability_2y\na,0.2,0.3\nb,0.4,0.5\n")
    result = run_here("threshold", "--scores", scores, "--capacity", "1", "--out", tmp_path / "t")
    assert result.returncode == 2
    expected = SEVERAL_PROBABILITY_COLUMNS.format(
        file="two.csv", found="probability_1y, probability_2y"
    )
    assert expected in result.stderr
    result = run_here("threshold", "--scores", scores, "--capacity", "1",
                      "--score-column", "probability_2y", "--out", tmp_path / "t")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert ranking_note(24) in (tmp_path / "t" / "report.html").read_text()


def test_scoring_or_evaluating_at_another_horizon_is_refused(one_year):
    model = one_year / "model"
    expected = HORIZON_MISMATCH.format(
        option="--horizon-months", given=24, recorded=12, where=str(model)
    )
    result = run_here("score", "--model", model, "--data", one_year / "data",
                      "--out", one_year / "s24.csv", "--horizon-months", "24")  # fmt: skip
    assert result.returncode == 2 and expected in result.stderr
    result = run_here("evaluate", "--model", model, "--data", one_year / "data",
                      "--out", one_year / "e24", "--horizon-months", "24",
                      "--n-resamples", "20")  # fmt: skip
    assert result.returncode == 2
    assert "--horizon-months 24 differs from the model's own 12 months" in result.stderr


def test_features_label_at_the_asked_horizon(one_year):
    out = one_year / "features.csv"
    result = run_here("features", "--data", one_year / "data", "--labels",
                      "--horizon-months", "12", "--out", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert "reoffended_1y" in frame.columns and "reoffended_2y" not in frame.columns
    assert f"labels ({outcome_text(12, 6)})" in result.stdout


def test_horizon_options_are_refused_with_a_flat_table(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("id,age,y\na,30,1\nb,40,0\n")
    config = tmp_path / "c.toml"
    config.write_text('[table]\nid = "id"\nlabel = "y"\nnumeric = ["age"]\n')
    result = run_here("train", "--table", table, "--config", config, "--out", tmp_path / "m",
                      "--horizon-months", "12", "--no-mlflow")  # fmt: skip
    assert result.returncode == 2
    assert HORIZON_WITH_TABLE.format(option="--horizon-months") in result.stderr


@pytest.mark.slow
def test_train_and_evaluate_a_one_year_model(tmp_path):
    write_population(generate_population(700, seed=3), tmp_path / "data")
    config = tmp_path / "logistic.toml"
    config.write_text('[model]\nfamily = "logistic"\n')
    result = run_here(
        "train", "--data", tmp_path / "data", "--config", config, "--out", tmp_path / "model",
        "--horizon-months", "12", "--n-resamples", "20", "--no-mlflow",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "model" / "manifest.json").read_text())
    assert (manifest["horizon_months"], manifest["proof_months"]) == (12, 6)
    assert manifest["follow_up_months"] == 12
    assert manifest["outcome"] == outcome_text(12, 6)
    assert "within one year" in (tmp_path / "model" / "report.html").read_text()
    result = run_here("evaluate", "--model", tmp_path / "model", "--data", tmp_path / "data",
                      "--out", tmp_path / "e12", "--n-resamples", "20")  # fmt: skip
    assert result.returncode == 0, result.stderr
    metrics = json.loads((tmp_path / "e12" / "metrics.json").read_text())
    assert metrics["outcome"] == outcome_text(12, 6)
    result = run_here("crossval", "--data", tmp_path / "data", "--config", config,
                      "--horizon-months", "12", "--folds", "2", "--n-resamples", "20",
                      "--no-mlflow", "--out", tmp_path / "cv")  # fmt: skip
    assert result.returncode == 0, result.stderr
    cv = json.loads((tmp_path / "cv" / "metrics.json").read_text())
    assert (cv["horizon_months"], cv["outcome"]) == (12, outcome_text(12, 6))
    assert "ogrs3" in cv["models"]

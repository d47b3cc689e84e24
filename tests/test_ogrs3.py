"""OGRS3: DOMAIN.md's worked example through the command line, bands and the estimator."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from riskmodel.baselines import (
    MISSING_INPUTS,
    OGRS3Classifier,
    ogrs3_band,
    ogrs3_from_features,
    ogrs3_scores,
)
from riskmodel.cli import main
from riskmodel.features import build_feature_table
from tests.commands import run_here


def write_worked_example(directory):
    """DOMAIN.md: male, born 1991-07-17, current sanction 2021-08-05 (also the start of
    follow-up), first sanction at age 21, 2 sanction occasions, current offence fraud_forgery."""
    directory.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "person_id": ["worked", "first_timer"],
            "date_of_birth": ["1991-07-17", "2001-03-01"],
            "sex": ["male", "female"],
            "index_date": ["2021-08-05", "2021-02-28"],
            "index_offence": ["fraud_forgery", "theft"],
            "index_sanction_date": ["2021-08-05", ""],
            "index_disposal": ["community_order", "caution"],
        }
    ).to_csv(directory / "people.csv", index=False)
    pd.DataFrame(
        {
            "person_id": ["worked", "worked", "worked"],
            # first sanction on 2013-07-16: the day before his 22nd birthday, so age 21
            "offence_date": ["2013-06-01", "2021-06-01", "2021-09-01"],
            "sanction_date": ["2013-07-16", "2021-08-05", "2021-12-01"],
            "offence_group": ["theft", "fraud_forgery", "theft"],
        }
    ).to_csv(directory / "offences.csv", index=False)
    (directory / "metadata.json").write_text(json.dumps({"extract_date": "2024-12-31"}))


def half_up(p: float) -> int:
    return math.floor(p * 100 + 0.5)


def test_worked_example_through_the_command_line(tmp_path, capsys):
    write_worked_example(tmp_path / "data")
    out = tmp_path / "ogrs3.csv"
    assert main(["ogrs3", "--data", str(tmp_path / "data"), "--out", str(out)]) == 0
    scores = pd.read_csv(out)
    assert scores.columns.tolist() == ["person_id", "ogrs3_1y", "ogrs3_2y", "ogrs3_band"]
    worked = scores.set_index("person_id").loc["worked"]
    assert half_up(worked["ogrs3_1y"]) == 11
    assert half_up(worked["ogrs3_2y"]) == 20
    assert worked["ogrs3_band"] == "Low"
    printed = capsys.readouterr().out
    assert "people read: 2 = written 2 + rejected 0" in printed


def test_first_timer_by_hand(tmp_path):
    write_worked_example(tmp_path / "data")
    people = pd.read_csv(tmp_path / "data" / "people.csv", keep_default_na=False)
    offences = pd.read_csv(tmp_path / "data" / "offences.csv")
    people["index_sanction_date"] = people["index_sanction_date"].replace("", None)
    scores = ogrs3_scores(people, offences).set_index("person_id")
    # female aged 19 (born 2001-03-01, follow-up 2021-02-28), one sanction (the current theft)
    logit = 2.1217 + 1.25112 * math.log(1 / 10) - 0.8975 + 0.6612 + 0.12614
    assert scores.loc["first_timer", "ogrs3_2y"] == pytest.approx(1 / (1 + math.exp(-logit)))
    logit_1y = logit - 2.1217 + 1.40256
    assert scores.loc["first_timer", "ogrs3_1y"] == pytest.approx(1 / (1 + math.exp(-logit_1y)))


def test_ages_use_current_sanction_for_copas_and_follow_up_for_age_sex():
    # Released from custody: sanctioned at 24 (2015-01-10), follow-up starts at 25.
    people = pd.DataFrame(
        {
            "person_id": ["r"],
            "date_of_birth": ["1990-06-01"],
            "sex": ["male"],
            "index_date": ["2015-06-01"],
            "index_sanction_date": ["2015-01-10"],
            "index_offence": ["robbery"],
        }
    )
    offences = pd.DataFrame(
        {"person_id": ["r"], "sanction_date": ["2008-07-01"], "offence_group": ["theft"]}
    )
    got = ogrs3_scores(people, offences).loc[0, "ogrs3_2y"]
    copas = math.log(2 / (24 - 18 + 10))
    logit = 2.1217 + 1.25112 * copas - 1.1667 - 0.6348 + 0.46306  # male 25-29
    assert got == pytest.approx(1 / (1 + math.exp(-logit)))


def test_bands_on_half_up_percent():
    p = np.array([0.0, 0.4949, 0.495, 0.7449, 0.745, 0.8949, 0.895, 1.0])
    assert ogrs3_band(p).tolist() == [
        "Low",
        "Low",
        "Medium",
        "Medium",
        "High",
        "High",
        "Very high",
        "Very high",
    ]


def test_estimator_matches_scorer_and_sklearn_conventions(tmp_path):
    write_worked_example(tmp_path / "data")
    people = pd.read_csv(tmp_path / "data" / "people.csv", keep_default_na=False)
    people["index_sanction_date"] = people["index_sanction_date"].replace("", None)
    offences = pd.read_csv(tmp_path / "data" / "offences.csv")
    table = build_feature_table({"people": people, "offences": offences})
    model = OGRS3Classifier().fit(table.X, np.array([0, 1]))
    assert model.fit(table) is model
    proba = model.predict_proba(table)
    assert proba.shape == (2, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[:, 1], ogrs3_scores(people, offences)["ogrs3_2y"])
    one_year = clone(OGRS3Classifier(horizon="1y")).fit(table.X)
    np.testing.assert_allclose(
        one_year.predict_proba(table.X)[:, 1], ogrs3_from_features(table.X)["ogrs3_1y"]
    )
    assert model.predict(table.X).tolist() == (proba[:, 1] >= 0.5).astype(int).tolist()
    with pytest.raises(ValueError, match="OGRS3 needs feature column"):
        OGRS3Classifier().fit(table.X.drop(columns="copas_rate"))
    assert "{columns}" in MISSING_INPUTS


def test_ogrs3_bad_data_dir_exits_2_without_traceback(tmp_path):
    result = run_here("ogrs3", "--data", tmp_path / "none", "--out", tmp_path / "o.csv")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr

"""Hostile flat tables and quiet warnings, played through the command line (issue 20, items 5
and 6): ``score --table`` rejects or flags row problems and scores the rest; training stops on
a non-finite number; ``train``, ``evaluate`` and ``recalibrate`` say what a reviewer needs to
know; the MLflow model takes integer columns; help texts say what the commands do."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.flat_table import MISSING_CARRY, NON_FINITE
from riskmodel.scoring import UNSEEN_WARNING
from riskmodel.scoring import _messages as scoring_msg
from riskmodel.training._messages import (
    CARRY_NOT_IN_DATA,
    FEW_OUTCOMES_WARNING,
    OVERLAP_WARNING,
    SLOPE_WARNING,
)
from riskmodel.training._review import evidence_warnings, overlap_with_training
from tests.commands import run_here, write_flat_inputs
from tests.hostile import play, write_frame
from tests.test_crossval import LOGISTIC_CONFIG
from tests.test_models import make_flat_frame

FAST = ("--n-resamples", "20")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path, str]:
    """A logistic bundle trained on 800 people of ``make_flat_frame`` (age 18 to 74 with no
    missing value; priors 0 to 7 with missing values), its input directory, and what
    ``train`` printed."""
    root = write_flat_inputs(
        tmp_path_factory.mktemp("inputs"), make_flat_frame(n=800, seed=5), LOGISTIC_CONFIG
    )
    bundle = tmp_path_factory.mktemp("models") / "bundle"
    played = play(
        "train", "--table", root / "people.csv", "--config", root / "config.toml",
        "--out", bundle, *FAST, "--no-mlflow",
        inputs=(root,), code=0,
    )  # fmt: skip
    return bundle, root, played.out


def hostile_batch() -> tuple[pd.DataFrame, dict[int, tuple[str, str]], dict[int, str]]:
    """A batch of 40 with one case per row problem: rejected rows (1-based: column, reason)
    and flagged rows (1-based: flags)."""
    frame = make_flat_frame(n=40, seed=11)
    frame["priors"] = frame["priors"].fillna(1.0)
    frame["area"] = frame["area"].fillna("north")
    age = frame["age"].map(lambda v: f"{v:g}").astype(object)
    age[0] = "abc"  # not a number
    age[2] = None  # missing where training had none
    age[7] = "200"  # far beyond 18 to 74
    age[8] = "80"  # beyond, within the margin
    frame["age"] = age
    frame.loc[1, "priors"] = np.inf
    frame.loc[3, "priors"] = np.nan  # missing where training had some
    frame.loc[5, "case"] = frame.loc[4, "case"]
    frame.loc[6, "priors"] = -1.0  # never negative in training
    frame.loc[9, "area"] = "atlantis"
    rejected = {
        1: ("age", scoring_msg.NOT_A_NUMBER),
        2: ("priors", scoring_msg.NOT_FINITE),
        3: ("age", scoring_msg.MISSING_NUMBER),
        5: ("case", scoring_msg.DUPLICATE_TABLE_ID),
        6: ("case", scoring_msg.DUPLICATE_TABLE_ID),
        7: ("priors", scoring_msg.NEGATIVE_VALUE.format(low=0.0, high=7.0)),
        8: ("age", scoring_msg.FAR_OUTSIDE_RANGE.format(low=18.0, high=74.0)),
    }
    flagged = {
        4: scoring_msg.FLAG_MISSING.format(column="priors"),
        9: scoring_msg.FLAG_OUTSIDE_RANGE.format(column="age", value=80.0, low=18.0, high=74.0),
        10: scoring_msg.FLAG_UNSEEN.format(column="area", value="atlantis"),
    }
    return frame, rejected, flagged


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("chunk_size", ["100000", "7"])
def test_row_problems_are_rejected_or_flagged_and_the_rest_scored(
    trained, tmp_path, suffix, chunk_size
):
    bundle, _, _ = trained
    frame, rejected, flagged = hostile_batch()
    batch = write_frame(frame, tmp_path / f"batch{suffix}")
    out = tmp_path / "out" / "scores.csv"
    out.parent.mkdir()
    played = play(
        "score", "--model", bundle, "--table", batch, "--out", out, "--chunk-size", chunk_size,
        inputs=(batch, bundle), code=0, summary=out.with_name("scores.summary.json"),
        message="people read: 40 = scored 33 + rejected 7",
    )  # fmt: skip
    rejects = pd.read_csv(out.with_name("scores.rejects.csv"), dtype=str, keep_default_na=False)
    got = {int(r): (c, reason) for r, c, reason in rejects[["row", "column", "reason"]].values}
    assert got == rejected
    assert rejects.loc[rejects["row"] == "1", "value"].tolist() == ["abc"]
    assert set(rejects.loc[rejects["row"].isin(["5", "6"]), "person_id"]) == {"c00004"}
    scores = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(scores) == 33
    ids = frame["case"].tolist()
    flags = dict(zip(scores["person_id"], scores["flags"], strict=True))
    for row, text in flagged.items():
        assert flags[ids[row - 1]] == text
    assert sum(bool(v) for v in flags.values()) == len(flagged)
    summary = json.loads(out.with_name("scores.summary.json").read_text())
    assert summary["validation"]["people_flagged"] == 3
    assert UNSEEN_WARNING.format(items="area: 'atlantis' (1 people)") in played.out


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_training_stops_on_a_non_finite_number(tmp_path, suffix):
    frame = make_flat_frame(n=200, seed=3)
    frame.loc[[4, 17], "age"] = [np.inf, -np.inf]
    table = write_frame(frame, tmp_path / f"people{suffix}")
    config = tmp_path / "config.toml"
    config.write_text(LOGISTIC_CONFIG)
    message = NON_FINITE.format(column="age", examples="'inf', '-inf'", rows="5, 18")
    play(
        "train", "--table", table, "--config", config, "--out", tmp_path / "bundle", *FAST,
        "--no-mlflow",
        inputs=(table, config), code=2, message=message,
    )  # fmt: skip
    assert not (tmp_path / "bundle").exists()


def test_train_and_card_warn_about_thin_evidence(trained):
    bundle, _, stdout = trained
    manifest = json.loads((bundle / "manifest.json").read_text())
    split = manifest["split"]
    assert split["n_test"] == 160
    few = [w for w in manifest["warnings"] if "fewer than 100" in w]
    assert len(few) == 1
    positives, negatives = map(int, re.findall(r"only (\d+) people with the outcome and (\d+)",
                                               few[0])[0])  # fmt: skip
    assert positives + negatives == 160
    expected = FEW_OUTCOMES_WARNING.format(
        where="the held-out set", positives=positives, negatives=negatives, minimum=100
    )
    assert f"warning: {expected}" in stdout
    card = (bundle / "MODEL_CARD.md").read_text()
    assert "## Warnings" in card
    assert "fewer than 100 of either" in card
    # ids are never written, only salted hashes, of every row the shipped (refitted) model saw
    people = manifest["training_people"]
    seen = manifest["shipped_model"]["n_rows"]
    assert seen == split["n_train"] + split["n_test"]
    assert people["n"] == seen and len(people["hashes"]) == seen
    assert "c00001" not in (bundle / "manifest.json").read_text()


def test_slope_interval_excluding_one_is_a_warning():
    y = np.array([0, 1] * 300)
    steep = {"calibration_slope": 4.0, "calibration_slope_ci": [2.5, 6.0]}
    flat = {"calibration_slope": 0.5, "calibration_slope_ci": [0.3, 0.8]}
    fine = {"calibration_slope": 1.1, "calibration_slope_ci": [0.8, 1.4]}
    assert evidence_warnings(y, steep) == [
        SLOPE_WARNING.format(slope=4.0, low=2.5, high=6.0, how="less extreme")
    ]
    assert evidence_warnings(y, flat) == [
        SLOPE_WARNING.format(slope=0.5, low=0.3, high=0.8, how="more extreme")
    ]
    assert evidence_warnings(y, fine) == []


def test_evaluate_and_recalibrate_warn_about_training_people_and_unseen_categories(
    trained, tmp_path
):
    bundle, root, _ = trained
    manifest = json.loads((bundle / "manifest.json").read_text())
    n_train = manifest["shipped_model"]["n_rows"]  # refitted on every labelled row
    frame = pd.read_csv(root / "people.csv")
    assert overlap_with_training(manifest, frame["case"]) == n_train == len(frame)
    frame.loc[:99, "area"] = "atlantis"
    local = tmp_path / "local.csv"
    frame.to_csv(local, index=False)
    overlap = OVERLAP_WARNING.format(n=n_train, total=800, n_training=n_train)
    unseen = UNSEEN_WARNING.format(items="area: 'atlantis' (100 people)")
    for command, out in (("evaluate", tmp_path / "ev"), ("recalibrate", tmp_path / "rc")):
        played = play(
            command, "--model", bundle, "--table", local, "--out", out, *FAST,
            inputs=(local, bundle), code=0, message=overlap,
        )  # fmt: skip
        assert unseen in played.out, command
    metrics = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert metrics["trained_on"] == n_train
    assert metrics["drift"]["unseen_categories"] == {"area": {"atlantis": 100}}
    recalibrated = json.loads((tmp_path / "rc" / "manifest.json").read_text())
    assert overlap in recalibrated["warnings"] and unseen in recalibrated["warnings"]
    card = (tmp_path / "rc" / "MODEL_CARD.md").read_text()
    assert "&#x27;atlantis&#x27;" in card or "'atlantis'" in card


def test_evaluate_on_new_people_warns_of_no_overlap(trained, tmp_path):
    bundle, _, _ = trained
    frame = make_flat_frame(n=400, seed=21)
    frame["case"] = [f"new{i}" for i in range(400)]
    local = tmp_path / "new.parquet"
    frame.to_parquet(local, index=False)
    played = play(
        "evaluate", "--model", bundle, "--table", local, "--out", tmp_path / "ev", *FAST,
        inputs=(local, bundle), code=0,
    )  # fmt: skip
    assert "were among" not in played.out and "never seen in training" not in played.out
    assert json.loads((tmp_path / "ev" / "metrics.json").read_text())["trained_on"] == 0


def test_crossval_carries_a_column_of_the_table(trained, tmp_path):
    _, root, _ = trained
    frame = pd.read_csv(root / "people.csv")
    frame["officer"] = [f"o{i % 7}" for i in range(len(frame))]
    table = tmp_path / "people.csv"
    frame.to_csv(table, index=False)
    config = root / "config.toml"
    common = ("crossval", "--table", table, "--config", config, "--folds", "3", *FAST,
              "--no-mlflow")  # fmt: skip
    play(*common, "--carry", "officer,group", "--out", tmp_path / "cv",
         inputs=(table, config), code=0)  # fmt: skip
    oof = pd.read_csv(tmp_path / "cv" / "oof.csv")
    by_id = frame.set_index("case")
    assert (oof["officer"].to_numpy() == by_id.loc[oof["person_id"], "officer"].to_numpy()).all()
    message = MISSING_CARRY.format(missing="'nowhere'", available=", ".join(frame.columns))
    play(*common, "--carry", "nowhere", "--out", tmp_path / "cv2",
         inputs=(table, config), code=2, message=message)  # fmt: skip


def test_crossval_carry_not_in_event_data_names_what_is_available(trained):
    from riskmodel import DataError
    from riskmodel.training import cross_validate, load_inputs

    _, root, _ = trained
    inputs = load_inputs(
        table_path=root / "people.csv", data_dir=None, config_path=root / "config.toml"
    )
    inputs.kind = "data"  # columns as event data give them: groups and features only
    message = CARRY_NOT_IN_DATA.format(
        column="officer",
        available=", ".join(sorted({*inputs.table.groups.columns, *inputs.table.X.columns})),
    )
    with pytest.raises(DataError, match=re.escape(message)):
        cross_validate(inputs, folds=2, n_resamples=10, carry=["officer"])


def test_help_texts_match_behaviour():
    bands = run_here("score", "--help").stdout
    assert "fractions that are whole percentages, e.g. 0.5,0.75,0.9" in " ".join(bands.split())
    recalibrate = " ".join(run_here("recalibrate", "--help").stdout.split())
    config_help = recalibrate.split("--config FILE")[1].split(" --extract-date")[0]
    assert "required" not in config_help and "the bundle's own" in config_help
    crossval = " ".join(run_here("crossval", "--help").stdout.split())
    assert "any column of a --table" in crossval


@pytest.mark.slow
def test_mlflow_model_takes_integer_columns_read_from_csv(tmp_path, monkeypatch):
    import mlflow

    from riskmodel.bundle import load_bundle
    from riskmodel.tracking import NOT_NUMERIC
    from tests.commands import on_flat_table

    root = write_flat_inputs(tmp_path, make_flat_frame(n=300, seed=4), LOGISTIC_CONFIG)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'runs.db'}")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "bundle"
    assert on_flat_table("train", root, out, *FAST, "--register", "ints") == 0
    batch = make_flat_frame(n=30, seed=9).drop(columns=["outcome"])
    batch["age"] = batch["age"].astype(int)
    batch["priors"] = batch["priors"].fillna(0).astype(int)
    batch.to_csv(tmp_path / "batch.csv", index=False)
    read = pd.read_csv(tmp_path / "batch.csv")
    assert read["age"].dtype == np.int64 and read["priors"].dtype == np.int64
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = mlflow.pyfunc.load_model("models:/ints@champion")
        features = read[["age", "priors", "employed", "area", "offence"]]
        p = np.asarray(model.predict(features)["probability_2y"])
        expected = load_bundle(out).model.predict_proba(features.astype({"age": float}))[:, 1]
        np.testing.assert_allclose(p, expected, rtol=0, atol=1e-12)
        bad = features.astype({"age": object})
        bad.loc[0, "age"] = "old"
        with pytest.raises(Exception, match=re.escape(NOT_NUMERIC.format(column="age"))):
            model.predict(bad)


def test_a_carried_column_whose_type_changes_between_chunks(trained, tmp_path):
    """Numbers in one chunk and codes in the next: carried as text, in CSV and Parquet."""
    bundle, _, _ = trained
    frame = make_flat_frame(n=6, seed=12)
    frame["ref"] = ["1", "2", "X3", "4", "8", "9"]
    table = write_frame(frame, tmp_path / "t.csv")
    for suffix in (".csv", ".parquet"):
        out = tmp_path / "out" / f"s{suffix}"
        play("score", "--model", bundle, "--table", table, "--out", out, "--carry", "ref",
             "--chunk-size", "2", inputs=(table, bundle), code=0)  # fmt: skip
        scores = pd.read_csv(out, dtype=str) if suffix == ".csv" else pd.read_parquet(out)
        assert sorted(scores["ref"].tolist()) == sorted(
            frame["ref"][frame["case"].isin(scores["person_id"])].tolist()
        )
        assert "X3" in scores["ref"].tolist()

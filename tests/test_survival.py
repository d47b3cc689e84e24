"""Time to reoffence: a flat table giving ``duration`` and ``event`` instead of a label.

A simulated table with independent censoring (seeded): the label at the horizon is derived,
the unlabelled (censored before it without reoffending) are counted, never silently dropped,
and the labelled are weighted by the inverse probability of staying uncensored, so that
weighted rates and the model estimate the Kaplan–Meier risk, not the complete cases'.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._errors import ConfigError, DataError
from riskmodel._survival import (
    CENSORING_NOTE,
    censoring_weights,
    horizon_labels,
    kaplan_meier_risk,
    survival_summary,
)
from riskmodel.config import BAD_DURATION_UNIT, LABEL_AND_DURATION, MISSING_KEY, parse_config
from riskmodel.evaluation import evaluate_predictions, reoffending_over_time
from riskmodel.flat_table import BAD_DURATION, BAD_EVENT, build_flat_table, load_flat_table
from riskmodel.models import RiskModel
from riskmodel.models._messages import BAD_WEIGHTS
from riskmodel.training._messages import UNWEIGHTED_GROUP_SUMMARY
from tests.commands import run_here

HORIZON = 12
COMPAS = Path("/work/shared/data/compas/compas-scores-two-years.csv")
CONFIG = f"""
[table]
id = "id"
numeric = ["priors", "age"]
categorical = ["area"]
groups = ["cohort"]
increasing = ["priors"]
decreasing = ["age"]
duration = "weeks"
event = "arrested"
duration_unit = "weeks"
follow_up_months = {HORIZON}
outcome = "arrest within a year of release"
"""


def simulate(n: int = 800, seed: int = 0) -> pd.DataFrame:
    """People released from prison: weeks to arrest (exponential, faster for higher risk)
    and an independent censoring time (uniform over two years)."""
    rng = np.random.default_rng(seed)
    priors = rng.poisson(2.0, n).astype(float)
    age = rng.integers(18, 60, n).astype(float)
    area = rng.choice(["north", "south"], n)
    rate = 0.012 * np.exp(0.25 * priors - 0.03 * (age - 35) + 0.3 * (area == "north"))
    arrest = rng.exponential(1 / rate)
    censor = rng.uniform(0, 104, n)
    return pd.DataFrame(
        {
            "id": [f"R{i:04d}" for i in range(n)],
            "priors": priors,
            "age": age,
            "area": area,
            "cohort": rng.choice(["a", "b"], n),
            "weeks": np.round(np.minimum(arrest, censor), 2),
            "arrested": (arrest <= censor).astype(int),
        }
    )


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("released")
    simulate().to_csv(where / "people.csv", index=False)
    (where / "config.toml").write_text(CONFIG)
    return where


@pytest.fixture(scope="module")
def crossval_run(released: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("survival-cv") / "cv"
    result = run_here(
        "crossval", "--table", released / "people.csv", "--config", released / "config.toml",
        "--folds", "3", "--seed", "0", "--n-resamples", "50", "--no-mlflow", "--out", out,
    )  # fmt: skip
    return result, out


def test_weighted_label_rate_is_the_kaplan_meier_risk_and_complete_cases_are_biased(released):
    config = parse_config({"table": dict(__import__("tomllib").loads(CONFIG)["table"])})
    table = load_flat_table(released / "people.csv", config.table)
    summary = table.meta["survival"]
    frame = simulate()
    months = frame["weeks"].to_numpy() * 7 / (365.25 / 12)
    km = kaplan_meier_risk(months, frame["arrested"], [HORIZON])[0]
    labelled = table.label.notna().to_numpy()
    weights = table.survival["weight"].to_numpy()
    weighted = np.average(table.label[labelled], weights=weights[labelled])
    assert abs(weighted - km) < 0.005
    assert summary["kaplan_meier_rate"] == pytest.approx(km)
    assert summary["weighted_rate"] == pytest.approx(weighted)
    # dropping the censored over-represents those arrested early
    assert summary["complete_case_rate"] > km + 0.02
    assert summary["n_unlabelled"] == int((~labelled).sum()) > 50
    assert summary["n_labelled"] + summary["n_unlabelled"] == len(frame)
    assert summary["note"] == CENSORING_NOTE.format(
        n_unlabelled=summary["n_unlabelled"],
        n_people=len(frame),
        horizon=HORIZON,
        n_labelled=summary["n_labelled"],
        km=km,
        weighted=weighted,
        complete=summary["complete_case_rate"],
    )


def test_crossval_is_calibrated_to_the_kaplan_meier_risk(crossval_run):
    result, out = crossval_run
    assert result.returncode == 0, result.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    summary = metrics["survival"]
    km = summary["kaplan_meier_rate"]
    model = metrics["models"][metrics["configured"]]
    assert model["weighted"] is True
    # the mean out-of-fold prediction (the labelled, weighted) is the Kaplan–Meier risk
    assert abs(model["mean_predicted"] - km) < 0.015
    assert abs(model["base_rate"] - km) < 0.005
    assert summary["complete_case_rate"] > km + 0.02
    # counted on the console, in metrics.json and in the report
    assert f"note: {summary['note']}" in result.stdout
    assert f"{summary['n_unlabelled']:,} of 800 people were censored" in result.stdout
    assert summary["note"] in (out / "report.html").read_text()
    oof = pd.read_csv(out / "oof.csv", dtype={"person_id": str})
    assert len(oof) == summary["n_labelled"] == model["n"]
    assert {"person_id", "fold", "weight"} <= set(oof.columns)
    assert sorted(oof["fold"].unique()) == [0, 1, 2]
    assert oof["person_id"].is_unique and oof["person_id"].str.startswith("R").all()


def test_crossval_shows_reoffending_over_time_by_band(crossval_run):
    _, out = crossval_run
    metrics = json.loads((out / "metrics.json").read_text())
    over_time = metrics["models"][metrics["configured"]]["over_time"]
    assert over_time["horizon_months"] == HORIZON and over_time["weighted"] is True
    assert over_time["months"][0] == 0 and over_time["months"][-1] == HORIZON
    overall = over_time["overall"]
    assert abs(overall["observed_at_horizon"] - metrics["survival"]["kaplan_meier_rate"]) < 0.005
    for band in over_time["bands"]:
        curve = np.asarray(band["observed"])
        assert (np.diff(curve) >= -1e-12).all() and 0 <= curve[0] <= curve[-1] <= 1
    assert "Reoffending over time by risk band" in (out / "report.html").read_text()


def test_train_and_evaluate_count_the_unlabelled(released, tmp_path):
    args = ["--table", released / "people.csv", "--config", released / "config.toml"]
    trained = run_here("train", *args, "--n-resamples", "20", "--no-mlflow",
                       "--out", tmp_path / "model")  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    metrics = json.loads((tmp_path / "model" / "metrics.json").read_text())
    assert f"note: {metrics['survival']['note']}" in trained.stdout
    assert metrics["weighted"] is True and "over_time" in metrics
    # the card's group figures carry no censoring weights, and the card says so
    manifest = json.loads((tmp_path / "model" / "manifest.json").read_text())
    card = (tmp_path / "model" / "MODEL_CARD.md").read_text()
    assert manifest["group_summary"]["points"]  # the table's cohort column
    assert manifest["group_summary"]["note"] == UNWEIGHTED_GROUP_SUMMARY
    assert UNWEIGHTED_GROUP_SUMMARY in " ".join(card.split())
    evaluated = run_here("evaluate", "--model", tmp_path / "model", *args,
                         "--n-resamples", "20", "--out", tmp_path / "eval")  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert result["survival"]["n_unlabelled"] == metrics["survival"]["n_unlabelled"]
    assert f"note: {result['survival']['note']}" in evaluated.stdout
    assert result["weighted"] is True
    assert result["base_rate"] == pytest.approx(result["survival"]["weighted_rate"])
    assert result["over_time"]["bands"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"duration": "weeks", "event": "e", "duration_unit": "fortnights"},
            BAD_DURATION_UNIT.format(known="days, weeks, months", value="fortnights"),
        ),
        (
            {"label": "y", "duration": "weeks", "event": "e", "duration_unit": "weeks"},
            LABEL_AND_DURATION.format(label="y", duration="weeks"),
        ),
        (
            {"duration": "weeks", "duration_unit": "weeks"},
            MISSING_KEY.format(
                section="table",
                key="event",
                what="the column saying 1 = reoffended at that time, 0 = censored then",
            ),
        ),
    ],
)
def test_config_errors(table, message):
    values = {"numeric": ["age"], "follow_up_months": 12, **table}
    with pytest.raises(ConfigError, match=__import__("re").escape(message)):
        parse_config({"table": values})


def test_duration_needs_a_horizon():
    expected = MISSING_KEY.format(
        section="table",
        key="follow_up_months",
        what="the horizon at which the label is derived from 'duration' and 'event'",
    )
    table = {"numeric": ["age"], "duration": "d", "event": "e", "duration_unit": "days"}
    with pytest.raises(ConfigError, match=__import__("re").escape(expected)):
        parse_config({"table": table})


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("e", [1, 2, 0], BAD_EVENT.format(column="e", examples="'2'")),
        ("e", [1, None, 0], BAD_EVENT.format(column="e", examples="nan")),
        ("d", [3.0, -1.0, 2.0], BAD_DURATION.format(column="d", unit="days", examples="'-1.0'")),
    ],
)
def test_bad_event_or_duration(column, values, message):
    frame = pd.DataFrame({"age": [30.0, 40.0, 50.0], "d": [3.0, 400.0, 2.0], "e": [1, 0, 0]})
    frame[column] = values
    spec = parse_config(
        {"table": {"numeric": ["age"], "duration": "d", "event": "e",
                   "duration_unit": "days", "follow_up_months": 12}}
    ).table  # fmt: skip
    with pytest.raises(DataError, match=__import__("re").escape(message)):
        build_flat_table(frame, spec)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.booleans(), st.integers(1, 3)), min_size=2, max_size=30
    ),
    st.integers(1, 30),
)
def test_weighted_label_rate_equals_kaplan_meier(rows, horizon):
    """For any times and events, the censoring-weighted label rate is the Kaplan–Meier risk
    at the horizon."""
    time = np.array([r[0] for r in rows], dtype=float)
    event = np.array([r[1] for r in rows], dtype=float)
    label = horizon_labels(time, event, horizon)
    known = ~np.isnan(label)
    weights = censoring_weights(time, event, horizon)
    km = kaplan_meier_risk(time, event, [horizon])[0]
    if known.any() and np.isfinite(weights[known]).all():
        assert np.nansum(label * weights) / len(time) == pytest.approx(km, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=30, max_size=30), st.integers(0, 1000))
def test_whole_weights_count_people_that_many_times(counts, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, 30)
    y = (rng.random(30) < p).astype(float)
    y[:2] = [0, 1]
    weighted = evaluate_predictions(y_true=y, y_prob=p, sample_weight=counts, n_resamples=5)
    repeated = np.repeat(np.arange(30), counts)
    copies = evaluate_predictions(y_true=y[repeated], y_prob=p[repeated], n_resamples=5)
    # (the expected calibration error's bins end at whole people when rows are repeated,
    # at whole units of weight otherwise: not the same bins)
    for name in ("auc", "brier", "log_loss", "observed_expected", "base_rate"):
        assert weighted[name] == pytest.approx(copies[name], rel=1e-9, abs=1e-12), name
    assert weighted["calibration_slope"] == pytest.approx(copies["calibration_slope"], rel=1e-6)


def test_weights_reach_every_step_of_every_family():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"age": rng.integers(18, 70, 400).astype(float),
                      "sex": rng.choice(["male", "female"], 400)})  # fmt: skip
    y = (rng.random(400) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    w = np.where(y == 1, 1.0, 3.0)
    for family, directions in (("logistic", {}), ("logistic", {"age": -1}), ("ensemble", {})):
        model = RiskModel(family=family, cv=3, inner_cv=2, directions=directions)
        model.fit(X, y, sample_weight=w)
        p = model.predict_proba(X)[:, 1]
        # calibrated to the weighted rate, far below the unweighted one
        assert np.average(p, weights=w) == pytest.approx(np.average(y, weights=w), abs=0.02)
        assert model.base_rate_ == pytest.approx(np.average(y, weights=w))
    with pytest.raises(DataError, match=__import__("re").escape(BAD_WEIGHTS.format(
            n=400, shape=(3,)))):  # fmt: skip
        RiskModel(family="logistic").fit(X, y, sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(DataError, match=__import__("re").escape(BAD_WEIGHTS.format(
            n=400, shape=(400,)))):  # fmt: skip
        RiskModel(family="logistic").fit(X, y, sample_weight=np.zeros(400))


@pytest.mark.skipif(not COMPAS.exists(), reason="the COMPAS data are not on this machine")
def test_compas_reads_as_a_time_to_event_table_in_days():
    """ProPublica's COMPAS file has ``start``, ``end`` (days from the screening) and
    ``event``: read as a time to reoffence, 24 months gives the Kaplan–Meier risk, and the
    people censored before two years are counted rather than dropped."""
    import tomllib

    table = tomllib.loads(Path("training/compas.toml").read_text())["table"]
    del table["label"]
    table |= {"duration": "end", "event": "event", "duration_unit": "days"}
    spec = parse_config({"table": table}).table
    summary = load_flat_table(COMPAS, spec).meta["survival"]
    assert summary["n_people"] == 6172
    assert summary["n_unlabelled"] == 1108
    assert summary["kaplan_meier_rate"] == pytest.approx(0.4114, abs=5e-4)
    assert summary["weighted_rate"] == pytest.approx(summary["kaplan_meier_rate"], abs=1e-3)
    assert summary["complete_case_rate"] == pytest.approx(0.4481, abs=5e-4)


def test_event_data_times_agree_with_the_labels(bundle):
    """Event data: each labelled person's time to the first proven reoffence within the
    follow-up is an event exactly when their label is 1, and the cumulative share at 24 months
    is the label rate."""
    from riskmodel.training import load_inputs

    inputs = load_inputs(table_path=None, data_dir=bundle.parent / "train", config_path=None)
    table = inputs.table.labelled()
    assert (table.survival["event"].to_numpy() == table.label.to_numpy()).all()
    assert (table.survival["time_months"] <= 24).all()
    over_time = reoffending_over_time(table.survival, np.full(len(table), 0.3),
                                      horizon_months=24)  # fmt: skip
    assert over_time["overall"]["observed_at_horizon"] == pytest.approx(table.label.mean())
    assert survival_summary([1.0], [1], 12)["n_unlabelled"] == 0

"""Validation as the field does it: every split grouped by person (held-out test, crossval
folds, inner model selection, calibration), temporal splits (``--test-from``,
``--test-periods``), ``train --seed``, the refit on every labelled row, and the one sentence
each report gives the split."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._errors import ConfigError, DataError
from riskmodel.config import load_config
from riskmodel.models import RiskModel, _splits
from riskmodel.models._messages import TOO_FEW_PERSONS
from riskmodel.training import _messages as msg
from riskmodel.training import load_inputs, train_model
from riskmodel.training._crossval import cross_validate
from riskmodel.training._split import SplitRequest, split_rows, split_sentence
from tests.commands import run_here

CONFIG = """
[table]
id = "case"
person = "who"
period = "year"
label = "outcome"
numeric = ["age", "priors"]
categorical = ["area"]
groups = ["group"]
outcome = "any new conviction within two years"
follow_up_months = 24

[model]
family = "logistic"
"""


def grouped_frame(n_persons: int = 120, seed: int = 0) -> pd.DataFrame:
    """A flat table with one to four rows per person, a person effect shared by their rows,
    and a year per row."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(1, 5, n_persons)
    who = np.repeat([f"p{i:04d}" for i in range(n_persons)], rows)
    n = len(who)
    effect = np.repeat(rng.normal(0, 1, n_persons), rows)
    age = rng.integers(18, 70, n).astype(float)
    priors = rng.poisson(2.0, n).astype(float)
    logit = -0.8 + effect - 0.03 * (age - 35) + 0.3 * np.log1p(priors)
    return pd.DataFrame(
        {
            "case": [f"c{i:05d}" for i in range(n)],
            "who": who,
            "year": rng.choice([2018, 2019, 2020, 2021], n),
            "age": age,
            "priors": priors,
            "area": rng.choice(["north", "south", "east"], n),
            "group": rng.choice(["group a", "group b"], n),
            "outcome": (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int),
        }
    )


@pytest.fixture(scope="module")
def table_files(tmp_path_factory):
    where = tmp_path_factory.mktemp("grouped")
    grouped_frame().to_csv(where / "table.csv", index=False)
    (where / "config.toml").write_text(CONFIG)
    return where / "table.csv", where / "config.toml"


@pytest.fixture
def recorded(monkeypatch):
    """Every fold list and subsample the package builds, with the groups it was given."""
    calls: list[dict] = []
    folds, subsample = _splits.fold_splits, _splits.subsample

    def fold_splits(y, groups, n_splits, seed):
        splits = folds(y, groups, n_splits, seed)
        calls.append({"kind": "folds", "n_splits": n_splits, "groups": groups, "splits": splits})
        return splits

    def sub(y, groups, size, seed):
        rows = subsample(y, groups, size, seed)
        calls.append({"kind": "subsample", "groups": groups, "rows": rows})
        return rows

    monkeypatch.setattr(_splits, "fold_splits", fold_splits)
    monkeypatch.setattr(_splits, "subsample", sub)
    return calls


def _shared(groups: np.ndarray, a: np.ndarray, b: np.ndarray) -> set:
    return set(np.asarray(groups)[a]) & set(np.asarray(groups)[b])


# -- the property: nobody on both sides of any split ----------------------------------------


@settings(max_examples=6, deadline=None)
@given(
    n_persons=st.integers(30, 60),
    seed=st.integers(0, 10_000),
    selection_rows=st.sampled_from([60, 10_000]),
)
def test_no_person_on_both_sides_of_inner_selection_or_calibration_folds(
    n_persons, seed, selection_rows
):
    frame = grouped_frame(n_persons, seed)
    calls: list[dict] = []
    folds, subsample = _splits.fold_splits, _splits.subsample

    def fold_splits(y, groups, n_splits, seed):
        splits = folds(y, groups, n_splits, seed)
        calls.append({"n_splits": n_splits, "groups": groups, "splits": splits})
        return splits

    def sub(y, groups, size, seed):
        rows = subsample(y, groups, size, seed)
        calls.append({"n_splits": 0, "groups": groups, "rows": rows})
        return rows

    original = (_splits.fold_splits, _splits.subsample)
    _splits.fold_splits, _splits.subsample = fold_splits, sub
    try:
        model = RiskModel(
            family="logistic", cv=3, inner_cv=2, directions={},
            max_selection_rows=selection_rows, seed=seed,
        ).fit(frame[["age", "priors"]], frame["outcome"], groups=frame["who"])  # fmt: skip
    finally:
        _splits.fold_splits, _splits.subsample = original
    assert model.grouped_
    persons = frame["who"].to_numpy()
    inner = [c for c in calls if c["n_splits"] == 2]
    calibration = [c for c in calls if c["n_splits"] == 3]
    assert len(inner) == 1 and len(calibration) == 1
    assert (calibration[0]["groups"] == persons).all()
    for call in calls:
        assert call["groups"] is not None
        for train, test in call.get("splits", []):
            assert not _shared(call["groups"], train, test)
            assert len(train) + len(test) == len(call["groups"])
    if selection_rows < len(frame):  # the selection sample takes whole people
        (sample,) = [c for c in calls if c["n_splits"] == 0]
        chosen = set(persons[sample["rows"]])
        assert chosen.isdisjoint(set(persons) - chosen) and len(sample["rows"]) < len(frame)
        assert set(inner[0]["groups"]) == chosen


# A handful of people may hold fewer rows of an outcome than there are folds: scikit-learn
# says so, and the split is still made (the property is about who is on which side).
@pytest.mark.filterwarnings("ignore:The least populated class in y has only")
@settings(max_examples=25, deadline=None)
@given(
    n_persons=st.integers(10, 80),
    seed=st.integers(0, 10_000),
    way=st.sampled_from(["random", "latest", "from", "periods"]),
)
def test_no_person_on_both_sides_of_the_held_out_split(n_persons, seed, way):
    frame = grouped_frame(n_persons, seed)
    y = frame["outcome"].to_numpy()
    groups = frame["who"].to_numpy()
    rng = np.random.default_rng(seed)
    dates = pd.Series(
        pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 1400, len(y)), "D")
    )
    request = {
        "from": SplitRequest(test_from="2020-06-01"),
        "periods": SplitRequest(test_periods=("2021",)),
    }.get(way)
    try:
        train, test, info = split_rows(
            y,
            None if way == "random" else dates,
            test_fraction=0.2,
            seed=seed,
            groups=groups,
            periods=frame["year"],
            request=request,
        )
    except DataError as error:  # a temporal part with too few of an outcome
        assert "part of the split has" in str(error)
        return
    assert not _shared(groups, train, test)
    assert info["grouped_by_person"] and info["n_train"] == len(train)
    assert len(train) + len(test) + info["n_left_out_shared"] == len(y)
    if way == "from":
        assert (dates.iloc[test] >= pd.Timestamp("2020-06-01")).all()
        assert (dates.iloc[train] < pd.Timestamp("2020-06-01")).all()
    if way == "periods":
        assert set(frame["year"].iloc[test]) == {2021}


def test_train_and_crossval_group_every_split_by_person(table_files, recorded):
    table, config = table_files
    inputs = load_inputs(table_path=table, data_dir=None, config_path=config)
    persons = inputs.table.persons.to_numpy()
    result = train_model(inputs, n_resamples=50)
    assert result.split["grouped_by_person"] and result.split["method"] == "stratified at random"
    cv = cross_validate(inputs, folds=3, seed=0, n_resamples=50)
    oof = cv.oof
    assert oof.columns[:2].tolist() == ["person_id", "fold"]
    who = dict(zip(inputs.table.ids, persons, strict=True))
    assert (oof.assign(who=oof["person_id"].map(who)).groupby("who")["fold"].nunique() == 1).all()
    assert cv.split["sentence"].endswith(
        f"each of the {len(set(persons)):,} people's rows are all in one fold."
    )
    # every fold list built: train's held-out split, then its held-out fit's inner selection
    # folds (whose out-of-fold log-odds its calibration reuses, and with the held-out rows'
    # the refit's calibration: the refit builds no folds), crossval's folds, then one list in
    # each of its three fits
    folds = [c for c in recorded if c["kind"] == "folds"]
    assert len(folds) == (1 + 1) + (1 + 3 * 1)
    for call in folds:
        assert call["groups"] is not None
        for train, test in call["splits"]:
            assert not _shared(call["groups"], train, test)


def test_too_few_people_for_the_folds_is_a_clear_error():
    y = np.array([0, 1] * 6)
    with pytest.raises(DataError) as error:
        _splits.fold_splits(y, np.repeat(["a", "b"], 6), 3, seed=0)
    assert str(error.value) == TOO_FEW_PERSONS.format(persons=2, folds=3)


# -- refit, seed, sentences -----------------------------------------------------------------


def test_refit_ships_a_model_fitted_on_every_labelled_row(table_files):
    table, config = table_files
    inputs = load_inputs(table_path=table, data_dir=None, config_path=config)
    n = len(inputs.table)
    refit = train_model(inputs, n_resamples=50, seed=3)
    kept = train_model(inputs, n_resamples=50, seed=3, refit=False)
    assert refit.model.n_train_ == n == refit.shipped["n_rows"]
    assert kept.model.n_train_ == kept.split["n_train"] == kept.shipped["n_rows"]
    # the held-out evaluation is the same procedure either way
    assert refit.metrics["auc"] == kept.metrics["auc"]
    assert refit.shipped["sentence"] == (
        f"The shipped model was refitted, with the same choice of model, on all {n:,} "
        "labelled rows, the "
        f"{refit.split['n_test']:,} held out included, and calibrated on scores from fits that "
        "had not seen the rows scored; the held-out figures describe this procedure, "
        "measured on a model fitted without the held-out rows."
    )
    assert kept.shipped["sentence"].startswith(
        f"The shipped model is the one fitted on the {kept.split['n_train']:,} training rows"
    )
    other = train_model(inputs, n_resamples=50, seed=4, refit=False)
    assert other.split["seed"] == 4 and kept.split["seed"] == 3
    assert other.split["n_test"] != kept.split["n_test"] or not np.array_equal(
        other.y_test, kept.y_test
    )


def test_split_sentences_state_each_way():
    assert split_sentence(
        {"method": "by period", "test_periods": ["2020", "2021"], "n_train": 700, "n_test": 300},
        unit="rows",
    ) == (
        "Held-out test: the 300 rows of period 2020, 2021 (--test-periods); the 700 rows of "
        "the other periods trained the model."
    )
    assert split_sentence(
        {
            "method": "by index date",
            "test_from": "2022-01-01",
            "n_train": 1200,
            "n_test": 300,
            "grouped_by_person": True,
            "n_persons": 900,
            "n_left_out_shared": 40,
        },
        unit="index events",
    ) == (
        "Held-out test: the 300 index events with the latest index dates (on or after "
        "2022-01-01); the 1,200 index events before them trained the model; each of the 900 "
        "people's rows are all on one side (40 index events of people also in the test part "
        "were left out of training)."
    )


# -- temporal splits on the command line ----------------------------------------------------


def test_train_cli_test_periods_refit_and_the_card_say_so(table_files, tmp_path):
    table, config = table_files
    out = tmp_path / "bundle"
    done = run_here(
        "train", "--table", table, "--config", config, "--out", out, "--test-periods",
        "2021", "--n-resamples", "50", "--no-mlflow", "--seed", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    split, shipped = manifest["split"], manifest["shipped_model"]
    frame = grouped_frame()
    assert split["method"] == "by period" and split["test_periods"] == ["2021"]
    assert split["n_test"] == int((frame["year"] == 2021).sum())
    assert shipped == {
        "refit": True,
        "rows": "every labelled row",
        "n_rows": len(frame),
        "unit": "rows",
        "sentence": shipped["sentence"],
        "n_persons": frame["who"].nunique(),
    }
    card = (out / "MODEL_CARD.md").read_text()
    assert split["sentence"] in card.replace("\\", "") and split["sentence"] in done.stdout
    assert shipped["sentence"] in done.stdout
    assert "the held-out figures describe this procedure" in card


def test_crossval_cli_forward_in_time(table_files, tmp_path):
    table, config = table_files
    out = tmp_path / "cv"
    done = run_here(
        "crossval", "--table", table, "--config", config, "--out", out, "--test-periods",
        "2020,2021", "--n-resamples", "50", "--no-mlflow",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    oof = pd.read_csv(out / "oof.csv")
    frame = grouped_frame().set_index("case")
    assert set(frame.loc[oof["person_id"], "year"]) == {2020, 2021}
    assert (oof["fold"] == 0).all() and metrics["models"]["logistic"]["n"] == len(oof)
    assert metrics["split"]["sentence"] in done.stdout
    assert metrics["split"]["sentence"].startswith(
        f"Held-out test: the {len(oof):,} rows of period 2020, 2021 (--test-periods)"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--test-from", "2020-01-01"), msg.TEST_FROM_NEEDS_DATES),
        (("--test-periods", "1999"), msg.UNKNOWN_PERIODS.format(
            given="1999", known="2018, 2019, 2020, 2021")),
        (("--test-from", "2020-01-01", "--test-periods", "2020"), msg.BOTH_SPLITS),
    ],
)  # fmt: skip
def test_temporal_split_mistakes_are_clear(table_files, tmp_path, extra, message):
    table, config = table_files
    done = run_here(
        "train", "--table", table, "--config", config, "--out", tmp_path / "b", "--no-mlflow",
        *extra,
    )  # fmt: skip
    assert done.returncode == 2
    assert message in done.stderr


def test_split_requests_check_their_inputs():
    y = np.array([0, 1] * 20)
    dates = pd.Series(pd.date_range("2019-01-01", periods=40, freq="MS"))
    with pytest.raises(ConfigError) as error:
        split_rows(y, None, test_fraction=0.2, seed=0, request=SplitRequest(test_periods=("a",)))
    assert str(error.value) == msg.TEST_PERIODS_NEED_PERIOD
    with pytest.raises(ConfigError) as error:
        split_rows(y, dates, test_fraction=0.2, seed=0, request=SplitRequest(test_from="May"))
    assert str(error.value) == msg.BAD_TEST_FROM.format(value="May")
    with pytest.raises(DataError) as error:
        split_rows(
            y, dates, test_fraction=0.2, seed=0, request=SplitRequest(test_from="2022-01-01")
        )
    assert str(error.value) == msg.SPLIT_PART_TOO_SMALL.format(part="test", n=4, positives=2)
    assert SplitRequest.from_options("", " 2020 ,2021,").test_periods == ("2020", "2021")
    assert load_config  # the config keys person and period are read (see CONFIG above)


@pytest.mark.slow
def test_event_data_with_index_events_split_forward_and_fold_by_person(tmp_path):
    from tests.test_index_events import multi_event_data, write_data

    raw = multi_event_data(260, seed=7)
    data_dir = write_data(raw, tmp_path / "data")
    config = tmp_path / "logistic.toml"
    config.write_text('[model]\nfamily = "logistic"\n')
    inputs = load_inputs(table_path=None, data_dir=data_dir, config_path=config)
    labelled = inputs.table.labelled()
    persons = labelled.persons.to_numpy()
    assert len(set(persons)) < len(persons)  # several index events per person
    result = train_model(inputs, n_resamples=50, request=SplitRequest(test_from="2022-01-01"))
    split = result.split
    assert split["method"] == "by index date" and split["given"]
    assert split["unit"] == "index events" and split["grouped_by_person"]
    assert split["sentence"].startswith(
        f"Held-out test: the {split['n_test']:,} index events with an index date on or after "
        "2022-01-01 (--test-from)"
    )
    assert result.shipped["n_rows"] == len(labelled)
    described = inputs.describe()
    assert described["n_persons_labelled"] == len(set(persons))
    assert described["n_persons"] == inputs.table.ids.nunique() < described["n_rows"]
    assert result.shipped["n_persons"] == len(set(persons))

    cv = cross_validate(inputs, folds=3, seed=1, n_resamples=50)
    oof = cv.oof
    assert oof.columns[:3].tolist() == ["person_id", "index_id", "fold"]
    assert oof["index_id"].is_unique and oof["person_id"].duplicated().any()
    assert (oof.groupby("person_id")["fold"].nunique() == 1).all()


def test_the_refit_scores_rows_left_out_of_both_sides_with_the_held_out_fit(
    table_files, monkeypatch
):
    import copy

    from sklearn.calibration import _SigmoidCalibration

    import riskmodel.training._train as train_module
    from riskmodel.training._inputs import labelled_arrays

    table, config = table_files
    inputs = load_inputs(table_path=table, data_dir=None, config_path=config)
    features, y, _ = labelled_arrays(inputs)
    seen = {}
    original = train_module.out_of_sample_log_odds

    def recorded(held, X, train):
        copy.deepcopy(held)  # a copy (as pickling and saving do) leaves the model its scores
        seen.update(held=held, train=train, scores=original(held, X, train))
        return seen["scores"]

    monkeypatch.setattr(train_module, "out_of_sample_log_odds", recorded)
    result = train_model(
        inputs, n_resamples=20, seed=0, request=SplitRequest(test_periods=("2021",))
    )
    held, train, scores = seen["held"], seen["train"], seen["scores"]
    others = np.setdiff1d(np.arange(len(y)), train)
    assert result.split["n_left_out_shared"] > 0  # people with rows on both sides of 2021
    assert len(others) == result.split["n_test"] + result.split["n_left_out_shared"]
    assert np.isfinite(scores).all()
    np.testing.assert_array_equal(scores[train], held.out_of_fold_log_odds_)
    np.testing.assert_allclose(
        scores[others], held.raw_decision_function(features.X.iloc[others]), rtol=1e-12
    )
    # the shipped model's calibrator is the sigmoid of exactly those scores
    sigmoid = _SigmoidCalibration().fit(scores, y)
    assert result.model.calibration_slope_ == pytest.approx(-sigmoid.a_, rel=1e-9)
    with pytest.raises(ValueError, match="log_odds must be finite"):
        held.refit(features.X, y, log_odds=np.where(np.arange(len(y)) == 0, np.nan, scores))

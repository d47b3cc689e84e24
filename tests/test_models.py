"""Model families: calibration properties, exact linearity in log-odds, group columns."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel._errors import ConfigError, DataError
from riskmodel.config import TableSpec, parse_config
from riskmodel.evaluation import brier
from riskmodel.flat_table import build_flat_table
from riskmodel.models import (
    MISSING_FEATURES,
    BaseRateModel,
    RiskModel,
    SplineBasis,
    make_model,
)


def make_flat_frame(n: int = 900, seed: int = 0) -> pd.DataFrame:
    """A person-level table the package has never seen: string categories, missing values,
    boolean columns, a group column that must not reach the model, a non-linear age effect."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 75, n).astype(float)
    priors = rng.poisson(2.0, n).astype(float)
    employed = rng.random(n) < 0.5
    area = rng.choice(
        ["north", "south", "east", "west", "islands"], n, p=[0.3, 0.3, 0.2, 0.19, 0.01]
    )
    offence = rng.choice([f"offence {i}" for i in range(60)], n)
    group = rng.choice(["group a", "group b", "group c"], n)
    logit = (
        -1.5
        + 3.0 * np.exp(-(age - 18) / 12)
        + 0.8 * np.log1p(priors)
        - 1.0 * employed
        + 0.8 * (area == "north")
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame(
        {
            "case": [f"c{i:05d}" for i in range(n)],
            "age": age,
            "priors": priors,
            "employed": employed,
            "area": area,
            "offence": offence,
            "group": group,
            "outcome": y,
        }
    )
    frame.loc[rng.random(n) < 0.1, "priors"] = np.nan
    frame.loc[rng.random(n) < 0.1, "area"] = None
    return frame


FLAT_CONFIG = {
    "table": {
        "id": "case",
        "label": "outcome",
        "numeric": ["age", "priors", "employed"],
        "categorical": ["area", "offence"],
        "groups": ["group"],
        "outcome": "any new conviction within two years",
        "follow_up_months": 24,
    }
}


@pytest.fixture(scope="module")
def flat_table():
    spec = parse_config(FLAT_CONFIG).table
    return build_flat_table(make_flat_frame(), spec)


@pytest.fixture(scope="module")
def split(flat_table):
    n = len(flat_table)
    rows = np.random.default_rng(1).permutation(n)
    train, test = rows[: n * 2 // 3], rows[n * 2 // 3 :]
    return flat_table.subset(train), flat_table.subset(test)


@pytest.fixture(scope="module", params=["logistic", "gbm"])
def fitted(request, split):
    train, _ = split
    return RiskModel(family=request.param, seed=0).fit(train.X, train.label)


@pytest.fixture(scope="module")
def gbm_model(split):
    train, _ = split
    return RiskModel(family="gbm", seed=0).fit(train.X, train.label)


def test_probabilities_in_unit_interval(fitted, split):
    _, test = split
    p = fitted.predict_proba(test.X)
    assert p.shape == (len(test), 2)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_sigmoid_log_odds_exactly_linear_in_inner_model(fitted, split):
    _, test = split
    p = fitted.predict_proba(test.X)[:, 1]
    raw = fitted.estimator_.decision_function(fitted.prepare(test.X))
    expected = fitted.calibration_slope_ * raw + fitted.calibration_intercept_
    np.testing.assert_allclose(np.log(p / (1 - p)), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fitted.decision_function(test.X), expected, rtol=0, atol=1e-12)
    assert fitted.exactly_explainable


def test_calibration_does_not_worsen_brier_on_held_out(fitted, split):
    _, test = split
    y = test.label.to_numpy()
    calibrated = fitted.predict_proba(test.X)[:, 1]
    raw = fitted.estimator_.predict_proba(fitted.prepare(test.X))[:, 1]
    assert brier(y_true=y, y_prob=calibrated) <= brier(y_true=y, y_prob=raw) + 1e-3


def test_calibration_repairs_a_miscalibrated_model(split):
    """Shift every label's prevalence: the calibrator must absorb what the model cannot."""
    train, test = split
    model = RiskModel(family="logistic").fit(train.X, train.label)
    y = test.label.to_numpy()
    p = model.predict_proba(test.X)[:, 1]
    assert abs(p.mean() - y.mean()) < 0.05
    assert brier(y_true=y, y_prob=p) < brier(y_true=y, y_prob=np.full_like(p, train.label.mean()))


def test_group_columns_never_reach_the_model(flat_table, split):
    train, test = split
    assert "group" not in flat_table.X.columns
    assert "area" in flat_table.X.columns  # a feature (a group column cannot also be one)
    # even when handed a frame carrying the group column, the model ignores it
    X = train.X.assign(group=train.groups["group"].to_numpy())
    spec = parse_config(FLAT_CONFIG).table
    model = make_model(
        parse_config({}).model, numeric=spec.numeric, categorical=spec.categorical
    ).fit(X, train.label)
    assert "group" not in model.feature_names_in_
    assert not any(name.startswith("group") for name in model.transformed_feature_names())
    shuffled = test.X.assign(group=np.random.default_rng(0).permutation(test.groups["group"]))
    np.testing.assert_array_equal(model.predict_proba(shuffled), model.predict_proba(test.X))


def test_ethnicity_refused_as_feature(split):
    train, _ = split
    X = train.X.assign(ethnicity="a")
    with pytest.raises(ConfigError, match="can never be a model feature"):
        RiskModel(family="logistic", categorical=["area", "ethnicity"]).fit(X, train.label)


def test_default_chooses_by_inner_cv(split):
    train, _ = split
    model = RiskModel(seed=0).fit(train.X, train.label)
    assert model.family_ in ("logistic", "gbm", "ensemble")
    selection = pd.DataFrame(model.selection_)
    assert set(selection["family"]) == {"logistic", "gbm", "ensemble"}
    best = selection["inner_log_loss"].idxmin()
    assert selection.loc[best, "family"] == model.family_
    assert model.describe()["family_fitted"] == model.family_
    # the ensemble candidate is made of the best candidate of each member family
    members = selection.loc[selection["family"] == "ensemble", "params"].iloc[0]
    for family in ("logistic", "gbm"):
        own = selection[selection["family"] == family]
        assert members[family] == own.loc[own["inner_log_loss"].idxmin(), "params"]


@pytest.mark.parametrize("family", ["logistic", "default"])
def test_calibration_reuses_the_choice_folds(split, family):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold

    from riskmodel.models import build_pipeline

    train, test = split
    model = RiskModel(family=family, seed=3).fit(train.X, train.label)
    frame = model.prepare(train.X)
    # the calibration CalibratedClassifierCV would fit on the choice's own folds
    folds = StratifiedKFold(5, shuffle=True, random_state=4)
    pipeline = build_pipeline(
        model.family_,
        model.params_,
        model.numeric_,
        model.categorical_,
        3,
        model.directions_,
    )
    usual = CalibratedClassifierCV(pipeline, cv=folds, ensemble=False).fit(frame, train.label)
    np.testing.assert_allclose(
        model.predict_proba(test.X), usual.predict_proba(model.prepare(test.X)), atol=1e-6
    )
    # a choice on a sample of the rows cannot be reused: the calibration has folds of its own
    sampled = RiskModel(family=family, seed=3, max_selection_rows=300).fit(train.X, train.label)
    assert sampled.calibration_slope_ != pytest.approx(model.calibration_slope_, abs=1e-9)


@pytest.mark.parametrize("family", ["default", "logistic"])
def test_refit_calibrates_on_the_out_of_sample_log_odds_it_is_given(split, family, tmp_path):
    from sklearn.calibration import _SigmoidCalibration

    from riskmodel.bundle import load_bundle, save_bundle

    train, test = split
    held = RiskModel(family=family, seed=3).fit(train.X, train.label)
    inner = held.out_of_fold_log_odds_
    assert inner is not None and inner.shape == (len(train.label),)
    X = pd.concat([train.X, test.X], ignore_index=True)
    y = np.r_[train.label, test.label]
    scores = np.r_[inner, held.raw_decision_function(test.X)]
    again = held.refit(X, y, log_odds=scores)
    assert again.out_of_fold_log_odds_ is None and again.n_train_ == len(y)
    # the calibrator is the sigmoid of exactly those log-odds and outcomes
    sigmoid = _SigmoidCalibration().fit(scores, y)
    assert again.calibration_slope_ == pytest.approx(-sigmoid.a_, rel=1e-9)
    assert again.calibration_intercept_ == pytest.approx(-sigmoid.b_, rel=1e-9, abs=1e-12)
    # without them the refit cross-validates, and lands elsewhere
    folds = held.refit(X, y)
    assert folds.calibration_slope_ != pytest.approx(again.calibration_slope_, abs=1e-9)
    with pytest.raises(ValueError, match=r"log_odds has 3 values for \d+ rows"):
        held.refit(X, y, log_odds=[0.0, 1.0, 2.0])
    # a saved model carries no training row's figure
    save_bundle(tmp_path / "bundle", held, manifest={})
    loaded = load_bundle(tmp_path / "bundle").model
    assert not hasattr(loaded, "out_of_fold_log_odds_")
    np.testing.assert_array_equal(loaded.predict_proba(test.X), held.predict_proba(test.X))


def _fitted_boosters_written(bundle: Path) -> int:
    """How many fitted gradient-boosting classifiers a saved bundle's model file writes out
    (each holds its trees in ``_predictors``)."""
    with zipfile.ZipFile(bundle / "model.skops") as archive:
        return archive.read("schema.json").decode().count('"_predictors"')


@pytest.mark.parametrize("calibrated_on", ["given log-odds", "folds of its own"])
def test_a_saved_model_leaves_out_the_calibrations_copy_and_loads_whole(
    split, tmp_path, monkeypatch, calibrated_on
):
    from sklearn.base import BaseEstimator

    from riskmodel.bundle import load_bundle, save_bundle

    train, test = split
    model = RiskModel(family="gbm", seed=3).fit(train.X, train.label)  # folds of its own
    if calibrated_on == "given log-odds":  # the calibration holds the fitted pipeline itself
        scores = model.raw_decision_function(train.X)  # any finite scores serve here
        model = model.refit(train.X, train.label, log_odds=scores)
    shared = model.calibrated_.estimator is model.estimator_
    assert shared == (calibrated_on == "given log-odds")
    save_bundle(tmp_path / "new", model, manifest={})
    assert _fitted_boosters_written(tmp_path / "new") == 2  # not the calibration's own copy
    # saving leaves the model itself whole
    assert model.estimator_ is model.calibrated_.calibrated_classifiers_[0].estimator
    assert (model.calibrated_.estimator is model.estimator_) == shared
    # a model file written before, with every reference in full, still loads
    with monkeypatch.context() as patch:
        patch.setattr(RiskModel, "__getstate__", BaseEstimator.__getstate__)
        save_bundle(tmp_path / "old", model, manifest={})
    assert _fitted_boosters_written(tmp_path / "old") == (3 if shared else 2)
    expected = model.predict_proba(test.X)
    raw = model.raw_decision_function(test.X)
    for name in ("new", "old"):
        loaded = load_bundle(tmp_path / name).model
        assert loaded.estimator_ is loaded.calibrated_.calibrated_classifiers_[0].estimator
        assert (loaded.calibrated_.estimator is loaded.estimator_) == shared
        np.testing.assert_array_equal(loaded.predict_proba(test.X), expected)
    # a version of the class that restores nothing reads the new file and scores with it
    with monkeypatch.context() as patch:
        patch.setattr(RiskModel, "__setstate__", BaseEstimator.__setstate__)
        older = load_bundle(tmp_path / "new").model
    np.testing.assert_array_equal(older.predict_proba(test.X), expected)
    np.testing.assert_array_equal(older.raw_decision_function(test.X), raw)


def test_ensemble_averages_its_members_log_odds(split):
    train, test = split
    model = RiskModel(family="ensemble", seed=0).fit(train.X, train.label)
    assert model.family_ == "ensemble"
    members = model.members()
    assert [(w, f) for w, f, _ in members] == [(0.5, "logistic"), (0.5, "gbm")]
    frame = model.prepare(test.X)
    average = sum(w * pipeline.decision_function(frame) for w, _, pipeline in members)
    np.testing.assert_allclose(model.raw_decision_function(test.X), average, atol=1e-12)
    log_odds = model.calibration_slope_ * average + model.calibration_intercept_
    p = model.predict_proba(test.X)[:, 1]
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-log_odds)), atol=1e-12)
    names = model.transformed_feature_names()
    assert any(n.startswith("logistic:") for n in names)
    assert any(n.startswith("gbm:") for n in names)


def test_isotonic_option(split):
    train, test = split
    model = RiskModel(family="logistic", calibration="isotonic").fit(train.X, train.label)
    p = model.predict_proba(test.X)[:, 1]
    assert np.all((p >= 0) & (p <= 1))
    assert model.calibration_slope_ is None
    assert not model.exactly_explainable


def test_unseen_levels_and_missing_values_at_prediction(gbm_model, split):
    _, test = split
    model = gbm_model
    X = test.X.head(3).copy()
    X.loc[0, "offence"] = "never seen"
    X.loc[1, "priors"] = np.nan
    X.loc[2, "area"] = np.nan
    p = model.predict_proba(X)[:, 1]
    assert np.isfinite(p).all()


def test_missing_feature_column_message(split):
    train, test = split
    model = RiskModel(family="logistic").fit(train.X, train.label)
    with pytest.raises(DataError, match=re.escape(MISSING_FEATURES.split("{")[0])) as info:
        model.predict_proba(test.X.drop(columns="priors"))
    assert "'priors'" in str(info.value)


def test_bad_target_and_family(split):
    train, _ = split
    with pytest.raises(DataError, match="only one class"):
        RiskModel(family="logistic").fit(train.X, np.zeros(len(train)))
    with pytest.raises(DataError, match="must be 0/1"):
        RiskModel(family="logistic").fit(train.X, np.full(len(train), 2))
    with pytest.raises(
        ConfigError, match=re.escape("model family ([model] family) must be one of")
    ):
        RiskModel(family="forest").fit(train.X, train.label)


def test_gbm_tree_explanations_are_exact(gbm_model, split):
    shap = pytest.importorskip("shap")
    _, test = split
    model = gbm_model
    Z = model.estimator_[:-1].transform(model.prepare(test.X.head(50)))
    explainer = shap.TreeExplainer(model.estimator_[-1])
    values = explainer.shap_values(Z)
    raw = model.raw_decision_function(test.X.head(50))
    np.testing.assert_allclose(values.sum(axis=1) + explainer.expected_value, raw, atol=1e-6)


def test_make_model_from_spec():
    config = parse_config({"model": {"family": "gbm", "seed": 4}})
    model = make_model(config.model, numeric=["a"], categorical=["b"])
    assert (model.family, model.seed, model.numeric, model.categorical) == ("gbm", 4, ["a"], ["b"])


def test_base_rate_model():
    model = BaseRateModel().fit(np.zeros((4, 1)), [0, 1, 1, 1])
    np.testing.assert_allclose(model.predict_proba(np.zeros((2, 1)))[:, 1], 0.75)


def test_spline_basis_handles_missing_and_few_values():
    values = np.r_[np.arange(50.0), np.nan].reshape(-1, 1)
    basis = SplineBasis().fit(values)
    out = basis.transform(np.array([[np.nan], [1000.0], [-5.0]]))
    assert out[0, -1] == 1.0 and out[1, -1] == 0.0
    np.testing.assert_allclose(out[1, :-1], basis.transform(np.array([[49.0]]))[0, :-1])
    flags = SplineBasis().fit(np.array([[0.0], [1.0], [1.0]]))
    assert flags.get_feature_names_out(["flag"]).tolist() == ["flag"]


def _basis_row_by_row(basis: SplineBasis, values: np.ndarray) -> np.ndarray:
    """SplineBasis.transform as first written: every row through the spline, then stacked."""
    missing = ~np.isfinite(values)
    filled = np.where(missing, basis.median_, values).reshape(-1, 1)
    parts = [basis.spline_.transform(filled)]
    if basis.has_missing_:
        parts.append(missing.astype(float).reshape(-1, 1))
    return np.hstack(parts)


@pytest.mark.parametrize("distinct", [12, 50_000])  # values repeat / mostly distinct
@pytest.mark.parametrize("with_missing", [False, True])
def test_spline_basis_of_a_large_batch_is_bit_identical_to_row_by_row(distinct, with_missing):
    rng = np.random.default_rng(distinct)
    train = rng.gamma(2.0, 3.0, 2000).round(1)
    if with_missing:
        train[::50] = np.nan
    basis = SplineBasis().fit(train.reshape(-1, 1))
    assert basis.spline_ is not None and basis.has_missing_ is with_missing
    pool = np.r_[rng.gamma(2.0, 3.0, distinct).round(6), 0.0, -0.0, -4.0, 1e6, np.nan, np.inf]
    values = rng.choice(pool, 20_000)
    got = basis.transform(values.reshape(-1, 1))
    expected = _basis_row_by_row(basis, values)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()  # bit for bit, -0.0 and 0.0 included
    assert got.flags.f_contiguous == expected.flags.f_contiguous


def test_table_spec_round_trip():
    spec = TableSpec(label="y", numeric=("a",))
    assert spec.features == ("a",)


def test_out_of_fold_log_odds_need_every_row_held_out_once():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from riskmodel.models._selection import out_of_fold_log_odds, path_log_odds

    X = pd.DataFrame({"x": np.arange(6.0)})
    y = np.array([0, 1, 0, 1, 0, 1])
    rows = np.arange(6)
    covered = [(rows[3:], rows[:3]), (rows[:3], rows[3:])]
    assert np.isfinite(out_of_fold_log_odds(LogisticRegression(), X, y, covered)).all()
    for splits in ([covered[0]], [covered[0], covered[0], covered[1]]):
        with pytest.raises(ValueError, match="hold out every row exactly once"):
            out_of_fold_log_odds(LogisticRegression(), X, y, splits)
        with pytest.raises(ValueError, match="hold out every row exactly once"):
            path_log_odds(Pipeline([("lr", LogisticRegression())]), [1.0], X, y, splits)

"""Monotone by construction: the catalogue of directions, every family honouring it (property
tests on synthetic event data and on COMPAS), the profile block kept out, and config errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

import riskmodel.models._model as model_module
from riskmodel._errors import ConfigError, DataError
from riskmodel.config import (
    BAD_DIRECTION,
    DIRECTION_NOT_NUMERIC,
    DIRECTION_TWICE,
    load_config,
    parse_config,
)
from riskmodel.contract import read_tables, validate_tables
from riskmodel.explain import explain
from riskmodel.features import (
    CATALOGUE,
    DIRECTIONS,
    FEATURES,
    UNDECLARED,
    build_feature_table,
    directions_for,
)
from riskmodel.models import (
    MonotoneBasis,
    MonotoneLogisticRegression,
    RiskModel,
    build_pipeline,
    check_slope,
    uses_profiles,
)
from riskmodel.models._messages import REVERSED_CALIBRATION
from riskmodel.models._monotone import meet_constraints
from riskmodel.models._preprocess import MeanImputer
from riskmodel.models._profiles import PROFILE_COUNTS, PROFILE_FEATURE
from riskmodel.synthetic import generate_population, write_population
from tests.commands import run_main

ROOT = Path(__file__).resolve().parents[1]
COMPAS_FILE = ROOT.parent / "shared" / "data" / "compas" / "compas-scores-two-years.csv"
COMPAS_CONFIGS = sorted((ROOT / "training").glob("compas*.toml"))
FAMILIES = ("logistic", "gbm", "ensemble", "default")
#: Smaller boosting and one regularisation strength: monotonicity does not depend on either.
SMALL = {
    "gbm": ({**model_module.CANDIDATES["gbm"][0], "max_iter": 40},),
    "logistic": ({"C": 0.3},),
}
TOLERANCE = 1e-12


def _message(template: str) -> str:
    parts = re.split(r"\{[^{}]*\}", template)
    return ".*".join(re.escape(part) for part in parts)


def fit(family: str, X: pd.DataFrame, y, **kw) -> RiskModel:
    with pytest.MonkeyPatch.context() as mp, threadpool_limits(limits=1):
        for name, candidates in SMALL.items():
            mp.setitem(model_module.CANDIDATES, name, candidates)
        return RiskModel(family=family, cv=3, inner_cv=2, **kw).fit(X, y)


# -- the catalogue ----------------------------------------------------------------------------


def test_every_feature_is_decided_once():
    names = {f.name for f in FEATURES}
    assert set(DIRECTIONS) <= names, set(DIRECTIONS) - names
    assert set(UNDECLARED) <= names, set(UNDECLARED) - names
    assert not set(DIRECTIONS) & set(UNDECLARED)
    assert set(DIRECTIONS) | set(UNDECLARED) == names
    assert set(DIRECTIONS.values()) == {1, -1}
    assert all(CATALOGUE[name].kind != "categorical" for name in DIRECTIONS)


def test_directions_the_issue_lists():
    assert {n for n, d in DIRECTIONS.items() if d < 0} == {
        "age_at_first_sanction",
        "months_since_previous_sanction",
        "age_at_index",
    }
    for name in ("sanction_occasions", "copas_rate", "need_drugs", "mean_need_finance"):
        assert DIRECTIONS[name] == 1
    assert all(DIRECTIONS[c] == 1 for c in PROFILE_COUNTS)
    assert directions_for(["sex", "copas_rate"]) == {"copas_rate": 1}


# -- the monotone scorecard's parts -----------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.floats(-50, 50, allow_nan=False), min_size=3, max_size=60),
    probe=st.lists(st.floats(-80, 80, allow_nan=False), min_size=2, max_size=20),
)
def test_monotone_basis_columns_never_fall(values, probe):
    basis = MonotoneBasis(direction=-1).fit(np.asarray(values).reshape(-1, 1))
    x = np.sort(np.asarray(probe)).reshape(-1, 1)
    design = basis.transform(x)
    assert (np.diff(design, axis=0) >= -1e-12).all()
    assert set(basis.signs_.tolist()) == {-1}
    assert len(basis.get_feature_names_out(["x"])) == design.shape[1]
    # every column is bounded by its values at the smallest and largest training value
    assert (design >= basis.bottom_ - 1e-12).all() and (design <= basis.top_ + 1e-12).all()


def test_knots_a_hair_apart_give_a_finite_basis():
    # 0 and the smallest normal float were two knots: the basis divided by almost nothing
    values = np.array([0.0] * 12 + [1.0, 1.0, 2.0, 3.0, 2.2250738585072014e-308, -1, -2, -0.5])
    basis = MonotoneBasis(direction=-1).fit(values.reshape(-1, 1))
    assert basis.spline_.bsplines_[0].t.size == 3 + 2 * 3  # knots -2, 0, 3 and the padding
    design = basis.transform(np.array([[0.0], [0.0], [2.0]]))
    assert np.isfinite(design).all() and (design[0] == design[1]).all()


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.sampled_from([0.0, 1.0, 2.0]), st.floats(0, 2), st.just(np.nan)),
        min_size=3,
        max_size=60,
    )
)
def test_a_missing_need_takes_the_basis_mean_and_no_indicator(values):
    column = np.asarray(values, dtype=float).reshape(-1, 1)
    basis = MonotoneBasis(missing="mean").fit(column)
    design = basis.transform(column)
    present = np.isfinite(column[:, 0])
    assert design.shape[1] == basis.top_.size == basis.signs_.size  # no indicator column
    assert set(basis.signs_.tolist()) <= {1}
    assert not any(n.endswith("_missing") for n in basis.get_feature_names_out(["need"]))
    if present.any():
        # a missing value sits at the mean of the design: it contributes nothing
        assert np.allclose(design[~present], design[present].mean(axis=0))
        assert np.allclose(design.mean(axis=0), design[present].mean(axis=0))
    flagged = MonotoneBasis().fit(column)
    assert flagged.transform(column).shape[1] == design.shape[1] + int((~present).any())
    with pytest.raises(ValueError, match="missing must be"):
        MonotoneBasis(missing="zero").fit(column)


def test_constraints_hold_exactly_and_keep_the_signs():
    rng = np.random.default_rng(4)
    X = rng.random((500, 4))
    y = (rng.random(500) < 1 / (1 + np.exp(-(3 * X[:, 2] + 3 * X[:, 3] - 3)))).astype(int)
    # the first two columns must outweigh the last two: against what the data say
    A = np.array([[1.0, 0.5, -1.0, 0.0], [0.0, 0.0, 0.0, -1.0]])
    free = MonotoneLogisticRegression(signs=[1, 1, 1, 1]).fit(X, y)
    assert (A @ free.coef_[0] < 0).all()
    model = MonotoneLogisticRegression(signs=[1, 1, 1, 1], constraints=A).fit(X, y)
    assert (A @ model.coef_[0] >= 0).all() and (model.coef_ >= 0).all()
    assert model.coef_[0, 3] == 0.0  # a row of negative terms alone: its weight goes to 0
    assert meet_constraints(A, np.array([0.1, 0.0, 3.0, 2.0])).tolist() == pytest.approx(
        [0.1, 0.0, 0.1, 0.0]
    )


def test_gbm_reads_missing_needs_through_a_training_mean():
    rng = np.random.default_rng(5)
    n = 400
    need = rng.choice([0.0, 1.0, 2.0, np.nan], n, p=[0.3, 0.3, 0.2, 0.2])
    X = pd.DataFrame(
        {
            "need_drugs": need,
            "needs_missing": np.isnan(need).astype(float),
            "years_at_risk": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0, 40, n)),
            "age_at_index": rng.integers(18, 70, n).astype(float),
        }
    )
    risk = 0.8 * np.nan_to_num(need, nan=2.0) - 0.03 * (X["age_at_index"] - 35) - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-risk))).astype(int)
    pipeline = build_pipeline(
        "gbm", SMALL["gbm"][0], list(X.columns), [], 0, directions_for(X.columns)
    )
    blocks = dict((name, block) for name, block, _ in pipeline["preprocess"].transformers)
    assert isinstance(blocks["need_drugs"], MeanImputer)  # declared, of the needs record
    assert blocks["needs_missing"] == blocks["years_at_risk"] == "passthrough"  # undeclared
    model = fit("gbm", X, y)
    imputer = model.estimator_["preprocess"].named_transformers_["need_drugs"]
    assert imputer.mean_ == pytest.approx(np.nanmean(need))
    # a missing need scores as the training mean would: inside the monotone constraints
    missing = X[X["need_drugs"].isna()].head(20)
    at_mean = missing.assign(need_drugs=np.nanmean(need))
    assert np.array_equal(model.predict_proba(missing), model.predict_proba(at_mean))
    explanation = explain(model, X)
    scored_two = X["need_drugs"].to_numpy() == 2
    assert (explanation.contributions["need_drugs"].to_numpy()[scored_two] >= 0).all()


def test_sign_constrained_logistic_matches_unconstrained_when_free():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = (rng.random(400) < 1 / (1 + np.exp(-X @ [1.0, -1.0, 0.5]))).astype(int)
    ours = MonotoneLogisticRegression(C=0.5).fit(X, y)
    theirs = LogisticRegression(C=0.5).fit(X, y)
    assert np.allclose(ours.coef_, theirs.coef_, atol=1e-4)
    # The second and third weights want the other sign: held at 0, the first stays free.
    constrained = MonotoneLogisticRegression(C=0.5, signs=[0, 1, -1]).fit(X, y)
    assert constrained.coef_[0, 1] == 0.0 and constrained.coef_[0, 2] == 0.0
    assert constrained.coef_[0, 0] > 0.5
    agreeing = MonotoneLogisticRegression(C=0.5, signs=[1, -1, 1]).fit(X, y)
    assert np.allclose(agreeing.coef_, theirs.coef_, atol=1e-4)


def test_sample_weights_are_row_multiplicities():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = (rng.random(300) < 1 / (1 + np.exp(-X @ [1.0, -0.5, 0.2]))).astype(int)
    weights = rng.integers(0, 3, 300).astype(float)
    weighted = MonotoneLogisticRegression(C=0.5, signs=[1, -1, 0]).fit(X, y, weights)
    repeated = np.repeat(np.arange(300), weights.astype(int))
    # LogisticRegression minimises the same objective (times C n); so do repeated rows
    theirs = LogisticRegression(C=0.5, tol=1e-10).fit(X, y, sample_weight=weights)
    assert np.allclose(weighted.coef_, theirs.coef_, atol=1e-4)
    assert np.allclose(weighted.intercept_, theirs.intercept_, atol=1e-4)
    copies = MonotoneLogisticRegression(C=0.5, signs=[1, -1, 0])
    copies.fit(X[repeated], y[repeated])
    assert np.allclose(weighted.coef_, copies.coef_, atol=1e-4)
    with pytest.raises(ValueError, match="one finite, non-negative weight per row"):
        MonotoneLogisticRegression().fit(X, y, -weights)


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(0, 60), min_size=20, max_size=300),
    share=st.sampled_from([0.0, 0.01, 0.05, 0.2]),
)
def test_steps_sit_where_people_are_and_a_hinge_carries_the_rest(counts, share):
    column = np.asarray(counts, dtype=float)
    basis = MonotoneBasis(min_step_share=share).fit(column.reshape(-1, 1))
    if basis.spline_ is not None or np.unique(column).size < 2:
        return
    steps = basis.steps_
    assert 1 <= steps.size <= basis.n_knots + 1
    assert steps[0] == np.unique(column)[1]  # the first value above the smallest always steps
    assert all((column >= u).mean() >= share for u in steps[1:])
    names = basis.get_feature_names_out(["n"]).tolist()
    assert (basis.hinge_ is not None) == (steps[-1] < column.max())
    assert len(names) == steps.size + (basis.hinge_ is not None)
    probe = np.linspace(-5, 80, 200).reshape(-1, 1)
    design = basis.transform(probe)
    assert (np.diff(design, axis=0) >= -1e-12).all()  # every column non-decreasing
    assert design.min() >= 0.0 and design.max() <= 1.0


def test_reversed_calibration_is_refused():
    check_slope(0.5)
    for slope in (0.0, -0.3):
        with pytest.raises(DataError, match=_message(REVERSED_CALIBRATION)):
            check_slope(slope)


def test_recalibration_cannot_reverse_the_directions():
    from riskmodel.training._recalibrate import recalibrate_model

    rng = np.random.default_rng(3)
    X = pd.DataFrame({"priors": rng.poisson(2, 400).astype(float)})
    y = (rng.random(400) < 1 / (1 + np.exp(1 - X["priors"]))).astype(int)
    model = RiskModel(family="logistic", cv=2, directions={"priors": 1}).fit(X, y)
    assert model.directions_ == {"priors": 1}
    with pytest.raises(DataError, match=_message(REVERSED_CALIBRATION)):
        recalibrate_model(model, X, 1 - y)


def test_profile_block_is_no_back_door():
    columns = [f.name for f in FEATURES if f.kind != "categorical"]
    assert uses_profiles(columns, {})
    assert not uses_profiles(columns, directions_for(columns))
    assert not uses_profiles(columns, {"need_drugs": 1})


# -- the property, on synthetic event data and on COMPAS ---------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("synthetic")
    write_population(generate_population(3000, seed=21), out)
    return build_feature_table(validate_tables(read_tables(out)), labels=True).labelled()


@pytest.fixture(scope="module")
def synthetic_models(synthetic):
    return {family: fit(family, synthetic.X, synthetic.label) for family in FAMILIES}


@pytest.fixture(scope="module")
def compas():
    if not COMPAS_FILE.exists():
        pytest.skip(f"COMPAS data not found at {COMPAS_FILE}")
    from riskmodel.flat_table import load_flat_table

    spec = load_config(ROOT / "training" / "compas.toml").table
    table = load_flat_table(COMPAS_FILE, spec)
    rows = np.random.default_rng(0).choice(len(table), 2000, replace=False)
    sample = table.subset(np.isin(np.arange(len(table)), rows))
    kw = {
        "numeric": list(spec.numeric),
        "categorical": list(spec.categorical),
        "directions": spec.directions,
    }
    return sample, {family: fit(family, sample.X, sample.label, **kw) for family in FAMILIES}


def raised(X: pd.DataFrame, model: RiskModel, data: st.DataObject) -> tuple[pd.DataFrame, ...]:
    """Rows of X and the same rows with one declared feature moved its declared way (to any
    value in or beyond the observed range), everything else unchanged."""
    rows = data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=30), label="rows")
    before = X.iloc[rows].reset_index(drop=True)
    feature = data.draw(st.sampled_from(sorted(model.directions_)), label="feature")
    direction = model.directions_[feature]
    present = X[feature].dropna()
    low, high = float(present.min()), float(present.max())
    width = max(high - low, 1.0)
    start = before[feature].to_numpy(dtype=float)
    # A missing value is not ordered: those rows get a start value first, in both frames.
    fill = data.draw(st.floats(low - width, high + width, allow_nan=False), label="fill")
    start = np.where(np.isfinite(start), start, fill)
    step = data.draw(
        st.one_of(
            st.floats(0, 2 * width, allow_nan=False),
            st.sampled_from([0.5, 1.0, 2.0, width]),
        ),
        label="step",
    )
    before[feature] = start
    after = before.copy()
    after[feature] = start + direction * step
    return before, after, feature


def check_property(X: pd.DataFrame, model: RiskModel, data: st.DataObject) -> None:
    before, after, feature = raised(X, model, data)
    both = model.predict_proba(pd.concat([before, after], ignore_index=True))[:, 1]
    p0, p1 = both[: len(before)], both[len(before) :]
    worst = float((p1 - p0).min())
    assert worst >= -TOLERANCE, f"{feature}: probability fell by {-worst:.3g}"


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_synthetic_never_falls_the_wrong_way(synthetic, synthetic_models, family, data):
    model = synthetic_models[family]
    assert model.directions_ == directions_for(model.numeric_)
    assert not model.reads_profiles and PROFILE_FEATURE not in model.explained_features()
    check_property(synthetic.X, model, data)


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_compas_never_falls_the_wrong_way(compas, family, data):
    sample, models = compas
    model = models[family]
    assert model.directions_ == {
        "age": -1,
        "priors_count": 1,
        "juv_fel_count": 1,
        "juv_misd_count": 1,
        "juv_other_count": 1,
    }
    check_property(sample.X, model, data)


@pytest.mark.slow
def test_monotone_models_stay_exactly_explainable(synthetic, synthetic_models):
    for family in FAMILIES:
        model = synthetic_models[family]
        described = model.describe()
        assert described["directions"] == model.directions_ and not described["profiles"]
        if model.family_ in ("ensemble",):
            assert (model.estimator_.weights_ > 0).all()
        assert model.calibration_slope_ > 0
        result = explain(model, synthetic.X.iloc[:300])
        assert result.max_additivity_error < 1e-9


@pytest.mark.slow
def test_monotone_scorecard_round_trips_a_bundle(synthetic_models, synthetic, tmp_path):
    from skops.io import dumps, get_untrusted_types, loads

    from riskmodel.bundle import TRUSTED_TYPES

    model = synthetic_models["logistic"]
    blob = dumps(model)
    assert set(get_untrusted_types(data=blob)) <= TRUSTED_TYPES
    loaded = loads(blob, trusted=sorted(TRUSTED_TYPES))
    assert loaded.directions_ == model.directions_
    X = synthetic.X.iloc[:50]
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.slow
def test_no_directions_keeps_the_profiles(synthetic):
    model = fit("gbm", synthetic.X.iloc[:600], synthetic.label.iloc[:600], directions={})
    assert model.directions_ == {} and model.reads_profiles
    assert PROFILE_FEATURE in model.explained_features()


# -- declaring directions ---------------------------------------------------------------------

TABLE = {"label": "y", "numeric": ["age", "priors"], "categorical": ["sex"]}


@pytest.mark.parametrize(
    ("change", "template", "fragment"),
    [
        ({"increasing": ["sex"]}, DIRECTION_NOT_NUMERIC, "'sex'"),
        ({"decreasing": ["agee"]}, DIRECTION_NOT_NUMERIC, "'agee'"),
        ({"increasing": ["priors"], "decreasing": ["priors"]}, DIRECTION_TWICE, "'priors'"),
    ],
)
def test_direction_config_errors(change, template, fragment):
    with pytest.raises(ConfigError, match=_message(template)) as info:
        parse_config({"table": {**TABLE, **change}})
    assert fragment in str(info.value)


def test_directions_parsed_and_bad_values_refused():
    spec = parse_config({"table": {**TABLE, "increasing": ["priors"], "decreasing": "age"}}).table
    assert spec.directions == {"age": -1, "priors": 1}
    X = pd.DataFrame({"age": np.arange(40.0), "priors": np.arange(40.0) % 5})
    y = np.arange(40) % 2
    with pytest.raises(ConfigError, match=_message(BAD_DIRECTION)):
        RiskModel(family="logistic", directions={"age": 2}).fit(X, y)
    with pytest.raises(ConfigError, match=_message(DIRECTION_NOT_NUMERIC)):
        RiskModel(family="logistic", directions={"height": 1}).fit(X, y)


@pytest.mark.parametrize("path", COMPAS_CONFIGS, ids=lambda p: p.name)
def test_compas_configs_declare_directions(path):
    assert load_config(path).table.directions == {
        "age": -1,
        "priors_count": 1,
        "juv_fel_count": 1,
        "juv_misd_count": 1,
        "juv_other_count": 1,
    }


def test_a_bad_direction_stops_the_command(tmp_path, capsys):
    pd.DataFrame({"id": range(30), "y": [0, 1] * 15, "age": range(30), "sex": ["m"] * 30}).to_csv(
        tmp_path / "people.csv", index=False
    )
    (tmp_path / "config.toml").write_text(
        '[table]\nid = "id"\nlabel = "y"\nnumeric = ["age"]\ncategorical = ["sex"]\n'
        'increasing = ["sex"]\n'
    )
    code, _, err = run_main(
        [
            "crossval",
            "--table",
            tmp_path / "people.csv",
            "--config",
            tmp_path / "config.toml",
            "--out",
            tmp_path / "cv",
            "--no-mlflow",
        ],
        capsys,
    )
    assert code == 2
    assert DIRECTION_NOT_NUMERIC.format(key="increasing", column="sex") in err

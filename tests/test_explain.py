"""Exact additive explanations: additivity (property-based), agreement with predict_proba,
phrases, and the failure modes."""

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
from riskmodel.contract import read_tables, validate_tables
from riskmodel.explain import (
    ADDITIVITY_TOLERANCE,
    BATCH_REFERENCE,
    LITTLE_DIFFERENCE,
    LOWERS,
    NEGLIGIBLE,
    NOT_ADDITIVE,
    NOT_FITTED,
    RAISES,
    UNSUPPORTED_FAMILY,
    ExplanationError,
    _additive,
    describe_value,
    explain,
    top_factors,
)
from riskmodel.features import build_feature_table
from riskmodel.models import RiskModel
from riskmodel.models._profiles import PROFILE_COUNTS, PROFILE_FEATURE
from riskmodel.synthetic import generate_population, write_population

COMPAS = Path(__file__).resolve().parents[2] / "shared" / "data" / "compas"
COMPAS_FILE = COMPAS / "compas-scores-two-years.csv"
COMPAS_CONFIG = Path(__file__).resolve().parents[1] / "training" / "compas.toml"

#: The families explained exactly.
FAMILIES = ("logistic", "gbm", "ensemble")
#: Smaller boosting than the production candidate: additivity does not depend on tree count.
SMALL_GBM = {**model_module.CANDIDATES["gbm"][0], "max_iter": 40}


def fit(family: str, X: pd.DataFrame, y: pd.Series, calibration: str = "sigmoid", **kw):
    """A small model, fitted single-threaded (the test machine is shared)."""
    with pytest.MonkeyPatch.context() as mp, threadpool_limits(limits=1):
        mp.setitem(model_module.CANDIDATES, "gbm", (SMALL_GBM,))
        return RiskModel(family=family, calibration=calibration, cv=3, **kw).fit(X, y)


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    write_population(generate_population(2500, seed=11), out)
    return out


@pytest.fixture(scope="module")
def synthetic(synthetic_dir: Path):
    table = build_feature_table(validate_tables(read_tables(synthetic_dir)), labels=True)
    return table.labelled()


@pytest.fixture(scope="module")
def models(synthetic):
    # No directions: these models read the offending profile (tests/test_monotone.py explains
    # the monotone ones).
    return {
        family: fit(family, synthetic.X, synthetic.label, directions={}) for family in FAMILIES
    }


@pytest.fixture(scope="module")
def compas():
    if not COMPAS_FILE.exists():
        pytest.skip(f"COMPAS data not found at {COMPAS_FILE}")
    from riskmodel.config import load_config
    from riskmodel.flat_table import load_flat_table

    spec = load_config(COMPAS_CONFIG).table
    table = load_flat_table(COMPAS_FILE, spec)
    numeric, categorical = list(spec.numeric), list(spec.categorical)
    fitted = {
        family: fit(family, table.X, table.label, numeric=numeric, categorical=categorical)
        for family in FAMILIES
    }
    return table, fitted


def perturbed(X: pd.DataFrame, model: RiskModel, data: st.DataObject) -> pd.DataFrame:
    """Rows drawn from X, some values replaced by any value in the observed range, missing
    values or unseen levels. (Far outside the range a linear term can saturate p to exactly
    1.0 in float64, where no finite decomposition equals logit(p).)"""
    rows = data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=40), label="rows")
    frame = X.iloc[rows].reset_index(drop=True).copy()
    n_changes = data.draw(st.integers(0, 6), label="changes")
    for _ in range(n_changes):
        row = data.draw(st.integers(0, len(frame) - 1))
        column = data.draw(st.sampled_from(list(model.feature_names_in_)))
        if column in model.numeric_:
            present = X[column].dropna()
            low, high = (float(present.min()), float(present.max())) if len(present) else (0, 0)
            value = data.draw(
                st.one_of(
                    st.just(np.nan),
                    st.floats(low, high, allow_nan=False),
                    st.sampled_from(X[column].dropna().unique().tolist() or [0.0]),
                )
            )
            frame.loc[row, column] = value
        else:
            levels = X[column].dropna().unique().tolist()
            frame.loc[row, column] = data.draw(
                st.one_of(st.sampled_from(levels), st.just("never_seen_level"), st.none())
            )
    return frame


def check_additive(model: RiskModel, frame: pd.DataFrame) -> float:
    explanation = explain(model, frame)
    p = model.predict_proba(frame)[:, 1]
    # The explained probability is the model's probability (same code path) to 1e-12.
    np.testing.assert_allclose(explanation.probability, p, rtol=0, atol=1e-12)
    total = explanation.base_value + explanation.contributions.to_numpy().sum(axis=1)
    error = np.abs(total - logit(p))
    # A float64 p carries its log-odds only to eps / (p (1 - p)) (matters within 1e-10 of 0
    # or 1, reached here by out-of-range perturbations).
    assert (error <= ADDITIVITY_TOLERANCE + 4 * np.finfo(float).eps / (p * (1 - p))).all()
    calibrated = model.calibration_slope_ * model.raw_decision_function(frame)
    calibrated += model.calibration_intercept_
    assert np.abs(total - calibrated).max() <= ADDITIVITY_TOLERANCE
    assert list(explanation.contributions.columns) == model.explained_features()
    # One reason per concept, exactly as additive: base + the concepts = the sum by feature
    # (hence logit(p), the probability `riskmodel score` writes) within 1e-9.
    by_concept = explanation.base_value + explanation.concept_contributions.sum(axis=1)
    np.testing.assert_allclose(by_concept.to_numpy(), total, rtol=0, atol=1e-9)
    assert (np.abs(by_concept.to_numpy() - logit(p)) <= 1e-9 + error).all()
    return float(error.max())


PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("family", FAMILIES)
@PROPERTY
@given(data=st.data())
def test_additive_on_synthetic_people(models, synthetic, family, data):
    model = models[family]
    check_additive(model, perturbed(synthetic.X, model, data))


@pytest.mark.parametrize("family", FAMILIES)
@PROPERTY
@given(data=st.data())
def test_additive_on_compas(compas, family, data):
    table, fitted = compas
    check_additive(fitted[family], perturbed(table.X, fitted[family], data))


@pytest.mark.parametrize("family", FAMILIES)
def test_whole_caseload_additive(models, synthetic, family):
    assert check_additive(models[family], synthetic.X) < 1e-9


def test_ensemble_contributions_are_its_members_averaged(models, synthetic):
    # Independent of the explain code path: the logistic member by hand (weight x centred
    # design), the gbm member with shap's TreeExplainer directly, averaged with the
    # ensemble's weights, times the calibration slope.
    from riskmodel.explain._additive import _shap

    model = models["ensemble"]
    X = synthetic.X.iloc[:100]
    frame = model.prepare(X)
    explanation = explain(model, X)
    (w_lr, lr_family, lr), (w_gbm, gbm_family, gbm) = model.members()
    assert (lr_family, gbm_family, w_lr, w_gbm) == ("logistic", "gbm", 0.5, 0.5)
    centred = lr[-1].coef_[0] * (lr[:-1].transform(frame) - model.design_mean_)
    trees = _shap().TreeExplainer(gbm[-1], model_output="raw")
    tree_values = trees.shap_values(gbm[:-1].transform(frame), check_additivity=False)
    lr_names = [str(n) for n in lr[:-1].get_feature_names_out()]
    gbm_names = [str(n) for n in gbm[:-1].get_feature_names_out()]
    assert PROFILE_FEATURE in model.explained_features()
    for feature in model.explained_features():
        columns = [i for i, n in enumerate(lr_names) if n.startswith(f"{feature}__")]
        leaves = [i for i, n in enumerate(gbm_names) if n.startswith(f"{feature}__")]
        expected = model.calibration_slope_ * (
            w_lr * centred[:, columns].sum(axis=1) + w_gbm * tree_values[:, leaves].sum(axis=1)
        )
        np.testing.assert_allclose(explanation.contributions[feature], expected, atol=1e-9)
    assert "weighted average" in explanation.method


def test_linear_contributions_are_weights_times_centred_design(models, synthetic):
    # Independent of shap: w_j * (z_j - mean_j), summed per feature, times the slope, with
    # the mean of the training design as the reference.
    model = models["logistic"]
    X = synthetic.X.iloc[:300]
    explanation = explain(model, X)
    transformer = model.estimator_[:-1]
    Z = transformer.transform(X[list(model.feature_names_in_)])
    training_design = transformer.transform(model.prepare(synthetic.X))
    np.testing.assert_allclose(model.design_mean_, training_design.mean(axis=0), atol=1e-12)
    centred = model.estimator_[-1].coef_[0] * (Z - model.design_mean_)
    names = model.transformed_feature_names()
    for feature in ["age_at_index", "index_offence", "need_drugs", PROFILE_FEATURE]:
        columns = [i for i, n in enumerate(names) if n.startswith(f"{feature}__")]
        expected = model.calibration_slope_ * centred[:, columns].sum(axis=1)
        np.testing.assert_allclose(explanation.contributions[feature], expected, atol=1e-10)
    assert explanation.reference == "training data"


def test_explaining_one_person_or_many_gives_the_same_contributions(models, synthetic):
    # The reference is the training data, not the batch: a person's reasons do not depend on
    # who else is explained with them.
    model = models["logistic"]
    X = synthetic.X.iloc[:50]
    together = explain(model, X).contributions.iloc[[7]].reset_index(drop=True)
    alone = explain(model, X.iloc[[7]]).contributions.reset_index(drop=True)
    pd.testing.assert_frame_equal(together, alone, atol=1e-12)


def test_tree_base_value_is_mean_training_log_odds(models, synthetic):
    # Tree SHAP's base is the trees' cover-weighted mean raw output over training rows.
    model = models["gbm"]
    raw = model.raw_decision_function(synthetic.X)
    base = (explain(model, synthetic.X.iloc[:5]).base_value - model.calibration_intercept_) / (
        model.calibration_slope_
    )
    assert abs(base - raw.mean()) < 0.05


def test_percentage_points_add_up_to_change_from_base(models, synthetic):
    explanation = explain(models["gbm"], synthetic.X.iloc[:200])
    points = explanation.percentage_points
    base_p = 1 / (1 + np.exp(-explanation.base_value))
    np.testing.assert_allclose(
        points.sum(axis=1), 100 * (explanation.probability - base_p), atol=1e-9
    )
    signs = np.sign(points.to_numpy()) == np.sign(explanation.contributions.to_numpy())
    assert signs.all()


def test_isotonic_is_flagged_approximate(synthetic):
    model = fit("logistic", synthetic.X, synthetic.label, calibration="isotonic")
    X = synthetic.X.iloc[:100]
    explanation = explain(model, X)
    assert not explanation.exact
    assert explanation.method_summary()["approximate"] is True
    assert "APPROXIMATE" in explanation.method
    p = np.clip(model.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
    total = (
        explanation.base_value
        + explanation.contributions.sum(axis=1).to_numpy()
        + explanation.calibration_adjustment
    )
    np.testing.assert_allclose(total, logit(p), atol=1e-9)
    person = explanation.to_dict()["people"][0]
    assert "calibration_adjustment" in person


def test_refuses_an_explanation_that_does_not_add_up(models, synthetic, monkeypatch):
    original = _additive._tree

    def off_by_a_little(classifier, Z):
        values, base = original(classifier, Z)
        return values + 1e-4, base

    monkeypatch.setattr(_additive, "_tree", off_by_a_little)
    expected = ".*".join(re.escape(part) for part in re.split(r"\{[^{}]*\}", NOT_ADDITIVE))
    with pytest.raises(ExplanationError, match=expected):
        explain(models["gbm"], synthetic.X.iloc[:10])


def test_refuses_unfitted_and_unknown_models(models, synthetic):
    with pytest.raises(ExplanationError, match=re.escape(NOT_FITTED)):
        explain(RiskModel(), synthetic.X)
    model = models["logistic"]
    saved = model.family_
    try:
        model.family_ = "neural_network"
        with pytest.raises(ExplanationError) as info:
            explain(model, synthetic.X.iloc[:5])
        assert str(info.value) == UNSUPPORTED_FAMILY.format(
            family="neural_network", families=", ".join(FAMILIES)
        )
    finally:
        model.family_ = saved


def test_ethnicity_never_explained(models, synthetic):
    X = synthetic.X.iloc[:20].assign(ethnicity="any")
    explanation = explain(models["logistic"], X)
    assert "ethnicity" not in explanation.contributions.columns


def test_json_structure_and_identity(models, synthetic):
    explanation = explain(models["logistic"], synthetic.X.iloc[:50], ids=synthetic.ids[:50])
    payload = explanation.to_dict()
    assert set(payload) >= {"people", "global"}
    person = payload["people"][3]
    assert set(person) >= {"person_id", "probability_2y", "base_value", "contributions"}
    assert person["person_id"] == synthetic.ids.iloc[3]
    total = person["base_value"] + sum(person["contributions"].values())
    assert abs(total - logit(person["probability_2y"])) < ADDITIVITY_TOLERANCE
    ranking = list(payload["global"]["mean_abs_contribution"].values())
    assert ranking == sorted(ranking, reverse=True)
    direct = explanation.contributions.abs().mean()
    feature = next(iter(payload["global"]["mean_abs_contribution"]))
    assert payload["global"]["mean_abs_contribution"][feature] == pytest.approx(direct.max())


def test_phrases_from_the_catalogue():
    assert describe_value("sanction_occasions", 14.0) == (
        "14 sanction occasions including the current one"
    )
    assert describe_value("need_accommodation", 0.0) == (
        "no accommodation need recorded (score 0)"
    )
    assert describe_value("need_drugs", np.nan) == "drugs need not assessed"
    assert describe_value("months_since_previous_sanction", np.nan) == "no previous sanction"
    assert describe_value("priors_count", 3.0) == "priors count: 3"
    assert describe_value("c_charge_desc", "Battery") == "c charge desc: Battery"
    # never an internal quantity or a bare code
    assert describe_value("copas_rate", np.log(0.7)).startswith("sanctioned about 0.70 times")
    assert describe_value("years_at_risk", 7.8).startswith("about 8 years out of custody")
    assert describe_value("pathway_accommodation", 1.0) == (
        "a need (score 1 or 2) in the accommodation area of resettlement"
    )
    assert describe_value("pathway_drugs_alcohol", np.nan) == "drugs and alcohol: not assessed"


def test_top_factors_are_the_largest_concepts_each_way(models, synthetic):
    explanation = explain(models["gbm"], synthetic.X.iloc[:30])
    raising, lowering = top_factors(explanation, 7, k=3)
    row = explanation.concept_contributions.iloc[7]
    assert [f.feature for f in raising] == row[row > 0].nlargest(3).index.tolist()
    assert [f.feature for f in lowering] == row[row < 0].nsmallest(3).index.tolist()
    for factor in raising + lowering:
        assert factor.contribution == pytest.approx(row[factor.feature], abs=1e-12)
        expected = (
            LITTLE_DIFFERENCE
            if abs(factor.contribution) < NEGLIGIBLE
            else RAISES
            if factor.contribution > 0
            else LOWERS
        )
        assert factor.reason.endswith(f" — {expected}")
        first, sep, rest = factor.value.partition("; ")
        where = f" ({factor.position})" if factor.position else ""
        assert factor.reason == f"{factor.label}: {first}{where}{sep}{rest} — {expected}"


def test_json_keeps_features_and_adds_concepts(models, synthetic):
    explanation = explain(models["ensemble"], synthetic.X.iloc[:20], ids=synthetic.ids[:20])
    payload = explanation.to_dict()
    person = payload["people"][0]
    assert set(person["contributions"]) == set(explanation.features)
    assert list(person["concepts"]) == explanation.concepts.names
    assert sum(person["concepts"].values()) == pytest.approx(
        sum(person["contributions"].values()), abs=1e-12
    )
    definitions = payload["global"]["concepts"]
    assert definitions["need_area_drugs"]["shared_features"] == ["pathway_drugs_alcohol"]
    assert "sanction_occasions" in definitions["criminal_history"]["features"]
    assert payload["method"]["positions_reference"] == BATCH_REFERENCE


def test_offending_profile_is_one_reason_in_words(models, synthetic):
    # The offence counts by group reach the model only through the profile, so the profile is
    # explained as one feature, with the person's most probable profile as its value.
    model = models["ensemble"]
    X = synthetic.X.iloc[:40]
    explanation = explain(model, X)
    assert PROFILE_FEATURE in explanation.features
    assert not set(PROFILE_COUNTS) & set(explanation.features)
    values = explanation.X[PROFILE_FEATURE]
    assert values.str.fullmatch(r"profile \d of 8 \([^;]+; \d{1,3}%\)").all()
    row = int(np.argmax(np.abs(explanation.contributions[PROFILE_FEATURE].to_numpy())))
    raising, lowering = top_factors(explanation, row, k=len(explanation.features))
    reason = next(f for f in raising + lowering if f.feature == "offending_profile")
    assert reason.label == "Kinds of offence on record"
    assert PROFILE_FEATURE in reason.features
    match = re.fullmatch(
        r"profile \d of 8 \((?P<names>[^;]+); (?P<share>\d+)%\)", values.iloc[row]
    )
    assert reason.value.endswith(
        f"a record most like those of people with mainly {match['names']} offences "
        f"({match['share']}% match)"
    )


def test_an_explanation_is_of_the_score_predict_proba_gives():
    """The contributions come from the model's members; the score they must add up to is the
    calibrated classifier's, as ``predict_proba`` (and ``riskmodel score``) computes it. A
    model whose two disagree (an altered bundle) is refused, never explained."""
    import copy

    rng = np.random.default_rng(3)
    X = pd.DataFrame({"age": rng.integers(18, 70, 300).astype(float)})
    y = (rng.random(300) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    model = RiskModel(family="logistic", cv=3).fit(X, y)
    explanation = explain(model, X)
    np.testing.assert_array_equal(explanation.probability, model.predict_proba(X)[:, 1])
    altered = copy.deepcopy(model)
    altered.estimator_ = copy.deepcopy(altered.estimator_)
    altered.estimator_[-1].coef_ = altered.estimator_[-1].coef_ * 1.5
    stage = NOT_ADDITIVE.format(
        stage="uncalibrated", target="raw log-odds", error=0, tolerance=0, count=0, n=0
    ).split(" by up to")[0]
    with pytest.raises(ExplanationError, match=re.escape(stage)):
        explain(altered, X)

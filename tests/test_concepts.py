"""Explanations by concept: the concept catalogue, config groups and labels, exact sums, the
reference population, reasons generated from their facts, and the need-contradiction count."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._errors import ConfigError
from riskmodel.bundle import recorded_config
from riskmodel.config import (
    FEATURE_IN_TWO_GROUPS,
    UNKNOWN_GROUP_FEATURE,
    UNKNOWN_LABEL_COLUMN,
    UNKNOWN_SECTION,
    parse_config,
)
from riskmodel.contract._vocabulary import NEED_AREAS, PATHWAYS
from riskmodel.explain import (
    BATCH_REFERENCE,
    LITTLE_DIFFERENCE,
    LOWERS,
    NEGLIGIBLE,
    RAISES,
    TRAINING_REFERENCE,
    ConceptMap,
    Explanation,
    Factor,
    Position,
    ReferencePopulation,
    explain,
    need_contradictions,
    position_words,
    top_factors,
)
from riskmodel.features import CATALOGUE, CONCEPTS, SHARED_FEATURES, SHARED_RULE
from riskmodel.models import RiskModel
from tests.explanations import exact_logistic_explanation

SETTINGS = settings(max_examples=40, deadline=None)


def _table(**groups_and_labels) -> dict:
    return {
        "table": {"label": "y", "numeric": ["priors_count", "juv_fel_count", "fin", "age"]},
        **groups_and_labels,
    }


# -- the concept catalogue --------------------------------------------------------------------


def test_every_catalogue_feature_belongs_to_exactly_one_concept():
    owners: dict[str, list[str]] = {}
    for concept in CONCEPTS:
        assert concept.features, concept.name
        assert concept.label and "_" not in concept.label
        for feature in concept.features:
            owners.setdefault(feature, []).append(concept.name)
    for feature, areas in SHARED_FEATURES.items():
        owners.setdefault(feature, []).append(f"shared by {areas}")
    assert sorted(owners) == sorted(CATALOGUE)
    assert {f: o for f, o in owners.items() if len(o) != 1} == {}
    assert len(CONCEPTS) == 18  # age, sex, 4 of the record, 10 need areas, needs, profile


def test_shared_pathways_go_to_their_own_need_areas():
    # A pathway of one area is wholly that area's; one of two areas is shared between them.
    for pathway, areas in PATHWAYS.items():
        feature = f"pathway_{pathway}"
        if len(areas) == 1:
            assert (
                feature in next(c for c in CONCEPTS if c.name == f"need_area_{areas[0]}").features
            )
        else:
            assert SHARED_FEATURES[feature] == areas
    assert "shared equally between the areas that set its value" in SHARED_RULE
    for area in NEED_AREAS:
        concept = next(c for c in CONCEPTS if c.name == f"need_area_{area}")
        assert {f"need_{area}", f"mean_need_{area}"} <= set(concept.features)


@pytest.mark.parametrize(
    ("flag", "drugs", "alcohol", "expected"),
    [
        (1.0, 2.0, 0.0, (1.0, 0.0)),  # only drugs sets the flag
        (1.0, 1.0, 2.0, (0.5, 0.5)),  # both do
        (0.0, 0.0, np.nan, (1.0, 0.0)),  # only drugs was assessed
        (0.0, 0.0, 0.0, (0.5, 0.5)),
        (np.nan, np.nan, np.nan, (0.5, 0.5)),  # neither assessed
    ],
)
def test_shared_rule_follows_the_areas_that_set_the_flag(flag, drugs, alcohol, expected):
    features = ["need_drugs", "need_alcohol", "pathway_drugs_alcohol"]
    concepts = ConceptMap.for_features(features)
    X = pd.DataFrame({"need_drugs": [drugs], "need_alcohol": [alcohol],
                      "pathway_drugs_alcohol": [flag]})  # fmt: skip
    shares = concepts.shares("pathway_drugs_alcohol", X)
    assert tuple(shares.iloc[0]) == expected


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, 1.0, 2.0, np.nan]),
            st.sampled_from([0.0, 1.0, 2.0, np.nan]),
            st.floats(-3, 3),
            st.floats(-3, 3),
            st.floats(-3, 3),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_sum_by_concept_is_the_sum_by_feature(rows):
    drugs, alcohol, c1, c2, c3 = (np.array(v, dtype=float) for v in zip(*rows, strict=True))
    flag = np.where(np.isnan(drugs) & np.isnan(alcohol), np.nan,
                    ((drugs >= 1) | (alcohol >= 1)).astype(float))  # fmt: skip
    X = pd.DataFrame({"need_drugs": drugs, "need_alcohol": alcohol,
                      "pathway_drugs_alcohol": flag})  # fmt: skip
    values = pd.DataFrame({"need_drugs": c1, "need_alcohol": c2, "pathway_drugs_alcohol": c3})
    concepts = ConceptMap.for_features(list(X.columns))
    summed = concepts.aggregate(values, X)
    assert list(summed.columns) == ["need_area_drugs", "need_area_alcohol"]
    np.testing.assert_allclose(summed.sum(axis=1), values.sum(axis=1), rtol=0, atol=1e-12)


# -- flat tables: [explain.groups] and [labels] -------------------------------------------------


def test_config_groups_and_labels_round_trip_through_the_manifest():
    config = parse_config(
        _table(
            explain={"groups": {"criminal_history": ["priors_count", "juv_fel_count"]}},
            labels={"fin": {"0": "no financial aid", "1": "financial aid"}},
        )
    )
    assert config.explain_groups == {"criminal_history": ("priors_count", "juv_fel_count")}
    assert config.labels == {"fin": {"0": "no financial aid", "1": "financial aid"}}
    again = recorded_config({"config": config.to_dict()})
    assert again.explain_groups == config.explain_groups and again.labels == config.labels
    concepts = ConceptMap.for_features(config.table.features, config.explain_groups)
    assert concepts.names == ["criminal_history", "fin", "age"]
    assert concepts.get("criminal_history").label == "Criminal history"


def test_config_refuses_a_group_of_no_feature_or_a_feature_twice():
    features = "priors_count, juv_fel_count, fin, age"
    with pytest.raises(ConfigError) as info:
        parse_config(_table(explain={"groups": {"record": ["priors_count", "priorz"]}}))
    assert str(info.value) == UNKNOWN_GROUP_FEATURE.format(
        group="record", feature="priorz", features=features
    )
    twice = {"groups": {"a": ["priors_count"], "b": ["age", "priors_count"]}}
    with pytest.raises(ConfigError) as info:
        parse_config(_table(explain=twice))
    assert str(info.value) == FEATURE_IN_TWO_GROUPS.format(
        feature="priors_count", first="a", second="b"
    )
    with pytest.raises(ConfigError) as info:
        parse_config(_table(labels={"race": {"1": "x"}}))
    assert str(info.value) == UNKNOWN_LABEL_COLUMN.format(
        column="race", columns="priors_count, juv_fel_count, fin, age"
    )
    with pytest.raises(ConfigError, match=re.escape(UNKNOWN_SECTION.format(section="explian"))):
        parse_config({**_table(), "explian": {}})
    # the same rule when an explanation is asked for directly
    with pytest.raises(ConfigError, match=re.escape("'priorz'")):
        ConceptMap.for_features(["age"], {"record": ["priorz"]})


def test_cli_refuses_a_bad_group_with_exit_code_2(tmp_path, capsys):
    from tests.commands import run_main

    table = tmp_path / "t.csv"
    table.write_text("id,y,priors_count,juv_fel_count,fin,age\n1,0,1,0,1,30\n")
    config = tmp_path / "c.toml"
    config.write_text(
        '[table]\nid = "id"\nlabel = "y"\nnumeric = ["priors_count", "age"]\n'
        '[explain.groups]\nrecord = ["priors_count", "juv_felony"]\n'
    )
    code, _, err = run_main(
        ["train", "--table", table, "--config", config, "--out", tmp_path / "m"], capsys
    )
    assert code == 2
    expected = UNKNOWN_GROUP_FEATURE.format(
        group="record", feature="juv_felony", features="priors_count, age"
    )
    assert expected in " ".join(err.split())


@pytest.fixture(scope="module")
def flat():
    """A small flat table and a logistic model increasing in priors (a few hundred rows)."""
    rng = np.random.default_rng(3)
    n = 300
    X = pd.DataFrame(
        {
            "priors_count": rng.poisson(2.0, n).astype(float),
            "juv_fel_count": rng.poisson(0.3, n).astype(float),
            "fin": rng.integers(0, 2, n).astype(float),
            "age": rng.integers(18, 70, n).astype(float),
        }
    )
    logit = -0.5 + 0.45 * X["priors_count"] - 0.04 * (X["age"] - 35) - 0.3 * X["fin"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    model = RiskModel(family="logistic", cv=3).fit(X, y)
    return X, model


def test_flat_reasons_are_generated_from_their_facts(flat):
    X, model = flat
    population = ReferencePopulation.from_frame(X.iloc[:200], source=TRAINING_REFERENCE)
    explanation = explain(
        model,
        X.iloc[200:],
        groups={"criminal_history": ["priors_count", "juv_fel_count"]},
        labels={"fin": {"0": "no financial aid", "1": "financial aid"}},
        population=population,
    )
    assert explanation.concepts.names == ["criminal_history", "fin", "age"]
    total = explanation.base_value + explanation.concept_contributions.sum(axis=1).to_numpy()
    assert np.abs(total - explanation.log_odds).max() < 1e-9
    assert explanation.reference_population.source == TRAINING_REFERENCE
    for row in range(0, 100, 9):
        person = explanation.X.iloc[row]
        raising, lowering = top_factors(explanation, row, k=3)
        for factor in raising + lowering:
            contribution = explanation.concept_contributions.iloc[row][factor.feature]
            assert factor.contribution == pytest.approx(contribution, abs=1e-12)
            direction = (
                LITTLE_DIFFERENCE
                if abs(contribution) < NEGLIGIBLE
                else RAISES
                if contribution > 0
                else LOWERS
            )
            if factor.feature == "criminal_history":
                value = (
                    f"priors count: {person['priors_count']:.0f}; "
                    f"juv fel count: {person['juv_fel_count']:.0f}"
                )
                on = "priors_count"
            elif factor.feature == "fin":
                value = "financial aid" if person["fin"] == 1 else "no financial aid"
                on = "fin"
            else:
                value, on = f"{person['age']:.0f}", "age"
            # fin is a code named in words: placed as a category
            where = position_words(population.position(on, person[on]), categorical=on == "fin")
            assert factor.value == value
            assert factor.position == where
            # the position follows the value it is read on (the first part of the value)
            first, sep, rest = value.partition("; ")
            assert factor.reason == f"{factor.label}: {first} ({where}){sep}{rest} — {direction}"
            assert "_" not in factor.reason


def test_batch_is_the_reference_without_a_stored_one(flat):
    X, model = flat
    explanation = explain(model, X.iloc[:50])
    assert explanation.reference_population.source == BATCH_REFERENCE
    assert explanation.to_dict()["method"]["positions_reference"] == BATCH_REFERENCE


# -- where a person stands ------------------------------------------------------------------


def test_reference_population_exact_and_from_quantiles():
    values = pd.Series(np.arange(5000, dtype=float))  # more distinct values than kept exactly
    X = pd.DataFrame({"counts": [0.0, 1, 1, 2, np.nan], "many": values.iloc[:5]})
    ref = ReferencePopulation.from_frame(X)
    assert ref.position("counts", 1.0) == Position(1, 2, 1, 4)
    assert ref.position("counts", np.nan) is None
    stored = ReferencePopulation.from_frame(pd.DataFrame({"many": values})).to_dict()
    again = ReferencePopulation.from_dict(stored)
    assert again.source == TRAINING_REFERENCE
    position = again.position("many", 4000.0)
    assert position.approximate and abs(position.lower - 4000) <= 6
    assert ReferencePopulation.from_dict({"features": []}) is None


@SETTINGS
@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_position_words_state_the_facts(lower, same, higher):
    n = lower + same + higher
    if n == 0:
        assert position_words(Position(0, 0, 0, 0)) == ""
        return
    text = position_words(Position(lower, same, higher, n), ("more", "fewer"))
    numbers = [int(v) for v in re.findall(r"\d+", text.replace(",", ""))]
    if same == n:
        assert text == f"the same as all {n:,} people"
    elif lower == n:
        assert text == f"more than all {n:,} people"
    elif higher == n:
        assert text == f"fewer than all {n:,} people"
    elif 2 * lower >= n:
        assert text == f"more than {math.floor(100 * lower / n + 1e-9)} in 100 people"
    elif 2 * higher >= n:
        assert text == f"fewer than {math.floor(100 * higher / n + 1e-9)} in 100 people"
    else:
        for number in numbers:
            assert number == 100 or number <= 100 * max(lower, same, higher) / n
    assert "100 in 100" not in text


@SETTINGS
@given(st.floats(-5, 5, allow_nan=False))
def test_direction_word_follows_the_sign(contribution):
    factor = Factor("age", "Age", "aged 30", contribution, 0.0)
    if abs(contribution) < NEGLIGIBLE:
        assert factor.direction == LITTLE_DIFFERENCE
    elif contribution > 0:
        assert factor.direction == RAISES
    else:
        assert factor.direction == LOWERS
    assert factor.reason == f"Age: aged 30 — {factor.direction}"


# -- significant needs told they lower the risk ------------------------------------------------


def _linear_explanation(weight: float) -> Explanation:
    """An exact explanation of a monotone logistic score in the drugs need: contribution
    ``weight * (need - mean need)`` of the latest and of the mean score."""
    X = pd.DataFrame(
        {
            "need_drugs": [2.0, 2.0, 1.0, 0.0, np.nan, 2.0],
            "mean_need_drugs": [2.0, 1.5, 1.0, 0.0, np.nan, 2.0],
        }
    )
    filled = X.fillna(X.mean())
    contributions = weight * (filled - filled.mean())
    return exact_logistic_explanation(X, contributions, -0.5)


def test_need_contradictions_on_a_monotone_logistic_score():
    increasing = need_contradictions(_linear_explanation(0.4))
    assert increasing["significant_needs"] == 3 and increasing["people"] == 3
    assert increasing["negative"] == 0 and increasing["share"] == 0
    assert increasing["by_area"]["drugs"] == {"n": 3, "negative": 0}
    decreasing = need_contradictions(_linear_explanation(-0.4))
    assert decreasing["negative"] == 3 and decreasing["people_negative"] == 3
    # below the threshold of "makes little difference" nothing reads "lowers the risk"
    assert need_contradictions(_linear_explanation(-0.01), threshold=NEGLIGIBLE)["negative"] == 0


@pytest.mark.slow
def test_training_stores_the_reference_and_explain_uses_it(flat, tmp_path):
    import json

    from riskmodel.bundle import save_bundle
    from riskmodel.cli import main
    from riskmodel.training._train import _drift_reference

    X, model = flat
    reference = _drift_reference(model, X)
    stored = ReferencePopulation.from_dict(reference["positions"])
    assert stored.n == len(X) and stored.known(X.columns)
    assert stored.position("priors_count", 0.0).same == int((X["priors_count"] == 0).sum())

    config = tmp_path / "c.toml"
    config.write_text(
        '[table]\nid = "id"\nlabel = "y"\n'
        'numeric = ["priors_count", "juv_fel_count", "fin", "age"]\n'
        '[explain.groups]\ncriminal_history = ["priors_count", "juv_fel_count"]\n'
        '[labels]\nfin = {0 = "no financial aid", 1 = "financial aid"}\n'
    )
    table = tmp_path / "t.csv"
    X.iloc[:40].assign(id=[f"p{i}" for i in range(40)], y=0).to_csv(table, index=False)
    bundle = tmp_path / "bundle"
    save_bundle(bundle, model, manifest={"outcome": "test", "drift_reference": reference},
                family=model.family_)  # fmt: skip
    out = tmp_path / "out"
    code = main(["explain", "--model", str(bundle), "--table", str(table), "--config",
                 str(config), "--ids", "p1,p2", "--out", str(out)])  # fmt: skip
    assert code == 0
    payload = json.loads((out / "explanations.json").read_text())
    assert payload["method"]["positions_reference"] == TRAINING_REFERENCE
    assert list(payload["people"][0]["concepts"]) == ["criminal_history", "fin", "age"]
    assert payload["global"]["concepts"]["criminal_history"]["features"] == [
        "priors_count",
        "juv_fel_count",
    ]
    html = (out / "report.html").read_text()
    assert "financial aid" in html


# -- a significant need never lowers the risk through its area (the scorecard, exactly) ------

_NEED_TEST_AREAS = ("drugs", "alcohol", "accommodation")


def _need_frame(latest: np.ndarray, mean: np.ndarray, age: np.ndarray) -> pd.DataFrame:
    """Event features of need areas drugs, alcohol and accommodation (latest and mean scores,
    their pathway flags as the feature table sets them) and age."""
    frame = {"age_at_index": age}
    for j, area in enumerate(_NEED_TEST_AREAS):
        frame[f"need_{area}"] = latest[:, j]
        frame[f"mean_need_{area}"] = mean[:, j]
    for pathway, areas in PATHWAYS.items():
        cols = [_NEED_TEST_AREAS.index(a) for a in areas if a in _NEED_TEST_AREAS]
        if len(cols) != len(areas):
            continue
        scores = latest[:, cols]
        flag = (scores >= 1).any(axis=1).astype(float)
        flag[np.isnan(scores).all(axis=1)] = np.nan
        frame[f"pathway_{pathway}"] = flag
    frame["needs_missing"] = np.isnan(latest).all(axis=1).astype(float)
    return pd.DataFrame(frame)


@pytest.fixture(scope="module")
def need_scorecard():
    """A monotone scorecard on 400 people whose risk follows the *mean* need and missingness
    far more than the latest score: unconstrained, its mean-need weights and missing flags
    would tell people with a latest score of 2 that the area lowers their risk."""
    rng = np.random.default_rng(21)
    n = 400
    assessed = rng.random(n) < 0.7
    mean = np.round(rng.uniform(0, 2, (n, 3)) * 3) / 3
    latest = np.clip(np.round(mean + rng.normal(0, 0.9, (n, 3))), 0, 2)
    latest[~assessed], mean[~assessed] = np.nan, np.nan
    age = rng.integers(18, 70, n).astype(float)
    X = _need_frame(latest, mean, age)
    logit = (
        1.6 * np.nan_to_num(mean, nan=1.4).sum(axis=1)
        + 0.05 * np.nan_to_num(latest, nan=0.0).sum(axis=1)
        - 0.03 * (age - 35)
        - 3.0
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, RiskModel(family="logistic", cv=3, inner_cv=2).fit(X, y)


@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_a_need_scored_two_never_lowers_the_risk_through_its_area(need_scorecard, data):
    _, model = need_scorecard
    n = data.draw(st.integers(1, 12), label="people")
    score = st.one_of(st.sampled_from([0.0, 1.0, 2.0]), st.just(np.nan))
    latest = np.asarray(
        data.draw(st.lists(st.tuples(score, score, score), min_size=n, max_size=n)), float
    )
    mean = np.asarray(
        data.draw(
            st.lists(st.tuples(*[st.floats(0, 2, allow_nan=False)] * 3), min_size=n, max_size=n)
        ),
        float,
    )
    mean[np.isnan(latest)] = np.nan  # a mean score needs an assessment
    two = data.draw(st.integers(0, 2), label="area scored 2")
    latest[:, two] = 2.0
    mean[:, two] = np.maximum(mean[:, two], 2.0 / data.draw(st.integers(1, 12)))
    age = np.asarray(data.draw(st.lists(st.floats(18, 90), min_size=n, max_size=n)))
    people = _need_frame(latest, mean, age)
    explanation = explain(model, people)
    concepts = explanation.concept_contributions
    for j, area in enumerate(_NEED_TEST_AREAS):
        scored_two = latest[:, j] == 2
        assert (concepts[f"need_area_{area}"].to_numpy()[scored_two] >= 0).all(), area
    assert need_contradictions(explanation)["negative"] == 0
    gap = explanation.base_value + concepts.sum(axis=1).to_numpy() - explanation.log_odds
    assert np.abs(gap).max() < 1e-9


def test_without_the_floors_the_need_scorecard_would_contradict(need_scorecard):
    """The control: the same scorecard without its floors tells someone with a significant
    drugs need and the lowest mean score that the area lowers their risk."""
    import riskmodel.models._model as model_module

    X, model = need_scorecard
    worst = _need_frame(np.full((1, 3), 2.0), np.full((1, 3), 0.0), np.asarray([30.0]))
    assert need_contradictions(explain(model, worst))["negative"] == 0
    y = (model.predict_proba(X)[:, 1] > 0.5).astype(int)  # any labels the data support
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(model_module, "NEED_FLOORS", ())
        free = RiskModel(family="logistic", cv=3, inner_cv=2).fit(X, y)
    assert need_contradictions(explain(free, worst))["negative"] >= 1


def test_a_labelled_numeric_code_is_placed_as_a_category():
    """A 0/1 column named in words by [labels] reads "as are N in 100 people", never "higher
    than" (a code has no order)."""
    import numpy as np
    import pandas as pd

    from riskmodel.explain import explain, top_factors
    from riskmodel.models import RiskModel

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"fin": rng.integers(0, 2, 400).astype(float), "age": rng.normal(30, 8, 400)})
    y = (rng.random(400) < 1 / (1 + np.exp((X["age"] - 30) / 8 + X["fin"]))).astype(int)
    model = RiskModel(family="logistic", cv=2, directions={}).fit(X, y)
    labels = {"fin": {"0": "no financial aid", "1": "financial aid"}}
    explanation = explain(model, X, labels=labels)
    raising, lowering = top_factors(explanation, 0, 5, min_abs=0.0)
    fin = next(f for f in raising + lowering if f.feature == "fin")
    assert "financial aid" in fin.value
    assert fin.position.startswith("as are"), fin.position


def test_time_in_custody_never_says_an_unknown_count_as_zero():
    """Years in custody known, the number of custodial sentences not: the reason states the
    years only."""
    from riskmodel.explain._phrases import _custody

    text, on = _custody({"previous_custodial_sentences": float("nan"), "years_in_custody": 1.5})
    assert text == "about 1.5 years served in custody before"
    assert on == "years_in_custody"
    text, _ = _custody({"previous_custodial_sentences": 2.0, "years_in_custody": 1.5})
    assert text == "about 1.5 years served in custody; 2 custodial sentences before"


def test_kinds_of_offence_say_the_kinds_with_none():
    """The offence-mix reason names the kinds on record and says there are none of the others,
    so a lowering factor never reads as if the listed offences lowered the risk."""
    from riskmodel.contract._vocabulary import OFFENCE_GROUPS
    from riskmodel.explain._phrases import _profile

    person = {f"offence_count_{g}": 0.0 for g in OFFENCE_GROUPS}
    person["offence_count_sexual_child"] = 2.0
    text, _ = _profile(person)
    assert text == "2 sexual (child victim) offences, and none of any other kind"
    person.update({f"offence_count_{g}": 1.0 for g in OFFENCE_GROUPS})
    text, _ = _profile(person)
    assert "none of any other kind" not in text
    assert text.endswith(f"offences of {len(OFFENCE_GROUPS) - 3} other kinds")

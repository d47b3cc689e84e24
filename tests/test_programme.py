"""Programme evaluation with a matched comparison group (riskmodel.programme)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel import ConfigError, DataError
from riskmodel._horizon import BAD_MONTHS
from riskmodel.features import build_labels
from riskmodel.programme import (
    MINIMUM_MATCHED,
    evaluate_programme,
    match_on_logit,
    matching_variables,
    outcome_differences,
    participant_flags,
    payment_by_results,
    pbr_sentences,
    read_programme_data,
    reoffending_outcomes,
)
from riskmodel.programme._evaluate import _measure_sentence, p_text
from riskmodel.programme._matching import MISSING_SUFFIX, RISK_VARIABLE
from riskmodel.programme._messages import (
    BAD_CALIPER,
    BAD_RATIO,
    BALANCE_CAVEAT,
    BASELINE_EMPTY,
    DIFFERENCE_METHOD,
    MATCHING_METHOD,
    MDD_METHOD,
    NO_PARTICIPANTS,
    NO_POOL,
    NO_VARIATION,
    PARTICIPANT_COLUMN_MISSING,
    PARTICIPANT_COLUMN_VALUES,
    PBR_METHOD,
    PBR_RULE,
    POOL_OVERLAP,
    REASON_MISSING,
    REASON_NO_MATCH,
    REASON_NO_OUTCOME,
    REASON_NOT_FOUND,
    TOO_SMALL,
)
from riskmodel.synthetic import generate_population, with_programme, write_population
from riskmodel.synthetic._messages import BAD_PROGRAMME


def _people(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Continuous matching variables (no ties) and outcomes of ``n`` people."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    p = 1 / (1 + np.exp(-(x[:, 0] - 0.3)))
    y = (rng.random(n) < p).astype(float)
    count = y * (1 + rng.poisson(1.0, n))
    days = np.where(y == 1, rng.integers(1, 730, n).astype(float), np.nan)
    variables = pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1]})
    outcomes = pd.DataFrame(
        {"reoffended": y, "reoffences": count, "days_to_first": days, "follow_up_days": 730.0}
    )
    return variables, outcomes


def test_identical_pool_and_cohort_give_a_difference_of_exactly_zero():
    variables, outcomes = _people(120)
    both_v = pd.concat([variables, variables], ignore_index=True)
    both_o = pd.concat([outcomes, outcomes], ignore_index=True)
    participant = np.r_[np.ones(120, bool), np.zeros(120, bool)]
    for replace in (True, False):
        result = evaluate_programme(both_v, both_o, participant, replace=replace, n_resamples=200)
        assert result.n_matched == 120
        for name, o in result.outcomes.items():
            assert o["difference"] == 0.0, name
            assert o["difference_ci"] == [0.0, 0.0], name
            assert o["p_value"] == 1.0
        assert (result.balance["smd_after"].abs() < 1e-12).all()
        assert result.survival["participants"] == result.survival["comparisons"]


def test_a_cohort_of_30_says_it_is_too_small():
    variables, outcomes = _people(400, seed=1)
    participant = np.arange(400) < 30
    result = evaluate_programme(variables, outcomes, participant, n_resamples=100)
    expected = TOO_SMALL.format(n="30", minimum=MINIMUM_MATCHED)
    assert result.n_matched == 30
    assert result.too_small == expected
    assert result.findings()[1] == expected + "."
    assert result.to_dict()["too_small"] == expected
    big = evaluate_programme(variables, outcomes, np.arange(400) < 100, n_resamples=100)
    assert big.too_small is None
    assert not any("fewer than" in s for s in big.findings())


def test_a_participant_without_a_possible_match_is_reported_not_dropped():
    variables, outcomes = _people(300, seed=2)
    variables.loc[0, "x0"] = 40.0  # far beyond anyone in the pool
    participant = np.arange(300) < 80
    ids = [f"P{i:03d}" for i in range(300)]
    result = evaluate_programme(
        variables, outcomes, participant, ids=ids, n_resamples=100, not_found=["GHOST"]
    )
    table = result.unmatched.set_index("person_id")["reason"]
    assert table["P000"] == REASON_NO_MATCH
    assert table["GHOST"] == REASON_NOT_FOUND
    assert result.counts["participants"] == 81
    assert result.counts["matched"] + result.counts["unmatched"] == 81
    assert result.counts["unmatched_reasons"][REASON_NO_MATCH] >= 1
    first = result.findings()[0]
    assert first.startswith("81 participants: ")
    assert f"{result.counts['unmatched_reasons'][REASON_NO_MATCH]} {REASON_NO_MATCH}" in first
    assert {"person_id": "P000", "reason": REASON_NO_MATCH} in result.to_dict()["unmatched"]


@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(20, 80),
    share=st.floats(0.1, 0.6),
    unknown=st.floats(0, 0.3),
    missing=st.floats(0, 0.3),
    ghosts=st.integers(0, 3),
    caliper=st.floats(0.01, 1.0),
    ratio=st.integers(1, 3),
    replace=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_counts_reconcile(n, share, unknown, missing, ghosts, caliper, ratio, replace, seed):
    rng = np.random.default_rng(seed)
    variables, outcomes = _people(n, seed=seed)
    participant = rng.random(n) < share
    participant[0], participant[-1] = True, False
    outcomes.loc[rng.random(n) < unknown, ["reoffended", "reoffences"]] = np.nan
    outcomes.loc[n - 1, "reoffended"] = 0.0
    variables.loc[(rng.random(n) < missing) & (np.arange(n) < n - 1), "x1"] = np.nan
    result = evaluate_programme(
        variables,
        outcomes,
        participant,
        not_found=[f"G{i}" for i in range(ghosts)],
        caliper_sd=caliper,
        ratio=ratio,
        replace=replace,
        n_resamples=10,
    )
    c = result.counts
    assert c["participants"] == int(participant.sum()) + ghosts
    assert c["participants"] == c["matched"] + c["unmatched"]
    assert sum(c["unmatched_reasons"].values()) == c["unmatched"] == len(result.unmatched)
    assert c["unmatched_reasons"][REASON_NOT_FOUND] == ghosts
    assert c["pool"] == c["pool_usable"] + c["pool_left_out"]
    if not replace:
        assert c["comparisons_used"] <= c["pool_usable"]


def test_outcomes_follow_the_label_rule_and_count_and_time_reoffences():
    pop = generate_population(300, seed=4)
    extract = pop.metadata["extract_date"]
    out = reoffending_outcomes(pop.people, pop.offences, extract)
    labels = build_labels(pop.people, pop.offences, extract)
    pd.testing.assert_series_equal(out["reoffended"], labels["reoffended_2y"], check_names=False)
    assert (out["label_status"] == labels["label_status"]).all()
    known = out["reoffended"].notna()
    assert ((out.loc[known, "reoffences"] > 0) == (out.loc[known, "reoffended"] == 1)).all()
    assert (out["days_to_first"].notna() == (out["reoffended"] == 1)).all()
    assert (out["days_to_first"].dropna() <= out["follow_up_days"].max()).all()
    longer = reoffending_outcomes(pop.people, pop.offences, extract, horizon_months=12)
    both = known & longer["reoffended"].notna()
    assert (longer.loc[both, "reoffended"] <= out.loc[both, "reoffended"]).all()
    with pytest.raises(
        ConfigError, match=re.escape(BAD_MONTHS.format(what="the horizon", value=0))
    ):
        reoffending_outcomes(pop.people, pop.offences, extract, horizon_months=0)


def test_matching_options_and_their_errors():
    m = match_on_logit([0.0, 0.0, 0.0], [0.0, 0.01, 0.02, 5.0], caliper=0.1, replace=False)
    used = m.sets[m.sets >= 0]
    assert len(set(used.tolist())) == len(used) == 3
    two = match_on_logit([0.0], [0.0, 0.01, 0.02], caliper=0.1, ratio=2)
    assert two.sets.tolist() == [[0, 1]]
    assert two.weights(3).tolist() == [0.5, 0.5, 0.0]
    with pytest.raises(ConfigError, match=BAD_RATIO.format(value=0)):
        match_on_logit([0.0], [0.0], caliper=0.1, ratio=0)
    variables, outcomes = _people(100)
    with pytest.raises(ConfigError, match=re.escape(BAD_CALIPER.format(value=-1.0))):
        evaluate_programme(variables, outcomes, np.arange(100) < 10, caliper_sd=-1.0)
    with pytest.raises(DataError, match=NO_PARTICIPANTS):
        evaluate_programme(variables, outcomes, np.zeros(100, bool))
    unknown = outcomes.assign(reoffended=np.nan)
    with pytest.raises(DataError, match=NO_POOL.format(horizon=24)):
        evaluate_programme(variables, unknown, np.arange(100) < 10)
    flat = pd.DataFrame({"x": np.ones(100)})
    with pytest.raises(DataError, match=NO_VARIATION):
        evaluate_programme(flat, outcomes, np.arange(100) < 10)


def test_reasons_for_unknown_outcomes_and_missing_variables():
    variables, outcomes = _people(200, seed=5)
    outcomes.loc[0, ["reoffended", "reoffences"]] = np.nan
    variables.loc[1, "x1"] = np.nan
    result = evaluate_programme(variables, outcomes, np.arange(200) < 70, n_resamples=50)
    reasons = dict(zip(result.unmatched["person_id"], result.unmatched["reason"], strict=True))
    assert reasons["0"] == REASON_NO_OUTCOME
    assert reasons["1"] == REASON_MISSING


def test_settings_are_stated_and_the_balance_table_flags():
    variables, outcomes = _people(300, seed=6)
    participant = variables["x0"].to_numpy() > 0.8  # selected on x0: imbalanced before
    result = evaluate_programme(variables, outcomes, participant, ratio=2, n_resamples=50)
    data = result.to_dict()
    assert data["caveat"] == BALANCE_CAVEAT
    assert data["matching_method"] == MATCHING_METHOD.format(
        n_variables=2, ratio=2, plural="s", replacement="with replacement", caliper_sd=0.2,
        caliper=data["caliper"],
    )  # fmt: skip
    assert data["difference_method"] == DIFFERENCE_METHOD.format(n_resamples=50)
    assert data["mdd_method"] == MDD_METHOD.format(power=0.8, factor=2.8015852)
    before = result.balance.set_index("variable")["smd_before"]
    assert before["x0"] > 1.0
    assert data["n_flagged"] == int(result.balance["flagged"].sum())
    assert data["balanced"] == (data["n_flagged"] == 0)
    rate = data["outcomes"]["rate"]
    assert rate["minimum_detectable_difference"] == pytest.approx(
        2.8015852 * rate["standard_error"]
    )


def test_difference_sentences_say_what_the_interval_allows():
    t = np.array([[1, 2, 100.0]] * 30 + [[0, 0, 730.0]] * 70)
    c = np.array([[1, 3, 50.0]] * 60 + [[0, 0, 730.0]] * 40)
    out = outcome_differences(t, c, n_resamples=200)
    assert out["rate"]["difference"] == pytest.approx(-0.3)
    assert out["rate"]["difference_ci"][1] < 0 and out["rate"]["p_value"] == 2 / 201
    assert out["rate"]["p_value_is_bound"] and p_text(out["rate"]) == "p ≤ 0.010"
    low, high = (f"{100 * v:.1f}".replace("-", "−") for v in out["rate"]["difference_ci"])
    assert _measure_sentence("rate", out["rate"], 24).startswith(
        "Proven reoffending within two years: 30.0% of matched participants against 60.0% of "
        f"their comparisons, a difference of −30.0 percentage points (95% interval {low} to "
        f"{high} percentage points, "
    )
    assert _measure_sentence("rate", out["rate"], 24).endswith(
        "p ≤ 0.010). The interval excludes 0: lower for participants than for their comparisons."
    )
    assert out["reoffences_per_reoffender"]["difference"] == pytest.approx(-1.0)


def test_matching_variables_encode_categories_missing_values_and_risk():
    X = pd.DataFrame({"age": [20.0, np.nan, 40.0], "sex": ["m", "f", None]})
    v = matching_variables(X, risk=[0.5, np.nan, 0.9])
    assert v.columns.tolist() == [
        "age", "age (missing)", "sex = (missing)", "sex = f", "sex = m",
        "predicted risk (log-odds)",
    ]  # fmt: skip
    assert v["age"].tolist() == [20.0, 30.0, 40.0]
    assert f"age{MISSING_SUFFIX}" in v.columns and v.columns[-1] == RISK_VARIABLE
    assert np.isnan(v.loc[1, "predicted risk (log-odds)"])


def test_participant_flags_refuse_other_values():
    with pytest.raises(DataError, match=re.escape(PARTICIPANT_COLUMN_VALUES.format(
        column="p", count=1, value="maybe"))):  # fmt: skip
        participant_flags(pd.Series(["1", "maybe"]), "p")


def test_payment_by_results_measures_and_rule():
    rng = np.random.default_rng(0)
    risk = rng.uniform(0.2, 0.8, 800)
    y = (rng.random(800) < risk).astype(float)
    base = {"reoffended": y[:500], "reoffences": 2 * y[:500], "risk": risk[:500]}
    better = {"reoffended": y[500:] * (rng.random(300) < 0.5), "risk": risk[500:]}
    better["reoffences"] = 2 * better["reoffended"]
    out = payment_by_results(better, base, n_resamples=100)
    assert out["rule"] == PBR_RULE and out["method"] == PBR_METHOD
    binary = out["binary"]
    assert binary["significant"] and binary["direction"] == "lower"
    assert binary["difference"] == pytest.approx(binary["observed"] - binary["expected"])
    sentence = pbr_sentences(out)[0]
    assert f"{100 * binary['observed']:.1f}% observed" in sentence
    assert sentence.endswith("significantly lower than the baseline.")
    assert pbr_sentences(out, 12)[0].startswith(
        "Binary measure (share who reoffended within one year): "
    )
    assert pbr_sentences(out, 24)[1].startswith(
        "Frequency measure (reoffences per person within two years): "
    )
    with pytest.raises(DataError, match=BASELINE_EMPTY):
        payment_by_results(better, {k: v[:0] for k, v in base.items()})


def test_synthetic_programme_selects_on_risk_with_a_known_effect(tmp_path):
    pop = generate_population(600, seed=8)
    changed, programme = with_programme(pop, effect=1.0, seed=8, share=0.2)
    pd.testing.assert_frame_equal(changed.people.drop(columns="programme"), pop.people)
    truth = pop.truth.set_index("person_id")["true_probability_2y"]
    chosen = changed.people["programme"] == 1
    assert truth[programme["person_id"]].mean() > truth.mean()
    assert (programme["true_probability_2y_with"] == 0).all()
    out = reoffending_outcomes(changed.people, changed.offences, pop.metadata["extract_date"])
    assert out.loc[chosen.to_numpy(), "reoffended"].fillna(0).eq(0).all()
    same, _ = with_programme(pop, effect=0.0, seed=8, share=0.2)
    pd.testing.assert_frame_equal(same.offences, pop.offences)
    with pytest.raises(ConfigError, match=re.escape(BAD_PROGRAMME.format(
        name="effect", interval="from 0 to 1", value=2.0))):  # fmt: skip
        with_programme(pop, effect=2.0, seed=1)
    with pytest.raises(ConfigError, match=re.escape(BAD_PROGRAMME.format(
        name="share", interval="strictly between 0 and 1", value=0.0))):  # fmt: skip
        with_programme(pop, effect=0.1, seed=1, share=0.0)


def test_reading_participants_and_a_pool(tmp_path):
    pop, programme = with_programme(generate_population(400, seed=9), effect=0.2, seed=9)
    data_dir = write_population(pop, tmp_path / "data")
    by_column = read_programme_data(data_dir, participant_column="programme")
    assert by_column.participant.sum() == len(programme)
    ids = [*programme["person_id"], "NOBODY"]
    by_ids = read_programme_data(data_dir, participants=ids)
    assert by_ids.not_found == ["NOBODY"]
    assert (by_ids.participant == by_column.participant).all()
    with pytest.raises(DataError, match=PARTICIPANT_COLUMN_MISSING.split(":")[1].split("(")[0]):
        read_programme_data(data_dir, participant_column="absent")
    with pytest.raises(DataError, match=POOL_OVERLAP.split("(")[0].format(count=len(programme))):
        read_programme_data(data_dir, participants=ids, pool_dir=data_dir)


def test_the_median_note_says_not_reached_only_when_a_median_is_not_reached():
    from riskmodel.reports._programme_report import programme_report_html
    from tests.html_text import page_text

    variables, outcomes = _people(240)
    participant = np.r_[np.ones(80, bool), np.zeros(160, bool)]
    result = evaluate_programme(variables, outcomes, participant, n_resamples=100)

    def note(participants, comparisons):
        for group, median in (("participants", participants), ("comparisons", comparisons)):
            # None: not reached (an infinite median)
            result.survival[f"median_days_{group}"] = float("inf") if median is None else median
            result.survival[f"median_not_reached_{group}"] = median is None
        text = page_text(programme_report_html(result, sources={}, model=None))
        return text[text.index("Median days") : text.index("The last column")]

    assert note(718.0, 133.0) == (
        "Median days to the first proven reoffence: participants 718, comparisons 133. "
    )
    assert note(None, 133.0) == (
        "Median days to the first proven reoffence: participants not reached, comparisons 133 "
        "(not reached: fewer than half reoffended within two years). "
    )

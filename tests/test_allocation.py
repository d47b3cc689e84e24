"""Allocation threshold helper: hand-computed policies and invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel import ConfigError, DataError
from riskmodel._io import to_jsonable
from riskmodel.allocation import (
    Bands,
    Capacity,
    ExpectedCost,
    PPVTarget,
    SensitivityTarget,
    choose_threshold,
)
from riskmodel.allocation import _messages as msg

FAST = {"n_resamples": 0}


# --- capacity --------------------------------------------------------------------------------


def test_capacity_ties_input_order_takes_the_earliest_rows():
    scores = [0.9, 0.5, 0.5, 0.5, 0.1]
    result = choose_threshold(scores, Capacity(count=2, tie_break="input_order"), **FAST)
    assert result.allocated == 2
    assert result.threshold == 0.5
    assert result.allocation.tolist() == [True, True, False, False, False]
    assert result.ties == {"score": 0.5, "n_tied": 3, "n_tied_allocated": 1}
    assert "3 people share the score 0.5" in result.tie_rule
    assert "order of the input rows" in result.tie_rule


def test_capacity_ties_random_is_a_seeded_lottery():
    scores = [0.9, 0.5, 0.5, 0.5, 0.1]
    picks = set()
    for seed in range(20):
        first = choose_threshold(scores, Capacity(count=2, seed=seed), **FAST).allocation
        again = choose_threshold(scores, Capacity(count=2, seed=seed), **FAST).allocation
        assert first.tolist() == again.tolist()  # deterministic for a seed
        assert first[0] and not first[4] and first[1:4].sum() == 1
        picks.add(int(np.flatnonzero(first[1:4])[0]))
    assert picks == {0, 1, 2}  # every tied person can win a place


def test_capacity_without_ties_says_so():
    result = choose_threshold([0.9, 0.7, 0.5], Capacity(count=2), **FAST)
    assert result.threshold == 0.7
    assert result.tie_rule.startswith("no tie at the last place")


def test_capacity_larger_than_caseload_allocates_everybody():
    scores = [0.3, 0.2, 0.6]
    result = choose_threshold(scores, Capacity(count=10), **FAST)
    assert result.allocated == 3
    assert result.allocated_fraction == 1.0
    assert result.threshold == 0.2
    assert result.allocation.all()


def test_capacity_fraction_zero_allocates_nobody_and_threshold_is_null():
    result = choose_threshold([0.3, 0.2, 0.6], Capacity(fraction=0.0), **FAST)
    assert result.allocated == 0
    assert math.isinf(result.threshold)
    assert not result.allocation.any()
    assert to_jsonable(result.to_dict())["threshold"] is None
    assert result.metrics["expected_reoffenders_captured"] == 0.0


def test_capacity_fraction_one_allocates_everybody():
    scores = [0.3, 0.2, 0.6, 0.2]
    result = choose_threshold(scores, Capacity(fraction=1.0), **FAST)
    assert result.allocated == 4
    assert result.metrics["expected_sensitivity"] == pytest.approx(1.0)
    assert result.metrics["expected_fpr"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("fraction", "n", "places"),
    [(0.1, 1338, 134), (0.25, 6, 2), (0.2, 6, 1), (0.5, 3, 2), (0.999, 10, 10)],
)
def test_capacity_fraction_rounds_half_up(fraction, n, places):
    assert Capacity(fraction=fraction).places(n) == places


@pytest.mark.parametrize(
    ("text", "count", "fraction"),
    [("134", 134, None), ("0", None, 0.0), ("1", 1, None), ("0.1", None, 0.1), ("10%", None, 0.1)],
)
def test_capacity_parse(text, count, fraction):
    policy = Capacity.parse(text)
    assert policy.count == count
    assert policy.fraction == (None if fraction is None else pytest.approx(fraction))


@pytest.mark.parametrize("text", ["2.5", "-3", "abc", "150%", "nan"])
def test_capacity_parse_rejects(text):
    with pytest.raises(ConfigError, match="is not usable"):
        Capacity.parse(text)


def test_no_outcomes_gives_expected_figures_only():
    scores = [0.9, 0.8, 0.3, 0.2]
    result = choose_threshold(scores, Capacity(count=2), **FAST)
    m = result.metrics
    assert result.basis == "expected"
    assert m["expected_reoffenders_captured"] == pytest.approx(1.7)
    assert m["expected_sensitivity"] == pytest.approx(1.7 / 2.2)
    assert m["expected_ppv"] == pytest.approx(0.85)
    assert m["expected_fpr"] == pytest.approx((0.1 + 0.2) / (0.1 + 0.2 + 0.7 + 0.8))
    assert all(math.isnan(m[k]) for k in ("sensitivity", "ppv", "fpr"))
    data = to_jsonable(result.to_dict())
    assert data["sensitivity"] is None and data["fpr_ci"] == [None, None]


def test_with_outcomes_gives_observed_figures():
    result = choose_threshold([0.9, 0.8, 0.3, 0.2], Capacity(count=2), y_true=[1, 0, 1, 0], **FAST)
    m = result.metrics
    assert m["observed_reoffenders_captured"] == 1
    assert m["sensitivity"] == pytest.approx(0.5)
    assert m["ppv"] == pytest.approx(0.5)
    assert m["fpr"] == pytest.approx(0.5)


# --- sensitivity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "threshold", "allocated"),
    [(0.6, 0.7, 3), (2 / 3, 0.7, 3), (0.7, 0.5, 5), (0.3, 0.9, 1)],
)
def test_sensitivity_observed(target, threshold, allocated):
    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    result = choose_threshold(scores, SensitivityTarget(target), y_true=[1, 0, 1, 0, 1], **FAST)
    assert result.basis == "observed"
    assert (result.threshold, result.allocated) == (threshold, allocated)


def test_sensitivity_expected_without_outcomes():
    # total p = 3.5; half is 1.75; cumulative 0.9, 1.7, 2.4 -> third person
    result = choose_threshold([0.9, 0.8, 0.7, 0.6, 0.5], SensitivityTarget(0.5), **FAST)
    assert result.basis == "expected"
    assert (result.threshold, result.allocated) == (0.7, 3)


def test_sensitivity_takes_all_people_tied_at_the_threshold():
    result = choose_threshold(
        [0.9, 0.6, 0.6, 0.2], SensitivityTarget(0.5), y_true=[0, 1, 1, 1], **FAST
    )
    assert (result.threshold, result.allocated) == (0.6, 3)
    assert result.metrics["sensitivity"] == pytest.approx(2 / 3)


def test_sensitivity_needs_a_reoffender():
    with pytest.raises(DataError) as info:
        choose_threshold([0.4, 0.3], SensitivityTarget(0.5), y_true=[0, 0], **FAST)
    assert str(info.value) == msg.NO_REOFFENDERS.format(basis="observed", total=0.0)


@pytest.mark.parametrize("target", [0.0, 1.5, -0.1, float("nan")])
def test_targets_must_lie_in_zero_one(target):
    with pytest.raises(ConfigError, match="target must lie in"):
        SensitivityTarget(target)
    with pytest.raises(ConfigError, match="target must lie in"):
        PPVTarget(target)


# --- PPV -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "threshold", "allocated"), [(0.7, 0.6, 4), (0.8, 0.9, 1), (0.6, 0.5, 5)]
)
def test_ppv_observed_lowest_threshold_meeting_the_target(target, threshold, allocated):
    # PPV at 1..5 allocated: 1, 1/2, 2/3, 3/4, 3/5 (not monotone)
    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    result = choose_threshold(scores, PPVTarget(target), y_true=[1, 0, 1, 1, 0], **FAST)
    assert (result.threshold, result.allocated) == (threshold, allocated)


def test_ppv_expected_without_outcomes():
    # mean of the top k: 0.9, 0.85, 0.8, 0.75 -> 0.8 reached at k = 3
    result = choose_threshold([0.9, 0.8, 0.7, 0.6], PPVTarget(0.8), **FAST)
    assert (result.threshold, result.allocated) == (0.7, 3)


def test_ppv_unreachable_is_a_clear_error():
    with pytest.raises(DataError) as info:
        choose_threshold([0.9, 0.8], PPVTarget(1.0), y_true=[0, 1], **FAST)
    assert str(info.value) == msg.PPV_UNREACHABLE.format(target=1.0, best=0.5, threshold=0.8)


# --- expected cost -------------------------------------------------------------------------


def _cost_by_hand(p, allocated, a, b, e):
    p = np.asarray(p)
    return sum(b + a * q * (1 - e) for q in p[allocated]) + sum(a * q for q in p[~allocated])


def test_expected_cost_hand_computed():
    policy = ExpectedCost(cost_reoffence=100, cost_intervention=10, effect=0.5)  # break-even 0.2
    scores = [0.5, 0.3, 0.2, 0.1]
    result = choose_threshold(scores, policy, **FAST)
    assert (result.threshold, result.allocated) == (0.3, 2)  # at exactly 0.2 it does not pay
    assert result.cost["expected_cost"] == pytest.approx(90.0)
    assert result.cost["cost_nobody"] == pytest.approx(110.0)
    assert result.cost["cost_everybody"] == pytest.approx(95.0)
    assert result.cost["saving_vs_nobody"] == pytest.approx(20.0)
    assert result.cost["saving_vs_everybody"] == pytest.approx(5.0)
    assert result.cost["break_even_probability"] == pytest.approx(0.2)
    assert result.cost["expected_cost"] == pytest.approx(
        _cost_by_hand(scores, result.allocation, 100, 10, 0.5)
    )


def test_expected_cost_can_choose_nobody_or_everybody():
    expensive = ExpectedCost(cost_reoffence=1, cost_intervention=5, effect=1)
    assert choose_threshold([0.9, 0.5], expensive, **FAST).allocated == 0
    cheap = ExpectedCost(cost_reoffence=100, cost_intervention=0, effect=0.1)
    assert choose_threshold([0.9, 0.01], cheap, **FAST).allocated == 2


@pytest.mark.parametrize(
    ("a", "b", "e", "match"),
    [(0, 1, 0.5, "cost of a reoffence"), (1, -1, 0.5, "cost of a reoffence"),
     (1, 1, 0, "effect must lie"), (1, 1, 1.2, "effect must lie")],
)  # fmt: skip
def test_expected_cost_checks_its_figures(a, b, e, match):
    with pytest.raises(ConfigError, match=match):
        ExpectedCost(cost_reoffence=a, cost_intervention=b, effect=e)


# --- bands ---------------------------------------------------------------------------------


def test_bands_ogrs_style_counts():
    scores = [0.1, 0.5, 0.74, 0.75, 0.9, 1.0, 0.49]
    outcomes = [0, 1, 0, 1, 1, 1, 0]
    result = choose_threshold(scores, Bands(), y_true=outcomes, **FAST)
    assert [b["name"] for b in result.bands] == ["Low", "Medium", "High", "Very high"]
    assert [b["n"] for b in result.bands] == [2, 2, 1, 2]
    assert [b["observed_reoffenders"] for b in result.bands] == [0, 1, 1, 2]
    assert result.bands[1]["expected_rate"] == pytest.approx((0.5 + 0.74) / 2)
    assert (result.bands[0]["low"], result.bands[0]["high"]) == (0.0, 0.5)
    assert result.threshold == 0.495  # 49.5% rounds half-up to 50%: "Medium", so allocated
    assert result.allocated == 5


def test_bands_custom_cut_points_and_errors():
    bands = Bands.parse("0.3,0.6")
    assert bands.names == ("0-30%", "30-60%", "60-100%")
    for bad in ("0.6,0.3", "0,0.5", "0.5,1", "a,b", "0.5,0.5"):
        with pytest.raises(ConfigError, match="cut points must be increasing"):
            Bands.parse(bad)


# --- missing scores, groups, bad input -----------------------------------------------------


def test_missing_scores_are_counted_and_never_allocated():
    scores = [0.9, np.nan, 0.8, None, 0.1]
    groups = ["a", "a", "b", "b", "b"]
    result = choose_threshold(scores, Capacity(count=10), groups={"g": groups}, **FAST)
    assert result.n_rows == 5
    assert result.n_missing_score == 2
    assert result.n_scored == 3
    assert result.allocation.tolist() == [True, False, True, False, True]
    assert result.by_group["g"]["a"]["n_missing_score"] == 1
    assert result.by_group["g"]["b"]["n"] == 2


def test_group_figures_match_fairlearn():
    rng = np.random.default_rng(3)
    n = 400
    p = rng.uniform(size=n)
    y = (rng.uniform(size=n) < p).astype(int)
    g = rng.choice(["x", "y", "z"], n)
    result = choose_threshold(
        p, Capacity(fraction=0.3), y_true=y, groups=pd.Series(g, name="eth"), n_resamples=200
    )
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "fpr": false_positive_rate},
        y_true=y,
        y_pred=result.allocation.astype(int),
        sensitive_features=g,
    )
    for value in ("x", "y", "z"):
        entry = result.by_group["eth"][value]
        assert entry["selection_rate"] == pytest.approx(
            frame.by_group.loc[value, "selection_rate"]
        )
        assert entry["fpr"] == pytest.approx(frame.by_group.loc[value, "fpr"])
        low, high = entry["fpr_ci"]
        assert low <= entry["fpr"] <= high and high - low > 0


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.2, 1.7], msg.OUT_OF_RANGE.format(column="score", count=1, example=1.7, row=2)),
        ([-0.1, 0.5], msg.OUT_OF_RANGE.format(column="score", count=1, example=-0.1, row=1)),
        (["0.2", "high"], msg.NOT_NUMERIC.format(column="score", count=1, example="high", row=2)),
        ([np.nan, None], msg.NO_SCORES.format(column="score")),
    ],
)
def test_bad_scores_are_clear_errors(scores, expected):
    with pytest.raises(DataError) as info:
        choose_threshold(scores, Capacity(count=1), **FAST)
    assert str(info.value) == expected


def test_bad_outcomes_are_clear_errors():
    with pytest.raises(DataError) as info:
        choose_threshold([0.2, 0.3, 0.4], Capacity(count=1), y_true=[0, 2, 2], **FAST)
    assert str(info.value) == msg.BAD_OUTCOME.format(column="outcome", count=2, example=2, row=2)


def test_table_marks_the_chosen_row_and_counts_by_hand():
    scores = np.array([0.95, 0.62, 0.62, 0.4, 0.12])
    result = choose_threshold(scores, Capacity(count=2, tie_break="input_order"), **FAST)
    table = result.table()
    assert table["allocated"].is_monotonic_increasing
    for _, row in table[~table["chosen"]].iterrows():
        assert row["allocated"] == (scores >= row["threshold"]).sum()
    chosen = table[table["chosen"]]
    assert len(chosen) == 1
    assert chosen["allocated"].item() == 2 and chosen["threshold"].item() == 0.62
    assert chosen["expected_reoffenders_captured"].item() == pytest.approx(0.95 + 0.62)


def test_capacity_curve_ends():
    result = choose_threshold([0.9, 0.5, 0.2], Capacity(count=1), y_true=[1, 0, 1], **FAST)
    curve = result.capacity_curve()
    assert curve["expected_captured_fraction"].tolist() == pytest.approx(
        [0, 0.9 / 1.6, 1.4 / 1.6, 1]
    )
    assert curve["observed_captured_fraction"].tolist() == pytest.approx([0, 0.5, 0.5, 1])


# --- invariants ----------------------------------------------------------------------------

_scores = st.lists(
    st.sampled_from([0.0, 0.05, 0.1, 0.3, 0.3, 0.5, 0.7, 0.71, 0.9, 1.0]), min_size=1, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(scores=_scores, count=st.integers(0, 50), tie=st.sampled_from(["random", "input_order"]))
def test_capacity_allocates_exactly_min_n(scores, count, tie):
    result = choose_threshold(scores, Capacity(count=count, tie_break=tie), **FAST)
    scores = np.asarray(scores)
    assert result.allocated == result.allocation.sum() == min(count, len(scores))
    if 0 < result.allocated < len(scores):
        assert scores[result.allocation].min() >= scores[~result.allocation].max()


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.floats(0, 1), min_size=1, max_size=40),
    a=st.floats(1, 1000),
    b=st.floats(0, 500),
    e=st.floats(0.01, 1),
)
def test_expected_cost_is_minimal_over_thresholds(scores, a, b, e):
    policy = ExpectedCost(cost_reoffence=a, cost_intervention=b, effect=e)
    result = choose_threshold(scores, policy, **FAST)
    p = np.asarray(scores)
    chosen = _cost_by_hand(p, result.allocation, a, b, e)
    assert result.cost["expected_cost"] == pytest.approx(chosen, rel=1e-9, abs=1e-9)
    tolerance = 1e-9 * (a * p.sum() + b * p.size + 1)
    for t in [*np.unique(p), np.inf]:
        assert chosen <= _cost_by_hand(p, p >= t, a, b, e) + tolerance
    assert result.cost["saving_vs_nobody"] >= -tolerance
    assert result.cost["saving_vs_everybody"] >= -tolerance


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.sampled_from([0.1, 0.2, 0.4, 0.6, 0.8]), st.integers(0, 1)),
        min_size=1,
        max_size=30,
    ),
    target=st.floats(0.05, 1),
)  # fmt: skip
def test_sensitivity_is_the_highest_threshold_reaching_the_target(data, target):
    p = np.array([d[0] for d in data])
    y = np.array([d[1] for d in data])
    if y.sum() == 0:
        return
    result = choose_threshold(p, SensitivityTarget(target), y_true=y, **FAST)
    reached = (y[p >= result.threshold]).sum() / y.sum()
    assert reached >= target - 1e-9
    higher = np.unique(p[p > result.threshold])
    if higher.size:
        t_next = higher.min()
        assert (y[p >= t_next]).sum() / y.sum() < target - 1e-12

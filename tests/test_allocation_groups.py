"""Allocation by every group: counts that reconcile, calibration error in the intervals, and a
plain paragraph whose every sentence follows from its figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel import DataError
from riskmodel._tables import MISSING_GROUP
from riskmodel.allocation import (
    CalibrationError,
    Capacity,
    calibration_note,
    choose_threshold,
    find_group_columns,
)
from riskmodel.allocation import _messages as msg
from riskmodel.allocation._threshold import SMALL_GROUP_N, STATISTICS
from riskmodel.contract import age_band, cohort, whole_years
from riskmodel.synthetic import generate_population

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "models" / "default" / "manifest.json").read_text())
EXPECTED_FIGURES = (
    "expected_reoffenders_captured",
    "expected_sensitivity",
    "expected_ppv",
    "expected_fpr",
    "expected_reoffenders",
    "expected_reoffenders_missed",
    "expected_non_reoffenders_allocated",
)


def _interval(low, high, confidence="95%"):
    return msg.SUMMARY_INTERVAL.format(confidence=confidence, low=low, high=high)


# --- counts reconcile, missing values are a group -------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(0, 1)),
            st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
            st.one_of(st.none(), st.sampled_from(["x", "y"])),
        ),
        min_size=1,
        max_size=60,
    ),
    count=st.integers(0, 70),
)
def test_group_counts_reconcile_with_the_total(data, count):
    scores = [s for s, _, _ in data]
    if all(s is None for s in scores):
        scores[0] = 0.5
    groups = {"g": [g for _, g, _ in data], "h": [h for _, _, h in data]}
    result = choose_threshold(scores, Capacity(count=count), groups=groups, n_resamples=0)
    for column, labels in groups.items():
        entries = result.by_group[column]
        assert sum(e["n"] for e in entries.values()) == result.n_scored
        assert sum(e["n_missing_score"] for e in entries.values()) == result.n_missing_score
        assert sum(e["allocated"] for e in entries.values()) == result.allocated
        assert (MISSING_GROUP in entries) == any(label is None for label in labels)
        for entry in entries.values():
            assert entry["small"] == (entry["n"] < SMALL_GROUP_N)


# --- the model's calibration error in the intervals ------------------------------------------


@pytest.fixture(scope="module")
def caseload() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 400
    group = rng.choice(["a", "b"], n, p=[0.7, 0.3])
    p = np.clip(rng.beta(2, 3, n) + np.where(group == "a", 0.1, 0.0), 0, 1)
    return pd.DataFrame({"p": p, "group": group})


def test_calibration_error_is_read_from_the_bundle_manifest():
    error = CalibrationError.from_manifest(MANIFEST)
    metrics = MANIFEST["metrics"]
    assert error.slope == metrics["calibration_slope"]
    assert list(error.slope_ci) == metrics["calibration_slope_ci"]
    assert error.intercept == metrics["calibration_intercept"]
    assert error.n_heldout == metrics["n"]
    assert error.model_id == MANIFEST["model_id"]


def test_a_manifest_without_calibration_is_a_clear_error():
    manifest = {"model_id": "m", "metrics": {"auc": 0.7}}
    expected = msg.NO_CALIBRATION.format(source="models/old")
    with pytest.raises(DataError) as info:
        CalibrationError.from_manifest(manifest, source="models/old")
    assert str(info.value) == expected


def test_calibration_error_widens_every_expected_interval_by_construction(caseload):
    common = {"groups": {"group": caseload["group"]}, "n_resamples": 200, "seed": 3}
    plain = choose_threshold(caseload["p"], Capacity(fraction=0.1), **common)
    error = CalibrationError.from_manifest(MANIFEST)
    wide = choose_threshold(caseload["p"], Capacity(fraction=0.1), calibration=error, **common)
    # "expected PPV 88.8-89.6%" left calibration error out: the new interval is wider.
    (lo, hi), (wlo, whi) = plain.metrics_ci["expected_ppv"], wide.metrics_ci["expected_ppv"]
    assert wlo < lo <= hi < whi
    pairs = [(plain.metrics_ci, wide.metrics_ci, plain.metrics)]
    pairs += [
        (plain.by_group["group"][g], wide.by_group["group"][g], plain.by_group["group"][g])
        for g in ("a", "b")
    ]
    for before, after, point in pairs:
        for name in EXPECTED_FIGURES:
            key = name if before is plain.metrics_ci else f"{name}_ci"
            (lo, hi), (wlo, whi) = before[key], after[key]
            assert wlo <= lo <= point[name] <= hi <= whi
        # figures that do not depend on the probabilities keep their interval
        key = "selection_rate" if before is plain.metrics_ci else "selection_rate_ci"
        assert before[key] == after[key]
    # the figures as stated do not move
    assert pd.Series(wide.metrics).equals(pd.Series(plain.metrics))
    assert wide.to_dict()["calibration"]["model_id"] == MANIFEST["model_id"]


#: The allocation's figures that are shares of people (rates, sensitivity, PPV); the others
#: count people.
SHARES = {n for n in STATISTICS if n.endswith(("rate", "sensitivity", "ppv", "fpr"))}


def _figure_intervals(node: object):
    """Every (name, figure, interval) of the allocation's statistics in ``node``, at any
    depth (overall and by group)."""
    if isinstance(node, dict):
        for name in STATISTICS:
            if name in node and f"{name}_ci" in node:
                yield name, node[name], node[f"{name}_ci"]
        for value in node.values():
            yield from _figure_intervals(value)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    fraction=st.floats(0.01, 0.5),
    with_outcomes=st.booleans(),
)
def test_widened_intervals_stay_within_what_a_figure_can_be(seed, fraction, with_outcomes):
    """The calibration term widens every interval, but never below 0, nor a share above 1:
    a group that hardly gets a place does not show a negative share or count."""
    rng = np.random.default_rng(seed)
    n = 300
    p = rng.beta(1, 6, n)
    groups = {"band": rng.choice(["young", "middle", "old"], n, p=[0.45, 0.45, 0.1])}
    y = (rng.uniform(size=n) < p).astype(int) if with_outcomes else None
    error = CalibrationError(0.0, (-0.6, 0.6), 1.0, (0.6, 1.4))
    result = choose_threshold(
        p, Capacity(fraction=fraction), y_true=y, groups=groups, calibration=error,
        n_resamples=50, seed=seed,
    )  # fmt: skip
    checked = 0
    for name, figure, (low, high) in _figure_intervals(result.to_dict()):
        if figure is None or low is None or np.isnan(low):
            continue
        assert 0.0 <= low <= figure + 1e-12 <= high + 2e-12, (name, low, figure, high)
        if name in SHARES:
            assert high <= 1.0, (name, high)
        checked += 1
    assert checked >= 4 * 5  # the overall figures and those of three groups at least
    assert len(SHARES) == 7


def test_a_perfectly_known_calibration_leaves_the_intervals_as_they_were(caseload):
    exact = CalibrationError(0.0, (0.0, 0.0), 1.0, (1.0, 1.0))
    common = {"n_resamples": 100, "seed": 1}
    plain = choose_threshold(caseload["p"], Capacity(fraction=0.2), **common)
    same = choose_threshold(caseload["p"], Capacity(fraction=0.2), calibration=exact, **common)
    for name in EXPECTED_FIGURES:
        assert same.metrics_ci[name] == pytest.approx(plain.metrics_ci[name])


def test_the_calibration_note_says_whether_and_how_it_is_included(caseload):
    plain = choose_threshold(caseload["p"], Capacity(fraction=0.1), n_resamples=20)
    assert calibration_note(plain.to_dict()) == msg.CALIBRATION_LEFT_OUT
    y = (np.random.default_rng(0).uniform(size=len(caseload)) < caseload["p"]).astype(int)
    observed = choose_threshold(caseload["p"], Capacity(fraction=0.1), y_true=y, n_resamples=20)
    assert observed.to_dict()["calibration_note"] == msg.CALIBRATION_LEFT_OUT_OBSERVED
    error = CalibrationError(0.0512, (-0.02, 0.1104), 0.97, (0.9, 1.0449), 12345, "m-1", 0.9)
    wide = choose_threshold(
        caseload["p"], Capacity(fraction=0.1), calibration=error, n_resamples=20
    )
    figures = {
        "draws": "20",
        "intercept": "0.051",
        "intercept_low": "-0.020",
        "intercept_high": "0.110",
        "slope": "0.970",
        "slope_low": "0.900",
        "slope_high": "1.045",
        "confidence": "90%",
        "n_heldout": "12,345",
        "model_id": "m-1",
    }
    assert wide.to_dict()["calibration_note"] == msg.CALIBRATION_INCLUDED.format(**figures)
    unrecorded = CalibrationError(0.0, (-0.1, 0.1), 1.0, (0.9, 1.1))
    wide = choose_threshold(
        caseload["p"], Capacity(fraction=0.1), calibration=unrecorded, n_resamples=20
    )
    note = wide.to_dict()["calibration_note"]
    assert "measured on an unrecorded number of held-out people of model (no id)" in note


# --- the plain paragraph ---------------------------------------------------------------------


def _two_groups(rate_a: float, rate_b: float, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Scores of two groups of ``n`` people where exactly ``rate`` of each score 0.9."""
    p, g = [], []
    for label, rate in (("a", rate_a), ("b", rate_b)):
        high = round(rate * n)
        p += [0.9] * high + [0.2] * (n - high)
        g += [label] * n
    return np.array(p), np.array(g)


def test_the_paragraph_names_the_gap_and_follows_the_data():
    p, g = _two_groups(0.3, 0.05)
    result = choose_threshold(p, Capacity(count=70), groups={"sex": g}, n_resamples=200)
    data = result.to_dict()
    gap = data["group_gaps"]["sex"]
    low, high = (f"{100 * v:.1f}" for v in gap["difference_ci"])
    expected = msg.SUMMARY_GAP.format(
        column="sex", high="a", high_rate="30.0%", low="b", low_rate="5.0%", gap="25.0",
        interval=_interval(low, high),
    )  # fmt: skip
    assert expected in data["summary"]
    assert data["summary"][0] == msg.SUMMARY_PLACES.format(
        allocated="70", n_scored="400", rate="17.5%"
    )
    # the other way round: the sentence changes with the data
    p, g = _two_groups(0.02, 0.25)
    data = choose_threshold(p, Capacity(count=54), groups={"sex": g}, n_resamples=200).to_dict()
    sentence = next(s for s in data["summary"] if s.startswith("By sex"))
    assert sentence.startswith("By sex, 25.0% of b get a place against 2.0% of a: a gap of 23.0")


def test_a_gap_within_chance_is_said_to_be_possibly_chance():
    p, g = _two_groups(0.10, 0.11)
    data = choose_threshold(p, Capacity(count=42), groups={"sex": g}, n_resamples=200).to_dict()
    gap = data["group_gaps"]["sex"]
    low, high = (f"{100 * v:.1f}" for v in gap["difference_ci"])
    assert float(low) < 0 < float(high)
    interval = f"(95% interval {low} to {high})."
    assert any(
        s.endswith(f"({msg.SUMMARY_INTERVAL.format(confidence='95%', low=low, high=high)}).")
        and s.endswith(interval)
        for s in data["summary"]
    )
    expected = msg.SUMMARY_GAP_CHANCE.format(
        column="sex", high="b", high_rate="11.0%", low="a", low_rate="10.0%", gap="1.0",
        interval=_interval(low, high),
    )  # fmt: skip
    assert expected in data["summary"]


def test_nobody_in_a_group_small_groups_and_one_comparable_group_are_said_plainly():
    p = np.r_[np.full(100, 0.8), np.full(80, 0.1), np.full(3, 0.5)]
    age = np.r_[["18-20"] * 100, ["50+"] * 80, ["30-39"] * 3]
    eth = np.r_[["white"] * 180, ["other"] * 3]
    result = choose_threshold(
        p, Capacity(count=20), groups={"age_band": age, "ethnicity": eth}, n_resamples=0
    )
    summary = result.to_dict()["summary"]
    assert msg.SUMMARY_NONE_IN_GROUP.format(n="80", column="age band", value="50+") in summary
    assert msg.SUMMARY_SMALL_GROUP.format(column="Age band", value="30-39", people="3 people") in (
        summary
    )
    assert (
        msg.SUMMARY_ONE_GROUP.format(column="ethnicity", value="white", people="180 people")
        in summary
    )
    gap = msg.SUMMARY_GAP.format(
        column="age band", high="18-20", high_rate="20.0%", low="50+", low_rate="0.0%",
        gap="20.0", interval=msg.SUMMARY_NO_INTERVAL,
    )  # fmt: skip
    assert gap in summary
    assert not any("30-39 get a place" in s for s in summary)  # a small group gets no rate


def test_expected_reoffenders_without_a_place_and_places_to_non_reoffenders():
    p = np.array([0.9, 0.8, 0.6, 0.5, 0.3, np.nan])
    data = choose_threshold(p, Capacity(count=2), n_resamples=0).to_dict()
    # expected reoffenders: 3.1; without a place: 0.6 + 0.5 + 0.3 = 1.4; places: 0.1 + 0.2
    assert data["expected_reoffenders"] == pytest.approx(3.1)
    assert data["expected_reoffenders_missed"] == pytest.approx(1.4)
    assert data["expected_non_reoffenders_allocated"] == pytest.approx(0.3)
    assert msg.SUMMARY_NO_SCORE.format(people="1 person") in data["summary"]
    assert data["summary"][-2:] == [
        msg.SUMMARY_EXPECTED_MISSED.format(
            total="3", missed="1", interval=msg.SUMMARY_NO_INTERVAL
        ),
        msg.SUMMARY_EXPECTED_NON_REOFFENDERS.format(
            count="0", allocated="2", interval=msg.SUMMARY_NO_INTERVAL
        ),
    ]
    bigger = choose_threshold(np.repeat(p[:5], 300), Capacity(count=600), n_resamples=100)
    data = bigger.to_dict()
    low, high = (f"{v:,.0f}" for v in data["expected_reoffenders_missed_ci"])
    assert (
        msg.SUMMARY_EXPECTED_MISSED.format(
            total="930", missed="420", interval=_interval(low, high)
        )
        in data["summary"]
    )


def test_observed_outcomes_give_observed_counts():
    p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    y = [1, 0, None, 1, 1, 0]
    data = choose_threshold(p, Capacity(count=3), y_true=y, n_resamples=0).to_dict()
    assert data["summary"][-2:] == [
        msg.SUMMARY_OBSERVED_MISSED.format(total="3", missed="2"),
        msg.SUMMARY_OBSERVED_NON_REOFFENDERS.format(known="2", count="1"),
    ]


# --- demo-like data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_scores() -> pd.DataFrame:
    """A synthetic caseload scored with its true probabilities (as a perfect model would)."""
    population = generate_population(3000, seed=1)
    people = population.people.merge(population.truth, on="person_id")
    age = whole_years(
        pd.to_datetime(people["date_of_birth"]), pd.to_datetime(people["index_date"])
    )
    return pd.DataFrame(
        {
            "probability_2y": people["true_probability_2y"],
            "cohort": cohort(people["sex"], age),
            "age_band": age_band(age),
            "sex": people["sex"],
            "ethnicity": people["ethnicity"],
        }
    )


def test_demo_like_caseload_at_a_capacity_of_ten_percent(demo_scores):
    groups, _ = find_group_columns(demo_scores, not_groups={"probability_2y"})
    assert groups == ["cohort", "age_band", "sex", "ethnicity"]
    result = choose_threshold(
        demo_scores["probability_2y"],
        Capacity(fraction=0.1),
        groups=demo_scores[groups],
        n_resamples=100,
        calibration=CalibrationError.from_manifest(MANIFEST),
    )
    sex = result.by_group["sex"]
    assert sex["female"]["selection_rate"] < sex["male"]["selection_rate"]
    summary = result.to_dict()["summary"]
    by_sex = next(s for s in summary if s.startswith("By sex"))
    assert by_sex.startswith(
        f"By sex, {100 * sex['male']['selection_rate']:.1f}% of male get a place against "
        f"{100 * sex['female']['selection_rate']:.1f}% of female: a gap of"
    )
    older = result.by_group["age_band"]["50+"]
    assert older["allocated"] == 0 and not older["small"]
    assert (
        msg.SUMMARY_NONE_IN_GROUP.format(n=f"{older['n']:,}", column="age band", value="50+")
        in summary
    )


# --- which columns of a scores file are groups -----------------------------------------------


def test_group_columns_of_a_scores_file():
    frame = pd.DataFrame(
        {
            "person_id": ["a", "b", "c"],
            "probability_2y": [0.1, 0.5, 0.9],
            "cohort": ["female", "young_male", None],
            "age": [30, 40, 50],
            "officer": ["x", "y", "z"],
            "flag": [True, False, True],
        }
    )
    groups, left_out = find_group_columns(
        frame, named=("age",), not_groups={"person_id", "probability_2y"}, max_values=2
    )
    assert groups == ["age", "cohort", "flag"]
    assert left_out == [msg.LEFT_OUT_MANY_VALUES.format(column="officer", count=3, limit=2)]
    _, left_out = find_group_columns(frame, not_groups={"person_id", "probability_2y"})
    assert left_out == [msg.LEFT_OUT_NUMBERS.format(column="age")]


def test_paragraph_when_nobody_gets_a_place():
    """No place allocated: one plain sentence, no group gaps and no "0 of the 0 places"."""
    from riskmodel.allocation import Capacity, allocation_summary, choose_threshold
    from riskmodel.allocation._messages import SUMMARY_NOBODY

    rng = np.random.default_rng(0)
    result = choose_threshold(
        rng.random(200),
        Capacity(count=0),
        groups=pd.DataFrame({"sex": rng.choice(["female", "male"], 200)}),
        n_resamples=20,
    )
    sentences = allocation_summary(result.to_dict())
    assert sentences[0].startswith("0 of the 200 people with a score get a place")
    assert SUMMARY_NOBODY in sentences
    assert not any("places" in s and "would not reoffend" in s for s in sentences)
    assert not any("gap" in s for s in sentences)


def test_paragraph_with_an_outcome_column_but_no_known_outcome_uses_expectations():
    """Outcomes given but all unknown: the paragraph states expected figures, never observed
    counts of nobody."""
    from riskmodel.allocation import Capacity, allocation_summary, choose_threshold

    rng = np.random.default_rng(1)
    result = choose_threshold(
        rng.random(200), Capacity(fraction=0.1), y_true=np.full(200, np.nan), n_resamples=20
    )
    data = result.to_dict()
    assert data["n_outcome_known"] == 0
    text = " ".join(allocation_summary(data))
    assert "with a known outcome" not in text
    assert "expected reoffenders" in text

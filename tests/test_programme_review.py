"""``riskmodel programme``: several index events per person, a pool of everyone else,
undefined medians, p-value bounds and the words of the page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel.contract import read_tables, validate_tables
from riskmodel.features import build_feature_table
from riskmodel.programme import evaluate_programme, outcome_differences, read_programme_data
from riskmodel.programme._evaluate import _measure_sentence, p_text
from riskmodel.programme._messages import DIFFERENCE_METHOD
from riskmodel.reports._programme_report import programme_report_html
from tests.conftest import built_once
from tests.html_text import page_text
from tests.test_index_events import multi_event_data, write_data
from tests.test_programme import _people


def _write_events(where):
    raw = multi_event_data(160, seed=4)
    people = raw.people
    # half the people with two index events take part at their first one only
    twice = people["person_id"].duplicated(keep=False)
    chosen = set(people.loc[twice, "person_id"].drop_duplicates().iloc[::2])
    people["programme"] = (
        people["person_id"].isin(chosen) & people["index_id"].str.endswith("-1")
    ).astype(int)
    write_data(raw, where / "data")


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    return built_once(tmp_path_factory, "programme-index-events", _write_events) / "data"


def _page_text(result) -> str:
    return page_text(programme_report_html(result, sources=(), model=None))


def test_outcomes_line_up_with_features_by_index_event(events):
    data = read_programme_data(events, participant_column="programme", horizon_months=12)
    table = build_feature_table(
        validate_tables(read_tables(events)), labels=True, horizon_months=12
    )
    assert table.ids.duplicated().any()  # several index events per person
    by_event = pd.Series(table.label.to_numpy(), index=table.index_ids.to_numpy())
    events_read = data.outcomes["index_id"].to_numpy()
    assert len(events_read) == len(set(events_read)) == len(data.X)
    np.testing.assert_array_equal(
        data.outcomes["reoffended"].to_numpy(dtype=float),
        by_event[events_read].to_numpy(dtype=float),
    )
    features = table.X.set_index(table.index_ids.to_numpy()).loc[events_read]
    pd.testing.assert_frame_equal(data.X, features.reset_index(drop=True))


def test_a_pool_of_everyone_else_holds_no_participant_s_other_rows(events):
    data = read_programme_data(events, participant_column="programme", horizon_months=12)
    people = pd.read_csv(events / "people.csv", dtype=str)
    chosen = set(people.loc[people["programme"] == "1", "person_id"])
    later = int((people["person_id"].isin(chosen) & (people["programme"] == "0")).sum())
    assert later > 0 and data.pool_participant_rows == later
    assert not np.isin(data.ids[~data.participant], data.ids[data.participant]).any()
    assert len(data.ids) == len(people) - later
    variables = data.X[["age_at_index", "sanction_occasions"]].astype(float)
    result = evaluate_programme(
        variables,
        data.outcomes,
        data.participant,
        ids=data.ids,
        n_resamples=20,
        horizon_months=12,
        pool_participant_rows=data.pool_participant_rows,
    )
    assert result.counts["pool_participant_rows"] == later
    assert f"rows left out of the pool because their person is a participant {later}" in (
        _page_text(result)
    )


def test_an_undefined_median_is_a_dash_and_not_reached_only_when_not_reached():
    variables, outcomes = _people(240)
    participant = np.r_[np.ones(80, bool), np.zeros(160, bool)]
    variables.loc[:79, "x0"] = np.nan  # nobody can be matched: no median
    result = evaluate_programme(variables, outcomes, participant, n_resamples=20)
    s = result.survival
    assert np.isnan(s["median_days_participants"]) and not s["median_not_reached_participants"]
    text = _page_text(result)
    assert "Median days to the first proven reoffence: participants —, comparisons —. " in text
    assert "not reached" not in text
    quiet = outcomes.assign(reoffended=0.0, reoffences=0.0, days_to_first=np.nan)
    variables, _ = _people(240)
    result = evaluate_programme(variables, quiet, participant, n_resamples=20)
    assert result.survival["median_not_reached_participants"] is True
    assert result.to_dict()["survival"]["median_not_reached_comparisons"] is True
    assert (
        "Median days to the first proven reoffence: participants not reached, comparisons not "
        "reached (not reached: fewer than half reoffended within two years). "
    ) in _page_text(result)


@pytest.mark.parametrize("n_resamples", [48, 97, 200])
def test_a_p_value_is_a_bound_whenever_no_resample_crosses_0(n_resamples):
    t = np.array([[1, 2, 100.0]] * 30 + [[0, 0, 730.0]] * 70)
    c = np.array([[1, 3, 50.0]] * 60 + [[0, 0, 730.0]] * 40)
    rate = outcome_differences(t, c, n_resamples=n_resamples)["rate"]
    assert rate["difference_ci"][1] < 0
    assert rate["p_value"] == 2 / (n_resamples + 1) and rate["p_value_is_bound"]


def test_a_bound_is_rounded_up_and_an_exact_p_value_as_usual():
    assert p_text({"p_value": 2 / 834, "p_value_is_bound": True}) == "p ≤ 0.003"
    assert p_text({"p_value": 2 / 834, "p_value_is_bound": True}, prefix=False) == "≤ 0.003"
    assert p_text({"p_value": 0.002, "p_value_is_bound": True}) == "p ≤ 0.002"
    assert p_text({"p_value": 2 / 834, "p_value_is_bound": False}) == "p = 0.002"


def test_the_method_does_not_claim_p_below_005_when_the_interval_excludes_0():
    assert DIFFERENCE_METHOD.format(n_resamples=1000) == (
        "percentile bootstrap over matched sets (1,000 resamples); the p-value is two-sided: "
        "twice the share of resamples whose difference lies on the other side of 0"
    )


def test_days_free_say_how_long_participants_stayed_free():
    o = {"participants": 500.0, "comparisons": 400.0, "difference": 100.0,
         "difference_ci": [40.0, 160.0], "p_value": 0.004, "p_value_is_bound": False}  # fmt: skip
    assert _measure_sentence("days_to_first", o, 12).endswith(
        "The interval excludes 0: participants stayed free of proven reoffending longer on "
        "average within one year."
    )
    o.update(difference=-100.0, difference_ci=[-160.0, -40.0])
    assert _measure_sentence("days_to_first", o, 24).endswith(
        "The interval excludes 0: participants stayed free of proven reoffending for less time "
        "on average within two years."
    )


def test_the_naive_column_names_the_usable_pool():
    variables, outcomes = _people(240)
    outcomes.loc[200:, "reoffended"] = np.nan  # 40 of the pool not followed up
    participant = np.r_[np.ones(80, bool), np.zeros(160, bool)]
    result = evaluate_programme(variables, outcomes, participant, n_resamples=20)
    assert result.counts["pool_usable"] == 120
    assert (
        "The last column compares the participants with the usable pool (120 people: known "
        "outcome, complete matching variables), before matching: the gap matching closes."
    ) in _page_text(result)

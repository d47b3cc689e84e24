"""Labels against a direct, slow reference implementation and hand-built edge cases."""

from __future__ import annotations

import calendar
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel import ConfigError
from riskmodel._horizon import BAD_MONTHS
from riskmodel.features import CENSORED, LABELLED, build_labels
from riskmodel.features._common import MISSING_EXTRACT_DATE

EXTRACT = dt.date(2024, 6, 30)


def plus_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clipped to the month's last day (written independently of pandas)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reference_labels(
    people: list[dict], offences: list[dict], extract: dt.date, horizon: int = 24, proof: int = 6
) -> dict:
    """One person at a time, straight from DATA_CONTRACT.md's words."""
    out = {}
    for person in people:
        index = person["index_date"]
        follow_up_end = plus_months(index, horizon)
        proof_end = plus_months(index, horizon + proof)
        if proof_end > extract:
            out[person["person_id"]] = (None, "censored")
            continue
        hit = 0
        for offence in offences:
            if offence["person_id"] != person["person_id"]:
                continue
            if offence["offence_group"] == "breach":
                continue
            if (
                index < offence["offence_date"] <= follow_up_end
                and offence["sanction_date"] <= proof_end
            ):
                hit = 1
        out[person["person_id"]] = (hit, "labelled")
    return out


def frames(people: list[dict], offences: list[dict], as_strings: bool = False):
    p = pd.DataFrame(people, columns=["person_id", "index_date"])
    o = pd.DataFrame(
        offences, columns=["person_id", "offence_date", "sanction_date", "offence_group"]
    )
    for frame, cols in ((p, ["index_date"]), (o, ["offence_date", "sanction_date"])):
        for c in cols:
            frame[c] = frame[c].astype(str) if as_strings else pd.to_datetime(frame[c])
    return p, o


def check(people, offences, extract=EXTRACT, as_strings=False):
    p, o = frames(people, offences, as_strings)
    got = build_labels(p, o, extract.isoformat())
    expected = reference_labels(people, offences, extract)
    assert got["person_id"].tolist() == [x["person_id"] for x in people]
    for pid, label, status in got.itertuples(index=False):
        want_label, want_status = expected[pid]
        assert status == want_status, pid
        if want_label is None:
            assert np.isnan(label), pid
        else:
            assert label == want_label, pid
    return got


# Index dates chosen to hit month ends, leap days and ordinary days.
INDEX_DATES = st.sampled_from(
    [
        dt.date(2020, 8, 31),
        dt.date(2020, 2, 29),
        dt.date(2019, 1, 31),
        dt.date(2019, 12, 31),
        dt.date(2020, 6, 15),
        dt.date(2021, 11, 30),
        dt.date(2021, 12, 31),
        dt.date(2022, 1, 1),
    ]
)
GROUPS = st.sampled_from(["theft", "breach", "violence", "absconding_bail", "drink_driving"])


@st.composite
def offence_for(draw, person_id: str, index: dt.date) -> dict:
    follow_up_end = plus_months(index, 24)
    proof_end = plus_months(index, 30)
    anchor = draw(st.sampled_from(["index", "follow_up_end", "one_year_end", "free"]))
    if anchor == "index":
        offence = index + dt.timedelta(days=draw(st.integers(-2, 2)))
    elif anchor == "follow_up_end":
        offence = follow_up_end + dt.timedelta(days=draw(st.integers(-2, 2)))
    elif anchor == "one_year_end":  # the edges of a 12-month follow-up
        offence = plus_months(index, 12) + dt.timedelta(days=draw(st.integers(-2, 2)))
    else:
        offence = index + dt.timedelta(days=draw(st.integers(-900, 1100)))
    proof = draw(st.sampled_from(["proof_end", "one_year_proof_end", "soon", "late"]))
    if proof == "proof_end":
        sanction = proof_end + dt.timedelta(days=draw(st.integers(-1, 1)))
    elif proof == "one_year_proof_end":
        sanction = plus_months(index, 18) + dt.timedelta(days=draw(st.integers(-1, 1)))
    elif proof == "soon":
        sanction = offence + dt.timedelta(days=draw(st.integers(0, 60)))
    else:
        sanction = offence + dt.timedelta(days=draw(st.integers(0, 400)))
    sanction = max(sanction, offence)
    return {
        "person_id": person_id,
        "offence_date": offence,
        "sanction_date": sanction,
        "offence_group": draw(GROUPS),
    }


@st.composite
def populations(draw):
    n = draw(st.integers(1, 6))
    people = [{"person_id": f"p{i}", "index_date": draw(INDEX_DATES)} for i in range(n)]
    offences = []
    for person in people:
        for _ in range(draw(st.integers(0, 4))):
            offences.append(draw(offence_for(person["person_id"], person["index_date"])))
    # an offence of somebody not in people is ignored
    if draw(st.booleans()):
        offences.append(
            {
                "person_id": "stranger",
                "offence_date": dt.date(2020, 9, 1),
                "sanction_date": dt.date(2020, 9, 2),
                "offence_group": "theft",
            }
        )
    offences = draw(st.permutations(offences))
    extract = draw(st.sampled_from([EXTRACT, dt.date(2022, 8, 31), dt.date(2023, 2, 28)]))
    return people, list(offences), extract


@settings(max_examples=150, deadline=None)
@given(populations(), st.booleans())
def test_labels_match_reference(population, as_strings):
    people, offences, extract = population
    check(people, offences, extract, as_strings)


def one(offence_date, sanction_date, group="theft", index=dt.date(2020, 8, 31), horizon=24):
    people = [{"person_id": "a", "index_date": index}]
    offences = [
        {
            "person_id": "a",
            "offence_date": offence_date,
            "sanction_date": sanction_date,
            "offence_group": group,
        }
    ]
    p, o = frames(people, offences)
    labels = build_labels(p, o, EXTRACT, horizon_months=horizon)
    return labels.loc[0, "reoffended_2y" if horizon == 24 else "reoffended_1y"]


def test_edges_of_follow_up_and_waiting_period_at_month_end():
    d = dt.date
    # index 2020-08-31: follow-up ends 2022-08-31, proof by 2023-02-28 (clipped month end)
    assert one(d(2022, 8, 31), d(2022, 9, 1)) == 1  # last day of the 24th month
    assert one(d(2022, 9, 1), d(2022, 9, 2)) == 0  # the day after
    assert one(d(2022, 8, 1), d(2023, 2, 28)) == 1  # proven on the last day of waiting
    assert one(d(2022, 8, 1), d(2023, 3, 1)) == 0  # the day after
    assert one(d(2020, 8, 31), d(2020, 9, 5)) == 0  # on the index date itself
    assert one(d(2020, 9, 1), d(2020, 9, 5)) == 1  # the day after the index date
    assert one(d(2020, 9, 1), d(2020, 9, 5), group="breach") == 0
    assert one(d(2020, 8, 1), d(2020, 10, 5)) == 0  # committed before, proven after


def test_leap_day_index_follow_up():
    d = dt.date
    leap = d(2020, 2, 29)
    assert one(d(2022, 2, 28), d(2022, 3, 1), index=leap) == 1
    assert one(d(2022, 3, 1), d(2022, 3, 2), index=leap) == 0
    assert one(d(2021, 1, 1), d(2022, 8, 29), index=leap) == 1
    assert one(d(2021, 1, 1), d(2022, 8, 30), index=leap) == 0


def test_censoring_boundary():
    people = [
        {"person_id": "on_time", "index_date": dt.date(2021, 12, 31)},  # +30m = 2024-06-30
        {"person_id": "late", "index_date": dt.date(2022, 1, 1)},  # +30m = 2024-07-01
    ]
    got = check(people, [])
    assert got["label_status"].tolist() == [LABELLED, CENSORED]
    assert got["reoffended_2y"].isna().tolist() == [False, True]


def test_extract_date_required():
    p, o = frames([{"person_id": "a", "index_date": dt.date(2020, 1, 1)}], [])
    with pytest.raises(ConfigError, match="extract date"):
        build_labels(p, o, None)
    assert "extract_date" in MISSING_EXTRACT_DATE


def test_numeric_person_ids_and_empty_offences():
    people = pd.DataFrame({"person_id": [1, 2], "index_date": ["2019-01-01", "2019-06-01"]})
    offences = pd.DataFrame(
        {
            "person_id": [2],
            "offence_date": ["2019-07-01"],
            "sanction_date": ["2019-08-01"],
            "offence_group": ["theft"],
        }
    )
    got = build_labels(people, offences, "2024-01-01")
    assert got["reoffended_2y"].tolist() == [0.0, 1.0]
    empty = offences.iloc[:0]
    assert build_labels(people, empty, "2024-01-01")["reoffended_2y"].tolist() == [0.0, 0.0]


# --- other horizons ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(populations())
def test_one_year_labels_match_reference_and_never_exceed_two_year(population):
    people, offences, extract = population
    p, o = frames(people, offences)
    one_year = build_labels(p, o, extract.isoformat(), horizon_months=12)
    two_year = build_labels(p, o, extract.isoformat())
    assert one_year.columns.tolist() == ["person_id", "reoffended_1y", "label_status"]
    expected = reference_labels(people, offences, extract, horizon=12)
    for pid, label, status in one_year.itertuples(index=False):
        want_label, want_status = expected[pid]
        assert status == want_status, pid
        assert np.isnan(label) if want_label is None else label == want_label, pid
    # Everyone labelled at two years is labelled at one year, never with a higher label.
    both = two_year["label_status"].eq(LABELLED).to_numpy()
    assert one_year["label_status"].eq(LABELLED).to_numpy()[both].all()
    assert (one_year["reoffended_1y"].to_numpy()[both] <= two_year["reoffended_2y"][both]).all()


def test_edges_of_a_one_year_follow_up():
    d = dt.date
    # index 2020-08-31: follow-up ends 2021-08-31, proof by 2022-02-28 (clipped month end)
    assert one(d(2021, 7, 31), d(2021, 12, 31), horizon=12) == 1  # at 11 months, proven at 16
    assert one(d(2021, 9, 30), d(2021, 10, 5), horizon=12) == 0  # at 13 months
    assert one(d(2021, 9, 30), d(2021, 10, 5)) == 1  # ... which counts at two years
    assert one(d(2021, 8, 31), d(2021, 9, 1), horizon=12) == 1  # last day of the 12th month
    assert one(d(2021, 9, 1), d(2021, 9, 2), horizon=12) == 0  # the day after
    assert one(d(2021, 8, 1), d(2022, 2, 28), horizon=12) == 1  # proven on the last day
    assert one(d(2021, 8, 1), d(2022, 3, 1), horizon=12) == 0  # after horizon + proof
    assert one(d(2020, 9, 1), d(2020, 9, 5), group="breach", horizon=12) == 0


def test_one_year_censoring_and_proof_period():
    people = [
        {"person_id": "on_time", "index_date": dt.date(2022, 12, 31)},  # +18m = 2024-06-30
        {"person_id": "late", "index_date": dt.date(2023, 1, 1)},  # +18m = 2024-07-01
    ]
    p, o = frames(people, [])
    got = build_labels(p, o, EXTRACT.isoformat(), horizon_months=12)
    assert got["label_status"].tolist() == [LABELLED, CENSORED]
    # a shorter proof period labels people sooner: +12+3 = 2024-04-01 for "late"
    got = build_labels(p, o, EXTRACT.isoformat(), horizon_months=12, proof_months=3)
    assert got["label_status"].tolist() == [LABELLED, LABELLED]
    offences = [
        {
            "person_id": "late",
            "offence_date": dt.date(2023, 12, 1),
            "sanction_date": dt.date(2024, 3, 15),  # within 12 + 3 months, not within 12 + 2
            "offence_group": "theft",
        }
    ]
    p, o = frames(people, offences)
    for proof, label in ((3, 1.0), (2, 0.0)):
        got = build_labels(p, o, EXTRACT.isoformat(), horizon_months=12, proof_months=proof)
        assert got["reoffended_1y"].tolist() == [0.0, label]


@pytest.mark.parametrize(("horizon", "proof"), [(0, 6), (12, 0), (True, 6), (12.5, 6)])
def test_horizon_and_proof_must_be_positive_whole_months(horizon, proof):
    p, o = frames([{"person_id": "a", "index_date": dt.date(2020, 1, 1)}], [])
    what = "the horizon" if proof == 6 else "the proof period"
    value = horizon if proof == 6 else proof
    expected = BAD_MONTHS.format(what=what, value=value)
    with pytest.raises(ConfigError, match=re.escape(expected)):
        build_labels(p, o, "2024-01-01", horizon_months=horizon, proof_months=proof)

"""Point-in-time and order invariance of the features (hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmodel.contract._vocabulary import DISPOSALS, NEED_AREAS, OFFENCE_GROUPS
from riskmodel.features import OFFENCE_FAMILIES, build_feature_table

BASE = dt.date(2019, 1, 31)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


@st.composite
def people_rows(draw, n):
    rows = []
    for i in range(n):
        index = draw(st.integers(0, 900))
        gap = draw(st.sampled_from([0, 0, 30, 200, 800]))
        rows.append(
            {
                "person_id": f"p{i}",
                "date_of_birth": day(index - draw(st.integers(18 * 366, 70 * 365))),
                "sex": draw(st.sampled_from(["male", "female"])),
                "index_date": day(index),
                "index_sanction_date": day(index - gap) if draw(st.booleans()) else None,
                "index_offence": draw(st.sampled_from(OFFENCE_GROUPS)),
                "index_disposal": draw(st.sampled_from([*DISPOSALS, None])),
                "ethnicity": draw(st.sampled_from(["a", "b", None])),
            }
        )
    return rows


@st.composite
def offence_row(draw, person, after: bool | None = None):
    """An offence of ``person``; ``after`` forces sanction_date after the index date."""
    index = person["index_date"]
    if after is True:
        sanction = index + dt.timedelta(days=draw(st.integers(1, 2000)))
    elif after is False:
        sanction = index - dt.timedelta(days=draw(st.integers(0, 8000)))
    else:
        sanction = index + dt.timedelta(days=draw(st.integers(-8000, 2000)))
    if after is not True and person["index_sanction_date"] is not None and draw(st.booleans()):
        sanction = person["index_sanction_date"]
    offence = sanction - dt.timedelta(days=draw(st.integers(0, 400)))
    return {
        "person_id": person["person_id"],
        "offence_date": offence,
        "sanction_date": sanction,
        "offence_group": draw(st.sampled_from(OFFENCE_GROUPS)),
        "disposal": draw(st.sampled_from([*DISPOSALS, None])),
        "custody_days": draw(st.sampled_from([np.nan, 0.0, 90.0])),
    }


@st.composite
def assessment_row(draw, person, after: bool | None = None):
    index = person["index_date"]
    if after is True:
        when = index + dt.timedelta(days=draw(st.integers(1, 700)))
    else:
        when = index + dt.timedelta(days=draw(st.integers(-500, 0 if after is False else 300)))
    row = {"person_id": person["person_id"], "assessment_date": when}
    for area in NEED_AREAS:
        row[area] = draw(st.sampled_from([0.0, 1.0, 2.0, np.nan]))
    return row


@st.composite
def populations(draw):
    people = draw(people_rows(draw(st.integers(1, 6))))
    offences = [draw(offence_row(p)) for p in people for _ in range(draw(st.integers(0, 5)))]
    needs = [draw(assessment_row(p)) for p in people for _ in range(draw(st.integers(0, 3)))]
    return people, offences, needs


def tables(people, offences, needs):
    p = pd.DataFrame(people)
    for c in ("date_of_birth", "index_date", "index_sanction_date"):
        p[c] = pd.to_datetime(p[c])
    o = pd.DataFrame(
        offences,
        columns=[
            "person_id",
            "offence_date",
            "sanction_date",
            "offence_group",
            "disposal",
            "custody_days",
        ],
    )
    for c in ("offence_date", "sanction_date"):
        o[c] = pd.to_datetime(o[c])
    o["custody_days"] = o["custody_days"].astype("float64")
    n = pd.DataFrame(needs, columns=["person_id", "assessment_date", *NEED_AREAS])
    n["assessment_date"] = pd.to_datetime(n["assessment_date"])
    for area in NEED_AREAS:
        n[area] = n[area].astype("float64")
    return {"people": p, "offences": o, "needs": n}


def features(people, offences, needs):
    return build_feature_table(tables(people, offences, needs)).X


def after_index(offence, people):
    index = next(p["index_date"] for p in people if p["person_id"] == offence["person_id"])
    return offence["sanction_date"] > index


@SETTINGS
@given(populations(), st.data())
def test_offences_after_index_date_never_change_features(population, data):
    people, offences, needs = population
    before = features(people, offences, needs)
    changed = [o for o in offences if not after_index(o, people)]  # remove every later one
    for o in offences:  # change each later one into another later one
        if after_index(o, people):
            person = next(p for p in people if p["person_id"] == o["person_id"])
            changed.append(data.draw(offence_row(person, after=True)))
    for _ in range(data.draw(st.integers(0, 4))):  # and add a few more
        changed.append(data.draw(offence_row(data.draw(st.sampled_from(people)), after=True)))
    pd.testing.assert_frame_equal(before, features(people, changed, needs))


@SETTINGS
@given(populations(), st.data())
def test_assessments_after_index_date_never_change_features(population, data):
    people, offences, needs = population
    before = features(people, offences, needs)
    index = {p["person_id"]: p["index_date"] for p in people}
    kept = [a for a in needs if a["assessment_date"] <= index[a["person_id"]]]
    for _ in range(data.draw(st.integers(1, 4))):
        kept.append(data.draw(assessment_row(data.draw(st.sampled_from(people)), after=True)))
    pd.testing.assert_frame_equal(before, features(people, offences, kept))


@SETTINGS
@given(populations(), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(population, rnd):
    people, offences, needs = population
    base = build_feature_table(
        tables(people, offences, needs), labels=True, extract_date="2026-01-01"
    )
    order = list(range(len(people)))
    rnd.shuffle(order)
    shuffled = [people[i] for i in order]
    offences, needs = offences[:], needs[:]
    rnd.shuffle(offences)
    rnd.shuffle(needs)
    other = build_feature_table(
        tables(shuffled, offences, needs), labels=True, extract_date="2026-01-01"
    )
    # rows follow the people table: put them back in the original order before comparing
    back = np.argsort(order)
    for part in ("X", "groups"):
        pd.testing.assert_frame_equal(
            getattr(base, part), getattr(other, part).iloc[back].reset_index(drop=True)
        )
    pd.testing.assert_series_equal(base.label, other.label.iloc[back].reset_index(drop=True))
    assert base.meta == other.meta


@SETTINGS
@given(populations())
def test_scoring_is_training_minus_label(population):
    data = tables(*population)
    training = build_feature_table(data, labels=True, extract_date="2024-01-01")
    scoring = build_feature_table(data)
    pd.testing.assert_frame_equal(training.X, scoring.X)
    pd.testing.assert_frame_equal(training.groups, scoring.groups)
    pd.testing.assert_series_equal(training.ids, scoring.ids)
    assert scoring.label is None
    frame_training = training.to_frame().drop(columns=["reoffended_2y", "label_status"])
    pd.testing.assert_frame_equal(frame_training, scoring.to_frame())
    # sanity of every person: occasions at least one, and the Copas rate is finite
    assert (training.X["sanction_occasions"] >= 1).all()
    assert np.isfinite(training.X["copas_rate"]).all()
    assert set(training.label_status) <= {"labelled", "censored"}


@SETTINGS
@given(populations())
def test_group_counts_add_up_to_family_counts(population):
    X = features(*population)
    for family, groups in OFFENCE_FAMILIES.items():
        total = X[[f"offence_count_{g}" for g in groups]].sum(axis=1)
        np.testing.assert_array_equal(total, X[f"offences_{family}"], err_msg=family)
    counts = X[[f"offence_count_{g}" for g in OFFENCE_GROUPS]]
    assert (counts >= 0).all().all()
    # every sanction occasion, the current one included, has at least one offence
    assert (counts.sum(axis=1) >= X["sanction_occasions"]).all()

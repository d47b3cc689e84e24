"""Offence-history and needs features against small hand-built cases."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from riskmodel import ConfigError, DataError
from riskmodel.contract._vocabulary import NEED_AREAS, OFFENCE_GROUPS, PATHWAYS
from riskmodel.features import (
    BAD_LOOKBACK,
    CATALOGUE,
    FEATURES,
    MISSING_EXTRACT_DATE,
    OFFENCE_FAMILIES,
    build_feature_table,
    feature_catalogue,
)

D = dt.date
MONTH = 365.25 / 12


def people_frame(rows):
    frame = pd.DataFrame(rows)
    for c in ("date_of_birth", "index_date", "index_sanction_date"):
        if c in frame:
            frame[c] = pd.to_datetime(frame[c])
    return frame


def offences_frame(rows):
    frame = pd.DataFrame(
        rows,
        columns=["person_id", "offence_date", "sanction_date", "offence_group", "disposal"],
    )
    for c in ("offence_date", "sanction_date"):
        frame[c] = pd.to_datetime(frame[c])
    frame["custody_days"] = np.nan
    return frame


PEOPLE = people_frame(
    [
        {
            "person_id": "A",
            "date_of_birth": D(1980, 6, 15),
            "sex": "male",
            "index_date": D(2020, 6, 1),
            "index_sanction_date": D(2020, 1, 10),  # released from custody on 2020-06-01
            "index_offence": "burglary_domestic",
            "index_disposal": "custody",
            "ethnicity": "white",
        },
        {
            "person_id": "B",
            "date_of_birth": D(1999, 12, 31),
            "sex": "female",
            "index_date": D(2021, 3, 1),
            "index_sanction_date": pd.NaT,  # defaults to the index date
            "index_offence": "theft",
            "index_disposal": None,
            "ethnicity": "black",
        },
        {
            "person_id": "C",
            "date_of_birth": D(1960, 2, 29),
            "sex": "male",
            "index_date": D(2019, 2, 28),
            "index_sanction_date": D(2019, 2, 28),
            "index_offence": "violence",
            "index_disposal": "community_order",
            "ethnicity": None,
        },
    ]
)
OFFENCES = offences_frame(
    [
        ("A", D(2000, 3, 1), D(2000, 5, 1), "theft", "fine"),
        ("A", D(2000, 4, 1), D(2000, 5, 1), "handling", "fine"),  # same day: one occasion
        ("A", D(2010, 1, 1), D(2010, 2, 1), "violence", "custody"),
        ("A", D(2019, 6, 1), D(2019, 7, 1), "breach", "community_order"),
        ("A", D(2019, 12, 1), D(2020, 1, 10), "burglary_domestic", "custody"),  # current
        ("A", D(2020, 2, 1), D(2020, 3, 15), "drug_possession_supply", "fine"),
        ("A", D(2020, 5, 1), D(2020, 7, 1), "theft", "fine"),  # proven after index: ignored
        ("A", D(2021, 1, 1), D(2021, 2, 1), "theft", "custody"),  # outcome: ignored
        # C: a row on the current sanction day with another group than index_offence
        ("C", D(2019, 1, 1), D(2019, 2, 28), "weapons", None),
        ("C", D(2018, 1, 1), D(2018, 3, 1), "sexual_adult", None),
        ("nobody", D(2018, 1, 1), D(2018, 3, 1), "theft", None),
    ]
)


def age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@pytest.fixture(scope="module")
def table():
    return build_feature_table({"people": PEOPLE, "offences": OFFENCES, "needs": None})


def row(table, pid):
    return table.X.iloc[table.ids.tolist().index(pid)]


def test_history_person_released_from_custody(table):
    x = row(table, "A")
    assert x["sanction_occasions"] == 5  # 2000-05-01, 2010, 2019-07, 2020-01-10, 2020-03-15
    assert x["first_sanction"] == 0
    assert x["age_at_first_sanction"] == age(D(1980, 6, 15), D(2000, 5, 1)) == 19
    assert x["age_at_index"] == 39
    years = age(D(1980, 6, 15), D(2020, 1, 10)) - 19
    assert x["years_first_to_current"] == years == 20
    assert x["copas_rate"] == pytest.approx(math.log(5 / (20 + 10)))
    assert x["months_sanction_to_index"] == pytest.approx(
        (D(2020, 6, 1) - D(2020, 1, 10)).days / MONTH
    )
    assert x["previous_custodial_sentences"] == 1  # 2010 only: the current one is not previous
    assert x["previous_sanctions_1y"] == 2  # 2019-07-01 and 2020-03-15
    assert x["previous_sanctions_2y"] == 2
    assert x["months_since_previous_sanction"] == pytest.approx(
        (D(2020, 6, 1) - D(2020, 3, 15)).days / MONTH
    )
    # the latest occasion before the current sanction is the 2019-07-01 breach (the
    # 2020-03-15 occasion was proven while in custody, after the current sanction)
    assert x["months_previous_to_current"] == pytest.approx(
        (D(2020, 1, 10) - D(2019, 7, 1)).days / MONTH
    )
    assert x["years_in_custody"] == 0  # the 2010 custody has no custody_days
    assert x["years_at_risk"] == age(D(1980, 6, 15), D(2020, 1, 10)) - 10 == 29
    assert x["offences_acquisitive"] == 3  # theft, handling, the current burglary
    assert x["offences_violence"] == 1
    assert x["offences_breach"] == 1
    assert x["offences_drugs"] == 1
    assert x["offences_sexual"] == x["offences_motoring"] == x["offences_other"] == 0
    assert x["offence_count_theft"] == 1  # the 2020-07-01 and 2021 thefts are after the index
    assert x["offence_count_handling"] == 1
    assert x["offence_count_burglary_domestic"] == 1  # the current offence
    assert x["offence_count_violence"] == x["offence_count_breach"] == 1
    assert x["offence_count_drug_possession_supply"] == 1
    assert x["offence_count_weapons"] == x["offence_count_burglary_other"] == 0
    assert x["index_offence"] == "burglary_domestic"
    assert x["index_disposal"] == "custody"
    assert x["sex"] == "male"


def test_custody_served_before_the_current_sanction():
    offences = offences_frame(
        [
            ("A", D(2005, 1, 1), D(2005, 2, 1), "theft", "custody"),
            ("A", D(2012, 1, 1), D(2012, 2, 1), "violence", "custody"),
            ("A", D(2012, 1, 5), D(2012, 2, 1), "weapons", "custody"),  # same occasion
            ("A", D(2019, 12, 1), D(2020, 1, 10), "burglary_domestic", "custody"),  # current
            ("A", D(2021, 1, 1), D(2021, 2, 1), "theft", "custody"),  # after the index
        ]
    )
    offences["custody_days"] = [100, 180, 365, 400, 900]
    table = build_feature_table({"people": PEOPLE, "offences": offences})
    x = row(table, "A")
    # the longest sentence of each earlier occasion, half of it served: 50 + 182.5 days
    assert x["years_in_custody"] == pytest.approx((50 + 182.5) / 365.25)
    assert x["years_at_risk"] == pytest.approx(29 - (50 + 182.5) / 365.25)
    assert x["previous_custodial_sentences"] == 2
    assert x["months_previous_to_current"] == pytest.approx(
        (D(2020, 1, 10) - D(2012, 2, 1)).days / MONTH
    )
    assert row(table, "B")["years_in_custody"] == 0
    assert np.isnan(row(table, "B")["months_previous_to_current"])


def test_current_sanction_taken_from_people(table):
    x = row(table, "B")
    assert x["sanction_occasions"] == 1
    assert x["first_sanction"] == 1
    assert x["age_at_first_sanction"] == x["age_at_index"] == 21
    assert x["years_first_to_current"] == 0
    assert x["copas_rate"] == pytest.approx(math.log(1 / 10))
    assert x["months_sanction_to_index"] == 0
    assert np.isnan(x["months_since_previous_sanction"])
    assert x["offences_acquisitive"] == 1  # the current theft, from people
    assert x["offence_count_theft"] == 1
    assert x["index_disposal"] == "unknown"
    assert table.meta["current_sanction_from_people"] == 1  # B only


def test_current_sanction_row_counts_once(table):
    x = row(table, "C")
    assert x["sanction_occasions"] == 2
    assert x["offences_violence"] == 1  # the weapons row, not people.index_offence again
    assert x["offence_count_weapons"] == 1 and x["offence_count_violence"] == 0
    assert x["offence_count_sexual_adult"] == 1
    assert x["offences_sexual"] == 1
    # born on a leap day: 2019-02-28 is before the birthday
    assert x["age_at_index"] == 58
    assert x["previous_sanctions_1y"] == 1 and x["previous_sanctions_2y"] == 1
    assert table.meta["offences_after_index"] == 2


def test_groups_and_ethnicity_never_a_feature(table):
    assert "ethnicity" not in table.X.columns
    # Person by person (A, B, C), in the order the fairness and cohort reports list them.
    columns = ["ethnicity", "sex", "age_band", "cohort", "index_disposal", "index_offence"]
    assert table.groups.columns.tolist() == columns
    assert table.groups.astype(object).where(table.groups.notna(), None).values.tolist() == [
        ["white", "male", "30-39", "adult_male", "custody", "burglary_domestic"],
        ["black", "female", "21-24", "female", "unknown", "theft"],
        [None, "male", "50+", "mature_male", "community_order", "violence"],
    ]


def test_catalogue_documents_every_column(table):
    assert table.X.columns.tolist() == [f.name for f in FEATURES]
    cat = feature_catalogue()
    assert cat["name"].is_unique
    assert set(cat.columns) >= {"name", "meaning", "unit", "label", "template"}
    assert all(cat["meaning"].str.len() > 20)
    assert all(cat["template"].str.contains("{value}", regex=False))
    assert {f"offences_{f}" for f in OFFENCE_FAMILIES} <= set(cat["name"])
    assert {f"offence_count_{g}" for g in OFFENCE_GROUPS} <= set(cat["name"])
    assert CATALOGUE["first_sanction"].describe(1.0) == "first ever sanction: yes"
    assert CATALOGUE["months_since_previous_sanction"].describe(np.nan).startswith("unknown")
    for name in table.X.columns:
        if CATALOGUE[name].kind == "categorical":
            assert table.X[name].map(type).eq(str).all(), name
        else:
            assert table.X[name].dtype == np.float64, name


def needs_frame(rows):
    frame = pd.DataFrame(rows, columns=["person_id", "assessment_date", *NEED_AREAS])
    frame["assessment_date"] = pd.to_datetime(frame["assessment_date"])
    for area in NEED_AREAS:
        frame[area] = frame[area].astype("float64")
    return frame


def scores(*values):
    return list(values)


NEEDS = needs_frame(
    [
        # A (index 2020-06-01): an old one outside 12 months, one inside, one after the index
        ["A", D(2019, 5, 31), *scores(2, 2, 2, 2, 2, 2, 2, 2, 2, 2)],
        ["A", D(2019, 6, 1), *scores(0, 1, 0, 2, np.nan, 0, 1, np.nan, 0, 0)],
        ["A", D(2020, 6, 2), *scores(2, 2, 2, 2, 2, 2, 2, 2, 2, 2)],
        # B (index 2021-03-01): only an assessment after the index date
        ["B", D(2021, 3, 2), *scores(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)],
        # C (index 2019-02-28): an assessment with no area scored, on the index date
        ["C", D(2019, 2, 28), *([np.nan] * 10)],
    ]
)


def test_needs_latest_within_lookback():
    table = build_feature_table({"people": PEOPLE, "offences": OFFENCES, "needs": NEEDS})
    a = row(table, "A")
    expected = dict(zip(NEED_AREAS, [0, 1, 0, 2, np.nan, 0, 1, np.nan, 0, 0], strict=True))
    for area, value in expected.items():
        got = a[f"need_{area}"]
        assert (np.isnan(got) and np.isnan(value)) or got == value, area
    assert a["needs_missing"] == 0
    assert a["needs_count"] == 3  # education, relationships, alcohol
    assert a["pathway_drugs_alcohol"] == 1  # alcohol 1, drugs 0
    assert a["pathway_children_families"] == 1
    assert a["pathway_accommodation"] == 0
    assert np.isnan(a["pathway_lifestyle_associates"])  # lifestyle not assessed
    assert np.isnan(a["pathway_health"])
    assert a["pathway_attitudes_thinking_behaviour"] == 0
    assert a["needs_pathways"] == 3
    b = row(table, "B")
    assert b["needs_missing"] == 1 and np.isnan(b["needs_count"])
    assert all(np.isnan(b[f"need_{area}"]) for area in NEED_AREAS)
    c = row(table, "C")
    assert c["needs_missing"] == 0 and np.isnan(c["needs_count"])
    # every assessment on or before the index date, however old: A's two, C's empty one
    assert [row(table, p)["assessments_before_index"] for p in "ABC"] == [2, 0, 1]
    assert a["mean_need_accommodation"] == 1.0  # (2 + 0) / 2
    assert a["mean_need_education_training_employment"] == 1.5
    assert a["mean_need_lifestyle"] == 2.0  # scored in the older assessment only
    assert all(np.isnan(b[f"mean_need_{area}"]) for area in NEED_AREAS)
    assert all(np.isnan(c[f"mean_need_{area}"]) for area in NEED_AREAS)
    assert table.meta["people_without_assessment"] == 1
    assert table.meta["assessments_after_index"] == 2
    assert len(PATHWAYS) == sum(name.startswith("pathway_") for name in table.X.columns)


def test_needs_lookback_is_configurable():
    long = build_feature_table(
        {"people": PEOPLE, "offences": OFFENCES, "needs": NEEDS.iloc[[0]]},
        needs_lookback_months=24,
    )
    short = build_feature_table({"people": PEOPLE, "offences": OFFENCES, "needs": NEEDS.iloc[[0]]})
    assert row(long, "A")["needs_count"] == 10
    assert row(short, "A")["needs_missing"] == 1
    unlimited = build_feature_table(
        {"people": PEOPLE, "offences": OFFENCES, "needs": NEEDS.iloc[[0]]},
        needs_lookback_months=None,
    )
    assert row(unlimited, "A")["needs_count"] == 10
    with pytest.raises(ConfigError, match="look-back"):
        build_feature_table({"people": PEOPLE, "offences": OFFENCES}, needs_lookback_months=0)
    assert "look-back" in BAD_LOOKBACK


def test_same_day_assessments_resolved_whatever_the_order():
    rows = [
        ["A", D(2020, 1, 1), *scores(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)],
        ["A", D(2020, 1, 1), *scores(1, 0, 0, 0, 0, 0, 0, 0, 0, 2)],
    ]
    first = build_feature_table(
        {"people": PEOPLE, "offences": OFFENCES, "needs": needs_frame(rows)}
    )
    second = build_feature_table(
        {"people": PEOPLE, "offences": OFFENCES, "needs": needs_frame(rows[::-1])}
    )
    pd.testing.assert_frame_equal(first.X, second.X)
    assert row(first, "A")["need_accommodation"] == 1


def test_labels_and_scoring_share_features(table):
    labelled = build_feature_table(
        {"people": PEOPLE, "offences": OFFENCES, "needs": NEEDS},
        labels=True,
        extract_date="2023-12-31",
    )
    scoring = build_feature_table({"people": PEOPLE, "offences": OFFENCES, "needs": NEEDS})
    pd.testing.assert_frame_equal(labelled.X, scoring.X)
    pd.testing.assert_frame_equal(labelled.groups, scoring.groups)
    assert scoring.label is None and scoring.label_status is None
    # A reoffends (theft committed 2021-01-01); B's 30 months end 2023-09-01; C's 2021-08-28
    assert labelled.label_status.tolist() == ["labelled", "labelled", "labelled"]
    assert labelled.label.tolist() == [1.0, 0.0, 0.0]
    assert labelled.meta["censored"] == 0
    later = build_feature_table(
        {"people": PEOPLE, "offences": OFFENCES}, labels=True, extract_date="2023-08-31"
    )
    assert later.label_status.tolist() == ["labelled", "censored", "labelled"]
    assert later.meta["censored"] == 1
    frame = later.to_frame()
    assert frame.columns[0] == "person_id"
    assert frame.columns[-2:].tolist() == ["reoffended_2y", "label_status"]
    assert frame["reoffended_2y"].isna().tolist() == [False, True, False]
    assert "ethnicity" not in frame.columns
    assert len(later.labelled()) == 2


def test_labels_need_extract_date():
    with pytest.raises(ConfigError) as info:
        build_feature_table({"people": PEOPLE, "offences": OFFENCES}, labels=True)
    assert str(info.value) == MISSING_EXTRACT_DATE


def test_missing_column_and_duplicates_are_data_errors():
    with pytest.raises(DataError, match="people table is missing required column"):
        build_feature_table({"people": PEOPLE.drop(columns="sex"), "offences": OFFENCES})
    with pytest.raises(DataError, match="duplicated person_id"):
        build_feature_table({"people": pd.concat([PEOPLE, PEOPLE]), "offences": OFFENCES})

"""Data contract: typed loading, whole-table errors, row-level rejects, reconciliation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmodel import DataError
from riskmodel._tables import _messages as table_msg
from riskmodel.contract import (
    NEED_AREAS,
    OFFENCE_GROUPS,
    REJECT_COLUMNS,
    RawTables,
    read_tables,
    validate_tables,
)
from riskmodel.contract import _messages as msg
from tests.commands import run_here
from tests.contract_data import valid_tables, write_data_dir


def validated(tables: dict[str, pd.DataFrame]):
    return validate_tables(RawTables(tables["people"], tables["offences"], tables.get("needs")))


def only_reason(data, person_id: str) -> list[str]:
    return data.rejects.loc[data.rejects["person_id"] == person_id, "reason"].tolist()


def test_valid_tables_keep_everyone_and_type_columns(tmp_path):
    data = validate_tables(read_tables(write_data_dir(tmp_path, valid_tables())))
    assert data.summary["people_read"] == data.summary["people_kept"] == 6
    assert data.rejects.empty
    assert list(data.rejects.columns) == list(REJECT_COLUMNS)
    for column in ("date_of_birth", "index_date", "index_sanction_date"):
        assert data.people[column].dtype == "datetime64[ns]"
    # index_sanction_date defaults to index_date where empty
    first = data.people.iloc[0]
    assert first["index_sanction_date"] == first["index_date"] == pd.Timestamp("2021-06-01")
    assert data.people.iloc[1]["index_sanction_date"] == pd.Timestamp("2021-03-01")
    assert data.offences["custody_days"].tolist()[:2] == pytest.approx([np.nan, 90.0], nan_ok=True)
    assert data.needs[list(NEED_AREAS)].dtypes.eq("float64").all()
    assert np.isnan(data.needs.loc[0, "drugs"])
    assert data.extract_date == pd.Timestamp("2025-01-01")


def test_parquet_and_csv_give_the_same_validated_tables(tmp_path):
    tables = valid_tables()
    typed = {name: frame.copy() for name, frame in tables.items()}
    for column in ("date_of_birth", "index_date"):
        typed["people"][column] = pd.to_datetime(typed["people"][column]).dt.date
    typed["offences"]["custody_days"] = pd.to_numeric(typed["offences"]["custody_days"])
    for area in NEED_AREAS:
        typed["needs"][area] = pd.to_numeric(typed["needs"][area])
    from_csv = validate_tables(read_tables(write_data_dir(tmp_path / "csv", tables)))
    from_parquet = validate_tables(
        read_tables(write_data_dir(tmp_path / "pq", typed, fmt="parquet"))
    )
    pd.testing.assert_frame_equal(
        from_csv.people[["person_id", "date_of_birth", "index_date", "sex"]],
        from_parquet.people[["person_id", "date_of_birth", "index_date", "sex"]],
    )
    pd.testing.assert_frame_equal(
        from_csv.needs[list(NEED_AREAS)], from_parquet.needs[list(NEED_AREAS)]
    )
    assert from_parquet.offences["custody_days"].sum() == from_csv.offences["custody_days"].sum()


# --- whole-table problems -------------------------------------------------------------------


def test_missing_required_columns_in_several_tables_are_reported_together(tmp_path):
    tables = valid_tables()
    tables["people"] = tables["people"].drop(columns=["sex", "index_date"])
    tables["offences"] = tables["offences"].drop(columns=["offence_group"])
    with pytest.raises(DataError) as info:
        read_tables(write_data_dir(tmp_path, tables))
    text = str(info.value)
    assert msg.MISSING_COLUMNS.format(file="people.csv", columns="sex, index_date") in text
    assert msg.MISSING_COLUMNS.format(file="offences.csv", columns="offence_group") in text


def test_missing_people_file(tmp_path):
    tables = valid_tables()
    del tables["people"]
    with pytest.raises(DataError, match=r"people: no people\.csv or people\.parquet"):
        read_tables(write_data_dir(tmp_path, tables))


def test_needs_table_is_optional(tmp_path):
    tables = valid_tables()
    del tables["needs"]
    data = validate_tables(read_tables(write_data_dir(tmp_path, tables)))
    assert data.summary["needs_table"] is False
    assert data.needs.empty and set(NEED_AREAS) <= set(data.needs.columns)


def test_unreadable_file(tmp_path):
    write_data_dir(tmp_path, valid_tables())
    (tmp_path / "offences.csv").unlink()
    (tmp_path / "offences.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(DataError, match=r"offences.parquet: cannot be read \("):
        read_tables(tmp_path)


def test_empty_people_table(tmp_path):
    tables = valid_tables()
    tables["people"] = tables["people"].iloc[0:0]
    with pytest.raises(DataError, match=table_msg.EMPTY_TABLE.format(file="people.csv")):
        read_tables(write_data_dir(tmp_path, tables))


def test_two_files_for_one_table(tmp_path):
    write_data_dir(tmp_path, valid_tables())
    valid_tables()["needs"].to_parquet(tmp_path / "needs.parquet")
    with pytest.raises(DataError, match=r"needs: both needs\.csv and needs\.parquet exist"):
        read_tables(tmp_path)


def test_bad_extract_date_in_metadata(tmp_path):
    with pytest.raises(DataError, match=r"extract date 'soon' is not a date"):
        validate_tables(read_tables(write_data_dir(tmp_path, valid_tables(), extract_date="soon")))


# --- row-level problems -----------------------------------------------------------------------


ROW_CASES = {
    "unparseable date": (
        "people",
        "index_date",
        "2021-02-30",
        msg.UNPARSEABLE_DATE,
    ),
    "unknown offence group": (
        "offences",
        "offence_group",
        "shoplifting",
        msg.UNKNOWN_VALUE.format(allowed=", ".join(OFFENCE_GROUPS)),
    ),
    "unknown sex": ("people", "sex", "x", msg.UNKNOWN_VALUE.format(allowed="male, female")),
    "need score outside 0-2": ("needs", "alcohol", "7", msg.BAD_NEED_SCORE),
    "negative custody": ("offences", "custody_days", "-3", msg.BAD_CUSTODY_DAYS),
    "missing required value": (
        "offences",
        "sanction_date",
        "",
        msg.MISSING_VALUE.format(expected="expected a date as YYYY-MM-DD"),
    ),
}


@pytest.mark.parametrize("case", sorted(ROW_CASES))
def test_row_problem_rejects_only_that_person(case):
    table, column, value, reason = ROW_CASES[case]
    tables = valid_tables()
    tables[table].loc[1, column] = value
    data = validated(tables)
    person = tables[table].loc[1, "person_id"]
    assert only_reason(data, person) == [reason]
    line = data.rejects.iloc[0]
    assert (line["table"], line["row"], line["column"]) == (table, 2, column)
    assert line["value"] == (value or "")
    assert person not in set(data.people["person_id"])
    assert data.summary["people_kept"] == 5 and data.summary["people_rejected"] == 1
    assert person not in set(data.offences["person_id"]) | set(data.needs["person_id"])


def test_sanction_before_offence():
    tables = valid_tables()
    tables["offences"].loc[3, ["offence_date", "sanction_date"]] = ["2020-05-02", "2020-05-01"]
    data = validated(tables)
    assert only_reason(data, "P001") == [msg.SANCTION_BEFORE_OFFENCE]


def test_offence_for_unknown_person_is_a_line_but_no_person_is_lost():
    tables = valid_tables()
    tables["offences"].loc[len(tables["offences"])] = [
        "NOBODY", "2020-01-01", "2020-02-01", "theft", "fine", ""
    ]  # fmt: skip
    data = validated(tables)
    assert only_reason(data, "NOBODY") == [msg.UNKNOWN_PERSON]
    assert data.summary["people_kept"] == 6
    assert data.summary["offence_rows_unknown_person"] == 1
    assert "NOBODY" not in set(data.offences["person_id"])


def test_vocabulary_case_and_spaces_are_forgiven_and_ids_match_when_stripped():
    tables = valid_tables()
    tables["people"].loc[0, "sex"] = " Male "
    tables["people"].loc[1, "index_offence"] = "  "  # blank: a missing required value
    tables["offences"].loc[0, "offence_group"] = "THEFT"
    tables["offences"].loc[6, "offence_group"] = "Jaywalking"  # P003's first offence
    tables["offences"].loc[4, "person_id"] = " P002 "  # P002's row, with spaces
    data = validated(tables)
    assert data.people.set_index("person_id").loc["P000", "sex"] == "male"
    assert data.offences.loc[data.offences["person_id"] == "P002"].shape[0] == 2
    assert data.offences["offence_group"].iloc[0] == "theft"
    reasons = data.rejects.set_index("person_id")["reason"].to_dict()
    assert set(reasons) == {"P001", "P003"}
    assert reasons["P001"].startswith("missing value")
    assert reasons["P003"].startswith("unknown value")
    assert data.summary["offence_rows_unknown_person"] == 0


def test_duplicate_person_id_rejects_every_row_of_it():
    tables = valid_tables()
    tables["people"].loc[4, "person_id"] = "P002"
    data = validated(tables)
    assert only_reason(data, "P002") == [msg.DUPLICATE_PERSON] * 2
    assert data.summary["people_read"] == 6
    assert data.summary["people_kept"] + data.summary["people_rejected"] == 6
    assert data.summary["people_rejected"] == 2


def test_birth_after_index_date():
    tables = valid_tables()
    tables["people"].loc[0, "date_of_birth"] = "2022-01-01"
    assert only_reason(validated(tables), "P000") == [msg.BIRTH_AFTER_INDEX]


def test_person_under_18_on_index_date():
    tables = valid_tables()
    tables["people"].loc[0, "date_of_birth"] = "2003-06-02"  # 17 on 2021-06-01
    tables["people"].loc[1, "date_of_birth"] = "2003-06-01"  # 18 that very day
    data = validated(tables)
    assert only_reason(data, "P000") == [msg.UNDER_MINIMUM_AGE.format(age=17)]
    assert only_reason(data, "P001") == []


def test_every_problem_is_reported_not_only_the_first():
    tables = valid_tables()
    tables["people"].loc[2, ["sex", "index_offence"]] = ["unknown", "arson"]
    tables["offences"].loc[4, "offence_date"] = "not a date"
    tables["needs"].loc[2, ["finance", "attitudes"]] = ["3", "-1"]
    data = validated(tables)
    assert len(only_reason(data, "P002")) == 5
    assert set(data.rejects["table"]) == {"people", "offences", "needs"}


# --- the whole promise: nobody lost ---------------------------------------------------------

CORRUPTIONS = [
    ("people", "date_of_birth", "31/12/1990"),
    ("people", "index_offence", "arson"),
    ("people", "person_id", "P000"),
    ("offences", "offence_group", "?"),
    ("offences", "sanction_date", "1900-01-01"),
    ("needs", "lifestyle", "9"),
    ("needs", "assessment_date", "yesterday"),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_people=st.integers(min_value=3, max_value=12),
    hits=st.lists(
        st.tuples(st.sampled_from(CORRUPTIONS), st.integers(min_value=0, max_value=100)),
        max_size=8,
    ),
)
def test_counts_reconcile_and_rejected_people_have_reasons(n_people, hits):
    tables = valid_tables(n_people)
    for (table, column, value), position in hits:
        frame = tables[table]
        frame.loc[position % len(frame), column] = value
    data = validated(tables)
    summary = data.summary
    assert summary["people_read"] == n_people
    assert summary["people_read"] == summary["people_kept"] + summary["people_rejected"]
    kept = set(data.people["person_id"])
    in_people = set(tables["people"]["person_id"])
    rejected_ids = set(data.rejects["person_id"]) & in_people
    assert kept.isdisjoint(rejected_ids)
    # every person id in the input is either kept or has a reject line
    assert kept | rejected_ids == in_people
    assert set(data.offences["person_id"]) <= kept


# --- the command line -----------------------------------------------------------------------


def test_cli_validate_writes_rejects_and_reconciles(tmp_path):
    tables = valid_tables()
    tables["needs"].loc[0, "drugs"] = "5"
    write_data_dir(tmp_path / "data", tables)
    result = run_here("validate", "--data", str(tmp_path / "data"), "--rejects",
                     str(tmp_path / "rejects.csv"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "people read: 6 = kept 5 + rejected 1" in result.stdout
    rejects = pd.read_csv(tmp_path / "rejects.csv")
    assert rejects[["person_id", "table", "column", "value"]].values.tolist() == [
        ["P000", "needs", "drugs", 5]
    ]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("drop_column", "people.csv: missing required column(s) sex"),
        ("empty_people", "people.csv: the table has no rows"),
        ("garbage_parquet", "people.parquet: cannot be read"),
        ("no_directory", "does not exist"),
    ],
)
def test_cli_whole_table_problem_exits_2_without_traceback(tmp_path, damage, expected):
    tables = valid_tables()
    data_dir = tmp_path / "data"
    if damage == "drop_column":
        tables["people"] = tables["people"].drop(columns=["sex"])
    if damage == "empty_people":
        tables["people"] = tables["people"].iloc[0:0]
    if damage != "no_directory":
        write_data_dir(data_dir, tables)
    if damage == "garbage_parquet":
        (data_dir / "people.csv").unlink()
        (data_dir / "people.parquet").write_text("garbage")
    result = run_here("validate", "--data", str(data_dir))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_reject_lines_point_at_the_file_row(tmp_path):
    tables = valid_tables()
    tables["offences"].loc[7, "offence_group"] = "arson"
    data = validate_tables(read_tables(write_data_dir(tmp_path, tables)))
    line = data.rejects.iloc[0]
    raw_lines = Path(tmp_path / "offences.csv").read_text().splitlines()
    # row is 1-based among data rows: header is line 0
    assert "arson" in raw_lines[line["row"]]


def test_cli_every_row_problem_at_once_exits_0_and_loses_nobody(tmp_path):
    tables = valid_tables(12)
    expected: dict[str, str] = {}
    people_cases = [c for c in ROW_CASES.values()]
    for position, (table, column, value, reason) in enumerate(people_cases):
        frame = tables[table]
        row = frame.index[frame["person_id"] == f"P{position:03d}"][0]
        frame.loc[row, column] = value
        expected[f"P{position:03d}"] = reason
    tables["people"].loc[6, "date_of_birth"] = "2022-01-01"
    expected["P006"] = msg.BIRTH_AFTER_INDEX
    tables["people"].loc[7, "date_of_birth"] = "2010-01-01"
    expected["P007"] = msg.UNDER_MINIMUM_AGE.format(age=11)
    tables["offences"].loc[16, ["offence_date", "sanction_date"]] = ["2020-05-02", "2020-05-01"]
    expected["P008"] = msg.SANCTION_BEFORE_OFFENCE
    tables["people"].loc[9, "person_id"] = "P010"
    expected["P010"] = msg.DUPLICATE_PERSON
    write_data_dir(tmp_path / "data", tables)
    result = run_here("validate", "--data", str(tmp_path / "data"), "--rejects",
                     str(tmp_path / "rejects.csv"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rejects = pd.read_csv(tmp_path / "rejects.csv", dtype=str)
    for person_id, reason in expected.items():
        assert reason in set(rejects.loc[rejects["person_id"] == person_id, "reason"]), person_id
    n_bad = len(expected) + 1  # the duplicate id stands on two people rows
    assert f"people read: 12 = kept {12 - n_bad} + rejected {n_bad}" in result.stdout

"""Hostile event data through the command line: implausible values are row problems with a
reason, and files that cannot be read whole stop with one message, never a traceback.

Every case runs through :func:`tests.hostile.play` (exit code, message, no traceback, inputs
byte for byte unchanged, scoring counts reconciled), in CSV and in Parquet where both apply.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from riskmodel._tables import _messages as table_msg
from riskmodel.contract import _messages as msg
from tests.contract_data import valid_tables, write_data_dir
from tests.hostile import play

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "models" / "default"
FORMATS = ("csv", "parquet")
#: write_data_dir's extract date
EXTRACT = "2025-01-01"

Tables = dict[str, pd.DataFrame]


def _data(path: Path, fmt: str, change: Callable[[Tables, str], None] | None = None) -> Path:
    tables = valid_tables(6)
    if change is not None:
        change(tables, fmt)
    return write_data_dir(path, tables, fmt=fmt, extract_date=EXTRACT)


def _rejects(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _set(table: str, column: str, row: int, value: object) -> Callable[[Tables, str], None]:
    def change(tables: Tables, fmt: str) -> None:
        tables[table].loc[row, column] = value

    return change


def _custody(value: str) -> Callable[[Tables, str], None]:
    """custody_days of offence row 2 (person P000): text in CSV, a float column in Parquet."""

    def change(tables: Tables, fmt: str) -> None:
        offences = tables["offences"]
        offences.loc[1, "custody_days"] = value
        if fmt == "parquet":
            offences["custody_days"] = pd.to_numeric(offences["custody_days"], errors="coerce")

    return change


def _rename(old: str, new: str, *tables_named: str) -> Callable[[Tables, str], None]:
    def change(tables: Tables, fmt: str) -> None:
        for name in tables_named or tuple(tables):
            tables[name]["person_id"] = tables[name]["person_id"].replace({old: new})

    return change


# --- implausible values: row problems with a reason -------------------------------------------

#: A case: (change, table, row, column, value shown, reason); rows are counted from 1.
Case = tuple[Callable[[Tables, str], None], str, int, str, object, str]


def _value_case(table: str, column: str, index: int, value: str, reason: str) -> Case:
    """``value`` written in ``column`` of row ``index`` (from 0) of ``table``."""
    return _set(table, column, index, value), table, index + 1, column, value, reason


def _after_extract_case(table: str, column: str, index: int, value: str) -> Case:
    """A date after the extract date in ``column`` of row ``index`` of ``table``."""
    reason = msg.AFTER_EXTRACT_DATE.format(column=column, extract=EXTRACT)
    return _value_case(table, column, index, value, reason)


def _custody_case(value: str, shown: object = None) -> Case:
    """custody_days of offence row 2 set to ``value`` (shown as ``shown`` if given)."""
    return _custody(value), "offences", 2, "custody_days", shown or value, msg.BAD_CUSTODY_DAYS


def _id_case(new: str, reason: str, shown: str | None = None) -> Case:
    """Person P000 renamed ``new`` everywhere (shown as ``shown`` if given)."""
    return _rename("P000", new), "people", 1, "person_id", shown or new, reason


ROW_CASES = {
    "custody inf": _custody_case("inf"),
    "custody 1e308": _custody_case("1e308", shown={"csv": "1e308", "parquet": "1e+308"}),
    "custody 100 years": _custody_case("40000"),
    "born 1850": _value_case("people", "date_of_birth", 0, "1850-01-01", msg.DATE_OUT_OF_RANGE),
    "aged 116": _value_case(
        "people", "date_of_birth", 0, "1905-01-15", msg.OVER_MAXIMUM_AGE.format(age=116)
    ),
    "index date 2100": _value_case("people", "index_date", 0, "2100-01-01", msg.DATE_OUT_OF_RANGE),
    "index date after the extract": _after_extract_case("people", "index_date", 0, "2025-06-01"),
    "offence after the extract": _after_extract_case("offences", "offence_date", 1, "2025-03-01"),
    "id NaN": _id_case("NaN", msg.ID_READS_AS_MISSING),
    "id null": _id_case("null", msg.ID_READS_AS_MISSING),
    "id N/A": _id_case("N/A", msg.ID_READS_AS_MISSING),
    "id None": _id_case("None", msg.ID_READS_AS_MISSING),
    "id with a NUL": _id_case("P0\x0000", msg.ID_CONTROL_CHARACTER, shown="P0\\x0000"),
}


def _zeros(tables: Tables, fmt: str) -> None:
    """Numbers as ids, person "007" among them; their offences written by a program that read
    the ids as numbers ("7"; in Parquet a column of integers)."""
    numbers = {f"P{i:03d}": "007" if i == 1 else str(100 + i) for i in range(6)}
    for name in tables:
        tables[name]["person_id"] = tables[name]["person_id"].replace(numbers)
    offences = tables["offences"]
    if fmt == "parquet":
        offences["person_id"] = offences["person_id"].astype("int64")
    else:
        offences["person_id"] = offences["person_id"].replace({"007": "7"})


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", sorted(ROW_CASES))
def test_an_implausible_value_rejects_the_person_with_a_reason(tmp_path, case, fmt):
    change, table, row, column, value, reason = ROW_CASES[case]
    data = _data(tmp_path / "data", fmt, change)
    rejects_file = tmp_path / "rejects.csv"
    played = play("validate", "--data", data, "--rejects", rejects_file, inputs=(data,), code=0)
    assert "people read: 6 = kept 5 + rejected 1" in played.out
    rejects = _rejects(rejects_file)
    line = rejects[(rejects["table"] == table) & (rejects["row"] == str(row))]
    shown = value[fmt] if isinstance(value, dict) else value
    assert line[["column", "value", "reason"]].values.tolist()[0] == [column, shown, reason]


@pytest.mark.parametrize("fmt", FORMATS)
def test_ids_with_other_leading_zeros_reject_the_person(tmp_path, fmt):
    data = _data(tmp_path / "data", fmt, _zeros)
    rejects_file = tmp_path / "rejects.csv"
    played = play("validate", "--data", data, "--rejects", rejects_file, inputs=(data,), code=0)
    assert "people read: 6 = kept 5 + rejected 1" in played.out
    rejects = _rejects(rejects_file)
    person = rejects[rejects["table"] == "people"]
    assert person[["person_id", "row", "column", "value", "reason"]].values.tolist() == [
        ["007", "2", "person_id", "007", msg.ID_LEADING_ZEROS]
    ]
    orphans = rejects[rejects["table"] == "offences"]
    assert set(orphans["value"]) == {"7"}
    assert set(orphans["reason"]) == {msg.UNKNOWN_PERSON}


def _hostile(tables: Tables, fmt: str) -> None:
    """Twelve people, eight of them with one implausible value each."""
    people, offences = tables["people"], tables["offences"]
    people.loc[0, "date_of_birth"] = "1850-01-01"
    people.loc[1, "index_date"] = "2100-01-01"
    offences.loc[offences["person_id"] == "P002", "custody_days"] = "inf"
    offences.loc[offences["person_id"] == "P003", "offence_date"] = "2024-12-31"
    offences.loc[offences["person_id"] == "P003", "sanction_date"] = "2025-02-01"
    for name in tables:
        tables[name]["person_id"] = tables[name]["person_id"].replace(
            {"P004": "null", "P005": "P0\x0005", "P006": "007"}
        )
    offences["person_id"] = offences["person_id"].replace({"007": "7"})
    people.loc[7, "date_of_birth"] = "1901-01-01"


def _hostile_tables(fmt: str) -> Tables:
    tables = valid_tables(12)
    _hostile(tables, fmt)
    return tables


#: The people of _hostile and the reason that rejects each.
HOSTILE_REASONS = {
    "P000": msg.DATE_OUT_OF_RANGE,
    "P001": msg.DATE_OUT_OF_RANGE,
    "P002": msg.BAD_CUSTODY_DAYS,
    "P003": msg.AFTER_EXTRACT_DATE.format(column="sanction_date", extract=EXTRACT),
    "": msg.ID_READS_AS_MISSING,
    "P0\\x0005": msg.ID_CONTROL_CHARACTER,
    "007": msg.ID_LEADING_ZEROS,
    "P007": msg.OVER_MAXIMUM_AGE.format(age=120),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_score_rejects_every_implausible_person_and_reconciles(tmp_path, fmt):
    data = write_data_dir(tmp_path / "data", _hostile_tables(fmt), fmt=fmt, extract_date=EXTRACT)
    out = tmp_path / "out" / "scores.csv"
    summary = tmp_path / "out" / "scores.summary.json"
    # chunks of 2 people: the offences of "7" travel to the chunk of person "007"
    play("score", "--model", BUNDLE, "--data", data, "--out", out, "--chunk-size", 2,
         inputs=(data, BUNDLE), code=0, summary=summary)  # fmt: skip
    counts = json.loads(summary.read_text())
    assert (counts["people_read"], counts["people_scored"], counts["people_rejected"]) == (
        12,
        4,
        8,
    )
    scored = pd.read_csv(out, dtype=str)["person_id"].tolist()
    assert scored == ["P008", "P009", "P010", "P011"]
    rejects = _rejects(out.parent / "scores.rejects.csv")
    by_person = rejects.groupby("person_id")["reason"].agg(set)
    for person, reason in HOSTILE_REASONS.items():
        assert reason in by_person[person], (person, by_person.get(person))


@pytest.mark.parametrize("command", ["features", "ogrs3"])
def test_features_and_ogrs3_reject_every_implausible_person(tmp_path, command):
    data = write_data_dir(tmp_path / "data", _hostile_tables("csv"), extract_date=EXTRACT)
    out = tmp_path / "out" / f"{command}.csv"
    played = play(command, "--data", data, "--out", out, inputs=(data,), code=0)
    assert "people read: 12 = written 4 + rejected 8" in played.out + played.err
    assert len(pd.read_csv(out)) == 4


# --- dates outside what pandas can hold ----------------------------------------------------


def _far_dates(directory: Path, year: int) -> Path:
    """Parquet tables whose dates are Arrow dates and timestamps (a birth date and an offence
    date in ``year``), written without pandas' metadata, as another tool writes them."""
    data = _data(directory, "parquet")
    people = pq.read_table(data / "people.parquet")
    born = [dt.date(1980, 1, 1)] * 6
    born[2] = dt.date(year, 1, 1)
    people = people.set_column(
        people.column_names.index("date_of_birth"), "date_of_birth", pa.array(born, pa.date32())
    )
    pq.write_table(people.replace_schema_metadata(None), data / "people.parquet")
    offences = pq.read_table(data / "offences.parquet")
    dates = [dt.datetime(2019, 1, 10)] * len(offences)
    dates[3] = dt.datetime(year, 1, 1)
    offences = offences.set_column(
        offences.column_names.index("offence_date"),
        "offence_date",
        pa.array(dates, pa.timestamp("us")),
    )
    pq.write_table(offences.replace_schema_metadata(None), data / "offences.parquet")
    return data


@pytest.fixture(scope="module")
def year_9999(tmp_path_factory) -> Path:
    return _far_dates(tmp_path_factory.mktemp("far") / "data", 9999)


def _two_far_dates(rejects: pd.DataFrame, year: int) -> None:
    lines = rejects[["person_id", "table", "row", "column", "value", "reason"]].values.tolist()
    value = f"{year}-01-01"
    assert sorted(lines) == [
        ["P001", "offences", "4", "offence_date", value, msg.DATE_OUT_OF_RANGE],
        ["P002", "people", "3", "date_of_birth", value, msg.DATE_OUT_OF_RANGE],
    ]


@pytest.mark.parametrize("year", [9999, 1000])
def test_validate_reports_dates_pandas_cannot_hold(tmp_path, year):
    data = _far_dates(tmp_path / "data", year)
    rejects_file = tmp_path / "rejects.csv"
    played = play("validate", "--data", data, "--rejects", rejects_file, inputs=(data,), code=0)
    assert "people read: 6 = kept 4 + rejected 2" in played.out
    _two_far_dates(_rejects(rejects_file), year)


@pytest.mark.parametrize("command", ["features", "ogrs3"])
def test_features_and_ogrs3_reject_dates_pandas_cannot_hold(tmp_path, year_9999, command):
    out = tmp_path / f"{command}.csv"
    played = play(command, "--data", year_9999, "--out", out, inputs=(year_9999,), code=0)
    assert "people read: 6 = written 4 + rejected 2" in played.out + played.err
    _two_far_dates(_rejects(tmp_path / f"{command}.rejects.csv"), 9999)


def test_score_rejects_dates_pandas_cannot_hold(tmp_path, year_9999):
    out = tmp_path / "scores.parquet"
    summary = tmp_path / "scores.summary.json"
    play("score", "--model", BUNDLE, "--data", year_9999, "--out", out,
         inputs=(year_9999, BUNDLE), code=0, summary=summary)  # fmt: skip
    assert json.loads(summary.read_text())["people_rejected"] == 2
    assert len(pd.read_parquet(out)) == 4
    _two_far_dates(_rejects(tmp_path / "scores.rejects.csv"), 9999)


@pytest.mark.slow
def test_explain_leaves_out_dates_pandas_cannot_hold(tmp_path, year_9999):
    played = play("explain", "--model", BUNDLE, "--data", year_9999, "--out", tmp_path / "ex",
                  inputs=(year_9999, BUNDLE), code=0)  # fmt: skip
    assert "explained 4 people" in played.out
    assert "people left out by validation: 2" in played.out


def test_a_column_mixing_time_zones_is_read(tmp_path):
    def change(tables: Tables, fmt: str) -> None:
        tables["people"].loc[0, "index_date"] = "2021-06-01T10:00:00+01:00"

    data = _data(tmp_path / "data", "csv", change)
    played = play("validate", "--data", data, inputs=(data,), code=0)
    assert "people read: 6 = kept 6 + rejected 0" in played.out


# --- files that cannot be read whole: exit 2 with one message --------------------------------


def _not_utf8(directory: Path, fmt: str) -> Path:
    data = _data(directory, fmt)
    if fmt == "csv":
        path = data / "offences.csv"
        path.write_bytes(path.read_bytes().replace(b"P002", b"P\xff\xfe2"))
    else:
        path = data / "people.parquet"
        people = pq.read_table(path)
        values = [v.encode() for v in people.column("ethnicity").to_pylist()]
        values[2] = b"caf\xe9"
        column = pa.array(values, pa.binary()).view(pa.string())
        people = people.set_column(people.column_names.index("ethnicity"), "ethnicity", column)
        pq.write_table(people.replace_schema_metadata(None), path)
    return data


def _run_both(data: Path, tmp_path: Path, message: str) -> list[str]:
    """validate and score on ``data``, both stopped with ``message``: what each printed."""
    validated = play("validate", "--data", data, inputs=(data,), code=2, message=message)
    out = tmp_path / "out" / "scores.csv"
    scored = play("score", "--model", BUNDLE, "--data", data, "--out", out,
                  inputs=(data, BUNDLE), code=2, message=message)  # fmt: skip
    assert not out.exists()
    return [validated.err, scored.err]


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_that_is_not_utf8_stops_with_one_message(tmp_path, fmt):
    data = _not_utf8(tmp_path / "data", fmt)
    name = "offences.csv" if fmt == "csv" else "people.parquet"
    message = table_msg.NOT_UTF8.format(file=name, detail="").split("(")[0]
    featured = play("features", "--data", data, "--out", tmp_path / "f.csv", inputs=(data,),
                    code=2)  # fmt: skip
    for err in [*_run_both(data, tmp_path, message), featured.err]:
        assert message in err and "save it as UTF-8" in err


@pytest.mark.parametrize("kind", ["list", "struct"])
def test_an_id_column_of_lists_or_records_stops_with_one_message(tmp_path, kind):
    data = _data(tmp_path / "data", "parquet")
    path = data / "offences.parquet"
    offences = pq.read_table(path)
    ids = offences.column("person_id").to_pylist()
    nested = pa.array([[i] for i in ids] if kind == "list" else [{"id": i} for i in ids])
    pq.write_table(offences.set_column(0, "person_id", nested).replace_schema_metadata(None), path)
    kind_read = pq.read_schema(path).field("person_id").type  # list<element: ...>
    message = msg.NESTED_COLUMNS.format(
        file="offences.parquet", columns=f"'person_id' ({kind_read})"
    )
    for err in _run_both(data, tmp_path, message):
        assert message in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_repeated_column_name_stops_with_one_message(tmp_path, fmt):
    data = _data(tmp_path / "data", fmt)
    if fmt == "csv":
        path = data / "offences.csv"
        lines = path.read_text().splitlines()
        lines[0] = lines[0].replace("disposal", " offence_group")
        path.write_text("\n".join(lines) + "\n")
    else:
        path = data / "offences.parquet"
        table = pq.read_table(path).replace_schema_metadata(None)
        names = ["offence_group" if n == "disposal" else n for n in table.column_names]
        pq.write_table(table.rename_columns(names), path)
    name = path.name
    message = table_msg.DUPLICATE_COLUMNS.format(file=name, columns="'offence_group'")
    for err in _run_both(data, tmp_path, message):
        assert message in err


# --- --carry when the first chunk has nothing to carry ------------------------------------------


def _carry_data(directory: Path, fmt: str, first_rejected: bool) -> Path:
    def change(tables: Tables, fmt: str) -> None:
        people = tables["people"]
        if first_rejected:  # chunk 0 (people 1-3) scores nobody
            people.loc[0:2, "sex"] = "unknown"
            people["team"] = ["a", "b", "c", "north", "south", ""]
        else:  # the carried column is empty in chunk 0
            people["team"] = ["", "", "", "north", "south", ""]

    return _data(directory, fmt, change)


@pytest.mark.parametrize("out_fmt", FORMATS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("first_rejected", [True, False], ids=["rejected", "empty"])
def test_carry_survives_a_first_chunk_with_nothing_to_carry(
    tmp_path, fmt, out_fmt, first_rejected
):
    data = _carry_data(tmp_path / "data", fmt, first_rejected)
    out = tmp_path / "out" / f"scores.{out_fmt}"
    summary = tmp_path / "out" / "scores.summary.json"
    play("score", "--model", BUNDLE, "--data", data, "--out", out, "--carry", "team",
         "--chunk-size", 3, inputs=(data, BUNDLE), code=0, summary=summary)  # fmt: skip
    scores = pd.read_parquet(out) if out_fmt == "parquet" else pd.read_csv(out, dtype=str)
    expected = {"P003": "north", "P004": "south", "P005": ""}
    if not first_rejected:
        expected = {"P000": "", "P001": "", "P002": "", **expected}
    # an empty cell is read as missing from CSV and kept as "" in Parquet
    teams = ["" if pd.isna(team) else team for team in scores["team"]]
    assert dict(zip(scores["person_id"], teams, strict=True)) == expected

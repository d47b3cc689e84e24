"""The table readers: one reader, one set of messages, one rule for person ids."""

from __future__ import annotations

import doctest
import importlib
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from riskmodel import DataError
from riskmodel._tables import _messages as msg
from riskmodel._tables import (
    ids_as_arrow,
    ids_as_text,
    iter_batches,
    iter_frames,
    read_columns,
    read_scores,
    read_table,
)


def _exact(text: str) -> str:
    return "^" + re.escape(text) + "$"


@pytest.mark.parametrize("module", ["riskmodel._tables._read", "riskmodel._tables._ids"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.csv"
    detail = msg.NO_SUCH_FILE.format(path=path)
    expected = msg.UNREADABLE_FILE.format(file="nowhere.csv", detail=detail)
    for read in (read_table, read_columns, read_scores):
        with pytest.raises(DataError, match=_exact(expected)):
            read(path)
    with pytest.raises(DataError, match=_exact(expected)):
        next(iter_batches(path))


def test_only_csv_and_parquet_are_read(tmp_path):
    path = tmp_path / "scores.xlsx"
    path.write_text("p\n0.1\n")
    expected = msg.UNREADABLE_FILE.format(file="scores.xlsx", detail=msg.NOT_CSV_OR_PARQUET)
    with pytest.raises(DataError, match=_exact(expected)):
        read_table(path)
    with pytest.raises(DataError, match=_exact(expected)):
        next(iter_frames(path, batch_rows=10))


@pytest.mark.parametrize("name", ["t.parquet", "t.csv"])
def test_an_unreadable_file_gives_the_same_message_to_every_reader(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b'this is not parquet\n"unterminated,quote\nx\n')
    pattern = "^" + re.escape(msg.UNREADABLE_FILE.format(file=name, detail="@")).replace("@", ".+")
    readers = [
        lambda: read_table(path),
        lambda: read_table(path, text=True),
        lambda: list(iter_batches(path)),
        lambda: list(iter_frames(path, batch_rows=2)),
    ]
    for read in readers:
        with pytest.raises(DataError, match=pattern):
            read()


def test_whole_and_batched_reads_agree(tmp_path):
    frame = pd.DataFrame(
        {" id": ["a", "b", "c"], "age": [30, None, 41], "flag": [True, False, True]}
    )
    for name in ("t.csv", "t.parquet"):
        path = tmp_path / name
        if name.endswith(".csv"):
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        whole = read_table(path)
        assert list(whole.columns) == read_columns(path) == ["id", "age", "flag"]
        batched = pd.concat(list(iter_frames(path, batch_rows=2)), ignore_index=True)
        pd.testing.assert_frame_equal(batched, whole)
        text = read_table(path, text=True)
        arrow = pa.concat_tables(list(iter_batches(path, batch_rows=2))).to_pandas()
        assert arrow["id"].tolist() == text["id"].tolist() == ["a", "b", "c"]


def test_read_scores_checks_rows_and_named_columns(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("p,y\n")
    with pytest.raises(DataError, match=_exact(msg.EMPTY_TABLE.format(file="scores.csv"))):
        read_scores(path)
    path.write_text("p,y\n0.2,1\n")
    expected = msg.UNKNOWN_COLUMN.format(
        file="scores.csv", column="g", option="--group-column g", columns="p, y"
    )
    with pytest.raises(DataError, match=_exact(expected)):
        read_scores(path, {"--score-column": "p", "--group-column g": "g", "--x": None})
    assert read_scores(path, {"--score-column": "p"})["p"].tolist() == [0.2]


@pytest.mark.parametrize(
    "values",
    [
        [1.0, None, 3.0],
        [" A7 ", "", None, "b"],
        [10, 20, 30],
        [1.5, 2.0, None],
    ],
)
def test_ids_read_alike_in_pandas_and_arrow(values):
    series = pd.Series(values)
    from_pandas = [None if pd.isna(v) else v for v in ids_as_text(series)]
    from_arrow = ids_as_arrow(pa.array(series, from_pandas=True)).to_pylist()
    assert from_pandas == from_arrow
    assert all(v is None or v == v.strip() for v in from_arrow)


def test_whole_number_float_ids_read_as_integers():
    assert ids_as_text(pd.Series([1.0, np.nan, 3.0])).fillna("-").tolist() == ["1", "-", "3"]

"""Config parsing and the flat-table loader."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from riskmodel._errors import ConfigError, DataError
from riskmodel.config import (
    DUPLICATE_FEATURE,
    FORBIDDEN_FEATURE,
    MISSING_KEY,
    NO_FEATURES,
    UNKNOWN_CALIBRATION,
    UNKNOWN_FAMILY,
    UNKNOWN_KEY,
    UNREADABLE_CONFIG,
    TableSpec,
    load_config,
    parse_config,
)
from riskmodel.features import CENSORED, LABELLED, FeatureTable
from riskmodel.flat_table import (
    BAD_LABEL,
    BAD_NUMERIC,
    BAD_QUERY,
    DUPLICATE_IDS,
    MISSING_COLUMNS,
    build_flat_table,
    load_flat_table,
)

TABLE = {"label": "y", "numeric": ["age"], "categorical": ["area"]}


def _message(template: str) -> str:
    """A regular expression matching any message made from ``template``."""
    parts = re.split(r"\{[^{}]*\}", template)
    return ".*".join(re.escape(part) for part in parts)


def test_full_config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        """
[table]
query = "age >= 18"
id = "pid"
label = "y"
numeric = ["age"]
categorical = ["area"]
groups = ["ethnicity", "region"]
outcome = "return to prison"
follow_up_months = 36

[model]
family = "gbm"
calibration = "isotonic"
seed = 3
"""
    )
    config = load_config(path)
    assert config.table == TableSpec(
        label="y",
        numeric=("age",),
        categorical=("area",),
        id="pid",
        groups=("ethnicity", "region"),
        query="age >= 18",
        outcome="return to prison",
        follow_up_months=36,
    )
    assert (config.model.family, config.model.calibration, config.model.seed) == (
        "gbm",
        "isotonic",
        3,
    )
    assert config.model_configured
    assert config.to_dict()["table"]["numeric"] == ["age"]


def test_no_model_section_means_default():
    config = parse_config({"table": TABLE})
    assert config.model.family == "default"
    assert config.model.calibration == "sigmoid"
    assert not config.model_configured


@pytest.mark.parametrize(
    ("values", "template", "fragment"),
    [
        ({"table": {**TABLE, "colour": 1}}, UNKNOWN_KEY, "'colour'"),
        ({"model": {"familly": "gbm"}}, UNKNOWN_KEY, "'familly'"),
        ({"table": {"numeric": ["age"]}}, MISSING_KEY, "'label'"),
        ({"table": {"label": "y"}}, NO_FEATURES, "names no features"),
        ({"model": {"family": "forest"}}, UNKNOWN_FAMILY, "'forest'"),
        ({"model": {"calibration": "beta"}}, UNKNOWN_CALIBRATION, "'beta'"),
        ({"table": {**TABLE, "categorical": ["race"]}}, FORBIDDEN_FEATURE, "'race'"),
        ({"table": {**TABLE, "numeric": ["age", "y"]}}, DUPLICATE_FEATURE, "'y'"),
    ],
)
def test_config_errors(values, template, fragment):
    with pytest.raises(ConfigError, match=_message(template)) as info:
        parse_config(values)
    assert fragment in str(info.value)


def test_unknown_section_and_bad_types():
    with pytest.raises(ConfigError, match="unknown section"):
        parse_config({"tabel": TABLE})
    with pytest.raises(ConfigError, match="follow_up_months must be a positive whole number"):
        parse_config({"table": {**TABLE, "follow_up_months": "two years"}})
    with pytest.raises(ConfigError, match="seed must be"):
        parse_config({"model": {"seed": -1}})


def test_unreadable_config(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[table\nlabel = ")
    with pytest.raises(ConfigError, match=_message(UNREADABLE_CONFIG)):
        load_config(path)
    with pytest.raises(ConfigError, match=_message(UNREADABLE_CONFIG)):
        load_config(tmp_path / "absent.toml")


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pid": ["a", "b", "c", "d"],
            "y": [1, 0, None, 1],
            "age": [30, None, 41, 52],
            "flag": [True, False, True, False],
            "flag_text": ["yes", None, "no", "YES"],
            "area": ["north", None, "south", "north"],
            "code": [1.0, 2.0, None, 1.0],
            "race": ["x", "y", "x", "z"],
        }
    )


def test_flat_table_types_and_groups():
    spec = TableSpec(
        label="y",
        id="pid",
        numeric=("age", "flag", "flag_text"),
        categorical=("area", "code"),
        groups=("race", "area"),
    )
    table = build_flat_table(_frame(), spec)
    assert isinstance(table, FeatureTable)
    assert table.feature_names == ["age", "flag", "flag_text", "area", "code"]
    assert "race" not in table.X.columns  # a group column is never a feature ...
    assert list(table.groups.columns) == ["race", "area"]  # ... unless also listed
    assert table.X["flag"].tolist() == [1.0, 0.0, 1.0, 0.0]
    np.testing.assert_array_equal(table.X["flag_text"], [1.0, np.nan, 0.0, 1.0])
    assert table.X["code"].tolist()[:2] == ["1", "2"]
    assert table.X["area"].isna().tolist() == [False, True, False, False]
    assert table.ids.tolist() == ["a", "b", "c", "d"]
    assert table.label_status.tolist() == [LABELLED, LABELLED, CENSORED, LABELLED]
    assert len(table.labelled()) == 3
    assert table.meta["outcome"] == spec.outcome


def test_flat_table_query_and_row_ids():
    spec = TableSpec(label="y", numeric=("age",), query="age > 35")
    table = build_flat_table(_frame(), spec)
    assert table.X["age"].tolist() == [41.0, 52.0]
    assert table.ids.tolist() == ["1", "2"]
    assert table.meta["n_rows_read"] == 4


def test_flat_table_scoring_needs_no_label():
    frame = _frame().drop(columns="y")
    table = build_flat_table(frame, TableSpec(label="y", numeric=("age",)), labels=False)
    assert table.label is None and len(table) == 4


@pytest.mark.parametrize(
    ("change", "spec", "error", "template"),
    [
        ({}, TableSpec(label="y", numeric=("agee",)), ConfigError, MISSING_COLUMNS),
        ({}, TableSpec(label="y", numeric=("area",)), DataError, BAD_NUMERIC),
        ({"y": [1, 0, 2, 1]}, TableSpec(label="y", numeric=("age",)), DataError, BAD_LABEL),
        (
            {"pid": ["a", "a", "b", "c"]},
            TableSpec(label="y", id="pid", numeric=("age",)),
            DataError,
            DUPLICATE_IDS,
        ),
        ({}, TableSpec(label="y", numeric=("age",), query="agee > 3"), ConfigError, BAD_QUERY),
    ],
)
def test_flat_table_errors(change, spec, error, template):
    frame = _frame().assign(**change)
    with pytest.raises(error, match=_message(template)):
        build_flat_table(frame, spec)


def test_missing_column_message_lists_available():
    with pytest.raises(ConfigError) as info:
        build_flat_table(_frame(), TableSpec(label="y", numeric=("agee",)))
    assert "'agee'" in str(info.value) and "flag_text" in str(info.value)


def test_load_flat_table_csv_and_parquet(tmp_path):
    frame = _frame()
    spec = TableSpec(label="y", id="pid", numeric=("age", "flag"), categorical=("area",))
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    from_csv = load_flat_table(tmp_path / "t.csv", spec)
    from_parquet = load_flat_table(tmp_path / "t.parquet", spec)
    pd.testing.assert_frame_equal(from_csv.X, from_parquet.X)
    assert from_csv.X["flag"].tolist() == [1.0, 0.0, 1.0, 0.0]

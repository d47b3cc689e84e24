"""The [table] query: a restricted evaluator that agrees with pandas on what it allows and
refuses, without evaluating anything, what it does not."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._errors import ConfigError
from riskmodel._query import (
    NOT_A_CONDITION,
    TOO_DEEP,
    UNKNOWN_QUERY_COLUMN,
    UNSAFE_QUERY,
    evaluate_query,
)
from riskmodel.flat_table import BAD_QUERY, query_mask

FRAME = pd.DataFrame(
    {
        "age": [17, 25, 40, np.nan, 63, 30],
        "priors": [0, 3, 1, 7, 2, 0],
        "sex": ["m", "f", "m", "f", None, "m"],
        "days since": [1, -40, 10, 0, 31, np.nan],
    }
)

_numeric = st.sampled_from(["age", "priors", "`days since`"])
_ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
_comparison = st.one_of(
    st.builds(lambda c, o, v: f"{c} {o} {v}", _numeric, _ops, st.integers(-50, 70)),
    st.builds(
        lambda o, v: f"sex {o} {v!r}", st.sampled_from(["==", "!="]), st.sampled_from("mfx")
    ),
    st.builds(
        lambda neg, vs: f"sex {'not in' if neg else 'in'} {list(vs)!r}",
        st.booleans(),
        st.lists(st.sampled_from("mfx"), max_size=3),
    ),
)
_condition = st.recursive(
    _comparison,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
        st.builds(lambda a, b: f"({a}) & ({b})", inner, inner),
        st.builds(lambda a: f"~({a})", inner),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(_condition)
def test_agrees_with_pandas_on_allowed_queries(query: str) -> None:
    expected = FRAME.index.isin(FRAME.query(query, engine="python").index)
    assert evaluate_query(FRAME, query).tolist() == expected.tolist()


def test_missing_value_tests_and_chained_comparisons() -> None:
    assert evaluate_query(FRAME, "isna(age)").tolist() == FRAME["age"].isna().tolist()
    assert evaluate_query(FRAME, "notna(sex) and 20 < age <= 40").tolist() == [
        False,
        True,
        True,
        False,
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("query", "what"),
    [
        ('@pd.core.frame.com.builtins.__import__("os").system("true") == 0', "'@' variables"),
        ("age.__class__ == 1", "attribute access ('.__class__')"),
        ("__import__('os') == 1", "a call of '__import__'"),
        ("age + 1 > 3", "arithmetic"),
        ("age[0] > 1", "subscripts ('[...]')"),
        ("(lambda: 1)() == 1", "a function call"),
    ],
)
def test_anything_else_is_refused_naming_it(query: str, what: str) -> None:
    with pytest.raises(ConfigError) as info:
        query_mask(FRAME, query)
    assert str(info.value) == UNSAFE_QUERY.format(query=query, what=what)


def test_an_at_sign_inside_a_string_is_a_value() -> None:
    frame = pd.DataFrame({"email": ["a@b", "c"]})
    assert evaluate_query(frame, 'email == "a@b"').tolist() == [True, False]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("not " * 3000 + "age > 1", TOO_DEEP),
        ("agee > 3", UNKNOWN_QUERY_COLUMN.format(column="agee")),
        ("age", NOT_A_CONDITION),
        ("3 > 2", NOT_A_CONDITION),
    ],
)
def test_queries_that_cannot_be_evaluated_name_the_columns(query: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        query_mask(FRAME, query)
    available = ", ".join(map(str, FRAME.columns))
    assert str(info.value) == BAD_QUERY.format(query=query, reason=reason, available=available)


def test_a_query_injection_in_a_config_runs_nothing(tmp_path) -> None:
    marker = tmp_path / "payload-ran"
    table = tmp_path / "t.csv"
    table.write_text("id,age,y\n" + "".join(f"p{i},{20 + i},{i % 2}\n" for i in range(40)))
    query = f'@pd.core.frame.com.builtins.__import__("os").system("touch {marker}") == 0'
    config = tmp_path / "c.toml"
    config.write_text(
        f'[table]\nid = "id"\nlabel = "y"\nnumeric = ["age"]\nquery = {query!r}\n'.replace(
            "'", "'''"
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "riskmodel.cli", "crossval", "--table", str(table), "--config",
         str(config), "--folds", "2", "--out", str(tmp_path / "cv"), "--no-mlflow"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert UNSAFE_QUERY.format(query=query, what="'@' variables") in result.stderr
    assert not marker.exists()

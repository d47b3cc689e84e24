"""The ``[table] query``: a restricted row filter that never runs code.

A config file travels between people, so its query is data, not a program. It is parsed with
:mod:`ast` and evaluated here, node by node, on the table's columns; only these are allowed:

- column names (a name with spaces or symbols in backticks: ```days since```);
- literals: numbers, strings, ``True``, ``False``, ``None``, and lists or tuples of them;
- comparisons ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (chained too), ``in`` and
  ``not in`` against a list;
- ``and``, ``or``, ``not`` (and pandas' ``&``, ``|``, ``~``), parentheses;
- ``isna(column)`` and ``notna(column)``.

Anything else (``@`` variables, attribute access, calls of other functions, subscripts,
arithmetic, lambdas) is refused with :data:`UNSAFE_QUERY`, before anything is evaluated.
Missing values compare as in pandas: false for every comparison but ``!=`` and ``not in``.
"""

from __future__ import annotations

import ast
import io
import operator
import re
import tokenize
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["UNSAFE_QUERY", "QueryError", "evaluate_query"]

#: Raised for a query using anything outside the allowed expressions (nothing is evaluated).
UNSAFE_QUERY = (
    "[table] query {query!r} uses {what}, which a query may not: only column names, literals, "
    "comparisons (==, !=, <, <=, >, >=, in, not in), and/or/not, isna(column) and "
    "notna(column) are allowed"
)
#: Raised for a column name the table does not have.
UNKNOWN_QUERY_COLUMN = "no column {column!r}"
#: Raised for a query nested too deeply to read.
TOO_DEEP = "it is nested too deeply to read"
#: Raised for a query whose value is not a condition on each row.
NOT_A_CONDITION = "it is not a condition on each row (compare a column with a value)"

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_MISSING_TESTS = {"isna": pd.isna, "notna": pd.notna}
_BACKTICKED = re.compile(r"`([^`]*)`")


class QueryError(ValueError):
    """A query that is refused (``unsafe``) or cannot be evaluated on these columns."""

    def __init__(self, reason: str, *, unsafe: bool = False) -> None:
        super().__init__(reason)
        self.unsafe = unsafe


def _has_at_sign(text: str) -> bool:
    """Whether ``text`` uses ``@`` outside string literals (pandas' local variables)."""
    try:
        return any(
            token.type == tokenize.OP and token.string == "@"
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
        )
    except (tokenize.TokenError, SyntaxError):
        return "@" in text  # unreadable anyway: refuse rather than guess


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"attribute access ('.{node.attr}')"
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        return f"a call of {name!r}" if name else "a function call"
    if isinstance(node, ast.BinOp):
        return "arithmetic"
    if isinstance(node, ast.Subscript):
        return "subscripts ('[...]')"
    return f"{type(node).__name__.lower()} expressions"


class _Evaluator:
    def __init__(self, frame: pd.DataFrame, names: dict[str, str]) -> None:
        self.frame = frame
        self.names = names  # placeholder -> backticked column name

    def column(self, name: str) -> pd.Series:
        column = self.names.get(name, name)
        if column not in self.frame.columns:
            raise QueryError(UNKNOWN_QUERY_COLUMN.format(column=column))
        return self.frame[column]

    def literal(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and (
            node.value is None or isinstance(node.value, bool | int | float | str)
        ):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.literal(node.operand)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.List | ast.Tuple):
            return [self.literal(item) for item in node.elts]
        raise QueryError(_describe(node), unsafe=True)

    def value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Name) and node.id not in ("True", "False", "None"):
            return self.column(node.id)
        return self.literal(node)

    def condition(self, node: ast.AST) -> pd.Series:
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v) for v in node.values]
            combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
            result = parts[0]
            for part in parts[1:]:
                result = combine(result, part)
            return result
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
            combine = operator.and_ if isinstance(node.op, ast.BitAnd) else operator.or_
            return combine(self.condition(node.left), self.condition(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.Invert):
            return ~self.condition(node.operand)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.missing_test(node)
        if isinstance(node, ast.Name | ast.Constant):
            raise QueryError(NOT_A_CONDITION)
        raise QueryError(_describe(node), unsafe=True)

    def missing_test(self, node: ast.Call) -> pd.Series:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in _MISSING_TESTS
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Name)
        ):
            column = self.column(node.args[0].id)
            return pd.Series(_MISSING_TESTS[node.func.id](column), index=self.frame.index)
        raise QueryError(_describe(node), unsafe=True)

    def compare(self, node: ast.Compare) -> pd.Series:
        result: pd.Series | None = None
        left = self.value(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.value(right_node)
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(left, pd.Series) or not isinstance(right, list):
                    raise QueryError("'in' needs a column on the left and a list on the right")
                part = left.isin(right)
                part = ~part if isinstance(op, ast.NotIn) else part
            elif type(op) in _COMPARE:
                if not isinstance(left, pd.Series) and not isinstance(right, pd.Series):
                    raise QueryError(NOT_A_CONDITION)
                part = _COMPARE[type(op)](left, right)
            else:
                raise QueryError(_describe(op), unsafe=True)
            part = pd.Series(part, index=self.frame.index).fillna(False).astype(bool)
            result = part if result is None else result & part
            left = right
        assert result is not None
        return result


def evaluate_query(frame: pd.DataFrame, query: str) -> np.ndarray:
    """Which rows of ``frame`` satisfy ``query`` (a boolean array).

    Raises
    ------
    QueryError
        ``unsafe=True`` for anything outside the allowed expressions (checked before any
        evaluation); otherwise a query that cannot be evaluated on these columns.

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [17, 30, None], "sex": ["m", "f", "f"]})
    >>> evaluate_query(frame, "age >= 18 and sex in ['f']").tolist()
    [False, True, False]
    >>> evaluate_query(frame, "isna(age) or age < 18").tolist()
    [True, False, True]
    """
    names: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = f"__column_{len(names)}__"
        names[name] = match.group(1)
        return name

    text = _BACKTICKED.sub(placeholder, query)
    if _has_at_sign(text):
        raise QueryError("'@' variables", unsafe=True)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise QueryError(f"it is not a valid expression ({exc.msg})") from None
    except (RecursionError, MemoryError):
        raise QueryError(TOO_DEEP) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Subscript | ast.Lambda | ast.Starred):
            raise QueryError(_describe(node), unsafe=True)
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _MISSING_TESTS
        ):
            raise QueryError(_describe(node), unsafe=True)
    try:
        result = _Evaluator(frame, names).condition(tree.body)
    except QueryError:
        raise
    except (RecursionError, MemoryError):
        raise QueryError(TOO_DEEP) from None
    except (TypeError, ValueError) as exc:  # e.g. a string column compared with a number
        raise QueryError(f"{type(exc).__name__}: {exc}") from None
    return result.to_numpy(dtype=bool)

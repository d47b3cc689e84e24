"""Row problems of a flat table at scoring (``score --table``): which rows are rejected, and
why, and what is flagged beside the scores of the others.

The rules, against what training recorded (:func:`feature_ranges`, kept in the manifest's
``drift_reference`` under ``ranges``):

- an id on more than one row: every row of it is rejected;
- a numeric feature holding text that is not a number, or an infinite number: rejected;
- a missing numeric value: scored and flagged when the feature had missing values in training
  (the model imputes it as it learnt to), rejected when it had none;
- a value outside the training range: flagged; rejected when it lies beyond the range by more
  than :data:`RANGE_MARGIN` of the range's width (at least 1), or is negative where every
  training value was at least 0;
- a category never seen in training: scored (the model treats it as unknown) and flagged.

A bundle without ranges (trained before they were recorded) gets the checks it can: missing
values are then judged by the drift reference's missing-value bin, and scored and flagged when
the bundle has no reference at all.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._tables import ids_as_text, iter_frames
from riskmodel.config import TableSpec
from riskmodel.flat_table import categories, numeric_values, query_mask
from riskmodel.scoring._messages import (
    DUPLICATE_TABLE_ID,
    FAR_OUTSIDE_RANGE,
    FLAG_MISSING,
    FLAG_OUTSIDE_RANGE,
    FLAG_UNSEEN,
    MISSING_NUMBER,
    NEGATIVE_VALUE,
    NOT_A_NUMBER,
    NOT_FINITE,
)

__all__ = ["RANGE_MARGIN", "feature_ranges", "row_problems"]

#: A value further beyond the training range than this share of the range's width (at least
#: 1) is rejected; nearer, it is scored and flagged.
RANGE_MARGIN = 0.5

#: Columns of :func:`row_problems`' first result.
PROBLEM_COLUMNS = ("position", "column", "value", "reason")


def feature_ranges(X: pd.DataFrame, numeric: list[str]) -> dict[str, dict[str, Any]]:
    """Smallest and largest finite training value and number of missing values of each
    numeric feature (for the manifest; JSON-ready).

    Examples
    --------
    >>> feature_ranges(pd.DataFrame({"age": [20.0, None, 41.0]}), ["age"])
    {'age': {'min': 20.0, 'max': 41.0, 'missing': 1}}
    """
    out: dict[str, dict[str, Any]] = {}
    for column in numeric:
        if column not in X.columns:
            continue
        values = pd.to_numeric(X[column], errors="coerce").to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        out[str(column)] = {
            "min": float(finite.min()) if finite.size else None,
            "max": float(finite.max()) if finite.size else None,
            "missing": int(np.isnan(values).sum()),
        }
    return out


def _trained_with_missing(column: str, reference: Mapping[str, Any] | None) -> bool:
    if reference is None:
        return True
    ranges = reference.get("ranges")
    if isinstance(ranges, Mapping) and isinstance(ranges.get(column), Mapping):
        return bool(ranges[column].get("missing", 0))
    feature = reference.get("features", {}).get(column)
    if isinstance(feature, Mapping) and feature.get("kind") == "numeric":
        shares = feature.get("shares") or [0.0]
        return bool(shares[-1] > 0)
    return True


def _range(column: str, reference: Mapping[str, Any] | None) -> tuple[float, float] | None:
    ranges = (reference or {}).get("ranges")
    if not isinstance(ranges, Mapping) or not isinstance(ranges.get(column), Mapping):
        return None
    low, high = ranges[column].get("min"), ranges[column].get("max")
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return None
    return float(low), float(high)


def _known_categories(column: str, reference: Mapping[str, Any] | None) -> set[str] | None:
    feature = (reference or {}).get("features", {}).get(column)
    if not isinstance(feature, Mapping) or feature.get("kind") != "categorical":
        return None
    shares = feature.get("shares", {})
    if "__other__" in shares:  # rare training categories were pooled: cannot tell
        return None
    return {k for k in shares if k != "__missing__"}


def repeated_table_ids(path: str | os.PathLike, spec: TableSpec, *, batch_rows: int) -> frozenset:
    """Ids that appear on more than one row of a flat table (rows inside its query), read in
    batches: a duplicated id is then a row problem whichever chunks its rows fall in.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id,age\\na,30\\nb,31\\na,40\\nc,17\\nc,18\\n")
    >>> sorted(repeated_table_ids(p, TableSpec(label="y", id="id", query="age > 20"),
    ...                           batch_rows=2))
    ['a']
    """
    if not spec.id:
        return frozenset()
    parts = []
    for frame in iter_frames(path, batch_rows=batch_rows):
        if spec.query:
            frame = frame.loc[query_mask(frame, spec.query)]
        parts.append(ids_as_text(frame[spec.id]).dropna())
    if not parts:
        return frozenset()
    ids = pd.concat(parts, ignore_index=True)
    return frozenset(ids[ids.duplicated(keep=False)].tolist())


def row_problems(
    frame: pd.DataFrame,
    spec: TableSpec,
    reference: Mapping[str, Any] | None,
    repeated_ids: Collection[str] = (),
) -> tuple[pd.DataFrame, pd.Series]:
    """The problems of a flat table's rows (see the module docstring).

    Parameters
    ----------
    frame : DataFrame
        Rows of the table as read (after the ``[table]`` query).
    spec : TableSpec
    reference : mapping or None
        The bundle's drift reference (with ``ranges`` when training recorded them).
    repeated_ids : collection of str
        Ids that appear more than once in the whole table (:func:`repeated_table_ids`), so
        that every row of such an id is rejected whichever chunk it falls in.

    Returns
    -------
    problems : DataFrame
        One line per problem that rejects a row: ``position`` (0-based, in ``frame``),
        ``column``, ``value`` (as read, text) and ``reason``.
    flags : Series of str
        Per row, what is flagged about it (``"; "``-separated; empty when nothing).

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a", "b", "c"], "age": ["30", "x", None]})
    >>> reference = {"ranges": {"age": {"min": 18.0, "max": 80.0, "missing": 0}}}
    >>> problems, flags = row_problems(frame, TableSpec(label="y", id="id", numeric=("age",)),
    ...                                reference)
    >>> problems[["position", "reason"]].values.tolist()
    [[1, 'not a number, in a numeric feature'], [2, 'missing, in a numeric feature that had no missing values in training']]
    """  # noqa: E501
    lines: list[pd.DataFrame] = []
    flags: list[pd.Series] = []

    def reject(mask: np.ndarray, column: str, values: pd.Series, reason: Any) -> None:
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        raw = values.iloc[positions]
        text = [str(v) if v is not None and v == v else "" for v in raw]
        reasons = reason if isinstance(reason, list) else [reason] * len(positions)
        lines.append(
            pd.DataFrame(
                {"position": positions, "column": column, "value": text, "reason": reasons}
            )
        )

    def flag(mask: np.ndarray, texts: list[str] | str) -> None:
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        texts = texts if isinstance(texts, list) else [texts] * len(positions)
        flags.append(pd.Series(texts, index=positions, dtype="object"))

    if spec.id:
        ids = ids_as_text(frame[spec.id]).reset_index(drop=True)
        repeated = ids.duplicated(keep=False) | ids.isin(list(repeated_ids))
        reject(repeated.to_numpy(), spec.id, frame[spec.id], DUPLICATE_TABLE_ID)

    for column in spec.numeric:
        raw = frame[column].reset_index(drop=True)
        values, unreadable = numeric_values(raw)
        number = values.to_numpy(dtype=np.float64)
        unreadable = unreadable.to_numpy(dtype=bool)
        reject(unreadable, column, raw, NOT_A_NUMBER)
        reject(np.isinf(number), column, raw, NOT_FINITE)
        missing = np.isnan(number) & ~unreadable
        if _trained_with_missing(column, reference):
            flag(missing, FLAG_MISSING.format(column=column))
        else:
            reject(missing, column, raw, MISSING_NUMBER)
        bounds = _range(column, reference)
        if bounds is None:
            continue
        low, high = bounds
        margin = RANGE_MARGIN * max(high - low, 1.0)
        finite = np.isfinite(number)
        outside = finite & ((number < low) | (number > high))
        negative = outside & (number < 0) & (low >= 0)
        far = outside & ~negative & ((number < low - margin) | (number > high + margin))
        reject(negative, column, raw, NEGATIVE_VALUE.format(low=low, high=high))
        reject(far, column, raw, FAR_OUTSIDE_RANGE.format(low=low, high=high))
        near = outside & ~negative & ~far
        flag(
            near,
            [
                FLAG_OUTSIDE_RANGE.format(column=column, value=v, low=low, high=high)
                for v in number[near]
            ],
        )

    for column in spec.categorical:
        known = _known_categories(column, reference)
        if known is None:
            continue
        text = categories(frame[column].reset_index(drop=True))
        present = text.notna().to_numpy()
        unseen = present & ~text.isin(known).to_numpy()
        flag(unseen, [FLAG_UNSEEN.format(column=column, value=v) for v in text[unseen]])

    problems = (
        pd.concat(lines, ignore_index=True)
        if lines
        else pd.DataFrame({c: pd.Series(dtype="int64" if c == "position" else "str")
                           for c in PROBLEM_COLUMNS})
    )  # fmt: skip
    flagged = pd.Series("", index=pd.RangeIndex(len(frame)), dtype="object")
    if flags:
        joined = pd.concat(flags).groupby(level=0, sort=True).agg("; ".join)
        flagged.loc[joined.index] = joined.to_numpy()
    return problems.sort_values("position", kind="stable").reset_index(drop=True), flagged

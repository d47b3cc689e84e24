"""Check a scores table: scores, outcomes and group columns, every row accounted for.

The table itself is read by :func:`riskmodel._tables.read_scores`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError, DataError
from riskmodel._tables import MISSING_GROUP, ids_as_text
from riskmodel.fairness import _messages as const

__all__ = ["AuditInput", "group_labels", "prepare_input", "read_threshold"]


@dataclass
class AuditInput:
    """Outcomes, scores and group labels of the rows that can be audited, with the row counts.

    ``y_true`` (0/1) and ``y_score`` (a probability or an ordinal score) are aligned numpy
    arrays; ``groups`` holds one column of string
    labels per group column (missing values labelled ``"(missing)"``). ``counts`` says how many
    rows were read and why any were left out.
    """

    y_true: np.ndarray
    y_score: np.ndarray
    groups: pd.DataFrame
    score_kind: str
    threshold: float
    score_column: str
    outcome_column: str
    counts: dict[str, int] = field(default_factory=dict)
    kept: np.ndarray | None = None

    def __post_init__(self) -> None:
        # a threshold given as an int or numpy number is held as a plain float
        self.threshold = float(self.threshold)


def _examples(values: pd.Series, k: int = 3) -> str:
    return ", ".join(repr(v) for v in pd.unique(values.astype(object))[:k])


def _scores(column: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(column):
        return column.astype(float)
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    text = column.astype(object).where(column.notna(), None)
    text = text.map(lambda v: v.strip() if isinstance(v, str) else v)
    text = text.where(text != "", None)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if bad.any():
        raise DataError(
            const.NON_NUMERIC_SCORES.format(
                column=name, count=int(bad.sum()), examples=_examples(text[bad])
            )
        )
    return numbers.astype(float)


_TRUE = {"1", "1.0", "true", "yes", "y", "t"}
_FALSE = {"0", "0.0", "false", "no", "n", "f"}


def _outcomes(column: pd.Series, name: str) -> pd.Series:
    """0/1 as float with NaN for missing; anything else is a whole-input error."""
    if pd.api.types.is_bool_dtype(column):
        return column.astype(float)
    if pd.api.types.is_numeric_dtype(column):
        values = column.astype(float)
        bad = values.notna() & ~values.isin([0.0, 1.0])
    else:
        text = column.astype(object).map(lambda v: v.strip().lower() if isinstance(v, str) else v)
        text = text.where(column.notna() & (text != ""), None)
        values = pd.Series(np.nan, index=column.index)
        values[text.isin(_TRUE)] = 1.0
        values[text.isin(_FALSE)] = 0.0
        bad = text.notna() & values.isna()
    if bad.any():
        raise DataError(
            const.NON_BINARY_OUTCOME.format(column=name, examples=_examples(column[bad]))
        )
    return values


def group_labels(column: pd.Series) -> pd.Series:
    """String labels of a group column; missing values become their own ``"(missing)"`` group.

    Read as ids are read (:func:`riskmodel._tables.ids_as_text`): stripped, and whole-number
    floats (a column of integers with gaps reads as float) shown without ``.0``.

    Examples
    --------
    >>> group_labels(pd.Series([1.0, None, 2.0])).tolist()
    ['1', '(missing)', '2']
    """
    return ids_as_text(column).fillna(MISSING_GROUP).astype(object)


def prepare_input(
    frame: pd.DataFrame,
    *,
    score_column: str,
    outcome_column: str,
    group_columns: Sequence[str],
    threshold: float | None = None,
    score_kind: str | None = None,
) -> AuditInput:
    """Check the columns, decide the score kind and threshold, and keep auditable rows.

    Rows without a score or without an outcome are left out of every figure and counted in
    ``counts`` (never dropped silently). The score kind defaults to ``"probability"`` when
    every score lies in [0, 1], otherwise ``"ordinal"``; an ordinal score needs a threshold.

    Raises
    ------
    DataError
        A missing column, non-numeric scores, an outcome that is not 0/1, or no usable rows.
    ConfigError
        An unknown score kind, an ordinal score without a threshold, or probability scores
        outside [0, 1].
    """
    group_columns = list(dict.fromkeys(group_columns))
    if not group_columns:
        raise ConfigError(const.NO_GROUP_COLUMNS)
    available = ", ".join(map(str, frame.columns))
    roles = [(score_column, "score"), (outcome_column, "outcome")]
    roles += [(g, "group") for g in group_columns]
    for column, role in roles:
        if column not in frame.columns:
            raise DataError(
                const.UNKNOWN_COLUMN.format(column=column, role=role, available=available)
            )
    for column in group_columns:
        if column in (score_column, outcome_column):
            raise ConfigError(const.GROUP_IS_SCORE_OR_OUTCOME.format(column=column))
    if score_kind is not None and score_kind not in const.SCORE_KINDS:
        raise ConfigError(
            const.UNKNOWN_SCORE_KIND.format(kinds=const.SCORE_KINDS, kind=score_kind)
        )

    scores = _scores(frame[score_column], score_column)
    outcomes = _outcomes(frame[outcome_column], outcome_column)
    no_score = scores.isna().to_numpy()
    no_outcome = outcomes.isna().to_numpy()
    keep = ~(no_score | no_outcome)
    counts = {
        "rows_read": len(frame),
        "rows_used": int(keep.sum()),
        "rows_excluded": int((~keep).sum()),
        "missing_score": int(no_score.sum()),
        "missing_outcome": int(no_outcome.sum()),
        "missing_score_and_outcome": int((no_score & no_outcome).sum()),
    }
    if not keep.any():
        raise DataError(
            const.NO_USABLE_ROWS.format(
                n_rows=len(frame),
                missing_score=counts["missing_score"],
                missing_outcome=counts["missing_outcome"],
            )
        )
    s = scores.to_numpy()[keep]
    y = outcomes.to_numpy()[keep].astype(int)
    in_unit = bool(np.all((s >= 0) & (s <= 1)))
    if score_kind is None:
        score_kind = const.PROBABILITY if in_unit else const.ORDINAL
    if score_kind == const.PROBABILITY and not in_unit:
        raise ConfigError(const.PROBABILITY_OUT_OF_RANGE.format(low=s.min(), high=s.max()))
    if threshold is None:
        if score_kind == const.ORDINAL:
            raise ConfigError(const.ORDINAL_NEEDS_THRESHOLD)
        threshold = const.DEFAULT_PROBABILITY_THRESHOLD
    groups = pd.DataFrame(
        {g: group_labels(frame[g]).to_numpy()[keep] for g in group_columns}, dtype=object
    )
    return AuditInput(
        y_true=y,
        y_score=s,
        groups=groups,
        score_kind=score_kind,
        threshold=threshold,
        score_column=score_column,
        outcome_column=outcome_column,
        counts=counts,
        kept=keep,
    )


def read_threshold(text: str) -> tuple[float, str | None]:
    """A threshold given as a number, or as the ``threshold.json`` of ``riskmodel threshold``.

    Returns the threshold and, for a file, where it came from in words (the policy, how many
    people it allocated and, under a capacity with tied scores at the last place, that the
    audit counts every tied person as flagged).

    Raises
    ------
    ConfigError
        Neither a number nor a readable ``threshold.json`` with a finite ``threshold``.

    Examples
    --------
    >>> read_threshold("0.25")
    (0.25, None)
    """
    import json
    import math
    from pathlib import Path

    try:
        return float(text), None
    except ValueError:
        pass
    path = Path(text)
    if not path.is_file():
        raise ConfigError(const.THRESHOLD_NOT_A_NUMBER_OR_FILE.format(text=text))
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = getattr(error, "msg", None) or type(error).__name__
        raise ConfigError(
            const.THRESHOLD_FILE_UNREADABLE.format(path=path, reason=f"not JSON ({reason})")
        ) from None
    value = content.get("threshold") if isinstance(content, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(
            const.THRESHOLD_FILE_UNREADABLE.format(
                path=path, reason=f"its 'threshold' is {value!r}, not a finite number"
            )
        )
    source = f"the threshold chosen by riskmodel threshold, read from {path.name}"
    policy = content.get("policy")
    allocated, fraction = content.get("allocated"), content.get("allocated_fraction")
    if isinstance(policy, str):
        source += f": policy {policy}"
        if isinstance(allocated, int) and isinstance(fraction, int | float):
            source += f", {allocated:,} people allocated ({100 * fraction:.1f}%)"
    ties = content.get("ties")
    if isinstance(ties, dict):
        n_tied, taken = ties.get("n_tied"), ties.get("n_tied_allocated")
        if isinstance(n_tied, int) and isinstance(taken, int) and taken < n_tied:
            source += (
                f"; {n_tied:,} people share the score at the last place and {taken:,} of them"
                " got a place: this audit counts all of them as flagged"
            )
    return float(value), source

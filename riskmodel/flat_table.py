"""Flat person-level tables (COMPAS, NIJ, research extracts) as a FeatureTable.

A ``[table]`` config (:class:`riskmodel.config.TableSpec`) names the columns; nothing else is
needed. Boolean columns, string categories and missing values are handled here: numeric and
boolean features become float64 (missing stays NaN, the model pipelines impute), categorical
features become strings (missing stays missing, the pipelines give it its own level). Group
columns travel in ``groups`` and never reach ``X`` unless also listed as a feature.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError, DataError
from riskmodel._horizon import DEFAULT_HORIZON_MONTHS, outcome_column
from riskmodel._query import UNSAFE_QUERY, QueryError, evaluate_query
from riskmodel._survival import censoring_weights, horizon_labels, survival_summary, to_months
from riskmodel._tables import MISSING_GROUP, cell_text, ids_as_text, read_table
from riskmodel.config import TableSpec
from riskmodel.features import CENSORED, LABELLED, FeatureTable

__all__ = [
    "BAD_DURATION",
    "BAD_EVENT",
    "BAD_LABEL",
    "BAD_NUMERIC",
    "BAD_QUERY",
    "DUPLICATE_IDS",
    "EMPTY_TABLE",
    "MISSING_CARRY",
    "MISSING_COLUMNS",
    "NON_FINITE",
    "NO_LABELS",
    "build_flat_table",
    "categories",
    "load_flat_table",
    "numeric_values",
    "read_flat_table",
]

MISSING_COLUMNS = (
    "the config names column(s) {missing} that the table does not have; columns available: "
    "{available}"
)
MISSING_CARRY = (
    "--carry names column(s) {missing} that the table does not have; columns available: "
    "{available}"
)
BAD_QUERY = "[table] query {query!r} cannot be applied: {reason}; columns available: {available}"
EMPTY_TABLE = "the table has no rows{after}"
BAD_NUMERIC = (
    "numeric column {column!r} has non-numeric values ({examples}); list it under "
    "'categorical' instead"
)
BAD_LABEL = "label column {column!r} must hold 0/1 (or true/false); found {examples}"
NO_LABELS = "label column {column!r} has no known outcome in any row"
BAD_EVENT = (
    "event column {column!r} must hold 1 (reoffended at that time) or 0 (censored then) in "
    "every row; found {examples}"
)
BAD_DURATION = (
    "duration column {column!r} must hold a number of {unit} of at least 0 in every row; "
    "found {examples}"
)
DUPLICATE_IDS = "id column {column!r} is not unique: {examples} appear more than once"
NON_FINITE = (
    "numeric column {column!r} has values that are not finite numbers ({examples}) in row(s) "
    "{rows} of the table; correct or remove these rows (a model cannot learn from them)"
)

_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})


def read_flat_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a flat table from CSV or Parquet (by suffix), with pandas' type inference.

    :func:`riskmodel._tables.read_table`: a file that cannot be read raises
    :class:`DataError` with the readers' message.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id,age\\na,30\\n")
    >>> read_flat_table(p).shape
    (1, 2)
    """
    return read_table(path)


def _examples(values: pd.Series, limit: int = 5) -> str:
    uniques = pd.unique(values.astype(str))
    shown = ", ".join(repr(v) for v in uniques[:limit])
    return shown + (", ..." if len(uniques) > limit else "")


def _as_boolean(values: pd.Series) -> pd.Series | None:
    """Float 0/1 (NaN when missing) when every present value reads as a boolean, else None."""
    present = values.notna()
    text = values[present].astype(str).str.strip().str.lower()
    if not text.isin(_TRUE | _FALSE).all():
        return None
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    out[present] = text.isin(_TRUE).astype("float64").to_numpy()
    return out


def numeric_values(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A column read as numbers: float64 values (NaN when missing or not a number; infinities
    kept as they are) and which present values are not numbers at all.

    Booleans (``true``/``false``, ``yes``/``no``, ...) read as 1/0 when every present value of
    the column is one.

    Examples
    --------
    >>> values, unreadable = numeric_values(pd.Series(["1", "x", None, "inf"]))
    >>> values.tolist()[::3], unreadable.tolist()
    ([1.0, inf], [False, True, False, False])
    """
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        converted = values.astype("float64")
        return converted, pd.Series(False, index=values.index)
    boolean = _as_boolean(values)
    if boolean is not None:
        return boolean, pd.Series(False, index=values.index)
    converted = pd.to_numeric(values, errors="coerce").astype("float64")
    return converted, values.notna() & converted.isna()


def _numeric(values: pd.Series, column: str, rows: np.ndarray) -> pd.Series:
    """Strict (training, evaluation): a value that is not a number, or not finite, stops."""
    converted, unreadable = numeric_values(values)
    if unreadable.any():
        raise DataError(BAD_NUMERIC.format(column=column, examples=_examples(values[unreadable])))
    infinite = np.isinf(converted.to_numpy())
    if infinite.any():
        shown = rows[infinite][:10].tolist()
        raise DataError(
            NON_FINITE.format(
                column=column,
                examples=_examples(values[infinite]),
                rows=", ".join(map(str, shown)) + (", ..." if infinite.sum() > 10 else ""),
            )
        )
    return converted


def _format_category(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def categories(values: pd.Series) -> pd.Series:
    """A column read as categories: text, with booleans as ``true``/``false`` and whole floats
    without their ``.0``; missing stays missing.

    Examples
    --------
    >>> categories(pd.Series([1.0, "F ", None])).tolist()
    ['1', 'F', nan]
    """
    return _categorical(values)


def _categorical(values: pd.Series) -> pd.Series:
    present = values.notna()
    out = pd.Series(np.nan, index=values.index, dtype="object")
    out[present] = [_format_category(v) for v in values[present]]
    return out.astype("str")


def _label(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        label = values.astype("float64")
    else:
        label = _as_boolean(values)
        if label is None:
            raise DataError(BAD_LABEL.format(column=column, examples=_examples(values.dropna())))
    bad = label.notna() & ~label.isin([0.0, 1.0])
    if bad.any():
        raise DataError(BAD_LABEL.format(column=column, examples=_examples(values[bad])))
    return label


def query_mask(frame: pd.DataFrame, query: str, *, hidden: Sequence[str] = ()) -> np.ndarray:
    """Which rows of ``frame`` the ``[table]`` query keeps (every row for an empty query).

    The one place a query is evaluated, for training and scoring alike, by the restricted
    evaluator of :mod:`riskmodel._query` (a query never runs code). ``hidden`` names working
    columns left out of the message's list of available columns.

    Raises
    ------
    ConfigError
        A query using anything but columns, literals, comparisons, boolean operators, ``in``
        and ``isna``/``notna`` (:data:`riskmodel._query.UNSAFE_QUERY`), or one that cannot be
        evaluated on these columns.

    Examples
    --------
    >>> query_mask(pd.DataFrame({"age": [17, 30]}), "age >= 18").tolist()
    [False, True]
    """
    if not query:
        return np.ones(len(frame), dtype=bool)
    try:
        return evaluate_query(frame, query)
    except QueryError as exc:
        if exc.unsafe:
            raise ConfigError(UNSAFE_QUERY.format(query=query, what=exc)) from None
        raise ConfigError(
            BAD_QUERY.format(
                query=query,
                reason=str(exc),
                available=", ".join(c for c in map(str, frame.columns) if c not in hidden),
            )
        ) from None


def build_flat_table(
    frame: pd.DataFrame,
    spec: TableSpec,
    *,
    labels: bool = True,
    source: str | None = None,
    carry: Sequence[str] = (),
) -> FeatureTable:
    """A FeatureTable from a flat person-level table described by a ``[table]`` config.

    Parameters
    ----------
    frame : DataFrame
        One row per person.
    spec : TableSpec
        The ``[table]`` section.
    labels : bool
        Read the label column (training, evaluation). False for scoring: the label column
        may then be absent.
    source : str, optional
        Where the table came from (recorded in ``meta``).
    carry : sequence of str
        Further columns of the table to keep beside the groups (as text), e.g. for
        ``riskmodel crossval --carry``; they never reach ``X``.

    Returns
    -------
    FeatureTable
        ``X`` holds exactly the configured features (numeric float64, categorical strings);
        ``label`` is float 0/1 (NaN when unknown, such rows being ``censored``).

    Examples
    --------
    >>> import pandas as pd
    >>> from riskmodel.config import TableSpec
    >>> frame = pd.DataFrame({"id": ["a", "b"], "y": [0, 1], "age": [30, None],
    ...                       "flag": [True, False], "race": ["x", "y"]})
    >>> spec = TableSpec(label="y", id="id", numeric=("age", "flag"), groups=("race",))
    >>> table = build_flat_table(frame, spec)
    >>> table.feature_names, list(table.groups.columns)
    (['age', 'flag'], ['race'])
    """
    n_read = len(frame)
    absent = [c for c in carry if c not in frame.columns]
    if absent:
        raise ConfigError(
            MISSING_CARRY.format(
                missing=", ".join(map(repr, absent)), available=", ".join(map(str, frame.columns))
            )
        )
    needed = [*spec.features, *spec.groups, *([spec.id] if spec.id else [])]
    if labels:  # who and when matter to the splits of training and evaluation, not to scoring
        needed += [c for c in (spec.person, spec.period) if c]
    if labels:
        needed += [spec.label] if spec.label is not None else [spec.duration, spec.event]
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        raise ConfigError(
            MISSING_COLUMNS.format(
                missing=", ".join(map(repr, missing)),
                available=", ".join(map(str, frame.columns)),
            )
        )
    if spec.query:
        frame = frame.loc[query_mask(frame, spec.query)]
    # rows of the table as read (1-based, as in a rejects file), for messages
    if pd.api.types.is_integer_dtype(frame.index.dtype):
        rows = frame.index.to_numpy(dtype=np.int64) + 1
    else:
        rows = np.arange(1, len(frame) + 1)
    frame = frame.reset_index(drop=True)
    if frame.empty:
        raise DataError(EMPTY_TABLE.format(after=" after the query" if spec.query else ""))

    X = pd.DataFrame(index=frame.index)
    for column in spec.numeric:
        X[column] = _numeric(frame[column], column, rows)
    for column in spec.categorical:
        X[column] = _categorical(frame[column])

    if spec.id:
        ids = ids_as_text(frame[spec.id])
        duplicated = ids[ids.duplicated(keep=False)]
        if len(duplicated):
            raise DataError(DUPLICATE_IDS.format(column=spec.id, examples=_examples(duplicated)))
    else:
        ids = pd.Series([str(i + 1) for i in range(len(frame))], dtype="str")
    ids = ids.rename("person_id")

    kept = list(dict.fromkeys([*spec.groups, *carry]))
    groups = pd.DataFrame({c: _categorical(frame[c]) for c in kept}, index=frame.index)

    horizon = spec.follow_up_months or DEFAULT_HORIZON_MONTHS
    label = status = survival = None
    if labels and spec.duration is not None:
        label, survival, summary = _time_to_event(frame, spec)
    elif labels:
        label = _label(frame[spec.label], spec.label).rename(outcome_column(horizon))
        if label.isna().all():
            raise DataError(NO_LABELS.format(column=spec.label))
    if label is not None:
        status = pd.Series(
            np.where(label.notna(), LABELLED, CENSORED), dtype="str", name="label_status"
        )
    meta = {
        "kind": "flat_table",
        "source": source,
        "n_rows_read": n_read,
        "n_people": len(frame),
        "query": spec.query,
        "label_column": spec.label,
        "duration_column": spec.duration,
        "event_column": spec.event,
        "outcome": spec.outcome,
        "follow_up_months": spec.follow_up_months,
        "horizon_months": horizon,
        "numeric": list(spec.numeric),
        "categorical": list(spec.categorical),
        "groups": list(spec.groups),
    }
    if label is not None:
        meta["n_unlabelled"] = int(label.isna().sum())
    if survival is not None:
        meta["survival"] = summary
    persons = periods = None
    if (
        spec.person and spec.person in frame.columns
    ):  # a row without a person is a person of its own
        persons = ids_as_text(frame[spec.person])
        persons = persons.fillna("(row " + ids + ")").rename("person")
        meta["n_persons"] = int(persons.nunique())
    if spec.period and spec.period in frame.columns:
        periods = cell_text(frame[spec.period]).fillna(MISSING_GROUP).rename("period")
    return FeatureTable(
        X=X,
        label=label,
        label_status=status,
        groups=groups,
        ids=ids,
        meta=meta,
        survival=survival,
        persons=persons,
        periods=periods,
    )


def _time_to_event(
    frame: pd.DataFrame, spec: TableSpec
) -> tuple[pd.Series, pd.DataFrame, dict[str, object]]:
    """The label at ``follow_up_months`` derived from ``duration`` and ``event``, the times,
    events and censoring weights, and their summary (:mod:`riskmodel._survival`)."""
    assert spec.duration is not None and spec.event is not None and spec.duration_unit
    event, unreadable = numeric_values(frame[spec.event])
    bad = unreadable | ~event.isin([0.0, 1.0])
    if bad.any():
        raise DataError(
            BAD_EVENT.format(column=spec.event, examples=_examples(frame[spec.event][bad]))
        )
    duration, unreadable = numeric_values(frame[spec.duration])
    bad = unreadable | ~(np.isfinite(duration.to_numpy()) & (duration.to_numpy() >= 0))
    if bad.any():
        raise DataError(
            BAD_DURATION.format(
                column=spec.duration,
                unit=spec.duration_unit,
                examples=_examples(frame[spec.duration][bad]),
            )
        )
    horizon = float(spec.follow_up_months or 0)
    time = to_months(duration.to_numpy(), spec.duration_unit)
    label = pd.Series(horizon_labels(time, event, horizon), name=outcome_column(int(horizon)))
    survival = pd.DataFrame(
        {
            "time_months": time,
            "event": event.to_numpy(dtype="int64"),
            "weight": censoring_weights(time, event.to_numpy(), horizon),
        }
    )
    summary = survival_summary(time, event.to_numpy(), horizon, duration_unit=spec.duration_unit)
    return label, survival, summary


def load_flat_table(
    path: str | os.PathLike, spec: TableSpec, *, labels: bool = True, carry: Sequence[str] = ()
) -> FeatureTable:
    """Read a CSV/Parquet flat table and build its FeatureTable (see :func:`build_flat_table`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from riskmodel.config import TableSpec
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id,age,y\\na,30,1\\nb,40,0\\n")
    >>> len(load_flat_table(p, TableSpec(label="y", id="id", numeric=("age",))))
    2
    """
    return build_flat_table(
        read_flat_table(path), spec, labels=labels, source=str(path), carry=carry
    )

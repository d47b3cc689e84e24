"""Scoring one chunk of people: a pure function of the chunk and the :class:`Scorer`.

:func:`score_chunk` validates the chunk's rows (the data contract's own
:func:`~riskmodel.contract.validate_tables`), builds the features with the same
:func:`~riskmodel.features.build_feature_table` that training uses (flat tables: the same
:func:`~riskmodel.flat_table.build_flat_table`), and applies the model. It reads no file and
keeps no state, so it runs unchanged in this process or on a Dask worker, and its results do
not depend on how the people were split into chunks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from riskmodel._horizon import DEFAULT_HORIZON_MONTHS, probability_column
from riskmodel._tables import INDEX_ID, ids_as_text
from riskmodel._tables._ids import cell_text
from riskmodel.bands import DEFAULT_BANDS, Bands, band_positions
from riskmodel.config import TableSpec
from riskmodel.contract import REJECT_COLUMNS, age_band, cohort, validate_tables
from riskmodel.contract._read import RawTables
from riskmodel.features import build_feature_table
from riskmodel.flat_table import build_flat_table, query_mask
from riskmodel.scoring._chunks import ROW, Chunk
from riskmodel.scoring._drift import drift_counts
from riskmodel.scoring._flat_rows import row_problems
from riskmodel.scoring._messages import OUTSIDE_QUERY

__all__ = [
    "SCORE_COLUMNS",
    "ChunkResult",
    "Scorer",
    "load_model",
    "score_chunk",
    "score_columns",
]

#: The fixed leading columns of a scores file (CLI.md); ``cohort`` and ``age_band`` only
#: when the data allow, ``flags`` for flat tables (what was flagged about the person's row:
#: :mod:`riskmodel.scoring._flat_rows`). ``probability_2y`` is named after the model's
#: horizon (:func:`score_columns`).
SCORE_COLUMNS: tuple[str, ...] = (
    "person_id",
    "probability_2y",
    "risk_band",
    "cohort",
    "age_band",
    "model_id",
    "flags",
)


def score_columns(horizon_months: int = DEFAULT_HORIZON_MONTHS) -> tuple[str, ...]:
    """:data:`SCORE_COLUMNS` of a model of this horizon.

    Examples
    --------
    >>> score_columns(12)[:3]
    ('person_id', 'probability_1y', 'risk_band')
    """
    name = probability_column(horizon_months)
    return tuple(name if c == "probability_2y" else c for c in SCORE_COLUMNS)


#: Contributions smaller than this (log-odds) are not given as reasons.
_MIN_REASON = 1e-9


# -- the model bundle -----------------------------------------------------------------------


def load_model(model_dir: str | Path) -> tuple[Any, dict[str, Any]]:
    """The fitted model and the manifest of a bundle directory.

    :func:`riskmodel.bundle.load_bundle` checks the sha256 of the manifest and of
    ``model.skops`` before reading the model, and reads only allowlisted types.

    Raises
    ------
    DataError
        Not a bundle, a modified manifest or model file, or a model this installation cannot
        load.
    """
    from riskmodel.bundle import load_bundle

    bundle = load_bundle(model_dir)
    return bundle.model, dict(bundle.manifest)


# -- the scorer and one chunk ---------------------------------------------------------------


@dataclass(frozen=True)
class Scorer:
    """Everything :func:`score_chunk` needs besides the chunk (picklable, sent once to
    every Dask worker).

    Attributes
    ----------
    model : estimator
        Fitted; ``predict_proba(X)[:, 1]`` is the probability at the model's horizon.
    model_id : str
    kind : {"data", "table"}
        Event tables or a flat person-level table.
    bands : Bands
        Risk band cut points and names.
    carry : tuple of str
        Input columns copied to the output (people table or flat table).
    explain : int
        Reasons per person (0: none).
    reference : dict or None
        The training reference for drift (:func:`riskmodel.scoring.drift_reference`).
    needs_lookback_months : int or None
        As at training (event data).
    table : TableSpec or None
        The ``[table]`` section (flat tables).
    age_sex : tuple of str or None
        Flat-table columns holding age in whole years and sex, when the table has them
        (``cohort`` and ``age_band`` are then given).
    extract_date : str or None
        The data's extract date (event data): events after it are row problems.
    repeated_ids : frozenset of str
        Flat tables: ids on more than one row of the whole table (every such row is
        rejected, whichever chunk it is in).
    explain_groups : dict
        The concepts reasons are given for (a flat table's ``[explain.groups]``; event data
        use the concept catalogue).
    labels : dict
        Words for a flat table's codes (``[labels]``), used in reasons.
    positions : dict or None
        Where reasons place a person: the training people stored in the bundle
        (``drift_reference.positions``); without them reasons state no position.
    horizon_months : int
        The model's horizon, which names the probability column (``probability_2y`` for 24).
    index_id : bool
        Event data whose people carry an ``index_id`` (several index events per person):
        the scores then give it after ``person_id``.
    """

    model: Any
    model_id: str
    kind: str = "data"
    bands: Bands = DEFAULT_BANDS
    carry: tuple[str, ...] = ()
    explain: int = 0
    reference: dict[str, Any] | None = None
    needs_lookback_months: int | None = 12
    table: TableSpec | None = None
    age_sex: tuple[str, str] | None = None
    extract_date: str | None = None
    repeated_ids: frozenset[str] = frozenset()
    explain_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    positions: Mapping[str, Any] | None = None
    index_id: bool = False
    horizon_months: int = DEFAULT_HORIZON_MONTHS

    @property
    def probability_column(self) -> str:
        """The probability column (``probability_2y`` at 24 months)."""
        return probability_column(self.horizon_months)

    @property
    def columns(self) -> list[str]:
        """Columns of the scores file, in order."""
        fixed = [
            c
            for c in score_columns(self.horizon_months)
            if (self.kind == "data" or self.age_sex is not None or c not in ("cohort", "age_band"))
            and (self.kind == "table" or c != "flags")
        ]
        if self.index_id:
            fixed.insert(1, INDEX_ID)
        return fixed + list(self.carry) + [f"reason_{i + 1}" for i in range(self.explain)]


@dataclass
class ChunkResult:
    """What scoring one chunk gives: scores, rejects lines, counts and drift counts."""

    index: int
    scores: pd.DataFrame
    rejects: pd.DataFrame
    counts: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, Any] | None = None


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c == "row" else "str") for c in REJECT_COLUMNS}
    )


def _input_rows(rejects: pd.DataFrame, frames: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Rejects' ``row`` (a position in the chunk's table) as the row of the input file."""
    if rejects.empty:
        return rejects
    rows = rejects["row"].to_numpy(dtype=np.int64).copy()
    tables = rejects["table"].astype("str").to_numpy()
    for table, frame in frames.items():
        mask = tables == table
        if frame is None or not mask.any():
            continue
        rows[mask] = frame[ROW].to_numpy(dtype=np.int64)[rows[mask] - 1]
    return rejects.assign(row=rows)


def _carry(frame: pd.DataFrame, rows: np.ndarray, columns: tuple[str, ...]) -> pd.DataFrame:
    """The carried input columns of the rows numbered ``rows``, as read."""
    if not columns:
        return pd.DataFrame(index=pd.RangeIndex(len(rows)))
    position = pd.Index(frame[ROW].to_numpy()).get_indexer(rows)
    return frame[list(columns)].iloc[position].reset_index(drop=True)


def _reasons(scorer: Scorer, X: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """The ``scorer.explain`` concepts moving each person's risk most, either way, each in
    the words of the explanation report (:attr:`riskmodel.explain.Factor.reason`)."""
    from riskmodel.explain import ReferencePopulation, explain, reasons_by_person

    k = scorer.explain
    explanation = explain(
        scorer.model,
        X,
        ids=ids,
        groups=scorer.explain_groups or None,
        labels=scorer.labels,
        population=ReferencePopulation.from_dict(scorer.positions),
    )
    factors = reasons_by_person(explanation, k, min_abs=_MIN_REASON, batch_positions=False)
    out = {
        f"reason_{j + 1}": [f[j].reason if j < len(f) else None for f in factors] for j in range(k)
    }
    return pd.DataFrame(out, dtype="str")


#: The text dtype of the output columns (``pd.Series(..., dtype="str")``).
_TEXT = pd.Series([], dtype="str").dtype


def _text(values: pd.Series) -> pd.Series:
    """``pd.Series(values.to_numpy(), dtype="str")`` (a new range index), without a round trip
    through Python strings when the values are text already."""
    if values.dtype == _TEXT:
        return pd.Series(values.array)
    return pd.Series(values.to_numpy(), dtype="str")


def _labels(names: Sequence[str], codes: np.ndarray) -> pd.Series:
    """``names[codes]`` as a text column, built in Arrow (no Python string per row)."""
    labels = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32)), pa.array(list(names), pa.large_string())
    )
    return pd.Series(labels.cast(pa.large_string()).to_pandas(), dtype="str")


def _output(
    scorer: Scorer,
    ids: pd.Series,
    probability: np.ndarray,
    groups: pd.DataFrame | None,
    carried: pd.DataFrame,
    reasons: pd.DataFrame | None,
    flags: pd.Series | None = None,
    index_ids: pd.Series | None = None,
) -> pd.DataFrame:
    n = len(ids)
    parts: dict[str, Any] = {"person_id": _text(ids)}
    if scorer.index_id:
        parts[INDEX_ID] = _text(index_ids if index_ids is not None else pd.Series([None] * n))
    parts |= {
        scorer.probability_column: probability.astype(np.float64),
        "risk_band": _labels(scorer.bands.names, band_positions(probability, scorer.bands)),
    }
    if groups is not None:
        parts["cohort"] = _text(groups["cohort"])
        parts["age_band"] = _text(groups["age_band"])
    parts["model_id"] = _labels([scorer.model_id], np.zeros(n, dtype=np.int32))
    if flags is not None:
        parts["flags"] = _text(flags)
    out = pd.DataFrame(parts)
    for column in carried.columns:  # as read: a column empty in this chunk keeps its type
        out[column] = carried[column].array
    if reasons is not None:
        for column in reasons.columns:
            out[column] = reasons[column].to_numpy()
    return out[scorer.columns]


def _predict(scorer: Scorer, X: pd.DataFrame) -> np.ndarray:
    if len(X) == 0:
        return np.zeros(0, dtype=np.float64)
    return np.asarray(scorer.model.predict_proba(X), dtype=np.float64)[:, 1]


def _score_events(chunk: Chunk, scorer: Scorer) -> ChunkResult:
    metadata = {"extract_date": scorer.extract_date} if scorer.extract_date else {}
    raw = RawTables(chunk.people, chunk.offences, chunk.needs, metadata=metadata)
    data = validate_tables(raw)
    frames = {"people": chunk.people, "offences": chunk.offences, "needs": chunk.needs}
    rejects = _input_rows(data.rejects, frames)
    summary = data.summary
    counts: dict[str, Any] = {
        k: v for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)
    }
    counts["problems_by_reason"] = dict(summary.get("problems_by_reason", {}))
    counts["people_scored"] = len(data.people)
    if len(data.people) == 0:
        empty = _output(
            scorer,
            pd.Series([], dtype="str"),
            np.zeros(0),
            pd.DataFrame({"cohort": [], "age_band": []}),
            _carry(chunk.people, np.zeros(0, dtype=np.int64), scorer.carry),
            pd.DataFrame({f"reason_{j + 1}": [] for j in range(scorer.explain)}, dtype="str")
            if scorer.explain
            else None,
        )
        return ChunkResult(chunk.index, empty, rejects, counts, None)
    table = build_feature_table(data, needs_lookback_months=scorer.needs_lookback_months)
    for key in ("current_sanction_from_people", "people_without_assessment"):
        counts[key] = int(table.meta.get(key, 0))
    probability = _predict(scorer, table.X)
    carried = _carry(chunk.people, data.people[ROW].to_numpy(dtype=np.int64), scorer.carry)
    reasons = _reasons(scorer, table.X, table.ids) if scorer.explain else None
    scores = _output(
        scorer, table.ids, probability, table.groups, carried, reasons, index_ids=table.index_ids
    )
    drift = (
        drift_counts(table.X, probability, scorer.reference)
        if scorer.reference is not None
        else None
    )
    return ChunkResult(chunk.index, scores, rejects, counts, drift)


def _table_rejects(frame: pd.DataFrame, ids: pd.Series, lines: pd.DataFrame) -> pd.DataFrame:
    """Rejects lines of a flat table: ``lines`` (``position`` in ``frame``, ``column``,
    ``value``, ``reason``) with each row's id and row number in the input file."""
    if lines.empty:
        return _empty_rejects()
    positions = lines["position"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "person_id": ids.to_numpy()[positions],
            "table": "table",
            "row": frame[ROW].to_numpy(dtype=np.int64)[positions],
            "column": lines["column"].to_numpy(),
            "value": lines["value"].to_numpy(),
            "reason": lines["reason"].to_numpy(),
        }
    )[list(REJECT_COLUMNS)]


def _score_table(chunk: Chunk, scorer: Scorer) -> ChunkResult:
    spec = scorer.table
    assert spec is not None
    frame = chunk.people.reset_index(drop=True)

    def ids_of(rows: pd.DataFrame) -> pd.Series:
        return ids_as_text(rows[spec.id] if spec.id else rows[ROW]).reset_index(drop=True)

    excluded = pd.DataFrame(columns=["position", "column", "value", "reason"])
    inside = np.ones(len(frame), dtype=bool)
    if spec.query:
        inside = np.asarray(query_mask(frame, spec.query, hidden=(ROW,)), dtype=bool)
        excluded = pd.DataFrame(
            {
                "position": np.flatnonzero(~inside),
                "column": "",
                "value": "",
                "reason": OUTSIDE_QUERY.format(query=spec.query),
            }
        )
    rejects = _table_rejects(frame, ids_of(frame), excluded)
    kept = frame.loc[inside].reset_index(drop=True)
    problems, flags = row_problems(kept, spec, scorer.reference, scorer.repeated_ids)
    rejects = pd.concat(
        [rejects, _table_rejects(kept, ids_of(kept), problems)], ignore_index=True
    ).sort_values("row", kind="stable", ignore_index=True)
    clean = np.ones(len(kept), dtype=bool)
    clean[problems["position"].to_numpy(dtype=np.int64)] = False
    kept, flags = kept.loc[clean].reset_index(drop=True), flags[clean].reset_index(drop=True)
    counts: dict[str, Any] = {
        "people_read": len(frame),
        "people_rejected": len(frame) - len(kept),
        "people_scored": len(kept),
        "people_flagged": int((flags != "").sum()),
        "problems": len(rejects),
        "problems_by_reason": rejects["reason"].value_counts().to_dict() if len(rejects) else {},
    }
    local = dataclasses.replace(spec, query="", id=spec.id or ROW)
    if len(kept):
        table = build_flat_table(kept, local, labels=False)
        ids, X = table.ids, table.X
    else:
        ids, X = pd.Series([], dtype="str"), pd.DataFrame()
    probability = _predict(scorer, X)
    groups = None
    if scorer.age_sex is not None:
        age_column, sex_column = scorer.age_sex
        age = pd.to_numeric(kept[age_column], errors="coerce").reset_index(drop=True)
        sex = kept[sex_column].astype("str").str.strip().str.lower().reset_index(drop=True)
        groups = pd.DataFrame({"cohort": cohort(sex, age), "age_band": age_band(age)})
    # a flat table's types are inferred chunk by chunk: carried columns go out as text, the
    # same in every chunk (a column of numbers in one chunk and codes in the next stays one
    # column)
    carried = _carry(kept, kept[ROW].to_numpy(dtype=np.int64), scorer.carry)
    carried = carried.apply(lambda column: cell_text(column).astype("string"))
    reasons = None
    if scorer.explain:
        reasons = (
            _reasons(scorer, X, ids)
            if len(X)
            else pd.DataFrame({f"reason_{j + 1}": [] for j in range(scorer.explain)}, dtype="str")
        )
    scores = _output(scorer, ids, probability, groups, carried, reasons, flags.astype("str"))
    drift = (
        drift_counts(X, probability, scorer.reference)
        if scorer.reference is not None and len(X)
        else None
    )
    return ChunkResult(chunk.index, scores, rejects, counts, drift)


def score_chunk(chunk: Chunk, scorer: Scorer) -> ChunkResult:
    """Validate, build features and score one chunk of whole people.

    Pure: the result depends only on ``chunk`` and ``scorer``, so chunks can be scored in any
    order, in any process.

    Parameters
    ----------
    chunk : Chunk
        Whole people with all of their rows (:mod:`riskmodel.scoring._chunks`).
    scorer : Scorer

    Returns
    -------
    ChunkResult
        ``scores`` (the columns of :attr:`Scorer.columns`, people in input order),
        ``rejects`` (rows numbered as in the input files), ``counts`` (people read, scored
        and rejected, problems by reason, ...) and ``drift`` counts.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskmodel.models import BaseRateModel
    >>> from riskmodel.scoring._chunks import ROW, Chunk
    >>> people = pd.DataFrame({"person_id": ["A", "B"], "date_of_birth": ["1990-01-01", "x"],
    ...     "sex": ["male", "female"], "index_date": ["2020-01-01"] * 2,
    ...     "index_offence": ["theft", "theft"], ROW: [1, 2]})
    >>> offences = pd.DataFrame({"person_id": ["A"], "offence_date": ["2019-12-01"],
    ...     "sanction_date": ["2020-01-01"], "offence_group": ["theft"], ROW: [1]})
    >>> model = BaseRateModel().fit(np.zeros((4, 1)), [0, 0, 0, 1])
    >>> result = score_chunk(Chunk(0, people, offences), Scorer(model=model, model_id="m1"))
    >>> result.scores[["person_id", "probability_2y", "risk_band", "cohort"]].values.tolist()
    [['A', 0.25, 'Low', 'adult_male']]
    >>> result.rejects[["person_id", "row", "column"]].values.tolist()
    [['B', 2, 'date_of_birth']]
    """
    if scorer.kind == "table":
        return _score_table(chunk, scorer)
    return _score_events(chunk, scorer)

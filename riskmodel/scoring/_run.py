"""Batch scoring of files: read in chunks of people, score, write scores, rejects and a run
summary, all atomically (a failed run leaves no output file)."""

from __future__ import annotations

import errno
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from riskmodel._errors import ConfigError, DataError, RiskmodelError
from riskmodel._horizon import bundle_horizon, refuse_with_table
from riskmodel._io import atomic_path, neutralise_formulas, rejects_path_for, to_jsonable
from riskmodel._provenance import source_summary_path
from riskmodel._tables import INDEX_ID
from riskmodel._tables._messages import EMPTY_TABLE
from riskmodel.bands import parse_bands
from riskmodel.bundle import input_spec
from riskmodel.config import TableSpec
from riskmodel.contract import REJECT_COLUMNS, resolve_extract_date
from riskmodel.features import FEATURES
from riskmodel.flat_table import MISSING_COLUMNS as FLAT_MISSING_COLUMNS
from riskmodel.scoring._chunks import (
    BATCH_ROWS,
    ROW,
    Chunk,
    ChunkRef,
    PersonPartition,
    open_event_input,
    open_flat_input,
    remove_orphan_workdirs,
)
from riskmodel.scoring._drift import drift_report, merge_counts
from riskmodel.scoring._engines import DaskEngine, LocalEngine, make_engine
from riskmodel.scoring._flat_rows import repeated_table_ids
from riskmodel.scoring._messages import (
    BAD_CARRY,
    BAD_CHUNK_SIZE,
    BAD_EXPLAIN,
    BANDS_RULE,
    BOTH_INPUTS,
    CARRY_IN_OUTPUT,
    DISK_FULL,
    MODEL_NOT_FOR_EVENTS,
    NO_INPUT,
    NO_TABLE_CONFIG,
)
from riskmodel.scoring._score import ChunkResult, Scorer, load_model, score_columns

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "rejects_path_for",
    "score_files",
    "summary_path_for",
]

#: People per chunk by default.
DEFAULT_CHUNK_SIZE = 100_000

#: Largest --explain.
MAX_EXPLAIN = 20


def summary_path_for(out: Path) -> Path:
    """The run summary written beside an output: ``scores.csv`` → ``scores.summary.json``."""
    return source_summary_path(out)


@dataclass(frozen=True)
class _Outputs:
    """The files a run writes: the scores, the rejected rows and the run summary."""

    scores: Path
    rejects: Path
    summary: Path

    @classmethod
    def beside(cls, out: str | Path, rejects_path: str | Path | None) -> _Outputs:
        """``out``, the rejects at ``rejects_path`` (by default beside ``out``:
        :func:`rejects_path_for`) and the summary beside ``out`` (:func:`summary_path_for`).
        """
        out = Path(out)
        return cls(
            scores=out,
            rejects=Path(rejects_path) if rejects_path is not None else rejects_path_for(out),
            summary=summary_path_for(out),
        )


def parse_carry(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Column names from ``"a,b"`` (or a list), stripped, without repeats."""
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else list(text)
    return tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _model_features(model: Any) -> list[str]:
    names = getattr(model, "feature_names_in_", None)
    return [] if names is None else [str(n) for n in names]


def _table_spec(config_path: str | Path | None, manifest: dict[str, Any]) -> TableSpec:
    spec = input_spec(manifest, config_path).config.table
    if spec is None:
        raise ConfigError(NO_TABLE_CONFIG)
    return spec


def _check_carry(carry: tuple[str, ...], columns: list[str], file: str, fixed: Iterable[str]):
    missing = [c for c in carry if c not in columns or c == ROW]
    if missing:
        raise ConfigError(
            BAD_CARRY.format(
                missing=", ".join(map(repr, missing)), file=file, available=", ".join(columns)
            )
        )
    clash = [c for c in carry if c in set(fixed) or c.startswith("reason_")]
    if clash:
        raise ConfigError(CARRY_IN_OUTPUT.format(columns=", ".join(map(repr, clash))))


class _Writer:
    """Appends frames to one CSV or Parquet file (by suffix), schema fixed by the first."""

    def __init__(self, path: Path, target_suffix: str) -> None:
        self.path = path
        self.parquet = target_suffix.lower() == ".parquet"
        self.handle: Any = None
        self.schema: pa.Schema | None = None
        self.rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        if self.parquet:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self.handle is None:
                # a column with no value yet (a carried column empty so far) is text
                self.schema = pa.schema(
                    f.with_type(pa.large_string()) if pa.types.is_null(f.type) else f
                    for f in table.schema
                ).with_metadata(table.schema.metadata)
                table = table.cast(self.schema)
                self.handle = pq.ParquetWriter(str(self.path), self.schema)
            elif table.schema != self.schema:
                table = table.cast(self.schema)
            if len(table):
                self.handle.write_table(table)
        else:
            if self.handle is None:
                self.handle = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
                neutralise_formulas(frame).to_csv(self.handle, index=False)
            elif len(frame):
                neutralise_formulas(frame).to_csv(self.handle, index=False, header=False)
        self.rows += len(frame)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


#: Error numbers of a write that found no room: the device is full, or the user's quota.
_NO_ROOM = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


@contextmanager
def _no_room_is_an_error(default_where: Path) -> Iterator[None]:
    """A full disk (or quota) while writing becomes one message (exit code 2); entered
    outside the block whose cleanups remove the temporary files, so they are gone by then."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _NO_ROOM and "No space left on device" not in str(exc):
            raise
        where = exc.filename or default_where
        raise RiskmodelError(DISK_FULL.format(where=where)) from exc


def _flat_age_sex(columns: list[str]) -> tuple[str, str] | None:
    by_lower = {c.lower(): c for c in columns}
    if "age" in by_lower and "sex" in by_lower:
        return by_lower["age"], by_lower["sex"]
    return None


def _merge_numbers(total: dict[str, Any], counts: dict[str, Any]) -> None:
    for key, value in counts.items():
        if isinstance(value, dict):
            inner = total.setdefault(key, {})
            for k, v in value.items():
                inner[k] = inner.get(k, 0) + int(v)
        else:
            total[key] = total.get(key, 0) + int(value)


def score_files(
    *,
    model_dir: str | Path,
    out: str | Path,
    data_dir: str | Path | None = None,
    table_path: str | Path | None = None,
    config_path: str | Path | None = None,
    rejects_path: str | Path | None = None,
    carry: str | Sequence[str] | None = None,
    explain: int = 0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    engine: str = "local",
    scheduler: str | None = None,
    scheduler_timeout: float | None = None,
    workers: int | None = None,
    bands: str | None = None,
    workdir: str | Path | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[..., Iterable[Any]] | None = None,
    programme_cohort: bool = False,
    horizon_months: int | None = None,
    proof_months: int | None = None,
) -> dict[str, Any]:
    """Score every person of a data directory or flat table with a model bundle.

    Writes ``out`` (CSV, or Parquet by suffix: ``person_id``, ``probability_2y`` (named after
    the bundle's horizon: ``probability_1y`` for 12 months),
    ``risk_band``, ``cohort``, ``age_band`` (when the data allow), ``model_id``, then the
    ``carry`` columns and ``reason_1..K`` with ``explain=K``), the rejects file and a run
    summary JSON beside ``out``, all atomically. People are read, validated and scored in
    chunks of ``chunk_size`` people with all of their events, so memory stays flat however
    large the input.

    Parameters
    ----------
    engine : {"local", "dask"}
        Where chunks are scored: on this machine, or on Dask (a new local cluster, or the one
        at ``scheduler``).
    scheduler_timeout : float, optional
        Seconds to wait for the scheduler at ``scheduler`` (default
        :data:`~riskmodel.scoring.SCHEDULER_TIMEOUT`, 5); only with it.
    workers : int, optional
        Local engine only: processes scoring chunks, this one and ``workers - 1`` worker
        processes, each reading its chunks from the partition's files itself (default 1:
        this process alone). The output is the same, row for row; peak memory is about
        ``workers`` times that of one process. Scripts using workers must run under
        ``if __name__ == "__main__":``.
    programme_cohort : bool
        The people are a programme cohort under evaluation: drift warnings never suggest
        recalibrating (on the cohort's outcomes that would erase the programme's effect).
    horizon_months, proof_months : int, optional
        Checked against the bundle's own (a difference is a ConfigError); the scores are
        always at the bundle's horizon.

    Returns
    -------
    dict
        The run summary (also written to ``summary_path_for(out)``): people read, scored and
        rejected, drift against the training data, warnings, ...

    Temporary files (the partition's working folder ``.riskmodel-score-PID@HOST.*`` beside
    ``out`` or in ``workdir``, the outputs' temporaries) are removed on every exit path,
    errors and exceptions such as KeyboardInterrupt included; those a killed run left behind
    (their owner process is dead) are removed by the next run into the same place.

    Raises
    ------
    DataError, ConfigError
        Whole-input problems (nothing is written).
    RiskmodelError
        No space left on the device while writing (nothing is written).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from riskmodel import DataError
    >>> try:
    ...     score_files(model_dir=tempfile.mkdtemp(), out="x.csv", data_dir=".")
    ... except DataError as exc:
    ...     print(str(exc).split(": ")[1])
    manifest.json and model.skops expected
    """
    started = time.perf_counter()
    if data_dir is None and table_path is None:
        raise ConfigError(NO_INPUT)
    if data_dir is not None and table_path is not None:
        raise ConfigError(BOTH_INPUTS)
    if isinstance(chunk_size, bool) or int(chunk_size) != chunk_size or chunk_size < 1:
        raise ConfigError(BAD_CHUNK_SIZE.format(value=chunk_size))
    if isinstance(explain, bool) or int(explain) != explain or not 0 <= explain <= MAX_EXPLAIN:
        raise ConfigError(BAD_EXPLAIN.format(limit=MAX_EXPLAIN, value=explain))
    chunk_size, explain = int(chunk_size), int(explain)
    outputs = _Outputs.beside(out, rejects_path)
    band_spec = parse_bands(bands)
    carried = parse_carry(carry)
    engine_runner = make_engine(
        engine, scheduler, workers=workers, scheduler_timeout=scheduler_timeout
    )
    model, manifest = load_model(model_dir)
    if table_path is not None:
        refuse_with_table(horizon_months, proof_months)
    horizon, _ = bundle_horizon(
        manifest, horizon_months=horizon_months, proof_months=proof_months, where=str(model_dir)
    )
    fixed_columns = score_columns(horizon)
    model_id = str(manifest.get("model_id") or Path(model_dir).resolve().name)
    reference = manifest.get("drift_reference")
    reference = reference if isinstance(reference, dict) else None
    features = _model_features(model)
    wrap = progress or (lambda items, description, total=None: items)

    partition: PersonPartition | None = None
    if data_dir is not None:
        source = open_event_input(data_dir)
        known = {f.name for f in FEATURES}
        foreign = [f for f in features if f not in known]
        if foreign:
            raise ConfigError(MODEL_NOT_FOR_EVENTS.format(columns=", ".join(map(repr, foreign))))
        _check_carry(carried, source.columns["people"], source.files["people"].name, fixed_columns)
        extract = resolve_extract_date(None, source.metadata)
        input_options: dict[str, Any] = {
            "kind": "data",
            "needs_lookback_months": input_spec(manifest).needs_lookback_months,
            "extract_date": None if extract is None else extract.date().isoformat(),
            "index_id": INDEX_ID in source.columns["people"],
        }
        input_info: dict[str, Any] = {
            "kind": "data",
            "source": str(data_dir),
            "files": {k: str(v) for k, v in source.files.items()},
        }
    else:
        spec = _table_spec(config_path, manifest)
        flat = open_flat_input(table_path)
        needed = [*spec.features, *([spec.id] if spec.id else [])]
        missing = [c for c in dict.fromkeys(needed) if c not in flat.columns]
        if missing:
            raise ConfigError(
                FLAT_MISSING_COLUMNS.format(
                    missing=", ".join(map(repr, missing)), available=", ".join(flat.columns)
                )
            )
        _check_carry(carried, flat.columns, flat.path.name, fixed_columns)
        input_options = {
            "kind": "table",
            "table": spec,
            "age_sex": _flat_age_sex(flat.columns),
            "repeated_ids": repeated_table_ids(
                flat.path, spec, batch_rows=max(chunk_size, 100_000)
            ),
        }
        input_info = {"kind": "table", "source": str(table_path), "query": spec.query}
    words = input_spec(manifest, config_path if table_path is not None else None).config
    scorer = Scorer(
        model=model,
        model_id=model_id,
        bands=band_spec,
        carry=carried,
        explain=explain,
        reference=reference,
        explain_groups=words.explain_groups,
        labels=words.labels,
        positions=(reference or {}).get("positions"),
        horizon_months=horizon,
        **input_options,
    )

    tally = _Tally(band_counts=dict.fromkeys(band_spec.names, 0))
    scratch = Path(workdir) if workdir is not None else outputs.scores.parent
    remove_orphan_workdirs(scratch)  # left by runs killed before their end
    with _no_room_is_an_error(scratch), ExitStack() as stack:
        scores_tmp = stack.enter_context(atomic_path(outputs.scores))
        rejects_tmp = stack.enter_context(atomic_path(outputs.rejects))
        summary_tmp = stack.enter_context(atomic_path(outputs.summary))
        # entered before the input is partitioned: worker processes start meanwhile
        runner = stack.enter_context(engine_runner)
        if data_dir is not None:
            partition = PersonPartition.build(
                source,
                chunk_size=chunk_size,
                workdir=scratch,
                batch_rows=batch_rows,
                progress=lambda items, description: wrap(items, description),
            )
            stack.callback(partition.cleanup)
            # the worker processes are let go before the chunk files go (exiting twice is
            # harmless)
            stack.callback(runner.__exit__, None, None, None)
            chunks: Iterable[Chunk | ChunkRef] = partition.refs()
            total = partition.n_chunks
            effective_chunk = partition.chunk_size
        else:
            chunks = flat.chunks(chunk_size)
            total = math.ceil(flat.n_rows / chunk_size) if flat.n_rows else None
            effective_chunk = chunk_size
        scores_writer = _Writer(scores_tmp, outputs.scores.suffix)
        rejects_writer = _Writer(rejects_tmp, outputs.rejects.suffix)
        stack.callback(scores_writer.close)
        stack.callback(rejects_writer.close)
        for result in wrap(runner.map(chunks, scorer), "scoring", total):
            _write_chunk(result, scores_writer, rejects_writer)
            tally.add(result, scorer.probability_column)
        if scores_writer.handle is None:
            scores_writer.write(_empty_scores(scorer))
        if rejects_writer.handle is None:
            rejects_writer.write(pd.DataFrame({c: pd.Series(dtype="str") for c in REJECT_COLUMNS}))
        scores_writer.close()
        rejects_writer.close()
        if scorer.kind == "table" and tally.totals.get("people_read", 0) == 0:
            raise DataError(EMPTY_TABLE.format(file=flat.path.name))

        drift = drift_report(reference, tally.drift, programme_cohort=programme_cohort)
        summary = _summary(
            tally=tally,
            model_dir=model_dir,
            input_info=input_info,
            outputs=outputs,
            rejects_lines=rejects_writer.rows,
            drift=drift,
            chunk_size=effective_chunk,
            requested_chunk_size=chunk_size,
            runner=runner,
            scorer=scorer,
            seconds=time.perf_counter() - started,
        )
        summary["programme_cohort"] = programme_cohort
        summary_tmp.write_text(
            json.dumps(to_jsonable(summary), indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
    return summary


@dataclass
class _Tally:
    """What the chunks scored so far add up to: their counts (``totals``), the people in each
    risk band, the drift counts and how many chunks there were."""

    band_counts: dict[str, int]
    totals: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, Any] | None = None
    n_chunks: int = 0

    def add(self, result: ChunkResult, probability_column: str) -> None:
        """Count in one chunk's result, whose scores hold ``probability_column``."""
        self.n_chunks += 1
        totals = self.totals
        _merge_numbers(totals, result.counts)
        probability = result.scores[probability_column].to_numpy(dtype=np.float64)
        totals["probability_sum"] = totals.get("probability_sum", 0.0) + float(probability.sum())
        for band, n in result.scores["risk_band"].value_counts().items():
            self.band_counts[str(band)] = self.band_counts.get(str(band), 0) + int(n)
        if result.drift is not None:
            self.drift = merge_counts(self.drift, result.drift)


def _write_chunk(result: ChunkResult, scores_writer: _Writer, rejects_writer: _Writer) -> None:
    """Write one chunk's scores (the first chunk's even when empty: the header) and rejects."""
    if len(result.scores) or scores_writer.handle is None:
        scores_writer.write(result.scores)
    if len(result.rejects):
        rejects_writer.write(result.rejects[list(REJECT_COLUMNS)])


def _empty_scores(scorer: Scorer) -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="float64" if c == scorer.probability_column else "str")
            for c in scorer.columns
        }
    )


def _summary(
    *,
    tally: _Tally,
    model_dir: str | Path,
    input_info: dict[str, Any],
    outputs: _Outputs,
    rejects_lines: int,
    drift: dict[str, Any],
    chunk_size: int,
    requested_chunk_size: int,
    runner: LocalEngine | DaskEngine,
    scorer: Scorer,
    seconds: float,
) -> dict[str, Any]:
    totals = tally.totals
    read = int(totals.get("people_read", 0))
    scored = int(totals.get("people_scored", 0))
    rejected = int(totals.get("people_rejected", 0))
    validation = {
        k: v
        for k, v in totals.items()
        if k not in ("people_read", "people_scored", "people_rejected", "problems_by_reason")
        and k not in ("current_sanction_from_people", "people_without_assessment")
        and k != "probability_sum"
    }
    features = {
        k: totals[k]
        for k in ("current_sanction_from_people", "people_without_assessment")
        if k in totals
    }
    warnings = list(drift.get("warnings", []))
    if chunk_size != requested_chunk_size:
        warnings.append(
            f"chunk size raised from {requested_chunk_size:,} to {chunk_size:,} people to keep "
            "the number of chunks (and of temporary files) bounded"
        )
    return {
        "model_id": scorer.model_id,
        "model_dir": str(model_dir),
        "input": input_info,
        "output": str(outputs.scores),
        "rejects": str(outputs.rejects),
        "summary": str(outputs.summary),
        "columns": scorer.columns,
        "people_read": read,
        "people_scored": scored,
        "people_rejected": rejected,
        "reconciled": read == scored + rejected,
        "rejects_lines": rejects_lines,
        "problems_by_reason": dict(sorted(totals.get("problems_by_reason", {}).items())),
        "validation": validation,
        "features": features,
        "bands": {
            "cuts": list(scorer.bands.cuts),
            "names": list(scorer.bands.names),
            "rule": BANDS_RULE,
            "counts": tally.band_counts,
        },
        "drift": drift,
        "warnings": warnings,
        "engine": runner.name,
        "workers": getattr(runner, "workers", 1),
        "chunk_size": chunk_size,
        "chunks": tally.n_chunks,
        "explain": scorer.explain,
        "seconds": seconds,
        "mean_probability": (
            float(totals["probability_sum"]) / scored
            if scored and "probability_sum" in totals
            else None
        ),
    }

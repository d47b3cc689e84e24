"""Batch scoring: validated, streaming by person, auditable, and ready for a cluster.

:func:`score_files` scores a data directory (or a flat table) with a model bundle in chunks of
whole people (:mod:`~riskmodel.scoring._chunks`), each chunk scored by the pure
:func:`score_chunk` in this process, in worker processes or on Dask
(:mod:`~riskmodel.scoring._engines`). Every
person read ends up scored or in the rejects file; the run summary compares the batch with the
training population (:func:`drift_reference` at training, :func:`drift_report` at scoring).
"""

from riskmodel.bands import BANDS_NOT_WHOLE_PERCENT, DEFAULT_BANDS, parse_bands, risk_band
from riskmodel.scoring._chunks import (
    ROW,
    Chunk,
    ChunkRef,
    PersonPartition,
    load_chunk,
    open_event_input,
)
from riskmodel.scoring._drift import (
    DRIFT_WARNING,
    FEATURE_DRIFT_WARNING,
    NO_REFERENCE,
    PSI_WARN,
    UNSEEN_WARNING,
    drift_counts,
    drift_reference,
    drift_report,
    merge_counts,
    psi,
)
from riskmodel.scoring._engines import (
    BAD_WORKERS,
    ENGINES,
    SCHEDULER_TIMEOUT,
    WORKERS_WITH_DASK,
    DaskEngine,
    LocalEngine,
    make_engine,
)
from riskmodel.scoring._flat_rows import RANGE_MARGIN, feature_ranges
from riskmodel.scoring._run import (
    BAD_CARRY,
    BAD_CHUNK_SIZE,
    BOTH_INPUTS,
    CARRY_IN_OUTPUT,
    DEFAULT_CHUNK_SIZE,
    MODEL_NOT_FOR_EVENTS,
    NO_INPUT,
    NO_TABLE_CONFIG,
    parse_carry,
    rejects_path_for,
    score_files,
    summary_path_for,
)
from riskmodel.scoring._score import (
    OUTSIDE_QUERY,
    SCORE_COLUMNS,
    ChunkResult,
    Scorer,
    load_model,
    score_chunk,
)

__all__ = [
    "BAD_CARRY",
    "BAD_CHUNK_SIZE",
    "BAD_WORKERS",
    "BANDS_NOT_WHOLE_PERCENT",
    "BOTH_INPUTS",
    "CARRY_IN_OUTPUT",
    "DEFAULT_BANDS",
    "DEFAULT_CHUNK_SIZE",
    "DRIFT_WARNING",
    "ENGINES",
    "FEATURE_DRIFT_WARNING",
    "MODEL_NOT_FOR_EVENTS",
    "NO_INPUT",
    "NO_REFERENCE",
    "NO_TABLE_CONFIG",
    "OUTSIDE_QUERY",
    "PSI_WARN",
    "RANGE_MARGIN",
    "ROW",
    "SCHEDULER_TIMEOUT",
    "SCORE_COLUMNS",
    "UNSEEN_WARNING",
    "WORKERS_WITH_DASK",
    "Chunk",
    "ChunkRef",
    "ChunkResult",
    "DaskEngine",
    "LocalEngine",
    "PersonPartition",
    "Scorer",
    "drift_counts",
    "drift_reference",
    "drift_report",
    "feature_ranges",
    "load_chunk",
    "load_model",
    "make_engine",
    "merge_counts",
    "open_event_input",
    "parse_bands",
    "parse_carry",
    "psi",
    "rejects_path_for",
    "risk_band",
    "score_chunk",
    "score_files",
    "summary_path_for",
]

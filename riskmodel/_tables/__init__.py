"""Reading tables from files: one reader, one batch iterator, one rule for person ids.

The lowest layer of the package besides :mod:`riskmodel._errors`: it imports nothing else from
:mod:`riskmodel`, so every subpackage may use it.

- :func:`read_table` reads a whole CSV or Parquet file; :func:`iter_batches` (Arrow, as text,
  for event tables) and :func:`iter_frames` (pandas, typed, for flat tables) read one in
  batches of rows; :func:`read_columns` reads the header alone. A file that cannot be read
  raises :class:`~riskmodel.DataError` with the same message whichever reads it.
- :func:`read_scores` reads a scores table (for fairness, threshold and cohort) and checks
  the columns the options named.
- :mod:`riskmodel._tables._ids`: a person id column as text, in pandas and in Arrow.
"""

from riskmodel._tables._ids import (
    INDEX_ID,
    MISSING_GROUP,
    MISSING_IDS,
    PERSON_ID,
    IdLookup,
    arrow_text,
    cell_text,
    has_control_characters,
    hash_ids,
    ids_as_arrow,
    ids_as_text,
    repeated_ids,
    unpadded,
    without_missing_ids,
)
from riskmodel._tables._read import (
    BATCH_ROWS,
    iter_batches,
    iter_frames,
    nested_columns,
    parquet_rows,
    read_columns,
    read_scores,
    read_table,
    unreadable,
)

__all__ = [
    "BATCH_ROWS",
    "INDEX_ID",
    "MISSING_GROUP",
    "MISSING_IDS",
    "PERSON_ID",
    "IdLookup",
    "arrow_text",
    "cell_text",
    "has_control_characters",
    "hash_ids",
    "ids_as_arrow",
    "ids_as_text",
    "iter_batches",
    "iter_frames",
    "nested_columns",
    "parquet_rows",
    "read_columns",
    "read_scores",
    "read_table",
    "repeated_ids",
    "unpadded",
    "unreadable",
    "without_missing_ids",
]

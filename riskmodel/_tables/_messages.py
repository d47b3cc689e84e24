"""Messages of the table readers (whole-table problems, raised as :class:`DataError`).

Tests import and match every one of them. ``{file}`` is the file's name: the message of a
table of a data directory is listed under the directory, so the name is enough.
"""

from __future__ import annotations

UNREADABLE_FILE = "{file}: cannot be read ({detail})"
#: ``detail`` of :data:`UNREADABLE_FILE` for a path that is not a file.
NO_SUCH_FILE = "no such file: {path}"
#: ``detail`` of :data:`UNREADABLE_FILE` for a file that is neither CSV nor Parquet.
NOT_CSV_OR_PARQUET = "expected a .csv or .parquet file"
EMPTY_TABLE = "{file}: the table has no rows"
UNKNOWN_COLUMN = "{file}: no column {column!r} (given as {option}); columns are: {columns}"
NOT_UTF8 = "{file}: not UTF-8 text ({detail}); save it as UTF-8"
DUPLICATE_COLUMNS = (
    "{file}: column name(s) {columns} appear more than once in the header; give every "
    "column its own name"
)

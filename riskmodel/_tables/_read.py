"""One reader of CSV and Parquet files, whole or in batches, with one set of errors."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskmodel._errors import DataError
from riskmodel._tables import _messages as msg

#: Rows read from a file at a time by :func:`iter_batches`.
BATCH_ROWS = 500_000

_READ_ERRORS = (OSError, ValueError, pa.ArrowException, pd.errors.ParserError, UnicodeError)
#: How CSV is read as text: every column a string, only empty cells missing.
_CSV_TEXT: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_values": [""]}


def unreadable(path: str | os.PathLike, exc: BaseException | str) -> DataError:
    """The error of a file that cannot be read: its name and the first line of the cause.

    Examples
    --------
    >>> print(unreadable("people.csv", ValueError("bad line 3\\nmore")))
    people.csv: cannot be read (bad line 3)
    >>> print(unreadable("people.parquet", pa.ArrowInvalid("Invalid UTF8 sequence in input")))
    people.parquet: not UTF-8 text (Invalid UTF8 sequence in input); save it as UTF-8
    """
    text = str(exc).strip()
    detail = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, UnicodeError) or "invalid utf8" in detail.lower():
        return DataError(msg.NOT_UTF8.format(file=Path(path).name, detail=detail))
    return DataError(msg.UNREADABLE_FILE.format(file=Path(path).name, detail=detail))


def _is_parquet(path: Path) -> bool:
    """Whether ``path`` is Parquet (``.parquet``) rather than CSV (``.csv``, ``.csv.gz`` ...).

    Raises
    ------
    DataError
        A path that is not a file, or a file that is neither.
    """
    if not path.is_file():
        raise unreadable(path, msg.NO_SUCH_FILE.format(path=path))
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".parquet":
        return True
    if ".csv" in suffixes:
        return False
    raise unreadable(path, msg.NOT_CSV_OR_PARQUET)


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _checked(table: pa.Table) -> pa.Table:
    """``table`` after a full check of its buffers, text included (a Parquet file may hold
    bytes that are not UTF-8 in a text column; Arrow reads them without looking).

    Raises
    ------
    pyarrow.ArrowInvalid
    """
    table.validate(full=True)
    return table


def _header(path: Path, parquet: bool) -> list[str]:
    """Column names as the file writes them, stripped (pandas renames a repeated CSV name
    ``a`` to ``a.1``: the first row is read as data to see it).

    Raises
    ------
    DataError
        A name that appears more than once, or a file that cannot be read.
    """
    try:
        if parquet:
            names = list(pq.ParquetFile(path).schema_arrow.names)
        else:
            first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
            names = first.iloc[0].tolist() if len(first) else []
    except _READ_ERRORS as exc:
        raise unreadable(path, exc) from exc
    names = [str(n).strip() for n in names]
    repeated = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if repeated:
        raise DataError(
            msg.DUPLICATE_COLUMNS.format(file=path.name, columns=", ".join(map(repr, repeated)))
        )
    return names


def read_table(path: str | os.PathLike, *, text: bool = False) -> pd.DataFrame:
    """Read a whole CSV or Parquet file (by suffix); column names are stripped.

    Parameters
    ----------
    path : str or path-like
    text : bool
        True for the data contract's event tables: CSV columns are read as text (only empty
        cells are missing), so that validation can report the exact value it rejected, and
        Parquet dates arrive as ``datetime64``. False (flat tables, scores): pandas' type
        inference.

    Raises
    ------
    DataError
        A missing file, a file that is neither CSV nor Parquet, or one that cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id, age\\na,30\\n")
    >>> read_table(p).dtypes.astype(str).tolist(), read_table(p, text=True)["age"].tolist()
    (['str', 'int64'], ['30'])
    """
    path = Path(path)
    parquet = _is_parquet(path)
    _header(path, parquet)
    try:
        if parquet:
            if text:
                frame = _checked(pq.read_table(path)).to_pandas(date_as_object=False)
            else:
                frame = pd.read_parquet(path)
        elif text:
            frame = pd.read_csv(path, **_CSV_TEXT)
        else:
            frame = pd.read_csv(path, low_memory=False)
    except _READ_ERRORS as exc:
        raise unreadable(path, exc) from exc
    return _stripped(frame)


def read_columns(path: str | os.PathLike) -> list[str]:
    """Column names of a CSV or Parquet file (stripped), read from its header only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text(" id ,age\\na,30\\n")
    >>> read_columns(p)
    ['id', 'age']
    """
    path = Path(path)
    return _header(path, _is_parquet(path))


def nested_columns(path: str | os.PathLike) -> dict[str, str]:
    """Columns of a Parquet file holding lists, records or maps (stripped name to Arrow type);
    empty for CSV, whose cells are always text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pq.write_table(pa.table({"id": [["a"]], "n": [1]}), p)
    >>> nested_columns(p)
    {'id': 'list<element: string>'}
    """
    path = Path(path)
    if not _is_parquet(path):
        return {}
    try:
        schema = pq.ParquetFile(path).schema_arrow
    except _READ_ERRORS as exc:
        raise unreadable(path, exc) from exc
    return {
        field.name.strip(): str(field.type) for field in schema if pa.types.is_nested(field.type)
    }


def parquet_rows(path: str | os.PathLike) -> int | None:
    """Rows of a Parquet file, from its footer (None for CSV: counting them means reading)."""
    path = Path(path)
    if not _is_parquet(path):
        return None
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except _READ_ERRORS as exc:
        raise unreadable(path, exc) from exc


def _decode(table: pa.Table) -> pa.Table:
    """Dictionary columns as plain columns (Arrow files take one dictionary per stream)."""
    for i, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(
                i, table.field(i).name, pc.cast(column, column.type.value_type)
            )
    return table


def _batches(
    path: Path, *, batch_rows: int, columns: Sequence[str] | None, text: bool
) -> Iterator[pa.Table | pd.DataFrame]:
    """Parquet batches as Arrow tables, CSV batches as pandas frames (names not stripped)."""
    parquet = _is_parquet(path)
    _header(path, parquet)
    try:
        if parquet:
            handle = pq.ParquetFile(path)
            wanted = None
            if columns is not None:
                keep = set(columns)
                wanted = [n for n in handle.schema_arrow.names if n.strip() in keep]
            for batch in handle.iter_batches(batch_size=batch_rows, columns=wanted):
                yield _checked(pa.Table.from_batches([batch]))
        else:
            options: dict[str, Any] = dict(_CSV_TEXT) if text else {"low_memory": False}
            if columns is not None:
                keep = set(columns)
                options["usecols"] = lambda name: str(name).strip() in keep
            with pd.read_csv(path, chunksize=batch_rows, **options) as reader:
                yield from reader
    except DataError:
        raise
    except _READ_ERRORS as exc:
        raise unreadable(path, exc) from exc


def iter_batches(
    path: str | os.PathLike,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.Table]:
    """Read a CSV or Parquet file in batches of rows, as Arrow tables with stripped names.

    Read as :func:`read_table` reads with ``text=True`` (CSV as text, empty cells missing);
    dictionary columns are decoded. Errors raise :class:`DataError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id,age\\na,30\\nb,\\nc,40\\n")
    >>> [b.column("age").to_pylist() for b in iter_batches(p, batch_rows=2)]
    [['30', None], ['40']]
    """
    for batch in _batches(Path(path), batch_rows=batch_rows, columns=columns, text=True):
        if isinstance(batch, pd.DataFrame):
            yield pa.Table.from_pandas(_stripped(batch), preserve_index=False)
        else:
            batch = _decode(batch)
            yield batch.rename_columns([n.strip() for n in batch.column_names])


def iter_frames(path: str | os.PathLike, *, batch_rows: int) -> Iterator[pd.DataFrame]:
    """Read a CSV or Parquet file in batches of rows, as pandas frames with stripped names.

    Typed as :func:`read_table` types them (pandas' inference for CSV). Errors raise
    :class:`DataError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id,age\\na,30\\nb,31\\nc,40\\n")
    >>> [f["age"].tolist() for f in iter_frames(p, batch_rows=2)]
    [[30, 31], [40]]
    """
    for batch in _batches(Path(path), batch_rows=batch_rows, columns=None, text=False):
        frame = batch if isinstance(batch, pd.DataFrame) else batch.to_pandas()
        yield _stripped(frame)


def read_scores(
    path: str | os.PathLike, columns: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """Read a scores table (CSV or Parquet) and check that the named columns exist.

    The one reader of ``--scores`` for fairness, threshold and cohort: typed as
    :func:`read_table` types a flat table.

    Parameters
    ----------
    path : str or path-like
    columns : mapping, optional
        The option that named a column (``"--score-column"``) to the column (None: not
        given).

    Raises
    ------
    DataError
        An unreadable or empty file, or a named column it does not have.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "scores.csv"
    >>> _ = p.write_text("p,y\\n0.2,0\\n")
    >>> try:
    ...     read_scores(p, {"--score-column": "probability"})
    ... except DataError as exc:
    ...     print(exc)
    scores.csv: no column 'probability' (given as --score-column); columns are: p, y
    """
    path = Path(path)
    frame = read_table(path)
    if frame.empty:
        raise DataError(msg.EMPTY_TABLE.format(file=path.name))
    for option, column in (columns or {}).items():
        if column is not None and column not in frame.columns:
            raise DataError(
                msg.UNKNOWN_COLUMN.format(
                    file=path.name,
                    column=column,
                    option=option,
                    columns=", ".join(map(str, frame.columns)),
                )
            )
    return frame

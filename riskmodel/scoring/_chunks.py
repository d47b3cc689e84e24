"""Streaming inputs by person: every chunk holds whole people with all of their events.

Event data (``--data``) are read in two streaming passes, never whole:

1. the ``person_id`` column of ``people`` gives every person a code, their position among the
   distinct identifiers in order of first appearance; chunk ``k`` holds codes
   ``k * chunk_size`` to ``(k + 1) * chunk_size - 1``, so the rows of a repeated
   ``person_id`` land in one chunk (and are rejected there as duplicates);
2. each table is read in batches of rows, each row is sent to its person's chunk and appended
   to that chunk's temporary Arrow file. Offence and needs rows naming nobody in ``people``
   (or no one at all) go to chunk 0, whose validation reports them. The person codes of a
   batch are found by a thread while the next batches are read and the last one written.

Every row carries its 1-based row number in its input file (column :data:`ROW`), so rejects
name rows of the input files whatever the chunk size. Peak memory depends on the chunk and
batch sizes, not on the size of the input (apart from the identifiers of pass 1, a few bytes
per person). Flat tables (``--table``) are one row per person and are simply read in batches.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from riskmodel._errors import DataError
from riskmodel._owners import owner_tag, remove_orphans
from riskmodel._tables import (
    BATCH_ROWS,
    IdLookup,
    ids_as_arrow,
    iter_batches,
    iter_frames,
    parquet_rows,
    read_columns,
)
from riskmodel._tables import _messages as table_msg
from riskmodel.contract import _messages as msg
from riskmodel.contract._read import scan_data_dir

__all__ = [
    "BATCH_ROWS",
    "MAX_CHUNKS",
    "ROW",
    "WORKDIR_PREFIX",
    "Chunk",
    "ChunkRef",
    "EventInput",
    "FlatInput",
    "PersonPartition",
    "load_chunk",
    "open_event_input",
    "open_flat_input",
    "remove_orphan_workdirs",
]

#: Column added to every chunk table: the row's 1-based data row number in its input file.
ROW = "__riskmodel_row__"
#: At most this many chunks (each holds up to three open temporary files while partitioning);
#: the chunk size is raised when an input would need more.
MAX_CHUNKS = 2_000
#: Start of the name of a partition's working folder: ``.riskmodel-score-PID@HOST.XXXXXXXX``
#: (the owner's tag, see :mod:`riskmodel._owners`, so a folder a killed run left is found).
WORKDIR_PREFIX = ".riskmodel-score-"


@dataclass
class Chunk:
    """Whole people and all of their rows: the unit of scoring.

    Attributes
    ----------
    index : int
        Position of the chunk (outputs are written in this order).
    people : DataFrame
        ``people`` rows (event data) or flat-table rows, as read, plus :data:`ROW`.
    offences, needs : DataFrame or None
        The chunk's event rows as read, plus :data:`ROW` (None for flat tables; ``needs`` is
        None when the data have no needs table).
    """

    index: int
    people: pd.DataFrame
    offences: pd.DataFrame | None = None
    needs: pd.DataFrame | None = None

    @property
    def n_rows(self) -> int:
        """Rows of every table in the chunk."""
        return sum(len(t) for t in (self.people, self.offences, self.needs) if t is not None)


# -- event data ---------------------------------------------------------------------------

#: Threads finding the person codes of the rows while the next batch is read and the last
#: written (hashing, Arrow and numpy release the GIL).
_CODE_THREADS = 2


def _in_order(
    pool: ThreadPoolExecutor, function: Callable[[Any], Any], items: Iterable[Any], ahead: int
) -> Iterator[tuple[Any, Any]]:
    """``(item, function(item))`` for every item, in order, computed on ``pool``, with at most
    ``ahead`` items pending (memory stays bounded)."""
    pending: deque[tuple[Any, Future[Any]]] = deque()
    try:
        for item in items:
            pending.append((item, pool.submit(function, item)))
            if len(pending) >= ahead:
                item, future = pending.popleft()
                yield item, future.result()
        while pending:
            item, future = pending.popleft()
            yield item, future.result()
    finally:
        for _, future in pending:
            future.cancel()


@dataclass
class EventInput:
    """A data directory checked as a whole (files found, required columns present)."""

    directory: Path
    files: dict[str, Path]
    columns: dict[str, list[str]]
    metadata: dict[str, Any] = field(default_factory=dict)


def open_event_input(directory: str | Path) -> EventInput:
    """Find the tables of a data directory and check what can be checked without reading it.

    Every whole-table problem (missing or ambiguous file, unreadable header, missing required
    column, bad ``metadata.json``) is collected and raised together, as
    :func:`riskmodel.contract.read_tables` does.

    Raises
    ------
    DataError
    """
    columns, files, metadata = scan_data_dir(directory, read_columns)
    columns = {table: names for table, names in columns.items() if names is not None}
    return EventInput(directory=Path(directory), files=files, columns=columns, metadata=metadata)


class _ChunkFiles:
    """Temporary Arrow stream files of one table, one per chunk, appended batch by batch."""

    def __init__(self, directory: Path, table: str) -> None:
        self.directory = directory
        self.table = table
        self.schema: pa.Schema | None = None
        self.writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
        self.rows = 0

    def path(self, chunk: int) -> Path:
        return self.directory / f"{self.table}-{chunk:06d}.arrow"

    def write(self, table: pa.Table, chunk_of_row: np.ndarray) -> None:
        if self.schema is None:
            self.schema = table.schema.remove_metadata()
        table = table.replace_schema_metadata(None)
        if table.schema != self.schema:
            table = table.cast(self.schema)
        self.rows += len(table)
        if len(table) == 0:
            return
        order = np.argsort(chunk_of_row, kind="stable")
        ordered = chunk_of_row[order]
        if not np.array_equal(order, np.arange(len(order))):
            table = table.take(pa.array(order))
        present, starts = np.unique(ordered, return_index=True)
        ends = np.append(starts[1:], len(ordered))
        for chunk, start, end in zip(
            present.tolist(), starts.tolist(), ends.tolist(), strict=True
        ):
            writer = self.writers.get(chunk)
            if writer is None:
                writer = pa.ipc.new_stream(str(self.path(chunk)), self.schema)
                self.writers[chunk] = writer
            writer.write_table(table.slice(start, end - start))

    def close(self) -> None:
        writers, self.writers = list(self.writers.values()), {}
        error: OSError | None = None
        for writer in writers:  # every file closed, even when one fails (a full disk)
            try:
                writer.close()
            except OSError as exc:
                error = error or exc
        if error is not None:
            raise error

    def read(self, chunk: int) -> pd.DataFrame:
        return _read_chunk_file(str(self.path(chunk)), self.schema)


def _read_chunk_file(path: str, schema: pa.Schema) -> pd.DataFrame:
    """One table of one chunk, from its temporary Arrow file (no file: no rows)."""
    if Path(path).exists():
        with pa.memory_map(path) as source:
            table = pa.ipc.open_stream(source).read_all()
    else:
        table = schema.empty_table()
    return table.to_pandas(date_as_object=False)


@dataclass(frozen=True)
class ChunkRef:
    """Where a chunk of a :class:`PersonPartition` lies on disk: small to send to another
    process on this machine, which reads the chunk itself with :meth:`load`.

    Attributes
    ----------
    index : int
        Position of the chunk.
    files : dict
        Table name to ``(path, schema)`` of its temporary Arrow file.
    """

    index: int
    files: dict[str, tuple[str, pa.Schema]]

    def load(self) -> Chunk:
        """The chunk, read from its files (what :meth:`PersonPartition.chunk` gives)."""
        frames = {
            table: _read_chunk_file(path, schema) for table, (path, schema) in self.files.items()
        }
        return Chunk(
            index=self.index,
            people=frames["people"],
            offences=frames["offences"],
            needs=frames.get("needs"),
        )


def load_chunk(item: Chunk | ChunkRef) -> Chunk:
    """A chunk itself, or the chunk a :class:`ChunkRef` points to."""
    return item.load() if isinstance(item, ChunkRef) else item


@dataclass
class PersonPartition:
    """Event tables split into chunks of whole people, on disk (see the module docstring).

    Use :meth:`build`, then iterate over :meth:`chunks`; :meth:`cleanup` removes the files.
    """

    source: EventInput
    chunk_size: int
    n_people_rows: int
    n_people: int
    n_chunks: int
    workdir: Path
    files: dict[str, _ChunkFiles]
    requested_chunk_size: int

    @classmethod
    def build(
        cls,
        source: EventInput,
        *,
        chunk_size: int,
        workdir: str | Path | None = None,
        batch_rows: int = BATCH_ROWS,
        progress: Any = None,
    ) -> PersonPartition:
        """Run both streaming passes; ``progress(iterable, description)`` wraps each table's
        batches when given.

        Raises
        ------
        DataError
            An unreadable file, or a ``people`` table without rows.
        """
        wrap = progress or (lambda items, description: items)
        ids = [
            ids_as_arrow(batch.column("person_id"))
            for batch in wrap(
                iter_batches(source.files["people"], columns=["person_id"], batch_rows=batch_rows),
                "reading people",
            )
        ]
        n_rows = sum(len(a) for a in ids)
        if n_rows == 0:
            raise DataError(
                "\n".join(
                    [
                        msg.WHOLE_TABLE_HEADER,
                        "- " + table_msg.EMPTY_TABLE.format(file=source.files["people"].name),
                    ]
                )
            )
        unique = pc.drop_null(pc.unique(pa.chunked_array(ids, type=pa.large_string())))
        if isinstance(unique, pa.ChunkedArray):
            unique = unique.combine_chunks()
        del ids
        lookup = IdLookup(unique)
        n_people = len(unique)
        requested = int(chunk_size)
        # people without an id go to chunk 0: there is one chunk at least
        size = max(requested, math.ceil(max(n_people, 1) / MAX_CHUNKS))
        n_chunks = math.ceil(max(n_people, 1) / size)
        base = Path(workdir) if workdir is not None else None
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        directory = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{owner_tag()}.", dir=base))
        files: dict[str, _ChunkFiles] = {}

        def person_codes(batch: pa.Table) -> np.ndarray:
            return lookup.codes(ids_as_arrow(batch.column("person_id")), by_number=True)

        try:
            with ThreadPoolExecutor(max_workers=_CODE_THREADS) as pool:
                for table, path in source.files.items():
                    target = _ChunkFiles(directory, table)
                    files[table] = target
                    offset = 0
                    batches = wrap(iter_batches(path, batch_rows=batch_rows), f"reading {table}")
                    for batch, code in _in_order(pool, person_codes, batches, _CODE_THREADS + 1):
                        # nobody in people (or no person_id): chunk 0, whose validation
                        # reports it
                        chunk = np.maximum(code, 0) // size
                        rows = np.arange(offset + 1, offset + len(batch) + 1, dtype=np.int64)
                        offset += len(batch)
                        target.write(batch.append_column(ROW, pa.array(rows)), chunk)
                    target.close()
                    if target.schema is None:  # a table with a header and no rows
                        names = source.columns[table]
                        target.schema = pa.schema(
                            [(n, pa.large_string()) for n in names] + [(ROW, pa.int64())]
                        )
        except BaseException:
            _remove(directory, files.values())
            raise
        return cls(
            source=source,
            chunk_size=size,
            n_people_rows=n_rows,
            n_people=n_people,
            n_chunks=n_chunks,
            workdir=directory,
            files=files,
            requested_chunk_size=requested,
        )

    def ref(self, k: int) -> ChunkRef:
        """Where chunk ``k`` lies (its files stay until :meth:`cleanup`)."""
        return ChunkRef(
            index=k,
            files={
                table: (str(files.path(k)), files.schema) for table, files in self.files.items()
            },
        )

    def chunk(self, k: int) -> Chunk:
        """Chunk ``k`` read back from its files."""
        return self.ref(k).load()

    def chunks(self) -> Iterator[Chunk]:
        """Every chunk, in order."""
        for k in range(self.n_chunks):
            yield self.chunk(k)

    def refs(self) -> Iterator[ChunkRef]:
        """Where every chunk lies, in order (for engines whose workers read the chunks)."""
        for k in range(self.n_chunks):
            yield self.ref(k)

    def cleanup(self) -> None:
        """Remove the temporary files."""
        _remove(self.workdir, self.files.values())


def _remove(directory: Path, files: Iterable[_ChunkFiles]) -> None:
    """Close the chunk files (errors ignored: they are about to go) and remove the folder."""
    try:
        for target in files:
            with suppress(OSError):
                target.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def remove_orphan_workdirs(directory: str | Path) -> list[Path]:
    """Remove the working folders in ``directory`` that runs killed before their end left
    (their owner process is dead; a live run's folder is never touched); the folders removed.

    Examples
    --------
    >>> import tempfile
    >>> remove_orphan_workdirs(tempfile.mkdtemp())
    []
    """
    return remove_orphans(directory, WORKDIR_PREFIX)


# -- flat tables --------------------------------------------------------------------------


@dataclass
class FlatInput:
    """A flat person-level table, checked by its header."""

    path: Path
    columns: list[str]
    n_rows: int | None

    def chunks(self, chunk_size: int) -> Iterator[Chunk]:
        """Chunks of ``chunk_size`` rows, with :data:`ROW`; typed as
        :func:`riskmodel.flat_table.read_flat_table` types them."""
        offset = 0
        for k, frame in enumerate(iter_frames(self.path, batch_rows=chunk_size)):
            frame[ROW] = np.arange(offset + 1, offset + len(frame) + 1, dtype=np.int64)
            offset += len(frame)
            yield Chunk(index=k, people=frame)


def open_flat_input(path: str | Path) -> FlatInput:
    """Check a flat table's file and header.

    Raises
    ------
    DataError
        A missing or unreadable file.
    """
    path = Path(path)
    return FlatInput(path=path, columns=read_columns(path), n_rows=parquet_rows(path))

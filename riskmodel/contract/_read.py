"""Reading a data directory: ``people.*``, ``offences.*``, ``needs.*`` and ``metadata.json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._errors import DataError
from riskmodel._tables import _messages as table_msg
from riskmodel._tables import nested_columns, read_table
from riskmodel.contract import _messages as msg
from riskmodel.contract._schema import OPTIONAL_TABLES, TABLES

SUFFIXES: tuple[str, ...] = (".csv", ".parquet")


@dataclass
class RawTables:
    """Tables as read from a data directory, before validation.

    Attributes
    ----------
    people, offences : DataFrame
    needs : DataFrame or None
        None when the directory has no ``needs`` file (needs are optional).
    metadata : dict
        Contents of ``metadata.json`` (empty when absent).
    files : dict
        Table name to the file it was read from.
    """

    people: pd.DataFrame
    offences: pd.DataFrame
    needs: pd.DataFrame | None
    metadata: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


def find_table_file(directory: Path, table: str) -> Path | None:
    """The file holding ``table`` in ``directory`` (CSV or Parquet), or None."""
    found = [directory / f"{table}{suffix}" for suffix in SUFFIXES]
    found = [path for path in found if path.exists()]
    if len(found) > 1:
        raise DataError(
            msg.AMBIGUOUS_TABLE.format(
                table=table, files=" and ".join(p.name for p in found), path=directory
            )
        )
    return found[0] if found else None


def read_event_table(path: str | Path) -> pd.DataFrame:
    """One event table as validation reads it: CSV as text, Parquet as typed there
    (:func:`riskmodel._tables.read_table` with ``text=True``)."""
    return read_table(path, text=True)


def read_metadata(directory: Path) -> dict[str, Any]:
    """Contents of ``metadata.json`` in ``directory``; an empty dict when there is none."""
    path = directory / "metadata.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(msg.BAD_METADATA.format(detail=f"cannot be read ({exc})")) from exc
    if not isinstance(data, dict):
        raise DataError(msg.BAD_METADATA.format(detail="expected a JSON object"))
    return data


def scan_data_dir(
    directory: str | Path, open_table: Callable[[Path], Any] | None = None
) -> tuple[dict[str, Any], dict[str, Path], dict[str, Any]]:
    """Find and open each contract table of a directory, checking every whole-table rule.

    Every whole-table problem (a missing, ambiguous or unreadable file, an empty people
    table, a missing required column, a contract column of lists or records, a bad
    ``metadata.json``) is collected, and all of them
    are raised together as one :class:`DataError`.

    Parameters
    ----------
    directory : str or Path
    open_table : callable, optional
        Opens one file: :func:`read_event_table` (the default) reads it whole; a reader of the
        header alone (returning the column names) lets a streaming reader check the directory
        without loading it.

    Returns
    -------
    opened : dict
        Table name to what ``open_table`` returned (None for an absent optional table).
    files : dict
        Table name to its file.
    metadata : dict
        Contents of ``metadata.json``.
    """
    open_table = read_event_table if open_table is None else open_table
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(msg.NO_DATA_DIR.format(path=directory))
    problems: list[str] = []
    opened: dict[str, Any] = {}
    files: dict[str, Path] = {}
    for table, columns in TABLES.items():
        opened[table] = None
        try:
            path = find_table_file(directory, table)
            if path is None:
                if table not in OPTIONAL_TABLES:
                    problems.append(msg.MISSING_TABLE.format(table=table, path=directory))
                continue
            content = open_table(path)
            nested = nested_columns(path)
        except DataError as exc:
            problems.append(str(exc))
            continue
        if isinstance(content, pd.DataFrame):
            names = list(content.columns)
            if len(content) == 0 and table == "people":
                problems.append(table_msg.EMPTY_TABLE.format(file=path.name))
        else:
            names = list(content)
        missing = [c.name for c in columns if c.required and c.name not in names]
        if missing:
            problems.append(msg.MISSING_COLUMNS.format(file=path.name, columns=", ".join(missing)))
        lists = {c.name: nested[c.name] for c in columns if c.name in nested}
        if lists:
            shown = ", ".join(f"{name!r} ({kind})" for name, kind in lists.items())
            problems.append(msg.NESTED_COLUMNS.format(file=path.name, columns=shown))
        opened[table] = content
        files[table] = path
    try:
        metadata = read_metadata(directory)
    except DataError as exc:
        problems.append(str(exc))
        metadata = {}
    if problems:
        raise DataError("\n".join([msg.WHOLE_TABLE_HEADER, *(f"- {p}" for p in problems)]))
    return opened, files, metadata


def read_tables(directory: str | Path) -> RawTables:
    """Read the contract tables of a data directory.

    Every whole-table problem (a missing or unreadable file, an empty table, a missing
    required column) is collected and raised together as one :class:`DataError`.

    Parameters
    ----------
    directory : str or Path
        Holds ``people.*`` and ``offences.*`` (CSV or Parquet), optionally ``needs.*`` and
        ``metadata.json``.

    Returns
    -------
    RawTables

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from riskmodel import DataError
    >>> try:
    ...     read_tables(tempfile.mkdtemp())
    ... except DataError as exc:
    ...     print(str(exc).splitlines()[1])
    - people: no people.csv or people.parquet in ...
    """
    frames, files, metadata = scan_data_dir(directory)
    return RawTables(
        people=frames["people"],
        offences=frames["offences"],
        needs=frames["needs"],
        metadata=metadata,
        files=files,
    )

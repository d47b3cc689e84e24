"""Whether the people a page describes were drawn by riskmodel's synthetic generator.

A page knows the path it read: a ``--data`` directory or a ``--scores`` table. Synthetic data
is recognised by what the generator writes, a ``metadata.json`` naming it (:data:`GENERATOR`).
A table made from data points back to it through the run summary beside it (``scores.csv`` →
``scores.summary.json``, whose ``input.source`` is what was read): ``riskmodel score`` writes
one, and :func:`record_source` writes one for a table made another way (the demo's tables of
outcomes). Anything else, an unreadable summary or a chain of them that does not end at
generated data, counts as real people.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["GENERATOR", "is_synthetic", "record_source", "source_summary_path"]

#: The ``generator`` that ``metadata.json`` of a synthetic population names.
GENERATOR = "riskmodel.synthetic"
#: Summaries followed from one table to the data it came from, at most.
_MAX_HOPS = 8


def source_summary_path(table: str | os.PathLike) -> Path:
    """The run summary beside a table: ``scores.csv`` → ``scores.summary.json``.

    Examples
    --------
    >>> source_summary_path("out/scores.csv").as_posix()
    'out/scores.summary.json'
    """
    table = Path(table)
    return table.with_name(f"{table.stem}.summary.json")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def _pointed_source(table: Path) -> Path | None:
    """The source a table's run summary names (relative paths: from the working directory,
    else from the summary's folder), or None."""
    summary_path = source_summary_path(table)
    summary = _read_json(summary_path) if summary_path.is_file() else None
    source = summary.get("input") if isinstance(summary, dict) else None
    source = source.get("source") if isinstance(source, dict) else None
    if not isinstance(source, str) or not source:
        return None
    path = Path(source)
    if not path.is_absolute() and not path.exists():
        path = summary_path.parent / path
    return path


def is_synthetic(source: str | os.PathLike | None) -> bool:
    """Whether ``source`` (a data directory or a table) holds people the generator drew.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> is_synthetic(folder), is_synthetic(None)
    (False, False)
    >>> _ = (folder / "metadata.json").write_text('{"generator": "riskmodel.synthetic"}')
    >>> is_synthetic(folder)
    True
    >>> record_source(folder / "audit.csv", folder)
    >>> is_synthetic(folder / "audit.csv")
    True
    """
    path = None if source is None or str(source) == "" else Path(source)
    for _ in range(_MAX_HOPS):
        if path is None:
            return False
        if path.is_dir():
            metadata = _read_json(path / "metadata.json")
            return isinstance(metadata, dict) and metadata.get("generator") == GENERATOR
        path = _pointed_source(path)
    return False


def record_source(table: str | os.PathLike, source: str | os.PathLike) -> None:
    """Write the run summary of a table made from ``source`` (so that pages made from the
    table know where its people come from)."""
    summary = {"input": {"kind": "derived", "source": str(Path(source).resolve())}}
    source_summary_path(table).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")

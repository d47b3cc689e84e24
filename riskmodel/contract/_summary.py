"""A validated data directory, and the lines that reconcile what was read with what was kept.

Every command that reads a data directory whole (``validate``, ``features``, ``ogrs3``) loads
it with :func:`load_validated`; the lines its run prints come from here, so that "people
read = kept (or written, or scored) + rejected" is worded once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._io import rejects_path_for, write_table
from riskmodel.contract._read import read_tables
from riskmodel.contract._validate import ValidatedData, validate_tables


def load_validated(data_dir: str | os.PathLike, extract_date: str | None = None) -> ValidatedData:
    """Read and validate a data directory (whole-input problems raise DataError)."""
    return validate_tables(read_tables(data_dir), extract_date=extract_date)


def validation_lines(summary: dict[str, Any]) -> list[str]:
    """Plain-language lines of a validation summary, counts reconciled."""
    lines = [
        f"people read: {summary['people_read']:,} = kept {summary['people_kept']:,}"
        f" + rejected {summary['people_rejected']:,}",
        f"offence rows read: {summary['offence_rows_read']:,}"
        f" (of people not in people: {summary['offence_rows_unknown_person']:,})",
    ]
    if summary["needs_table"]:
        lines.append(
            f"needs assessments read: {summary['needs_rows_read']:,}"
            f" (of people not in people: {summary['needs_rows_unknown_person']:,})"
        )
    else:
        lines.append("needs: no needs table (every person counts as unassessed)")
    for reason, count in summary["problems_by_reason"].items():
        lines.append(f"  {count:,} x {reason}")
    return lines


def reconcile_lines(
    summary: dict[str, Any],
    written: int,
    rejects_path: str | os.PathLike,
    n_lines: int,
    *,
    verb: str = "written",
) -> list[str]:
    """Lines showing that people read = written (or ``verb``) + rejected."""
    return [
        f"people read: {summary['people_read']:,} = {verb} {written:,}"
        f" + rejected {summary['people_rejected']:,}",
        f"rejects: {rejects_path} ({n_lines:,} lines)",
    ]


def write_with_rejects(
    frame: pd.DataFrame,
    out: str | os.PathLike,
    data: ValidatedData,
    rejects_path: str | os.PathLike | None = None,
    *,
    kept: int | None = None,
) -> list[str]:
    """Write ``frame`` to ``out`` and the data's rejects beside it (or to ``rejects_path``);
    return the lines reconciling the two. ``kept`` (when a rule then selected some of the
    people kept, as ``--first-per-person`` does) reconciles the people kept instead of the
    rows written."""
    rejects = Path(rejects_path) if rejects_path is not None else rejects_path_for(out)
    write_table(data.rejects, rejects)
    write_table(frame, out)
    if kept is not None:
        return reconcile_lines(data.summary, kept, rejects, len(data.rejects), verb="kept")
    return reconcile_lines(data.summary, len(frame), rejects, len(data.rejects))

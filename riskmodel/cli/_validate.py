"""``riskmodel validate``: check a data directory against the data contract."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._io import write_json, write_table
from riskmodel.contract import read_tables, validate_tables


def summary_lines(summary: dict) -> list[str]:
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


@click.command("validate")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory with people.*, offences.*, needs.* (CSV or Parquet).",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write one line per problem to this CSV.",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the counts as JSON here.",
)
def command(data_dir: Path, rejects_path: Path | None, summary_path: Path | None) -> None:
    """Check a data directory against the data contract and report every problem.

    Whole-table problems (a missing file or column, an unreadable file, an empty people
    table) stop with exit code 2. Row problems put the person in the rejects file with the
    table, row, column, value and reason; everyone else is kept.

    \b
    Example:
      riskmodel validate --data data/synthetic --rejects out/rejects.csv
    """
    data = validate_tables(read_tables(data_dir))
    for line in summary_lines(data.summary):
        click.echo(line)
    if rejects_path is not None:
        write_table(data.rejects, rejects_path)
        click.echo(f"rejects: {rejects_path} ({len(data.rejects):,} lines)")
    if summary_path is not None:
        write_json(data.summary, summary_path)

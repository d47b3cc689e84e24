"""``riskmodel validate``: check a data directory against the data contract."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._io import write_json, write_table
from riskmodel.cli import _options as option
from riskmodel.contract._summary import load_validated, validation_lines


@click.command("validate")
@option.data(required=True)
@option.rejects(help="Write one line per problem to this CSV.")
@click.option(
    "--summary",
    "summary_path",
    type=option.FILE,
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
    option.protect_outputs(
        {"--rejects": rejects_path, "--summary": summary_path}, dirs=(data_dir,)
    )
    data = load_validated(data_dir)
    for line in validation_lines(data.summary):
        click.echo(line)
    if rejects_path is not None:
        write_table(data.rejects, rejects_path)
        click.echo(f"rejects: {rejects_path} ({len(data.rejects):,} lines)")
    if summary_path is not None:
        write_json(data.summary, summary_path)

"""``riskmodel features``: point-in-time features (and labels) of a data directory."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._errors import ConfigError
from riskmodel._io import rejects_path_for, write_table
from riskmodel.cli._progress import echo
from riskmodel.contract import read_tables, validate_tables
from riskmodel.features import MISSING_EXTRACT_DATE, build_feature_table


def load_validated(data_dir: Path, extract_date: str | None = None):
    """Read and validate a data directory (whole-input problems raise DataError)."""
    return validate_tables(read_tables(data_dir), extract_date=extract_date)


def reconcile_lines(summary: dict, written: int, rejects_path: Path, n_lines: int) -> list[str]:
    """Lines showing that people read = written + rejected."""
    return [
        f"people read: {summary['people_read']:,} = written {written:,}"
        f" + rejected {summary['people_rejected']:,}",
        f"rejects: {rejects_path} ({n_lines:,} lines)",
    ]


@click.command("features")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory with people.*, offences.*, needs.* (CSV or Parquet) and metadata.json.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output table: .parquet for Parquet, anything else CSV.",
)
@click.option(
    "--labels",
    is_flag=True,
    help="Add reoffended_2y and label_status (labelled / censored).",
)
@click.option(
    "--extract-date",
    default=None,
    help="The data's extract date (YYYY-MM-DD); default: metadata.json's extract_date.",
)
@click.option(
    "--needs-lookback-months",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Use the latest needs assessment at most this many calendar months before the "
    "index date.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Rejects CSV (default: beside --out, as NAME.rejects.csv).",
)
def command(
    data_dir: Path,
    out: Path,
    labels: bool,
    extract_date: str | None,
    needs_lookback_months: int,
    rejects_path: Path | None,
) -> None:
    """Build point-in-time features: one row per person, person_id first.

    Features use only what was known on each person's index date (offences proven and needs
    assessed on or before it). With --labels, two-year proven reoffending is added: an
    offence committed within 24 calendar months after the index date and proven within a
    further 6, breaches excluded; people whose 30 months end after the extract date are
    'censored' (no label). People with row problems go to the rejects file; the counts
    printed reconcile (read = written + rejected).

    \b
    Example:
      riskmodel features --data data/synthetic --out out/features.parquet --labels
      riskmodel features --data data/extract --out features.csv --extract-date 2024-06-30
    """
    data = load_validated(data_dir, extract_date)
    if labels and data.extract_date is None:
        raise ConfigError(MISSING_EXTRACT_DATE)
    table = build_feature_table(data, labels=labels, needs_lookback_months=needs_lookback_months)
    frame = table.to_frame()
    rejects_path = rejects_path or rejects_path_for(out)
    write_table(data.rejects, rejects_path)
    write_table(frame, out)
    meta = table.meta
    for line in reconcile_lines(data.summary, len(frame), rejects_path, len(data.rejects)):
        echo(line)
    echo(
        f"current sanction taken from people (no offence row on index_sanction_date): "
        f"{meta['current_sanction_from_people']:,}"
    )
    echo(
        f"no needs assessment within {needs_lookback_months} months before the index date: "
        f"{meta['people_without_assessment']:,}"
    )
    if labels:
        echo(
            f"labels as of {meta['extract_date']}: labelled {meta['labelled']:,}"
            f" (reoffended {meta['reoffended']:,}), censored {meta['censored']:,}"
            " (excluded from training and evaluation)"
        )
    echo(f"features: {out} ({len(frame):,} rows, {table.X.shape[1]} features)")

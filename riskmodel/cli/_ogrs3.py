"""``riskmodel ogrs3``: the published OGRS3 scale for every person of a data directory."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._io import rejects_path_for, write_table
from riskmodel.bands import DEFAULT_BANDS
from riskmodel.baselines import ogrs3_scores
from riskmodel.cli._features import load_validated, reconcile_lines
from riskmodel.cli._progress import echo


@click.command("ogrs3")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory with people.* and offences.* (CSV or Parquet).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output table: .parquet for Parquet, anything else CSV.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Rejects CSV (default: beside --out, as NAME.rejects.csv).",
)
def command(data_dir: Path, out: Path, rejects_path: Path | None) -> None:
    """Score everyone with OGRS3, the static actuarial scale of UK probation.

    Writes person_id, ogrs3_1y and ogrs3_2y (probabilities of proven reoffending within one
    and two years, unrounded) and ogrs3_band (Low / Medium / High / Very high, on the
    two-year percentage rounded half-up). Inputs are whole-year ages (at the start of
    follow-up for the age-sex term, at the current sanction for the Copas rate), sex, the
    current offence and the sanction occasions up to the index date. OGRS3 predicts
    reoffending, not the risk of serious harm.

    \b
    Example:
      riskmodel ogrs3 --data data/synthetic --out out/ogrs3.csv
    """
    data = load_validated(data_dir)
    scores = ogrs3_scores(data.people, data.offences)
    rejects_path = rejects_path or rejects_path_for(out)
    write_table(data.rejects, rejects_path)
    write_table(scores, out)
    for line in reconcile_lines(data.summary, len(scores), rejects_path, len(data.rejects)):
        echo(line)
    counts = scores["ogrs3_band"].value_counts()
    bands = ", ".join(f"{band} {int(counts.get(band, 0)):,}" for band in DEFAULT_BANDS.names)
    echo(f"OGRS3 bands: {bands}")
    echo(f"scores: {out} ({len(scores):,} rows)")

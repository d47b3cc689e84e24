"""``riskmodel ogrs3``: the published OGRS3 scale for every person of a data directory."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._io import rejects_path_for
from riskmodel.bands import DEFAULT_BANDS
from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo
from riskmodel.contract._summary import load_validated, write_with_rejects


@click.command("ogrs3")
@option.data(required=True, help="Directory with people.* and offences.* (CSV or Parquet).")
@option.out_file()
@option.rejects()
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
    from riskmodel.baselines import ogrs3_scores  # loads scikit-learn: not for --help

    option.protect_outputs(
        {"--out": out, "--rejects": rejects_path or rejects_path_for(out)}, dirs=(data_dir,)
    )
    data = load_validated(data_dir)
    scores = ogrs3_scores(data.people, data.offences)
    for line in write_with_rejects(scores, out, data, rejects_path):
        echo(line)
    counts = scores["ogrs3_band"].value_counts()
    bands = ", ".join(f"{band} {int(counts.get(band, 0)):,}" for band in DEFAULT_BANDS.names)
    echo(f"OGRS3 bands: {bands}")
    echo(f"scores: {out} ({len(scores):,} rows)")

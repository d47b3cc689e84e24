"""``riskmodel features``: point-in-time features (and labels) of a data directory."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._horizon import label_horizon, outcome_text
from riskmodel._io import rejects_path_for
from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo
from riskmodel.contract._summary import load_validated, write_with_rejects
from riskmodel.features import build_feature_table


@click.command("features")
@option.data(required=True)
@option.out_file()
@click.option(
    "--labels",
    is_flag=True,
    help="Add the label (reoffended_2y at 24 months, reoffended_1y at 12, ...) and "
    "label_status (labelled / censored).",
)
@option.horizon()
@option.extract_date()
@click.option(
    "--needs-lookback-months",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Use the latest needs assessment at most this many calendar months before the "
    "index date.",
)
@option.rejects()
def command(
    data_dir: Path,
    out: Path,
    labels: bool,
    horizon_months: int | None,
    proof_months: int | None,
    extract_date: str | None,
    needs_lookback_months: int,
    rejects_path: Path | None,
) -> None:
    """Build point-in-time features: one row per person, person_id first.

    Features use only what was known on each person's index date (offences proven and needs
    assessed on or before it). With --labels, proven reoffending is added: an offence
    committed within 24 calendar months after the index date (--horizon-months) and proven
    within a further 6 (--proof-months), breaches excluded; people whose 30 months end after
    the extract date are 'censored' (no label). People with row problems go to the rejects file;
    the counts printed reconcile (read = written + rejected).

    \b
    Example:
      riskmodel features --data data/synthetic --out out/features.parquet --labels
      riskmodel features --data data/extract --out features.csv --extract-date 2024-06-30
    """
    option.protect_outputs(
        {"--out": out, "--rejects": rejects_path or rejects_path_for(out)}, dirs=(data_dir,)
    )
    data = load_validated(data_dir, extract_date)
    horizon, proof = label_horizon(horizon_months, proof_months)
    lookback = needs_lookback_months
    table = build_feature_table(data, labels=labels, needs_lookback_months=lookback,
                                horizon_months=horizon, proof_months=proof)  # fmt: skip
    frame = table.to_frame()
    meta = table.meta
    for line in write_with_rejects(frame, out, data, rejects_path):
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
            f"labels ({outcome_text(horizon, proof)}) as of {meta['extract_date']}: "
            f"labelled {meta['labelled']:,}"
            f" (reoffended {meta['reoffended']:,}), censored {meta['censored']:,}"
            " (excluded from training and evaluation)"
        )
    echo(f"features: {out} ({len(frame):,} rows, {table.X.shape[1]} features)")

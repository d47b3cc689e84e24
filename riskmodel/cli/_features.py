"""``riskmodel features``: point-in-time features (and labels) of a data directory."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._errors import ConfigError
from riskmodel._horizon import label_horizon, outcome_text
from riskmodel._io import rejects_path_for
from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo
from riskmodel.contract._summary import load_validated, write_with_rejects
from riskmodel.features import build_feature_table
from riskmodel.features._index_events import first_per_person as apply_first_per_person
from riskmodel.features._messages import PERIOD_WITHOUT_RULE


@click.command("features")
@option.data(required=True)
@option.out_file()
@click.option(
    "--labels",
    is_flag=True,
    help="Add the label (reoffended_2y at 24 months, reoffended_1y at 12, ...) and "
    "label_status (labelled / censored).",
)
@option.label_rule(from_model=False)
@click.option(
    "--needs-lookback-months",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Use the latest needs assessment at most this many calendar months before the "
    "index date.",
)
@option.rejects()
@option.first_per_person()
def command(
    data_dir: Path,
    out: Path,
    labels: bool,
    horizon_months: int | None,
    proof_months: int | None,
    extract_date: str | None,
    needs_lookback_months: int,
    rejects_path: Path | None,
    first_per_person: bool,
    period_from: str | None,
    period_to: str | None,
) -> None:
    """Build point-in-time features: one row per person, person_id first.

    Features use only what was known on each person's index date (offences proven and needs
    assessed on or before it). With --labels, proven reoffending is added: an offence
    committed within 24 calendar months after the index date (--horizon-months) and proven
    within a further 6 (--proof-months), breaches excluded; people whose 30 months end after
    the extract date are 'censored' (no label). People with row problems go to the rejects file;
    the counts printed reconcile (read = written + rejected).

    People may have several index events (people.* with an index_id column): each gets its
    own row, features and label, with index_id after person_id. --first-per-person keeps
    each person's first index event from --from to --to (the Ministry of Justice cohort
    rule) and says how many events it left out.

    \b
    Example:
      riskmodel features --data data/synthetic --out out/features.parquet --labels
      riskmodel features --data data/extract --out features.csv --extract-date 2024-06-30
      riskmodel features --data data/extract --out cohort.csv --first-per-person \\
          --from 2021-01-01 --to 2021-12-31 --labels
    """
    option.protect_outputs(
        {"--out": out, "--rejects": rejects_path or rejects_path_for(out)}, dirs=(data_dir,)
    )
    if not first_per_person and (period_from or period_to):
        raise ConfigError(PERIOD_WITHOUT_RULE)
    data = load_validated(data_dir, extract_date)
    horizon, proof = label_horizon(horizon_months, proof_months)
    rule = None
    if first_per_person:
        data.people, rule = apply_first_per_person(data.people, start=period_from, end=period_to)
    lookback = needs_lookback_months
    table = build_feature_table(data, labels=labels, needs_lookback_months=lookback,
                                horizon_months=horizon, proof_months=proof)  # fmt: skip
    frame = table.to_frame()
    meta = table.meta
    kept = None if rule is None else rule.events_read
    for line in write_with_rejects(frame, out, data, rejects_path, kept=kept):
        echo(line)
    if rule is not None:
        echo(rule.sentence())
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

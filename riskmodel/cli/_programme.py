"""``riskmodel programme``: a programme's reoffending against a matched comparison group."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from riskmodel._errors import ConfigError, DataError
from riskmodel._horizon import DEFAULT_PROOF_MONTHS
from riskmodel.cli import _options as option
from riskmodel.cli._progress import write_json_and_report
from riskmodel.programme._messages import (
    BASELINE_NEEDS_COUNTS,
    BASELINE_NEEDS_MODEL,
    PARTICIPANT_SOURCE_CHOICE,
    PARTICIPANTS_CHOICE,
    PARTICIPANTS_FILE_COLUMN,
    POOL_CHOICE,
)

#: ``--model`` of ``programme`` (tests match it).
MODEL_HELP = (
    "Model bundle: its predicted risk is a matching variable beside the features, and "
    "case mix for --baseline."
)


def _participant_ids(path: Path) -> list[str]:
    from riskmodel._tables import read_table

    frame = read_table(path, text=True)
    if "person_id" not in frame.columns:
        raise DataError(
            PARTICIPANTS_FILE_COLUMN.format(path=path, columns=", ".join(map(str, frame.columns)))
        )
    return frame["person_id"].dropna().astype(str).str.strip().tolist()


@click.command("programme")
@option.data(help=option.DATA_HELP + " Holds the participants (and, without --pool or "
             "--pool-table, the comparison pool: everyone else).")  # fmt: skip
@click.option(
    "--table",
    "table_path",
    type=option.FILE,
    default=None,
    help="Flat person-level table (CSV or Parquet) described by --config's [table], instead "
    "of --data: holds the participants (and, without a pool, the comparison pool).",
)
@click.option(
    "--participants",
    "participants_path",
    type=option.FILE,
    default=None,
    help="CSV or Parquet file with a person_id column: the participants.",
)
@click.option(
    "--participant-column",
    default=None,
    help="Column of the people table marking participants (1/0, true/false, yes/no).",
)
@click.option(
    "--pool",
    "pool_dir",
    type=option.DIRECTORY,
    default=None,
    help="Data directory of non-participants to draw comparisons from (default: everyone in "
    "--data or --table who did not take part).",
)
@click.option(
    "--pool-table",
    type=option.FILE,
    default=None,
    help="Flat table (CSV or Parquet) of non-participants, one row per person, read with "
    "--config's [table]: its features must be the participants', its outcome is its label "
    "at follow_up_months ([table] reoffences and duration/event give the frequency and the "
    "time to the first reoffence).",
)
@click.option(
    "--config",
    "config_path",
    type=option.FILE,
    default=None,
    help="TOML config whose [table] describes --table and --pool-table (one for both).",
)
@option.model(required=False, help=MODEL_HELP)
@click.option(
    "--baseline",
    "baseline_dir",
    type=option.DIRECTORY,
    default=None,
    help="Data directory of a baseline cohort: adds the payment-by-results measures, adjusted "
    "for case mix with --model.",
)
@option.label_rule(from_model=True)
@click.option(
    "--caliper",
    type=click.FloatRange(min=0, min_open=True),
    default=0.2,
    show_default=True,
    help="Caliper in standard deviations of the logit of the propensity score.",
)
@click.option(
    "--ratio",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Comparisons per participant.",
)
@click.option(
    "--without-replacement",
    is_flag=True,
    help="A comparison serves one participant only (default: with replacement).",
)
@option.n_resamples()
@option.seed("the bootstrap")
@option.out_dir("programme.json", "report.html")
@option.force
def command(
    data_dir: Path | None,
    table_path: Path | None,
    participants_path: Path | None,
    participant_column: str | None,
    pool_dir: Path | None,
    pool_table: Path | None,
    config_path: Path | None,
    model_dir: Path | None,
    baseline_dir: Path | None,
    extract_date: str | None,
    horizon_months: int | None,
    proof_months: int | None,
    caliper: float,
    ratio: int,
    without_replacement: bool,
    n_resamples: int,
    seed: int,
    out_dir: Path,
    force: bool,
) -> None:
    """Evaluate a programme against a propensity-matched comparison group, as the
    Justice Data Lab does.

    Participants are matched to similar people who did not take part (nearest neighbours
    on the logit of a propensity score fitted on the features and, with --model, the
    predicted risk, within a caliper). Reports the balance of every matching variable
    before and after (standardised mean differences, flagged from 0.1), how many
    participants matched and why the others did not, and for participants and matched
    comparisons the proven reoffending rate at the horizon (--horizon-months, default 24:
    within two years, proven within a further --proof-months, default 6; with --model the
    model's own; with a flat table its [table] follow_up_months), reoffences per person and
    per reoffender and the time to the first reoffence (Kaplan-Meier), each difference
    with a 95% bootstrap interval over matched sets, a p-value and the minimum detectable
    difference. Below 60 matched participants it says
    what cannot be concluded. With --baseline (and --model), the payment-by-results binary
    and frequency measures adjusted for case mix. Matching balances recorded
    characteristics only.

    The participants come from a data directory (--data) or a flat table (--table with
    --config); the comparison pool from another data directory (--pool) or a flat table
    read with the same [table] (--pool-table), with the participants' features. What a flat
    table cannot give (frequency without a [table] reoffences column, time to the first
    reoffence without duration and event) is reported as not available.

    \b
    Example:
      riskmodel programme --data data/area --participant-column programme \\
          --model models/default --out out/programme
      riskmodel programme --data data/area --participants ids.csv --pool data/national \\
          --model models/default --baseline data/last-year --out out/programme
      riskmodel programme --data data/area --participant-column programme \\
          --pool-table national.csv --config national.toml --horizon-months 12 \\
          --out out/programme-1y
    """
    if (data_dir is None) == (table_path is None):
        raise ConfigError(PARTICIPANT_SOURCE_CHOICE)
    if (participants_path is None) == (participant_column is None):
        raise ConfigError(PARTICIPANTS_CHOICE)
    if pool_dir is not None and pool_table is not None:
        raise ConfigError(POOL_CHOICE)
    if baseline_dir is not None and model_dir is None:
        raise ConfigError(BASELINE_NEEDS_MODEL)
    option.protect_outputs(
        {"--out": out_dir},
        files=(participants_path, table_path, pool_table, config_path),
        dirs=(data_dir, pool_dir, model_dir, baseline_dir),
        kind="programme",
        force=force,
    )
    from riskmodel.programme import (
        evaluate_programme,
        matching_variables,
        payment_by_results,
        read_programme_data,
    )
    from riskmodel.programme._inputs import baseline_outcomes
    from riskmodel.reports._programme_report import programme_report_html

    data = read_programme_data(
        data_dir,
        table_path=table_path,
        participants=None if participants_path is None else _participant_ids(participants_path),
        participant_column=participant_column,
        pool_dir=pool_dir,
        pool_table=pool_table,
        config=config_path,
        model_dir=model_dir,
        extract_date=extract_date,
        horizon_months=horizon_months,
        proof_months=proof_months,
    )
    counts_missing = data.participants_unavailable.get("reoffences_per_person")
    if baseline_dir is not None and counts_missing is not None:
        raise ConfigError(BASELINE_NEEDS_COUNTS.format(reason=counts_missing))
    result = evaluate_programme(
        matching_variables(data.X, data.risk),
        data.outcomes,
        data.participant,
        ids=data.ids,
        not_found=data.not_found,
        caliper_sd=caliper,
        ratio=ratio,
        replace=not without_replacement,
        n_resamples=n_resamples,
        seed=seed,
        horizon_months=data.horizon_months,
        proof_months=data.proof_months,
        unavailable=data.unavailable,
        pool_participant_rows=data.pool_participant_rows,
    )
    result.notes.extend(data.notes)
    if baseline_dir is not None:
        cohort = data.participant & np.isfinite(data.outcomes["reoffended"].to_numpy(float))
        result.payment_by_results = payment_by_results(
            {
                "reoffended": data.outcomes["reoffended"][cohort],
                "reoffences": data.outcomes["reoffences"][cohort],
                "risk": data.risk[cohort],
            },
            baseline_outcomes(
                baseline_dir,
                model_dir=model_dir,
                extract_date=extract_date,
                horizon_months=data.horizon_months,
                proof_months=data.proof_months or DEFAULT_PROOF_MONTHS,
            ),
            n_resamples=n_resamples,
            seed=seed,
        )
    html = programme_report_html(result, sources=data.sources, model=model_dir)
    wrote = write_json_and_report(out_dir, "programme.json", result.to_dict(), html)
    for sentence in result.to_dict()["findings"]:
        click.echo(sentence)
    for note in result.notes:
        click.echo(f"{note}.")
    if result.payment_by_results is not None:
        from riskmodel.programme import pbr_sentences

        for sentence in pbr_sentences(result.payment_by_results, data.horizon_months):
            click.echo(sentence)
    click.echo(wrote)

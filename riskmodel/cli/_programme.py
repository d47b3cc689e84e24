"""``riskmodel programme``: a programme's reoffending against a matched comparison group."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from riskmodel._errors import ConfigError, DataError
from riskmodel.cli import _options as option
from riskmodel.cli._progress import write_json_and_report
from riskmodel.programme._messages import (
    BASELINE_NEEDS_MODEL,
    PARTICIPANTS_CHOICE,
    PARTICIPANTS_FILE_COLUMN,
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
@option.data(required=True, help=option.DATA_HELP + " Holds the participants (and, without "
             "--pool, the comparison pool: everyone else).")  # fmt: skip
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
    "--data who did not take part).",
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
@option.extract_date()
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
    data_dir: Path,
    participants_path: Path | None,
    participant_column: str | None,
    pool_dir: Path | None,
    model_dir: Path | None,
    baseline_dir: Path | None,
    extract_date: str | None,
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
    comparisons the proven reoffending rate within 24 months (proven within a further 6),
    reoffences per person and per reoffender and the time to the first reoffence
    (Kaplan-Meier), each difference with a 95% bootstrap interval over matched sets, a
    p-value and the minimum detectable difference. Below 60 matched participants it says
    what cannot be concluded. With --baseline (and --model), the payment-by-results binary
    and frequency measures adjusted for case mix. Matching balances recorded
    characteristics only.

    \b
    Example:
      riskmodel programme --data data/area --participant-column programme \\
          --model models/default --out out/programme
      riskmodel programme --data data/area --participants ids.csv --pool data/national \\
          --model models/default --baseline data/last-year --out out/programme
    """
    if (participants_path is None) == (participant_column is None):
        raise ConfigError(PARTICIPANTS_CHOICE)
    if baseline_dir is not None and model_dir is None:
        raise ConfigError(BASELINE_NEEDS_MODEL)
    option.protect_outputs(
        {"--out": out_dir},
        files=(participants_path,),
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
        participants=None if participants_path is None else _participant_ids(participants_path),
        participant_column=participant_column,
        pool_dir=pool_dir,
        model_dir=model_dir,
        extract_date=extract_date,
    )
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
    )
    if baseline_dir is not None:
        cohort = data.participant & np.isfinite(data.outcomes["reoffended"].to_numpy(float))
        result.payment_by_results = payment_by_results(
            {
                "reoffended": data.outcomes["reoffended"][cohort],
                "reoffences": data.outcomes["reoffences"][cohort],
                "risk": data.risk[cohort],
            },
            baseline_outcomes(baseline_dir, model_dir=model_dir, extract_date=extract_date),
            n_resamples=n_resamples,
            seed=seed,
        )
    html = programme_report_html(result, sources=data.sources, model=model_dir)
    wrote = write_json_and_report(out_dir, "programme.json", result.to_dict(), html)
    for sentence in result.to_dict()["findings"]:
        click.echo(sentence)
    if result.payment_by_results is not None:
        from riskmodel.programme import pbr_sentences

        for sentence in pbr_sentences(result.payment_by_results):
            click.echo(sentence)
    click.echo(wrote)

"""``riskmodel cohort``: a programme cohort's observed against expected reoffending."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from riskmodel._format import p_value_text
from riskmodel._tables import read_scores
from riskmodel.cli import _options as option
from riskmodel.cli._progress import write_json_and_report
from riskmodel.cohort import cohort_evaluation


@click.command("cohort")
@option.scores("Scores file of the cohort, CSV or Parquet, with outcomes.",
               score_column="probability_2y",
               score_help="Column of predicted probabilities in [0, 1].")  # fmt: skip
@option.outcome_column("Column of observed outcomes (0/1, empty = unknown).", required=True)
@click.option(
    "--count-column",
    default=None,
    help="Column of proven reoffences per person, for reoffences per reoffender.",
)
@click.option(
    "--band-column",
    default=None,
    help="Column of risk bands (e.g. risk_band); default: OGRS-style bands (cut points "
    "0.5, 0.75, 0.9) from the probabilities.",
)
@option.n_bootstrap(2000, "Bootstrap resamples for the frequency interval.")
@option.seed("the bootstrap")
@option.out_dir("cohort.json", "report.html")
@option.force
def command(
    scores_path: Path,
    score_column: str,
    outcome_column: str,
    count_column: str | None,
    band_column: str | None,
    n_bootstrap: int,
    seed: int,
    out_dir: Path,
    force: bool,
) -> None:
    """Compare a programme cohort's observed reoffending with the model's expectation.

    Gives observed/expected, the difference with an exact interval, and exact
    (Poisson-binomial) probabilities of the observed count or fewer (p_value_lower) and
    of that count or more (p_value_upper) if every person reoffended with their own
    predicted probability; the same by risk band; with --count-column, reoffences per
    reoffender. A cohort that chose to take part is not a random sample:
    observed/expected is not by itself the programme's effect.

    \b
    Example:
      riskmodel cohort --scores cohort.csv --score-column probability_2y \\
          --outcome-column reoffended --count-column reoffences --out out/cohort
    """
    option.protect_outputs({"--out": out_dir}, files=(scores_path,), kind="cohort", force=force)
    from riskmodel.reports._cohort_report import cohort_report_html

    frame = read_scores(
        scores_path,
        {
            "--score-column": score_column,
            "--outcome-column": outcome_column,
            "--count-column": count_column,
            "--band-column": band_column,
        },
    )
    result = cohort_evaluation(
        y_true=frame[outcome_column],
        y_prob=frame[score_column],
        counts=None if count_column is None else frame[count_column],
        bands=None if band_column is None else frame[band_column],
        n_resamples=n_bootstrap,
        seed=seed,
    )
    html = cohort_report_html(
        result,
        source=str(scores_path),
        score_column=score_column,
        outcome_column=outcome_column,
        count_column=count_column,
    )
    wrote = write_json_and_report(out_dir, "cohort.json", result.to_dict(), html)
    o = result.overall
    ratio = o["observed_expected"]
    click.echo(
        f"n {o['n']:,}: observed {100 * o['observed_rate']:.1f}%, expected "
        f"{100 * o['expected_rate']:.1f}%, "
        f"O/E {'undefined' if np.isnan(ratio) else f'{ratio:.2f}'}, "
        f"P(<= observed) {p_value_text(o['p_value_lower'], prefix=False)}, "
        f"P(>= observed) {p_value_text(o['p_value_upper'], prefix=False)}"
    )
    if result.n_missing_score or result.n_missing_outcome:
        click.echo(
            f"left out: {result.n_missing_score:,} without a score, "
            f"{result.n_missing_outcome:,} without a known outcome"
        )
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(wrote)

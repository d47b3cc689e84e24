"""``riskmodel cohort``: a programme cohort's observed against expected reoffending."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from riskmodel._format import p_value_text
from riskmodel._horizon import find_probability_column
from riskmodel._tables import read_scores
from riskmodel.cli import _options as option
from riskmodel.cli._progress import write_json_and_report
from riskmodel.cohort import CalibrationUncertainty, cohort_evaluation
from riskmodel.cohort._messages import PREDICTIONS_AS_KNOWN

#: ``--model`` of ``cohort`` (tests match it).
MODEL_HELP = (
    "Model bundle whose predictions the scores are: the intervals and p-values then include "
    "the uncertainty of its predictions (from the training size and scores its manifest "
    "records). Without it they treat the predictions as known and are too narrow."
)


@click.command("cohort")
@option.scores("Scores file of the cohort, CSV or Parquet, with outcomes.",
               score_column=option.FIND_PROBABILITY,
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
@option.model(required=False, help=MODEL_HELP)
@option.n_bootstrap(2000, "Bootstrap resamples for the frequency interval.")
@option.seed("the bootstrap")
@option.out_dir("cohort.json", "report.html")
@option.force
def command(
    scores_path: Path,
    score_column: str | None,
    outcome_column: str,
    count_column: str | None,
    band_column: str | None,
    model_dir: Path | None,
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
    reoffender. With --model (the bundle that made the scores), the intervals and p-values
    also include the uncertainty of the model's own predictions (its calibration, from the
    number of people it was fitted on), and a model fitted on fewer than 1,000 people is
    warned about. A cohort that chose to take part is not a random sample:
    observed/expected is not a programme effect (that needs a comparison group).

    \b
    Example:
      riskmodel cohort --scores cohort.csv --score-column probability_2y \\
          --outcome-column reoffended --count-column reoffences --model models/default \\
          --out out/cohort
    """
    option.protect_outputs(
        {"--out": out_dir}, files=(scores_path,), dirs=(model_dir,), kind="cohort", force=force
    )
    manifest = None
    if model_dir is not None:
        from riskmodel.bundle import read_manifest

        manifest = read_manifest(model_dir)
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
    if score_column is None:
        score_column = find_probability_column(frame.columns, scores_path.name)
    uncertainty = None
    if manifest is not None:
        scores = pd.to_numeric(frame[score_column], errors="coerce").to_numpy(dtype=float)
        usable = scores[np.isfinite(scores) & (scores >= 0) & (scores <= 1)]
        uncertainty = CalibrationUncertainty.from_manifest(
            manifest, usable if usable.size else [0.5], where=str(model_dir)
        )
    result = cohort_evaluation(
        y_true=frame[outcome_column],
        y_prob=frame[score_column],
        counts=None if count_column is None else frame[count_column],
        bands=None if band_column is None else frame[band_column],
        n_resamples=n_bootstrap,
        seed=seed,
        uncertainty=uncertainty,
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
    combined = o["with_model_uncertainty"]
    if combined is None:
        click.echo(f"note: {PREDICTIONS_AS_KNOWN}")
    else:
        low, high = combined["observed_expected_ci"]
        click.echo(
            f"with the model's own uncertainty ({result.uncertainty.n_train:,} training "
            f"people): O/E interval {_ratio(low)} to {_ratio(high)}, "
            f"P(<= observed) {p_value_text(combined['p_value_lower'], prefix=False)}, "
            f"P(>= observed) {p_value_text(combined['p_value_upper'], prefix=False)}"
        )
    for warning in result.warnings():
        click.echo(f"warning: {warning}")
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(wrote)


def _ratio(value: float) -> str:
    return "undefined" if not np.isfinite(value) else f"{value:.2f}"

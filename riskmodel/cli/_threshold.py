"""``riskmodel threshold``: the allocation threshold helper."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from riskmodel._errors import ConfigError
from riskmodel._horizon import bundle_horizon, find_probability_column, horizon_of_column
from riskmodel._tables import read_scores
from riskmodel.allocation import (
    CalibrationError,
    calibration_note,
    choose_threshold,
    find_group_columns,
)
from riskmodel.allocation import _messages as msg
from riskmodel.allocation._inputs import MAX_GROUP_VALUES
from riskmodel.allocation._policy_options import policy_from_options
from riskmodel.cli import _options as option
from riskmodel.cli._progress import write_json_and_report

#: Scores files name their reasons reason_1, reason_2, ... (``riskmodel score --explain K``).
REASON_PREFIX = "reason_"


def _number(name: str, help: str) -> option.Decorator:
    """A number option with no default (a policy's parameter)."""
    return click.option(name, type=float, default=None, help=help)


@click.command("threshold")
@option.scores("Scores file, CSV or Parquet (e.g. the output of riskmodel score).",
               score_column=option.FIND_PROBABILITY,
               score_help="Column of calibrated probabilities in [0, 1].")  # fmt: skip
@option.outcome_column(
    "Column of observed outcomes (0/1, empty = unknown). Without it every figure is "
    "an expectation from the probabilities.",
    required=False,
)
@option.group_columns(
    "Group column to report selection and false positive rates by (repeatable), besides "
    f"those found in the scores file: every column of text with at most {MAX_GROUP_VALUES} "
    "values (sex, age band, cohort, carried columns such as ethnicity)."
)
@option.model(
    required=False,
    help="The model bundle that made the scores: the intervals of expected figures then "
    "include its held-out calibration error (without it the report says they leave it out).",
)
@click.option(
    "--capacity",
    default=None,
    help="POLICY: exactly this many places: a count (134), a fraction below 1 (0.1) or a "
    "percentage (10%). Ties at the last place are broken by --tie-break.",
)
@_number("--sensitivity", "POLICY: the highest threshold that catches at least this share of "
         "reoffenders (observed with --outcome-column, expected from the probabilities "
         "without).")  # fmt: skip
@_number("--ppv", "POLICY: the lowest threshold at which at least this share of those "
         "allocated reoffend (observed with outcomes, expected without).")  # fmt: skip
@_number("--cost-reoffence", "POLICY (with --cost-intervention and --effect): cost of one "
         "reoffence. No default.")  # fmt: skip
@_number("--cost-intervention", "Cost of the intervention for one person. No default.")
@_number("--effect", "Relative reduction in reoffending among those allocated (0.2 = a fifth "
         "fewer). No default.")  # fmt: skip
@click.option(
    "--bands",
    default=None,
    help="POLICY: comma-separated cut points of risk bands; OGRS-style bands are "
    "0.5,0.75,0.9 (Low, Medium, High, Very high).",
)
@click.option(
    "--tie-break",
    type=click.Choice(["random", "input-order"]),
    default="random",
    show_default=True,
    help="Capacity only: order among people tied at the last place: a seeded random order "
    "or the order of the input rows.",
)
@option.seed("ties and bootstrap")
@option.n_bootstrap(1000, "Bootstrap resamples for the 95% intervals (0: none).")
@option.out_dir("threshold.json", "report.html")
@option.force
def command(
    scores_path: Path,
    score_column: str | None,
    outcome_column: str | None,
    group_columns: tuple[str, ...],
    model_dir: Path | None,
    seed: int,
    n_bootstrap: int,
    out_dir: Path,
    force: bool,
    **policy_options: str | float | None,
) -> None:
    """Choose who to allocate to a limited intervention, under exactly one POLICY.

    POLICY is one of --capacity N, --sensitivity X, --ppv X, --cost-reoffence A
    --cost-intervention B --effect E (minimise expected total cost: allocated people cost
    B + A*p*(1-E), others A*p), or --bands CUTS. People with a score at or above the
    threshold are allocated; people without a score are counted and never allocated.
    The report informs a decision made by people; a reoffending score is not an
    assessment of risk of serious harm.

    \b
    Examples:
      riskmodel threshold --scores scores.csv --capacity 134 --out out/iom
      riskmodel threshold --scores scores.csv --model models/default --capacity 10% \\
          --out out/iom
      riskmodel threshold --scores scores.csv --outcome-column reoffended_2y \\
          --group-column cohort --sensitivity 0.6 --out out/sens
      riskmodel threshold --scores scores.csv --cost-reoffence 20000 \\
          --cost-intervention 3000 --effect 0.2 --out out/cost
      riskmodel threshold --scores scores.csv --bands 0.5,0.75,0.9 --out out/bands
    """
    option.protect_outputs(
        {"--out": out_dir},
        files=(scores_path,),
        dirs=(model_dir,),
        kind="threshold",
        force=force,
    )
    from riskmodel.reports._threshold_report import threshold_report_html
    from riskmodel.scoring import SCORE_COLUMNS

    policy = policy_from_options(seed=seed, **policy_options)  # type: ignore[arg-type]
    columns: dict[str, str | None] = {
        "--score-column": score_column,
        "--outcome-column": outcome_column,
    }
    columns.update({f"--group-column {c}": c for c in group_columns})
    frame = read_scores(scores_path, columns)
    if score_column is None:
        score_column = find_probability_column(frame.columns, scores_path.name)
    calibration = None if model_dir is None else _calibration(model_dir, frame)
    not_groups = {score_column, outcome_column, *SCORE_COLUMNS} - {"cohort", "age_band"}
    not_groups |= {c for c in frame.columns if str(c).startswith(REASON_PREFIX)}
    groups, left_out = find_group_columns(frame, named=group_columns, not_groups=not_groups)
    if model_dir is not None:  # group codes read as the words of the bundle's [labels]
        from riskmodel.bundle import input_spec, read_manifest
        from riskmodel.explain import codes_in_words

        frame = codes_in_words(frame, input_spec(read_manifest(model_dir)).config.labels, groups)
    result = choose_threshold(
        frame[score_column],
        policy,
        y_true=None if outcome_column is None else frame[outcome_column],
        groups={c: frame[c] for c in groups} or None,
        n_resamples=n_bootstrap,
        seed=seed,
        calibration=calibration,
    )
    horizon = horizon_of_column(score_column)
    if horizon is None and model_dir is not None:
        from riskmodel.bundle import read_manifest

        horizon = bundle_horizon(read_manifest(model_dir))[0]
    html = threshold_report_html(
        result,
        source=str(scores_path),
        score_column=score_column,
        outcome_column=outcome_column,
        left_out=left_out,
        horizon_months=horizon,
    )
    data = {**result.to_dict(), "group_columns_left_out": left_out}
    wrote = write_json_and_report(out_dir, "threshold.json", data, html)
    threshold = "nobody" if result.allocated == 0 else f"score >= {result.threshold:.4g}"
    click.echo(
        f"{policy.name}: {threshold}; allocated {result.allocated:,} of {result.n_scored:,} "
        f"({100 * result.allocated_fraction:.1f}%)"
    )
    if result.n_missing_score:
        click.echo(f"people without a score (not allocated): {result.n_missing_score:,}")
    if result.tie_rule is not None:
        click.echo(f"ties: {result.tie_rule}")
    if calibration is None:
        click.echo(f"note: {calibration_note(data)}")
    click.echo(wrote)


def _calibration(model_dir: Path, frame: pd.DataFrame) -> CalibrationError:
    """The bundle's held-out calibration error, after checking it made the scores (when the
    scores name their model)."""
    from riskmodel.bundle import read_manifest

    manifest = read_manifest(model_dir)
    if "model_id" in frame.columns:
        scored_by = sorted(set(frame["model_id"].dropna().astype(str)))
        if scored_by and str(manifest.get("model_id")) not in scored_by:
            raise ConfigError(
                msg.MODEL_MISMATCH.format(
                    scored_by=", ".join(scored_by), model_id=manifest.get("model_id")
                )
            )
    return CalibrationError.from_manifest(manifest, source=str(model_dir))

"""``riskmodel threshold``: the allocation threshold helper."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._errors import ConfigError
from riskmodel._io import write_json, write_text
from riskmodel._tables import read_scores
from riskmodel.allocation import (
    Bands,
    Capacity,
    ExpectedCost,
    Policy,
    PPVTarget,
    SensitivityTarget,
    choose_threshold,
)
from riskmodel.allocation import _messages as msg


def _policy(
    capacity: str | None,
    sensitivity: float | None,
    ppv: float | None,
    cost_reoffence: float | None,
    cost_intervention: float | None,
    effect: float | None,
    bands: str | None,
    tie_break: str,
    seed: int,
) -> Policy:
    cost_options = {
        "--cost-reoffence": cost_reoffence,
        "--cost-intervention": cost_intervention,
        "--effect": effect,
    }
    cost_given = [name for name, value in cost_options.items() if value is not None]
    chosen = [
        name
        for name, given in (
            ("capacity", capacity is not None),
            ("sensitivity", sensitivity is not None),
            ("ppv", ppv is not None),
            ("cost", bool(cost_given)),
            ("bands", bands is not None),
        )
        if given
    ]
    if len(chosen) != 1:
        raise ConfigError(msg.ONE_POLICY)
    if capacity is not None:
        return Capacity.parse(capacity, tie_break=tie_break.replace("-", "_"), seed=seed)
    if sensitivity is not None:
        return SensitivityTarget(sensitivity)
    if ppv is not None:
        return PPVTarget(ppv)
    if bands is not None:
        return Bands.parse(bands)
    missing = [name for name in cost_options if name not in cost_given]
    if missing:
        raise ConfigError(msg.COST_INCOMPLETE.format(missing=", ".join(missing)))
    assert cost_reoffence is not None and cost_intervention is not None and effect is not None
    return ExpectedCost(
        cost_reoffence=cost_reoffence, cost_intervention=cost_intervention, effect=effect
    )


@click.command("threshold")
@click.option(
    "--scores",
    "scores_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Scores file, CSV or Parquet (e.g. the output of riskmodel score).",
)
@click.option(
    "--score-column",
    default="probability_2y",
    show_default=True,
    help="Column of calibrated probabilities in [0, 1].",
)
@click.option(
    "--outcome-column",
    default=None,
    help="Column of observed outcomes (0/1, empty = unknown). Without it every figure is "
    "an expectation from the probabilities.",
)
@click.option(
    "--group-column",
    "group_columns",
    multiple=True,
    help="Group column to report selection and false positive rates by (repeatable).",
)
@click.option(
    "--capacity",
    default=None,
    help="POLICY: exactly this many places: a count (134), a fraction below 1 (0.1) or a "
    "percentage (10%). Ties at the last place are broken by --tie-break.",
)
@click.option(
    "--sensitivity",
    type=float,
    default=None,
    help="POLICY: the highest threshold that catches at least this share of reoffenders "
    "(observed with --outcome-column, expected from the probabilities without).",
)
@click.option(
    "--ppv",
    type=float,
    default=None,
    help="POLICY: the lowest threshold at which at least this share of those allocated "
    "reoffend (observed with outcomes, expected without).",
)
@click.option(
    "--cost-reoffence",
    type=float,
    default=None,
    help="POLICY (with --cost-intervention and --effect): cost of one reoffence. No default.",
)
@click.option(
    "--cost-intervention",
    type=float,
    default=None,
    help="Cost of the intervention for one person. No default.",
)
@click.option(
    "--effect",
    type=float,
    default=None,
    help="Relative reduction in reoffending among those allocated (0.2 = a fifth fewer). "
    "No default.",
)
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
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of ties and bootstrap.")
@click.option(
    "--n-bootstrap",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals (0: none).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for threshold.json and report.html.",
)
def command(
    scores_path: Path,
    score_column: str,
    outcome_column: str | None,
    group_columns: tuple[str, ...],
    capacity: str | None,
    sensitivity: float | None,
    ppv: float | None,
    cost_reoffence: float | None,
    cost_intervention: float | None,
    effect: float | None,
    bands: str | None,
    tie_break: str,
    seed: int,
    n_bootstrap: int,
    out_dir: Path,
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
      riskmodel threshold --scores scores.csv --outcome-column reoffended_2y \\
          --group-column cohort --sensitivity 0.6 --out out/sens
      riskmodel threshold --scores scores.csv --cost-reoffence 20000 \\
          --cost-intervention 3000 --effect 0.2 --out out/cost
      riskmodel threshold --scores scores.csv --bands 0.5,0.75,0.9 --out out/bands
    """
    from riskmodel.reports._threshold_report import threshold_report_html

    policy = _policy(
        capacity, sensitivity, ppv, cost_reoffence, cost_intervention, effect, bands,
        tie_break, seed,
    )  # fmt: skip
    columns: dict[str, str | None] = {
        "--score-column": score_column,
        "--outcome-column": outcome_column,
    }
    columns.update({f"--group-column {c}": c for c in group_columns})
    frame = read_scores(scores_path, columns)
    result = choose_threshold(
        frame[score_column],
        policy,
        y_true=None if outcome_column is None else frame[outcome_column],
        groups={c: frame[c] for c in group_columns} or None,
        n_resamples=n_bootstrap,
        seed=seed,
    )
    write_json(result.to_dict(), out_dir / "threshold.json")
    html = threshold_report_html(
        result,
        source=scores_path.name,
        score_column=score_column,
        outcome_column=outcome_column,
    )
    write_text(html, out_dir / "report.html")
    threshold = "nobody" if result.allocated == 0 else f"score >= {result.threshold:.4g}"
    click.echo(
        f"{policy.name}: {threshold}; allocated {result.allocated:,} of {result.n_scored:,} "
        f"({100 * result.allocated_fraction:.1f}%)"
    )
    if result.n_missing_score:
        click.echo(f"people without a score (not allocated): {result.n_missing_score:,}")
    if result.tie_rule is not None:
        click.echo(f"ties: {result.tie_rule}")
    click.echo(f"wrote {out_dir / 'threshold.json'} and {out_dir / 'report.html'}")

"""``riskmodel crossval``: out-of-fold evaluation of the configured model and the baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from riskmodel._io import write_text
from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo, echo_mlflow_run, metrics_line, progress


@click.command("crossval")
@option.inputs(bundle=False, with_horizon=True)
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 50))
@option.seed("the folds")
@option.out_dir("metrics.json", "oof.csv", "report.html")
@click.option(
    "--carry",
    default="",
    help="Comma-separated columns to copy into oof.csv (e.g. for fairness reports): any "
    "column of a --table; with --data, group columns and features. Default with --table: the "
    "[table] groups.",
)
@option.temporal_split()
@option.no_mlflow
@option.n_resamples()
@option.force
def command(
    source: dict[str, Any],
    folds: int,
    seed: int,
    out_dir: Path,
    carry: str,
    test_from: str | None,
    test_periods: str | None,
    n_resamples: int,
    no_mlflow: bool,
    force: bool,
) -> None:
    """Out-of-fold evaluation of the configured model and the baselines on the same folds.

    The run is logged to MLflow (MLFLOW_TRACKING_URI, default sqlite:///mlruns.db) unless
    --no-mlflow. The configured model (the recommended default when the config has no [model]) is
    refitted in each training fold, choosing anything it chooses by inner cross-validation
    there. Baselines: the base rate, and OGRS3 when the data allow (event tables). A person with
    several rows (index events, or a [table] person) stays in one fold. --test-from (event
    data) or --test-periods (a --table with [table] period) replace the folds by one split
    forward in time: every model is fitted on the earlier part and scored on the later one.
    Writes metrics.json ({"configured", "models": {name: metrics}}), oof.csv and report.html.

    \b
    Example:
      riskmodel crossval --table compas-scores-two-years.csv \\
          --config training/compas.toml --folds 5 --seed 0 --out out/compas-cv
      riskmodel crossval --data data/synthetic --folds 5 --seed 0 --out out/cv
      riskmodel crossval --data data/extract --test-from 2022-01-01 --out out/forward
    """
    option.protect_outputs({"--out": out_dir}, source=source, kind="crossval", force=force)
    from riskmodel.reports._evaluation_report import evaluation_report_html
    from riskmodel.training import crossval_run
    from riskmodel.training._split import SplitRequest

    request = SplitRequest.from_options(test_from, test_periods)
    carried = [c.strip() for c in carry.split(",") if c.strip()]
    inputs, result, payload = crossval_run(
        out_dir, folds=folds, seed=seed, n_resamples=n_resamples, carry=carried, wrap=progress,
        request=request,
        notify=echo,
        **source,
    )  # fmt: skip
    configured, oof = result.configured, result.oof
    html = evaluation_report_html(
        result.metrics[configured] | ({"survival": result.survival} if result.survival else {}),
        oof["outcome"].to_numpy(),
        oof[f"p_{configured}"].to_numpy(),
        source=inputs.source,
        outcome=inputs.outcome,
        follow_up_months=inputs.follow_up_months,
        model_name=(
            f"{configured} (held out forward in time)"
            if request.temporal
            else f"{configured} (out of fold, {folds} folds, seed {seed})"
        ),
        n_excluded=len(inputs.table) - result.split["n_labelled"],
        design=(
            f"{result.split['sentence']} Families fitted by fold: "
            f"{', '.join(result.fitted_families)}."
        ),
        comparison=result.metrics,
        n_resamples=n_resamples,
    )
    write_text(html, out_dir / "report.html")
    echo(result.split["sentence"])
    for name, m in result.metrics.items():
        echo(f"{name}: {metrics_line(m)}")
    if result.survival is not None:
        echo(f"note: {result.survival['note']}")
    if request.temporal:
        echo(f"held out: {len(oof):,} rows; wrote {out_dir}/metrics.json, oof.csv")
    else:
        echo(
            f"out of fold: {len(oof):,} people, {folds} folds; wrote {out_dir}/metrics.json, "
            "oof.csv"
        )
    if not no_mlflow:
        from riskmodel.tracking import log_crossval_run

        echo_mlflow_run(log_crossval_run(out_dir, payload))

"""``riskmodel train``: fit, calibrate, evaluate on a held-out part, write a model bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo, echo_mlflow_run, metrics_line


@click.command("train")
@option.inputs(bundle=False, with_horizon=True)
@option.out_dir(help="Model bundle directory to write.")
@click.option(
    "--test-fraction",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0.05, 0.5),
    help="Share of people held out for testing (the latest by index date when dates exist).",
)
@option.n_resamples()
@option.temporal_split()
@option.model_seed()
@option.refit
@click.option(
    "--register",
    default=None,
    help="Register the model in the MLflow registry under this name (alias 'champion').",
)
@option.no_mlflow
@option.force
def command(
    source: dict[str, Any],
    out_dir: Path,
    test_fraction: float,
    n_resamples: int,
    test_from: str | None,
    test_periods: str | None,
    seed: int | None,
    refit: bool,
    register: str | None,
    no_mlflow: bool,
    force: bool,
) -> None:
    """Fit and calibrate a model, evaluate it on held-out people, write a model bundle.

    The held-out people are the latest by index date when the data have dates (the honest
    test for a tool used on future cases), those from --test-from (event data) or of
    --test-periods (a --table with [table] period), otherwise a stratified random part
    (--seed). A person with several index events (or rows of one [table] person) is never on
    both sides. After the held-out evaluation the model is refitted, with the same choice of
    family and settings, on every labelled row and that refit is shipped (--no-refit ships
    the model fitted without the held-out part); the manifest and model card say which rows
    it saw. The bundle
    holds model.skops, manifest.json (with sha256, versions, feature spec, data summary,
    metrics, config, outcome and follow-up), MODEL_CARD.md (also as model_card.html),
    metrics.json and report.html.
    The run is logged to MLflow (MLFLOW_TRACKING_URI, default a local SQLite file) unless
    --no-mlflow. The command and the model card warn when the held-out set has fewer than
    100 people of either outcome, or its calibration slope's 95% interval excludes 1. A
    non-finite number (inf) in a numeric column of a --table stops with a message naming the
    column and rows.

    \b
    Example:
      riskmodel train --data data/synthetic --out models/default
      riskmodel train --table compas.csv --config training/compas.toml --out out/compas-model
      riskmodel train --data data/extract --test-from 2022-01-01 --seed 1 --out out/forward
    """
    option.protect_outputs({"--out": out_dir}, source=source, kind="bundle", force=force)
    from riskmodel._io import write_text
    from riskmodel.reports._evaluation_report import evaluation_report_html
    from riskmodel.reports._model_card import write_model_card_page
    from riskmodel.training import train_bundle
    from riskmodel.training._split import SplitRequest

    request = SplitRequest.from_options(test_from, test_periods)
    inputs, result, saved = train_bundle(
        out_dir,
        test_fraction=test_fraction,
        n_resamples=n_resamples,
        seed=seed,
        request=request,
        refit=refit,
        **source,
    )
    split = result.split
    html = evaluation_report_html(
        result.metrics,
        result.y_test,
        result.p_test,
        source=inputs.source,
        outcome=inputs.outcome,
        follow_up_months=inputs.follow_up_months,
        model_name=saved["model_id"],
        n_excluded=0,
        design=f"{split['sentence']} {result.shipped['sentence']}",
        n_resamples=n_resamples,
        fairness=result.group_summary,
    )
    write_text(html, out_dir / "report.html")
    write_model_card_page(out_dir, report="training report")
    echo(f"model {saved['model_id']} ({result.model.family_}, {result.model.calibration})")
    echo(split["sentence"])
    echo(
        f"held-out ({split['method']}, {split['n_test']:,} {split['unit']}): "
        f"{metrics_line(result.metrics)}"
    )
    if "survival" in result.metrics:
        echo(f"note: {result.metrics['survival']['note']}")
    echo(result.shipped["sentence"])
    for warning in result.warnings:
        echo(f"warning: {warning}")
    if not no_mlflow:
        from riskmodel.tracking import log_training_run

        echo_mlflow_run(log_training_run(out_dir, saved, result, inputs, register=register),
                        register)  # fmt: skip
    echo(f"bundle: {out_dir}")

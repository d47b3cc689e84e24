"""``riskmodel recalibrate``: refit a bundle's calibration on local outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo


@click.command("recalibrate")
@option.model(help="Model bundle to recalibrate.")
@option.inputs(bundle=True)
@option.out_dir(help="New bundle directory (records its parent).")
@option.n_resamples()
@option.force
def command(
    model_dir: Path, source: dict[str, Any], out_dir: Path, n_resamples: int, force: bool
) -> None:
    """Refit the calibration intercept and slope on local outcomes, keeping the model.

    A model trained on national data is usually miscalibrated locally (one London area ran
    at 33% against 25.6% nationally). The new bundle keeps the inner model, records its
    parent, and its report shows calibration before and after (measured on the same local
    people the recalibration was fitted on). A --table is read with the bundle's own [table]
    config unless --config is given (--config is optional). Warns, as `score` does, about
    drift and categories never seen in training, about people the model was trained on, and
    about fewer than 100 local people of either outcome.

    \b
    Example:
      riskmodel recalibrate --model models/default --data data/local --out models/local
    """
    option.protect_outputs(
        {"--out": out_dir}, source=source, dirs=(model_dir,), kind="bundle", force=force
    )
    from riskmodel._io import write_text
    from riskmodel.reports._evaluation_report import evaluation_report_html
    from riskmodel.reports._model_card import write_model_card_page
    from riskmodel.training import recalibrate_bundle

    run = recalibrate_bundle(model_dir, out_dir, n_resamples=n_resamples, **source)
    parent, fit, before, after = run.parent, run.fit, run.before, run.after
    intercept, slope = fit["recalibration_intercept"], fit["recalibration_slope"]
    new_id, n = run.saved["model_id"], len(run.p_after)
    html = evaluation_report_html(
        after,
        parent.y,
        run.p_after,
        source=parent.inputs.source,
        outcome=parent.outcome,
        follow_up_months=parent.bundle.manifest.get("follow_up_months"),
        model_name=f"{new_id} (recalibrated from {parent.bundle.model_id})",
        design=(
            f"Recalibrated on {n:,} local people: new log-odds = {intercept:.3f} + {slope:.3f} "
            "x old log-odds. Before and after are measured on the same people."
        ),
        comparison={"before": before, "after": after},
        n_resamples=n_resamples,
    )
    write_text(html, out_dir / "report.html")
    write_model_card_page(out_dir, report="recalibration report")
    echo(
        f"recalibrated {parent.bundle.model_id} -> {new_id}: intercept {intercept:.3f}, "
        f"slope {slope:.3f}"
    )
    echo(
        f"observed/expected {before['observed_expected']:.3f} -> {after['observed_expected']:.3f};"
        f" ECE {before['ece']:.4f} -> {after['ece']:.4f}"
    )
    for warning in run.warnings:
        echo(f"warning: {warning}")
    echo(f"bundle: {out_dir}")

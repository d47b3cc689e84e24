"""``riskmodel evaluate``: discrimination and calibration of a bundle on labelled data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo, metrics_line


@click.command("evaluate")
@option.model()
@option.inputs(bundle=True, with_horizon=True)
@option.out_dir("metrics.json", "report.html")
@option.n_resamples()
@option.seed("the bootstrap")
@option.force
def command(
    model_dir: Path,
    source: dict[str, Any],
    out_dir: Path,
    n_resamples: int,
    seed: int,
    force: bool,
) -> None:
    """Evaluate a model bundle on labelled data: AUC, Brier, log loss, ECE, calibration
    slope and intercept, observed/expected, each with a 95% bootstrap interval, also by index
    disposal and index offence group where the data have them.

    A --table is read with the bundle's own [table] config unless --config is given.
    Writes metrics.json and report.html. Warns, as `score` does, when the people no longer
    look like the training population (drift, categories never seen in training), and when
    some of them are people the model was trained on (the bundle keeps salted hashes of
    their ids).

    \b
    Example:
      riskmodel evaluate --model models/default --data data/local --out out/evaluation
    """
    option.protect_outputs(
        {"--out": out_dir}, source=source, dirs=(model_dir,), kind="evaluate", force=force
    )
    from riskmodel.reports._evaluation_report import write_evaluation
    from riskmodel.training import bundle_data
    from riskmodel.training._inputs import sample_weights, survival_summary

    data = bundle_data(model_dir, **source)
    model_id, manifest = data.bundle.model_id, data.bundle.manifest
    survival = survival_summary(data.inputs)
    metrics = write_evaluation(
        out_dir,
        data.y,
        data.p,
        groups=data.table.groups,
        n_resamples=n_resamples,
        seed=seed,
        extra={
            "model_id": model_id,
            "outcome": manifest.get("outcome"),
            "drift": data.review.get("drift"),
            "trained_on": data.review.get("trained_on"),
            "warnings": data.warnings,
            **({"survival": survival} if survival else {}),
        },
        sample_weight=sample_weights(data.table),
        times=data.table.survival,
        horizon_months=manifest.get("follow_up_months") or data.inputs.follow_up_months,
        source=data.inputs.source,
        outcome=data.outcome,
        follow_up_months=manifest.get("follow_up_months"),
        model_name=model_id,
        n_excluded=data.n_excluded,
    )
    echo(f"{model_id} on {len(data.p):,} people: {metrics_line(metrics)}")
    if survival:
        echo(f"note: {survival['note']}")
    for warning in data.warnings:
        echo(f"warning: {warning}")
    for note in metrics.get("notes", []):
        echo(f"note: {note}")
    echo(f"wrote {out_dir}/metrics.json and report.html")

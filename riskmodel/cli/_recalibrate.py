"""``riskmodel recalibrate``: refit a bundle's calibration on local outcomes."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel.cli._crossval import input_options
from riskmodel.cli._progress import echo


@click.command("recalibrate")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Model bundle to recalibrate.",
)
@input_options
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="New bundle directory (records its parent).",
)
@click.option("--n-resamples", default=1000, show_default=True, type=click.IntRange(10, 100_000))
def command(
    model_dir: Path,
    table_path: Path | None,
    data_dir: Path | None,
    config_path: Path | None,
    extract_date: str | None,
    out_dir: Path,
    n_resamples: int,
) -> None:
    """Refit the calibration intercept and slope on local outcomes, keeping the model.

    A model trained on national data is usually miscalibrated locally (one London area ran
    at 33% against 25.6% nationally). The new bundle keeps the inner model, records its
    parent, and its report shows calibration before and after (measured on the same local
    people the recalibration was fitted on).

    \b
    Example:
      riskmodel recalibrate --model models/default --data data/local --out models/local
    """
    from riskmodel._io import to_jsonable, write_json, write_text
    from riskmodel.bundle import load_bundle, save_bundle
    from riskmodel.evaluation import evaluate_predictions
    from riskmodel.reports._evaluation_report import evaluation_report_html
    from riskmodel.training._card import model_card_markdown
    from riskmodel.training._inputs import inputs_for_bundle, labelled_arrays
    from riskmodel.training._recalibrate import recalibrate_model
    from riskmodel.training._train import group_summary

    parent = load_bundle(model_dir)
    inputs = inputs_for_bundle(
        parent.manifest,
        table_path=table_path,
        data_dir=data_dir,
        config_path=config_path,
        extract_date=extract_date,
    )
    table, y, _ = labelled_arrays(inputs)
    new_model, fit = recalibrate_model(parent.model, table.X, y)
    p_before = parent.model.predict_proba(table.X)[:, 1]
    p_after = new_model.predict_proba(table.X)[:, 1]
    before = evaluate_predictions(y_true=y, y_prob=p_before, n_resamples=n_resamples)
    after = evaluate_predictions(y_true=y, y_prob=p_after, n_resamples=n_resamples)
    manifest = dict(parent.manifest)
    for key in ("model_id", "created_at", "versions", "model_sha256"):
        manifest.pop(key, None)
    manifest.update(
        {
            "parent": {
                "model_id": parent.model_id,
                "model_sha256": parent.manifest["model_sha256"],
                "path": str(model_dir),
            },
            "recalibration": {**fit, "data": inputs.describe()},
            "metrics_before_recalibration": before,
            "metrics": after,
            "model": new_model.describe(),
            "split": {
                "method": "recalibration data (in-sample: the same people as the fit)",
                "n_train": len(y),
                "n_test": len(y),
            },
            "group_summary": group_summary(y, p_after, table.groups),
        }
    )
    manifest = to_jsonable(manifest)
    full = save_bundle(
        out_dir,
        new_model,
        manifest=manifest,
        card=model_card_markdown(manifest),
        family=new_model.family_,
    )
    write_json({"before": before, "after": after, **fit}, out_dir / "metrics.json")
    html = evaluation_report_html(
        after,
        y,
        p_after,
        source=inputs.source,
        outcome=parent.manifest.get("outcome") or inputs.outcome,
        follow_up_months=parent.manifest.get("follow_up_months"),
        model_name=f"{full['model_id']} (recalibrated from {parent.model_id})",
        design=(
            f"Recalibrated on {len(y):,} local people: new log-odds = "
            f"{fit['recalibration_intercept']:.3f} + {fit['recalibration_slope']:.3f} x old "
            "log-odds. Before and after are measured on the same people."
        ),
        comparison={"before": before, "after": after},
        n_resamples=n_resamples,
    )
    write_text(html, out_dir / "report.html")
    echo(
        f"recalibrated {parent.model_id} -> {full['model_id']}: intercept "
        f"{fit['recalibration_intercept']:.3f}, slope {fit['recalibration_slope']:.3f}"
    )
    echo(
        f"observed/expected {before['observed_expected']:.3f} -> {after['observed_expected']:.3f};"
        f" ECE {before['ece']:.4f} -> {after['ece']:.4f}"
    )
    echo(f"bundle: {out_dir}")

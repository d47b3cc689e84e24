"""``riskmodel train``: fit, calibrate, evaluate on a held-out part, write a model bundle."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel.cli._crossval import input_options
from riskmodel.cli._progress import echo


@click.command("train")
@input_options
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Model bundle directory to write.",
)
@click.option(
    "--test-fraction",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0.05, 0.5),
    help="Share of people held out for testing (the latest by index date when dates exist).",
)
@click.option("--n-resamples", default=1000, show_default=True, type=click.IntRange(10, 100_000))
@click.option(
    "--register",
    default=None,
    help="Register the model in the MLflow registry under this name (alias 'champion').",
)
@click.option("--no-mlflow", is_flag=True, help="Do not log the run to MLflow.")
def command(
    table_path: Path | None,
    data_dir: Path | None,
    config_path: Path | None,
    extract_date: str | None,
    out_dir: Path,
    test_fraction: float,
    n_resamples: int,
    register: str | None,
    no_mlflow: bool,
) -> None:
    """Fit and calibrate a model, evaluate it on held-out people, write a model bundle.

    The held-out people are the latest by index date when the data have dates (the honest
    test for a tool used on future cases), otherwise a stratified random part. The bundle
    holds model.joblib, manifest.json (with sha256, versions, feature spec, data summary,
    metrics, config, outcome and follow-up), MODEL_CARD.md, metrics.json and report.html.
    The run is logged to MLflow (MLFLOW_TRACKING_URI, default a local SQLite file) unless
    --no-mlflow.

    \b
    Example:
      riskmodel train --data data/synthetic --out models/default
      riskmodel train --table compas.csv --config training/compas.toml --out out/compas-model
    """
    from riskmodel._io import to_jsonable, write_json, write_text
    from riskmodel.bundle import save_bundle
    from riskmodel.reports._evaluation_report import evaluation_report_html
    from riskmodel.training import bundle_manifest, load_inputs, model_card_markdown, train_model

    inputs = load_inputs(
        table_path=table_path,
        data_dir=data_dir,
        config_path=config_path,
        extract_date=extract_date,
    )
    result = train_model(inputs, test_fraction=test_fraction, n_resamples=n_resamples)
    manifest = to_jsonable(bundle_manifest(inputs, result))
    full = save_bundle(
        out_dir,
        result.model,
        manifest=manifest,
        card=model_card_markdown(manifest),
        family=result.model.family_,
    )
    write_json(result.metrics, out_dir / "metrics.json")
    html = evaluation_report_html(
        result.metrics,
        result.y_test,
        result.p_test,
        source=inputs.source,
        outcome=inputs.outcome,
        follow_up_months=inputs.follow_up_months,
        model_name=full["model_id"],
        n_excluded=0,
        design=f"Held-out test: {result.split['method']}; {result.split['n_train']:,} people "
        f"to train, {result.split['n_test']:,} to test.",
        n_resamples=n_resamples,
        fairness=result.group_summary,
    )
    write_text(html, out_dir / "report.html")
    m = result.metrics
    echo(f"model {full['model_id']} ({result.model.family_}, {result.model.calibration})")
    echo(
        f"held-out ({result.split['method']}, {result.split['n_test']:,} people): "
        f"AUC {m['auc']:.3f} [{m['auc_ci'][0]:.3f}, {m['auc_ci'][1]:.3f}]  "
        f"Brier {m['brier']:.4f}  ECE {m['ece']:.4f}  O/E {m['observed_expected']:.3f}"
    )
    if not no_mlflow:
        from riskmodel.tracking import DEFAULT_ALIAS, log_training_run, tracking_uri

        run = log_training_run(out_dir, full, result, inputs, register=register)
        echo(f"MLflow run {run} ({tracking_uri()})")
        if register:
            uri = f"models:/{register}@{DEFAULT_ALIAS}"
            echo(f"registered as {register}, alias {DEFAULT_ALIAS}: {uri}")
    echo(f"bundle: {out_dir}")

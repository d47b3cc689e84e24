"""``riskmodel crossval``: out-of-fold evaluation of the configured model and the baselines."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel._io import write_json, write_table, write_text
from riskmodel.cli._progress import echo, progress
from riskmodel.training._crossval import cross_validate
from riskmodel.training._inputs import load_inputs


def input_options(function):
    """``--table``, ``--data``, ``--config`` and ``--extract-date``, shared by the modelling
    commands."""
    options = [
        click.option(
            "--table",
            "table_path",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Flat person-level table (CSV or Parquet) described by --config's [table].",
        ),
        click.option(
            "--data",
            "data_dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Directory with people.*, offences.*, needs.* (the event tables).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="TOML config ([table], [model]); required with --table.",
        ),
        click.option(
            "--extract-date",
            default=None,
            help="The data's extract date (YYYY-MM-DD); default: metadata.json's.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command("crossval")
@input_options
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 50))
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the folds.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--carry",
    default="",
    help="Comma-separated group columns to copy into oof.csv (e.g. for fairness reports).",
)
@click.option("--no-mlflow", is_flag=True, help="Do not log the run to MLflow.")
@click.option(
    "--n-resamples",
    default=1000,
    show_default=True,
    type=click.IntRange(10, 100_000),
    help="Bootstrap resamples of every interval.",
)
def command(
    table_path: Path | None,
    data_dir: Path | None,
    config_path: Path | None,
    extract_date: str | None,
    folds: int,
    seed: int,
    out_dir: Path,
    carry: str,
    n_resamples: int,
    no_mlflow: bool,
) -> None:
    """Out-of-fold evaluation of the configured model and the baselines on the same folds.

    The run is logged to MLflow (MLFLOW_TRACKING_URI, default sqlite:///mlruns.db) unless
    --no-mlflow. The configured model (the recommended default when the config has no [model]) is
    refitted in each training fold, choosing anything it chooses by inner cross-validation
    there. Baselines: the base rate, and OGRS3 when the data allow (event tables).
    Writes metrics.json ({"configured", "models": {name: metrics}}), oof.csv and report.html.

    \b
    Example:
      riskmodel crossval --table compas-scores-two-years.csv \\
          --config training/compas.toml --folds 5 --seed 0 --out out/compas-cv
      riskmodel crossval --data data/synthetic --folds 5 --seed 0 --out out/cv
    """
    from riskmodel.reports._evaluation_report import evaluation_report_html

    inputs = load_inputs(
        table_path=table_path,
        data_dir=data_dir,
        config_path=config_path,
        extract_date=extract_date,
    )
    carried = [c.strip() for c in carry.split(",") if c.strip()]
    if inputs.kind == "table" and inputs.config.table is not None and not carried:
        carried = list(inputs.config.table.groups)
    result = cross_validate(
        inputs, folds=folds, seed=seed, n_resamples=n_resamples, carry=carried, wrap=progress
    )
    payload = result.to_dict()
    payload["seed"] = seed
    payload["outcome"] = inputs.outcome
    payload["follow_up_months"] = inputs.follow_up_months
    payload["data"] = inputs.describe()
    configured = result.configured
    oof = result.oof
    html = evaluation_report_html(
        result.metrics[configured] | {},
        oof["outcome"].to_numpy(),
        oof[f"p_{configured}"].to_numpy(),
        source=inputs.source,
        outcome=inputs.outcome,
        follow_up_months=inputs.follow_up_months,
        model_name=f"{configured} (out of fold, {folds} folds, seed {seed})",
        n_excluded=len(inputs.table) - len(oof),
        design=(
            f"Out-of-fold predictions: each person is scored by a model fitted on the other "
            f"{folds - 1} folds. Families fitted by fold: {', '.join(result.fitted_families)}."
        ),
        comparison=result.metrics,
        n_resamples=n_resamples,
    )
    write_table(oof, out_dir / "oof.csv")
    write_json(payload, out_dir / "metrics.json")
    write_text(html, out_dir / "report.html")
    for name, m in result.metrics.items():
        echo(
            f"{name}: AUC {m['auc']:.3f} [{m['auc_ci'][0]:.3f}, {m['auc_ci'][1]:.3f}]"
            f"  Brier {m['brier']:.4f}  ECE {m['ece']:.4f}  O/E {m['observed_expected']:.3f}"
        )
    echo(f"out of fold: {len(oof):,} people, {folds} folds; wrote {out_dir}/metrics.json, oof.csv")
    if not no_mlflow:
        from riskmodel.tracking import log_crossval_run, tracking_uri

        run_id = log_crossval_run(out_dir, payload)
        echo(f"MLflow run {run_id} ({tracking_uri()})")

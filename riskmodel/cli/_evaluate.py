"""``riskmodel evaluate``: discrimination and calibration of a bundle on labelled data."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel.cli._crossval import input_options
from riskmodel.cli._progress import echo


@click.command("evaluate")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Model bundle directory (from riskmodel train).",
)
@input_options
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--n-resamples", default=1000, show_default=True, type=click.IntRange(10, 100_000))
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the bootstrap.")
def command(
    model_dir: Path,
    table_path: Path | None,
    data_dir: Path | None,
    config_path: Path | None,
    extract_date: str | None,
    out_dir: Path,
    n_resamples: int,
    seed: int,
) -> None:
    """Evaluate a model bundle on labelled data: AUC, Brier, log loss, ECE, calibration
    slope and intercept, observed/expected, each with a 95% bootstrap interval, also by index
    disposal and index offence group where the data have them.

    A --table is read with the bundle's own [table] config unless --config is given.
    Writes metrics.json and report.html.

    \b
    Example:
      riskmodel evaluate --model models/default --data data/local --out out/evaluation
    """
    from riskmodel.bundle import load_bundle
    from riskmodel.reports._evaluation_report import write_evaluation
    from riskmodel.training._inputs import inputs_for_bundle, labelled_arrays

    bundle = load_bundle(model_dir)
    inputs = inputs_for_bundle(
        bundle.manifest,
        table_path=table_path,
        data_dir=data_dir,
        config_path=config_path,
        extract_date=extract_date,
    )
    table, y, _ = labelled_arrays(inputs)
    p = bundle.model.predict_proba(table.X)[:, 1]
    metrics = write_evaluation(
        out_dir,
        y,
        p,
        groups=table.groups,
        n_resamples=n_resamples,
        seed=seed,
        extra={"model_id": bundle.model_id, "outcome": bundle.manifest.get("outcome")},
        source=inputs.source,
        outcome=bundle.manifest.get("outcome") or inputs.outcome,
        follow_up_months=bundle.manifest.get("follow_up_months"),
        model_name=bundle.model_id,
        n_excluded=len(inputs.table) - len(table),
    )
    echo(
        f"{bundle.model_id} on {len(y):,} people: AUC {metrics['auc']:.3f} "
        f"[{metrics['auc_ci'][0]:.3f}, {metrics['auc_ci'][1]:.3f}]  Brier {metrics['brier']:.4f}"
        f"  ECE {metrics['ece']:.4f}  O/E {metrics['observed_expected']:.3f}"
    )
    echo(f"wrote {out_dir}/metrics.json and report.html")

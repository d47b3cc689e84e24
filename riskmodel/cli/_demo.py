"""``riskmodel demo``: the whole job on a synthetic population."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel.cli import _options as option


@click.command("demo")
@option.out_dir(help="Directory for every report and the landing page index.html.")
@click.option("--n-people", type=click.IntRange(min=1000), default=10_000, show_default=True,
              help="People in the synthetic training population.")  # fmt: skip
@click.option("--n-batch", type=click.IntRange(min=100), default=3_000, show_default=True,
              help="People in the synthetic caseload scored as a batch.")  # fmt: skip
@option.seed("the population", default=7)
@option.force
def command(out_dir: Path, n_people: int, n_batch: int, seed: int, force: bool) -> None:
    """Run the whole job on a synthetic population and link every report from index.html.

    Generates and validates a population, builds point-in-time features and labels, scores
    OGRS3, trains and evaluates the default model against the alternatives, explains it,
    audits its fairness, scores a batch with rejects, chooses an allocation threshold for a
    capacity of 10%, evaluates a simulated programme cohort against the model's expectation
    and a simulated programme against a matched comparison group. Runs are logged to MLflow
    (MLFLOW_TRACKING_URI, default a SQLite file in OUT).

    \b
    Example:
      riskmodel demo --out out/demo
    """
    from riskmodel.cli._demo_steps import run_demo  # the whole package: not for --help

    option.protect_outputs({"--out": out_dir}, kind="demo", force=force)
    run_demo(out_dir, n_people=n_people, n_batch=n_batch, seed=seed, echo=click.echo)

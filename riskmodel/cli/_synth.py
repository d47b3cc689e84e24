"""``riskmodel synth``: a synthetic population with known truth."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel.cli import _options as option
from riskmodel.synthetic import generate_population, write_population
from riskmodel.synthetic._summary import summary_lines


@click.command("synth")
@click.option("--n-people", type=int, required=True, help="Number of people to draw.")
@option.seed(default=None, help="Random seed (same seed, same files).")
@option.out_dir(
    help="Directory to write people.csv, offences.csv, needs.csv, truth.csv, metadata.json."
)
@option.extract_date(
    "The data's extract date (YYYY-MM-DD); index dates fall in the 8 years before it.",
    default="2026-06-30",
)
@click.option(
    "--ethnicity-bias",
    type=float,
    default=0.0,
    show_default=True,
    help="Measurement bias for fairness studies: offences of people recorded as black or "
    "mixed are recorded and proven (1 + B) times as often. 0: ethnicity is uninformative.",
)
@option.force
def command(
    n_people: int, seed: int, out_dir: Path, extract_date: str, ethnicity_bias: float, force: bool
) -> None:
    """Draw a synthetic probation caseload with known two-year reoffending probabilities.

    Writes the data contract's tables (people, offences, needs), truth.csv with each
    person's exact probability of two-year proven reoffending given their record on the
    index date, and metadata.json (extract_date, seed). The generating process is described
    in the documentation of riskmodel.synthetic and docs/synthetic.md.

    \b
    Example:
      riskmodel synth --n-people 5000 --seed 1 --out data/synthetic
      riskmodel synth --n-people 50000 --seed 7 --out data/biased --ethnicity-bias 0.5
    """
    option.protect_outputs({"--out": out_dir}, kind="synthetic", force=force)
    population = generate_population(
        n_people, seed=seed, extract_date=extract_date, ethnicity_bias=ethnicity_bias
    )
    out = write_population(population, out_dir)
    for line in summary_lines(population, out):
        click.echo(line)

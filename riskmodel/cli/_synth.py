"""``riskmodel synth``: a synthetic population with known truth."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS, WAITING_MONTHS
from riskmodel.synthetic import SyntheticPopulation, generate_population, write_population


def _observed_labels(population: SyntheticPopulation) -> tuple[np.ndarray, np.ndarray]:
    """(labelled, reoffended) per person by DATA_CONTRACT.md's label rule (boolean arrays)."""
    people, offences = population.people, population.offences
    extract = pd.Timestamp(population.metadata["extract_date"])
    index = pd.to_datetime(people["index_date"])
    proof_end = index + pd.DateOffset(months=FOLLOW_UP_MONTHS + WAITING_MONTHS)
    labelled = (proof_end <= extract).to_numpy()
    code = pd.Index(people["person_id"]).get_indexer(offences["person_id"])
    offence = pd.to_datetime(offences["offence_date"]).to_numpy()
    sanction = pd.to_datetime(offences["sanction_date"]).to_numpy()
    follow_end = (index + pd.DateOffset(months=FOLLOW_UP_MONTHS)).to_numpy()
    counts = (
        (offences["offence_group"].to_numpy() != "breach")
        & (offence > index.to_numpy()[code])
        & (offence <= follow_end[code])
        & (sanction <= proof_end.to_numpy()[code])
    )
    return labelled, np.bincount(code[counts], minlength=len(people)) > 0


def summary_lines(population: SyntheticPopulation, out: Path) -> list[str]:
    """The run summary printed by ``riskmodel synth``."""
    meta = population.metadata
    n = meta["n_people"]
    assessed = population.needs["person_id"].nunique()
    labelled, reoffended = _observed_labels(population)
    n_labelled = int(labelled.sum())
    truth = population.truth["true_probability_2y"].to_numpy()
    lines = [
        f"people: {n:,} (seed {meta['seed']}, extract date {meta['extract_date']})",
        f"offences: {len(population.offences):,} rows",
        f"needs assessments: {len(population.needs):,}"
        f" ({(n - assessed) / n:.1%} of people never assessed)",
        f"labelled people: {n_labelled:,} ({n - n_labelled:,} censored)",
    ]
    if n_labelled:
        lines.append(
            f"among them: observed two-year proven reoffending {reoffended[labelled].mean():.1%},"
            f" mean true_probability_2y {truth[labelled].mean():.1%}"
        )
    if meta["ethnicity_bias"] > 0:
        lines.append(
            f"ethnicity bias {meta['ethnicity_bias']:g}: offences of "
            f"{', '.join(meta['biased_ethnicities'])} people recorded more often"
        )
    lines.append(f"wrote: {out}")
    return lines


@click.command("synth")
@click.option("--n-people", type=int, required=True, help="Number of people to draw.")
@click.option("--seed", type=int, required=True, help="Random seed (same seed, same files).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory to write people.csv, offences.csv, needs.csv, truth.csv, metadata.json.",
)
@click.option(
    "--extract-date",
    default="2026-06-30",
    show_default=True,
    help="The data's extract date (YYYY-MM-DD); index dates fall in the 8 years before it.",
)
@click.option(
    "--ethnicity-bias",
    type=float,
    default=0.0,
    show_default=True,
    help="Measurement bias for fairness studies: offences of people recorded as black or "
    "mixed are recorded and proven (1 + B) times as often. 0: ethnicity is uninformative.",
)
def command(
    n_people: int, seed: int, out_dir: Path, extract_date: str, ethnicity_bias: float
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
    population = generate_population(
        n_people, seed=seed, extract_date=extract_date, ethnicity_bias=ethnicity_bias
    )
    out = write_population(population, out_dir)
    for line in summary_lines(population, out):
        click.echo(line)

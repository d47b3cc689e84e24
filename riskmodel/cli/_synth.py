"""``riskmodel synth``: a synthetic population with known truth."""

from __future__ import annotations

from pathlib import Path

import click

from riskmodel.cli import _options as option


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
@click.option(
    "--programme-effect",
    type=click.FloatRange(0, 1),
    default=None,
    help="Add a programme that selects people on risk and needs and stops all proven "
    "reoffending of this share of its participants: adds a programme column (0/1) to "
    "people.csv and writes programme.csv (participants, truth with and without it).",
)
@click.option(
    "--programme-share",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.1,
    show_default=True,
    help="Expected share of people the programme selects (with --programme-effect).",
)
@option.force
def command(
    n_people: int,
    seed: int,
    out_dir: Path,
    extract_date: str,
    ethnicity_bias: float,
    programme_effect: float | None,
    programme_share: float,
    force: bool,
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
      riskmodel synth --n-people 20000 --seed 3 --out data/programme --programme-effect 0.2
    """
    # the generator brings the model libraries with it: loaded for the work, not for --help
    from riskmodel.synthetic import (
        generate_population,
        with_programme,
        write_csv,
        write_population,
    )
    from riskmodel.synthetic._summary import summary_lines

    option.protect_outputs({"--out": out_dir}, kind="synthetic", force=force)
    population = generate_population(
        n_people, seed=seed, extract_date=extract_date, ethnicity_bias=ethnicity_bias
    )
    programme = None
    if programme_effect is not None:
        population, programme = with_programme(
            population, effect=programme_effect, seed=seed, share=programme_share
        )
    out = write_population(population, out_dir)
    if programme is not None:
        write_csv(programme, out / "programme.csv")
    for line in summary_lines(population, out):
        click.echo(line)
    if programme is not None:
        click.echo(
            f"programme: {len(programme):,} participants selected on risk and needs, "
            f"{int(programme['prevented'].sum()):,} of them kept from reoffending (effect "
            f"{programme_effect:g}); truth in {out / 'programme.csv'}"
        )

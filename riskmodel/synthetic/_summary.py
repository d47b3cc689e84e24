"""What ``riskmodel synth`` says about the population it drew."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS, WAITING_MONTHS
from riskmodel.synthetic._generate import SyntheticPopulation


def observed_labels(population: SyntheticPopulation) -> tuple[np.ndarray, np.ndarray]:
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


def summary_lines(population: SyntheticPopulation, out: str | os.PathLike) -> list[str]:
    """The run summary of a population written to ``out``: sizes, censoring, observed and
    true reoffending among the labelled, and any measurement bias."""
    meta = population.metadata
    n = meta["n_people"]
    assessed = population.needs["person_id"].nunique()
    labelled, reoffended = observed_labels(population)
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

"""Reading a programme evaluation's people: participants, comparison pool, optional model."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError, DataError
from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS, WAITING_MONTHS
from riskmodel.features._messages import MISSING_EXTRACT_DATE
from riskmodel.programme._messages import (
    PARTICIPANT_COLUMN_MISSING,
    PARTICIPANT_COLUMN_VALUES,
    POOL_OVERLAP,
)
from riskmodel.programme._outcomes import reoffending_outcomes

__all__ = ["ProgrammeData", "participant_flags", "read_programme_data"]

_TRUE = {"1", "1.0", "true", "yes", "y"}
_FALSE = {"0", "0.0", "false", "no", "n"}


@dataclass
class ProgrammeData:
    """Everyone read, participants and pool together, aligned row by row."""

    ids: np.ndarray
    X: pd.DataFrame
    risk: np.ndarray | None
    outcomes: pd.DataFrame
    participant: np.ndarray
    not_found: list[str]
    sources: list[str]


def participant_flags(values: pd.Series, column: str) -> np.ndarray:
    """A people-table column read as taking part (1/true/yes) or not (0/false/no).

    Examples
    --------
    >>> participant_flags(pd.Series(["1", "no", "True", 0]), "p").tolist()
    [True, False, True, False]
    """
    text = values.astype("string").str.strip().str.lower().fillna("")
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        raise DataError(
            PARTICIPANT_COLUMN_VALUES.format(
                column=column, count=int(bad.sum()), value=str(values[bad].iloc[0])
            )
        )
    return text.isin(_TRUE).to_numpy()


def _read(
    directory: str | os.PathLike,
    *,
    extract_date: str | None,
    bundle: Any,
    horizon_months: int,
    proof_months: int,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray | None, pd.DataFrame]:
    """Validated people, features, predicted risk and outcomes of one data directory."""
    from riskmodel.bundle import DEFAULT_NEEDS_LOOKBACK_MONTHS, input_spec
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import build_feature_table

    data = validate_tables(read_tables(Path(directory)), extract_date=extract_date)
    extract = extract_date or data.extract_date
    if extract is None:
        raise ConfigError(MISSING_EXTRACT_DATE)
    lookback = (
        input_spec(bundle.manifest).needs_lookback_months
        if bundle is not None
        else DEFAULT_NEEDS_LOOKBACK_MONTHS
    )
    table = build_feature_table(data, needs_lookback_months=lookback)
    outcomes = reoffending_outcomes(
        data.people,
        data.offences,
        extract,
        horizon_months=horizon_months,
        proof_months=proof_months,
    )
    ids = table.ids.astype(str).to_numpy()
    outcomes = (
        outcomes.set_index(outcomes["person_id"].astype(str)).loc[ids].reset_index(drop=True)
    )
    risk = None if bundle is None else bundle.model.predict_proba(table.X)[:, 1]
    people = data.people.set_index(data.people["person_id"].astype(str)).loc[ids]
    return people.reset_index(drop=True), table.X.reset_index(drop=True), risk, outcomes


def read_programme_data(
    data_dir: str | os.PathLike,
    *,
    participants: Sequence[str] | None = None,
    participant_column: str | None = None,
    pool_dir: str | os.PathLike | None = None,
    model_dir: str | os.PathLike | None = None,
    extract_date: str | None = None,
    horizon_months: int = FOLLOW_UP_MONTHS,
    proof_months: int = WAITING_MONTHS,
) -> ProgrammeData:
    """Read the participants (ids, or a 0/1 column of ``data_dir``'s people table) and the
    comparison pool (``pool_dir``'s people, else everyone else in ``data_dir``), with their
    features, outcomes (:func:`reoffending_outcomes`) and, given a bundle, predicted risk.

    Participants named but absent from ``data_dir`` (or rejected by validation) are returned
    in ``not_found``; with ``pool_dir`` only the participants of ``data_dir`` are kept.

    Raises
    ------
    DataError
        A participant column that is missing or not 0/1, or pool people who are participants.
    """
    bundle = None
    if model_dir is not None:
        from riskmodel.bundle import load_bundle

        bundle = load_bundle(model_dir)
    read = dict(
        extract_date=extract_date,
        bundle=bundle,
        horizon_months=horizon_months,
        proof_months=proof_months,
    )
    people, X, risk, outcomes = _read(data_dir, **read)
    ids = people["person_id"].astype(str).to_numpy()
    not_found: list[str] = []
    if participant_column is not None:
        if participant_column not in people.columns:
            raise DataError(
                PARTICIPANT_COLUMN_MISSING.format(
                    column=participant_column, columns=", ".join(map(str, people.columns))
                )
            )
        taking_part = participant_flags(people[participant_column], participant_column)
    else:
        wanted = list(dict.fromkeys(str(p) for p in participants or ()))
        present = set(ids)
        not_found = [p for p in wanted if p not in present]
        taking_part = np.isin(ids, wanted)
    sources = [str(data_dir)]
    if pool_dir is None:
        return ProgrammeData(ids, X, risk, outcomes, taking_part, not_found, sources)
    p_people, p_X, p_risk, p_outcomes = _read(pool_dir, **read)
    p_ids = p_people["person_id"].astype(str).to_numpy()
    overlap = np.isin(p_ids, ids[taking_part]) | np.isin(p_ids, not_found)
    if overlap.any():
        raise DataError(POOL_OVERLAP.format(count=int(overlap.sum()), first=p_ids[overlap][0]))
    keep = taking_part
    return ProgrammeData(
        ids=np.concatenate([ids[keep], p_ids]),
        X=pd.concat([X[keep], p_X], ignore_index=True),
        risk=None if risk is None else np.concatenate([risk[keep], p_risk]),
        outcomes=pd.concat([outcomes[keep], p_outcomes], ignore_index=True),
        participant=np.r_[np.ones(int(keep.sum()), bool), np.zeros(len(p_ids), bool)],
        not_found=not_found,
        sources=[*sources, str(pool_dir)],
    )


def baseline_outcomes(
    baseline_dir: str | os.PathLike,
    *,
    model_dir: str | os.PathLike,
    extract_date: str | None = None,
    horizon_months: int = FOLLOW_UP_MONTHS,
    proof_months: int = WAITING_MONTHS,
) -> dict[str, np.ndarray]:
    """Outcomes and predicted risk of a baseline cohort's people with a known outcome, as
    :func:`riskmodel.programme.payment_by_results` takes them."""
    from riskmodel.bundle import load_bundle

    _, _, risk, outcomes = _read(
        baseline_dir,
        extract_date=extract_date,
        bundle=load_bundle(model_dir),
        horizon_months=horizon_months,
        proof_months=proof_months,
    )
    known = np.isfinite(outcomes["reoffended"].to_numpy(dtype=float))
    return {
        "reoffended": outcomes["reoffended"].to_numpy(dtype=float)[known],
        "reoffences": outcomes["reoffences"].to_numpy(dtype=float)[known],
        "risk": np.asarray(risk)[known],
    }

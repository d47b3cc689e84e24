"""Reading a programme evaluation's people: participants, comparison pool, optional model.

Participants come from a data directory (event tables) or a flat table (``--table`` with a
``[table]`` config); the comparison pool from a data directory, a flat table read with the
same ``[table]``, or everyone else in the participants' data. Pool and participants must have
the same features (by name and kind) and be followed up to one horizon.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError, DataError
from riskmodel._horizon import (
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_PROOF_MONTHS,
    bundle_horizon,
    label_horizon,
    refuse_with_table,
)
from riskmodel._tables import INDEX_ID
from riskmodel.config import Config, TableSpec, load_config
from riskmodel.features._messages import MISSING_EXTRACT_DATE
from riskmodel.programme._messages import (
    COUNT_COLUMN_MISSING,
    FEATURES_DIFFER,
    FEATURES_EXTRA,
    FEATURES_KIND,
    FEATURES_MISSING,
    PARTICIPANT_COLUMN_MISSING,
    PARTICIPANT_COLUMN_VALUES,
    POOL_OVERLAP,
    REASON_NO_LABEL,
    TABLE_COMPLETE_CASE,
    TABLE_HORIZON,
    TABLE_NEEDS_CONFIG,
    TABLE_OUTCOME,
)
from riskmodel.programme._outcomes import reoffending_outcomes, table_outcomes

__all__ = [
    "ProgrammeData",
    "check_same_features",
    "participant_flags",
    "programme_horizon",
    "read_programme_data",
]

_TRUE = {"1", "1.0", "true", "yes", "y"}
_FALSE = {"0", "0.0", "false", "no", "n"}
#: Columns named in a message about features, at most.
_SHOWN = 8


@dataclass
class ProgrammeData:
    """Everyone read, participants and pool together, aligned row by row.

    ``horizon_months`` and ``proof_months`` are the outcomes' (the proof period is None when
    every outcome comes from flat tables, whose proof rule is their own); ``unavailable``
    maps a measure of :data:`riskmodel.programme.MEASURES` that some table cannot give to the
    sentence saying so, and ``participants_unavailable`` those the participants' own data
    cannot give. ``pool_participant_rows``: rows of the participants' data left out of a
    pool of everyone else because their person is a participant (another index event of
    theirs, or another row of the same ``[table] person``).
    """

    ids: np.ndarray
    X: pd.DataFrame
    risk: np.ndarray | None
    outcomes: pd.DataFrame
    participant: np.ndarray
    not_found: list[str]
    sources: list[str]
    horizon_months: int = DEFAULT_HORIZON_MONTHS
    proof_months: int | None = DEFAULT_PROOF_MONTHS
    unavailable: dict[str, str] = field(default_factory=dict)
    participants_unavailable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    pool_participant_rows: int = 0


@dataclass
class _Source:
    """One data directory or flat table, read."""

    ids: np.ndarray
    X: pd.DataFrame
    risk: np.ndarray | None
    outcomes: pd.DataFrame
    columns: pd.DataFrame
    unavailable: dict[str, str]
    name: str
    persons: np.ndarray
    notes: list[str] = field(default_factory=list)


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


def _predict(bundle: Any, X: pd.DataFrame) -> np.ndarray | None:
    """The bundle's predicted risk of ``X`` (its columns in the order the model was fitted
    on), None without a bundle."""
    if bundle is None:
        return None
    names = getattr(bundle.model, "feature_names_in_", None)
    if names is not None and set(names) == set(X.columns):
        X = X[list(names)]
    return bundle.model.predict_proba(X)[:, 1]


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
    # rows line up by index event when a person may have several, else by person
    key = INDEX_ID if table.index_ids is not None else "person_id"
    ids = (table.index_ids if table.index_ids is not None else table.ids).astype(str).to_numpy()

    def by_row(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.set_index(frame[key].astype(str)).loc[ids].reset_index(drop=True)

    risk = _predict(bundle, table.X)
    people = by_row(data.people)
    return people, table.X.reset_index(drop=True), risk, by_row(outcomes)


def _read_directory(directory: str | os.PathLike, name: str, **read: Any) -> _Source:
    people, X, risk, outcomes = _read(directory, **read)
    return _Source(
        ids=people["person_id"].astype(str).to_numpy(),
        X=X,
        risk=risk,
        outcomes=outcomes,
        columns=people,
        unavailable={},
        name=name,
        persons=people["person_id"].astype(str).to_numpy(),
    )


def _read_table(
    path: str | os.PathLike,
    spec: TableSpec,
    name: str,
    *,
    bundle: Any,
    horizon_months: int,
    participant_column: str | None = None,
) -> _Source:
    """A flat table read by :mod:`riskmodel.flat_table` (the participant column and the
    ``[table] reoffences`` count column carried beside the features), with its outcomes."""
    from riskmodel.flat_table import build_flat_table, read_flat_table

    frame = read_flat_table(path)
    columns = ", ".join(map(str, frame.columns))
    if participant_column is not None and participant_column not in frame.columns:
        raise DataError(PARTICIPANT_COLUMN_MISSING.format(column=participant_column,
                                                          columns=columns))  # fmt: skip
    if spec.reoffences is not None and spec.reoffences not in frame.columns:
        raise DataError(
            COUNT_COLUMN_MISSING.format(source=path, column=spec.reoffences, columns=columns)
        )
    carry = [c for c in (participant_column, spec.reoffences) if c is not None]
    table = build_flat_table(frame, spec, labels=True, source=str(path), carry=carry)
    outcomes, unavailable = table_outcomes(
        table,
        horizon_months=horizon_months,
        counts=None if spec.reoffences is None else table.groups[spec.reoffences],
        source=name,
        count_column=spec.reoffences,
    )
    outcomes["outcome_unknown"] = REASON_NO_LABEL
    gives = []
    if spec.reoffences is not None:
        gives.append(f"reoffences counted by its column {spec.reoffences!r}")
    if spec.duration is not None:
        gives.append(f"the time to the first reoffence from {spec.duration!r} and {spec.event!r}")
    note = TABLE_OUTCOME.format(
        source=name[0].upper() + name[1:],
        months=horizon_months,
        outcome=spec.outcome,
        extra="; " + " and ".join(gives) if gives else "",
    )
    notes = [note]
    if spec.duration is not None:  # time to event: the censored have no label at the horizon
        known = np.isfinite(outcomes["reoffended"].to_numpy(dtype=float))
        notes.append(
            TABLE_COMPLETE_CASE.format(
                source=name[0].upper() + name[1:],
                months=horizon_months,
                followed=f"{int(known.sum()):,}",
                left_out=f"{int((~known).sum()):,}",
            )
        )
    return _Source(
        ids=table.ids.astype(str).to_numpy(),
        X=table.X.reset_index(drop=True),
        risk=_predict(bundle, table.X),
        outcomes=outcomes,
        columns=table.groups.reset_index(drop=True),
        unavailable=unavailable,
        name=name,
        persons=(table.persons if table.persons is not None else table.ids).astype(str).to_numpy(),
        notes=notes,
    )


def _kinds(X: pd.DataFrame) -> dict[str, str]:
    return {
        str(c): "numeric"
        if pd.api.types.is_bool_dtype(X[c].dtype) or pd.api.types.is_numeric_dtype(X[c].dtype)
        else "categorical"
        for c in X.columns
    }


def _listed(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:_SHOWN])
    return shown + (f" and {len(columns) - _SHOWN} more" if len(columns) > _SHOWN else "")


def check_same_features(
    participants: pd.DataFrame, pool: pd.DataFrame, *, names: tuple[str, str] = ("", "")
) -> pd.DataFrame:
    """``pool`` with the participants' feature columns in their order, or :class:`DataError`
    naming what differs (:data:`FEATURES_DIFFER`): columns missing from the pool, columns in
    the pool only, and columns numeric in one and categorical in the other.

    Examples
    --------
    >>> a = pd.DataFrame({"age": [30.0], "sex": ["f"]})
    >>> check_same_features(a, pd.DataFrame({"sex": ["m"], "age": [40.0]})).columns.tolist()
    ['age', 'sex']
    """
    ours, theirs = _kinds(participants), _kinds(pool)
    problems = []
    missing = [c for c in ours if c not in theirs]
    extra = [c for c in theirs if c not in ours]
    kind = [c for c in ours if c in theirs and ours[c] != theirs[c]]
    if missing:
        problems.append(FEATURES_MISSING.format(columns=_listed(missing)))
    if extra:
        problems.append(FEATURES_EXTRA.format(columns=_listed(extra)))
    if kind:
        problems.append(FEATURES_KIND.format(columns=_listed(kind)))
    if problems:
        raise DataError(
            FEATURES_DIFFER.format(
                pool=names[1], participants=names[0], problems="; ".join(problems)
            )
        )
    return pool[list(participants.columns)]


def programme_horizon(
    *,
    manifest: dict[str, Any] | None = None,
    horizon_months: int | None = None,
    proof_months: int | None = None,
    tables: Sequence[tuple[str, TableSpec]] = (),
    event_data: bool = True,
) -> tuple[int, int | None]:
    """The horizon and proof period of a programme's outcomes.

    With a model, the model's own (:func:`riskmodel._horizon.bundle_horizon`: an explicit
    option that differs is refused); otherwise the options, else a flat table's
    ``follow_up_months``, else 24 and 6 (:func:`riskmodel._horizon.label_horizon`). The
    options apply to event data only (:func:`riskmodel._horizon.refuse_with_table` when every
    source is a flat table), and every flat table (``tables``: where, ``[table]``) must be
    followed up to the horizon (:data:`TABLE_HORIZON`). The proof period is None when no
    outcome comes from event data.

    Examples
    --------
    >>> programme_horizon(horizon_months=12)
    (12, 6)
    >>> programme_horizon(tables=[("pool.csv", TableSpec(label="y", numeric=("a",),
    ...                                                   follow_up_months=12))])
    (12, 6)
    """
    table_horizons = [(s, spec.follow_up_months or DEFAULT_HORIZON_MONTHS) for s, spec in tables]
    if not event_data:
        refuse_with_table(horizon_months, proof_months)
    if manifest is not None:
        horizon, proof = bundle_horizon(
            manifest, horizon_months=horizon_months, proof_months=proof_months
        )
        why = "the model's own"
    elif horizon_months is None and table_horizons:
        horizon, proof = label_horizon(table_horizons[0][1], proof_months)
        why = f"the [table] follow_up_months of {table_horizons[0][0]}"
    else:
        horizon, proof = label_horizon(horizon_months, proof_months)
        why = "the default" if horizon_months is None else "--horizon-months"
    for source, months in table_horizons:
        if months != horizon:
            raise ConfigError(
                TABLE_HORIZON.format(source=source, table=months, horizon=horizon, why=why)
            )
    if not event_data:
        return horizon, None
    return horizon, DEFAULT_PROOF_MONTHS if proof is None else proof


def _table_spec(config: Config | str | os.PathLike | None, option: str) -> TableSpec:
    if config is not None and not isinstance(config, Config):
        config = load_config(config)
    if config is None or config.table is None:
        raise ConfigError(TABLE_NEEDS_CONFIG.format(option=option))
    return config.table


def read_programme_data(
    data_dir: str | os.PathLike | None = None,
    *,
    table_path: str | os.PathLike | None = None,
    participants: Sequence[str] | None = None,
    participant_column: str | None = None,
    pool_dir: str | os.PathLike | None = None,
    pool_table: str | os.PathLike | None = None,
    config: Config | str | os.PathLike | None = None,
    model_dir: str | os.PathLike | None = None,
    extract_date: str | None = None,
    horizon_months: int | None = None,
    proof_months: int | None = None,
) -> ProgrammeData:
    """Read the participants and the comparison pool with their features, outcomes at one
    horizon (:func:`programme_horizon`) and, given a bundle, predicted risk.

    The participants are ids, or a 0/1 column, of ``data_dir`` (a data directory; outcomes
    by :func:`reoffending_outcomes`) or of ``table_path`` (a flat table described by
    ``config``'s ``[table]``; outcomes by :func:`table_outcomes`). The comparison pool is
    ``pool_dir``'s people, or ``pool_table``'s rows (read with the same ``[table]``), else
    everyone else in the participants' data; its features must be the participants'
    (:func:`check_same_features`).

    Participants named but absent from their data (or rejected by validation) are returned
    in ``not_found``; with a separate pool only the participants of their data are kept.

    Raises
    ------
    DataError
        A participant column that is missing or not 0/1, pool people who are participants,
        or a pool whose features differ from the participants'.
    ConfigError
        A flat table without a ``[table]`` config, or horizons that disagree.
    """
    bundle = None
    if model_dir is not None:
        from riskmodel.bundle import load_bundle

        bundle = load_bundle(model_dir)
    tables = []
    if table_path is not None:
        tables.append((str(table_path), _table_spec(config, "--table")))
    if pool_table is not None:
        tables.append((str(pool_table), _table_spec(config, "--pool-table")))
    horizon, proof = programme_horizon(
        manifest=None if bundle is None else bundle.manifest,
        horizon_months=horizon_months,
        proof_months=proof_months,
        tables=tables,
        event_data=data_dir is not None or pool_dir is not None,
    )
    read = dict(
        extract_date=extract_date,
        bundle=bundle,
        horizon_months=horizon,
        proof_months=proof,
    )
    if table_path is not None:
        own = _read_table(
            table_path,
            tables[0][1],
            f"the participants' table ({table_path})",
            bundle=bundle,
            horizon_months=horizon,
            participant_column=participant_column,
        )
    else:
        assert data_dir is not None
        own = _read_directory(data_dir, str(data_dir), **read)
    ids = own.ids
    not_found: list[str] = []
    if participant_column is not None:
        if participant_column not in own.columns.columns:
            raise DataError(
                PARTICIPANT_COLUMN_MISSING.format(
                    column=participant_column, columns=", ".join(map(str, own.columns.columns))
                )
            )
        taking_part = participant_flags(own.columns[participant_column], participant_column)
    else:
        wanted = list(dict.fromkeys(str(p) for p in participants or ()))
        present = set(ids)
        not_found = [p for p in wanted if p not in present]
        taking_part = np.isin(ids, wanted)
    sources = [str(table_path if table_path is not None else data_dir)]
    common = dict(horizon_months=horizon, proof_months=proof,
                  participants_unavailable=dict(own.unavailable))  # fmt: skip
    if pool_dir is None and pool_table is None:
        # everyone else, but never a participant's other rows (index events or table rows)
        keep = taking_part | ~np.isin(own.persons, own.persons[taking_part])
        return ProgrammeData(ids[keep], own.X[keep].reset_index(drop=True),
                             None if own.risk is None else own.risk[keep],
                             own.outcomes[keep].reset_index(drop=True), taking_part[keep],
                             not_found, sources, unavailable=dict(own.unavailable),
                             notes=own.notes, pool_participant_rows=int((~keep).sum()),
                             **common)  # fmt: skip
    if pool_table is not None:
        pool = _read_table(
            pool_table,
            tables[-1][1],
            f"the comparison pool's table ({pool_table})",
            bundle=bundle,
            horizon_months=horizon,
        )
    else:
        assert pool_dir is not None
        pool = _read_directory(pool_dir, str(pool_dir), **read)
    pool_X = check_same_features(own.X, pool.X, names=(sources[0], str(pool_dir or pool_table)))
    p_ids = pool.ids
    if pool_table is not None and tables[-1][1].id is None:
        # rows without ids cannot be told apart from the participants': named by row
        p_ids = np.array([f"pool row {i}" for i in p_ids], dtype=object)
    # a pool table's rows are people of their own unless it names a [table] person
    p_persons = p_ids if pool_table is not None and tables[-1][1].person is None else pool.persons
    overlap = (
        np.isin(p_ids, ids[taking_part])
        | np.isin(p_ids, not_found)
        | np.isin(p_persons, own.persons[taking_part])
    )
    if overlap.any():
        raise DataError(POOL_OVERLAP.format(count=int(overlap.sum()), first=p_ids[overlap][0]))
    keep = taking_part
    risk = None if own.risk is None else np.concatenate([own.risk[keep], pool.risk])
    return ProgrammeData(
        ids=np.concatenate([ids[keep], p_ids]),
        X=pd.concat([own.X[keep], pool_X], ignore_index=True),
        risk=risk,
        outcomes=pd.concat([own.outcomes[keep], pool.outcomes], ignore_index=True),
        participant=np.r_[np.ones(int(keep.sum()), bool), np.zeros(len(p_ids), bool)],
        not_found=not_found,
        sources=[*sources, str(pool_dir if pool_dir is not None else pool_table)],
        unavailable={**pool.unavailable, **own.unavailable},
        notes=[*own.notes, *pool.notes],
        **common,
    )


def baseline_outcomes(
    baseline_dir: str | os.PathLike,
    *,
    model_dir: str | os.PathLike,
    extract_date: str | None = None,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    proof_months: int = DEFAULT_PROOF_MONTHS,
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

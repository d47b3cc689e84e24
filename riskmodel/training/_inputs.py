"""Loading what the modelling commands work on: ``--table`` + ``[table]`` or ``--data``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError
from riskmodel._horizon import (
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_PROOF_MONTHS,
    bundle_horizon,
    label_horizon,
    outcome_text,
    refuse_with_table,
)
from riskmodel.bundle import DEFAULT_NEEDS_LOOKBACK_MONTHS, input_spec
from riskmodel.config import Config, load_config
from riskmodel.features import CATEGORICAL_FEATURES, LABELLED, NUMERIC_FEATURES, FeatureTable
from riskmodel.features._messages import MISSING_EXTRACT_DATE
from riskmodel.scoring._messages import BOTH_INPUTS, NO_INPUT
from riskmodel.training._messages import NO_TABLE_SECTION

__all__ = [
    "ModelInputs",
    "configured_model",
    "feature_directions",
    "feature_lists",
    "load_inputs",
]


@dataclass
class ModelInputs:
    """A FeatureTable with what the commands need to know about where it came from.

    ``index_dates`` (aligned with the table's rows) is set for event data and lets
    ``riskmodel train`` split by time; ``outcome`` and ``follow_up_months`` describe the label,
    ``horizon_months`` and ``proof_months`` name it (a flat table's horizon is its
    ``follow_up_months``, 24 when it gives none; its proof period is not known: None).
    """

    table: FeatureTable
    config: Config
    source: str
    kind: str  # "table" or "data"
    outcome: str
    follow_up_months: int | None
    index_dates: pd.Series | None = None
    summary: dict[str, Any] | None = None
    horizon_months: int = DEFAULT_HORIZON_MONTHS
    proof_months: int | None = DEFAULT_PROOF_MONTHS

    @property
    def numeric(self) -> list[str]:
        return feature_lists(self)[0]

    @property
    def categorical(self) -> list[str]:
        return feature_lists(self)[1]

    def describe(self) -> dict[str, Any]:
        """Training-data summary for manifests and model cards."""
        table = self.table
        labelled = table.labelled() if table.label_status is not None else table
        out: dict[str, Any] = {
            "source": self.source,
            "kind": self.kind,
            "n_rows": len(table),
            "n_labelled": len(labelled),
            "n_unlabelled": len(table) - len(labelled),
            "outcome": self.outcome,
            "follow_up_months": self.follow_up_months,
        }
        if table.persons is not None:  # several rows (index events) per person
            out["n_persons"] = int(table.persons.nunique())
            out["n_persons_labelled"] = int(labelled.persons.nunique())
        if labelled.label is not None and len(labelled):
            out["base_rate"] = float(labelled.label.mean())
        if self.index_dates is not None and len(self.index_dates):
            out["index_date_min"] = str(pd.Timestamp(self.index_dates.min()).date())
            out["index_date_max"] = str(pd.Timestamp(self.index_dates.max()).date())
        if self.summary:
            out["validation"] = {
                k: v for k, v in self.summary.items() if isinstance(v, int | float | str)
            }
        return out


def feature_lists(inputs: ModelInputs) -> tuple[list[str], list[str]]:
    """Numeric and categorical feature columns of the inputs' ``X``.

    Flat tables: the ``[table]`` config's lists. Event data: the feature catalogue's lists
    (restricted to the columns present).
    """
    X = inputs.table.X
    if inputs.kind == "table" and inputs.config.table is not None:
        return list(inputs.config.table.numeric), list(inputs.config.table.categorical)
    numeric = [c for c in NUMERIC_FEATURES if c in X.columns]
    categorical = [c for c in CATEGORICAL_FEATURES if c in X.columns]
    known = set(numeric) | set(categorical)
    for column in X.columns:
        if column in known:
            continue
        if pd.api.types.is_numeric_dtype(X[column].dtype):
            numeric.append(column)
        else:
            categorical.append(column)
    return numeric, categorical


def feature_directions(inputs: ModelInputs) -> dict[str, int] | None:
    """The declared directions of the inputs' features: a flat table's ``[table]``
    ``increasing``/``decreasing``; None for event data (the model then takes the feature
    catalogue's, :data:`riskmodel.features.DIRECTIONS`)."""
    if inputs.kind == "table" and inputs.config.table is not None:
        return inputs.config.table.directions
    return None


def configured_model(inputs: ModelInputs) -> Any:
    """The unfitted model the inputs' ``[model]`` config asks for, over the inputs' numeric
    and categorical features with their declared directions (:func:`feature_lists`,
    :func:`feature_directions`)."""
    from riskmodel.models import make_model

    numeric, categorical = feature_lists(inputs)
    return make_model(
        inputs.config.model,
        numeric=numeric,
        categorical=categorical,
        directions=feature_directions(inputs),
    )


def load_inputs(
    *,
    table_path: str | os.PathLike | None,
    data_dir: str | os.PathLike | None,
    config_path: str | os.PathLike | None,
    extract_date: str | None = None,
    labels: bool = True,
    config: Config | None = None,
    needs_lookback_months: int | None = DEFAULT_NEEDS_LOOKBACK_MONTHS,
    carry: Sequence[str] = (),
    horizon_months: int | None = None,
    proof_months: int | None = None,
) -> ModelInputs:
    """Read ``--table`` (with its ``[table]`` config) or ``--data`` into a FeatureTable.

    ``carry`` names further columns of a ``--table`` to keep beside the groups (``crossval
    --carry``). ``horizon_months`` and ``proof_months`` (default 24 and 6) set the label of
    event data; a flat table takes its horizon from ``[table] follow_up_months``.

    Raises
    ------
    ConfigError
        Neither or both inputs, ``--table`` without a ``[table]`` config, labels wanted
        from event data without an extract date, or a horizon given with a flat table.
    """
    if table_path is None and data_dir is None:
        raise ConfigError(NO_INPUT)
    if table_path is not None and data_dir is not None:
        raise ConfigError(BOTH_INPUTS)
    if config is None or config_path is not None:
        config = load_config(config_path)
    if table_path is not None:
        from riskmodel.flat_table import load_flat_table

        refuse_with_table(horizon_months, proof_months)
        if config.table is None:
            raise ConfigError(NO_TABLE_SECTION)
        table = load_flat_table(table_path, config.table, labels=labels, carry=carry)
        return ModelInputs(
            table=table,
            config=config,
            source=str(table_path),
            kind="table",
            outcome=config.table.outcome,
            follow_up_months=config.table.follow_up_months,
            horizon_months=config.table.follow_up_months or DEFAULT_HORIZON_MONTHS,
            proof_months=None,
        )
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import build_feature_table

    horizon, proof = label_horizon(horizon_months, proof_months)
    data = validate_tables(read_tables(Path(str(data_dir))), extract_date=extract_date)
    if labels and getattr(data, "extract_date", None) is None:
        raise ConfigError(MISSING_EXTRACT_DATE)
    table = build_feature_table(
        data,
        labels=labels,
        needs_lookback_months=needs_lookback_months,
        horizon_months=horizon,
        proof_months=proof,
    )
    people = data.people.reset_index(drop=True)
    if labels:
        _attach_reoffence_times(table, people, data.offences, horizon, proof)
    dates = None
    if "index_date" in people.columns and len(people) == len(table):
        # the table's rows are the people's rows, in order (one per index event)
        dates = pd.Series(people["index_date"].to_numpy(), name="index_date")
    return ModelInputs(
        table=table,
        config=config,
        source=str(data_dir),
        kind="data",
        outcome=outcome_text(horizon, proof),
        follow_up_months=horizon,
        index_dates=dates,
        summary=getattr(data, "summary", None),
        horizon_months=horizon,
        proof_months=proof,
    )


def _attach_reoffence_times(
    table: FeatureTable, people: pd.DataFrame, offences: Any, horizon: int, proof: int
) -> None:
    """Give an event-data table each labelled person's time to reoffence (for the
    cumulative share reoffending by risk band); left out when ids do not match one to one."""
    from riskmodel.features._reoffence_time import time_to_reoffence

    ids = people["person_id"].astype(str)
    if ids.duplicated().any() or table.label_status is None:
        return
    times = time_to_reoffence(
        people, offences, follow_up_months=horizon, waiting_months=proof
    ).set_index(ids.to_numpy())
    aligned = times.reindex(table.ids.astype(str).to_numpy())
    if aligned["time_months"].isna().any():
        return
    labelled = (table.label_status == LABELLED).to_numpy()
    table.survival = pd.DataFrame(
        {
            "time_months": np.where(labelled, aligned["time_months"].to_numpy(), np.nan),
            "event": aligned["event"].to_numpy(dtype="int64"),
        }
    )


def inputs_for_bundle(
    manifest: dict[str, Any],
    *,
    table_path: str | os.PathLike | None,
    data_dir: str | os.PathLike | None,
    config_path: str | os.PathLike | None,
    extract_date: str | None = None,
    labels: bool = True,
    horizon_months: int | None = None,
    proof_months: int | None = None,
) -> ModelInputs:
    """Read ``--table`` or ``--data`` the way the bundle with ``manifest`` was trained to:
    its recorded config (``[table]`` and query) unless ``config_path`` gives another, its
    needs look-back (:func:`riskmodel.bundle.input_spec`, the rule scoring follows too) and,
    for event data, its horizon and proof period (:func:`riskmodel._horizon.bundle_horizon`:
    an explicit ``horizon_months`` or ``proof_months`` that differs is refused)."""
    spec = input_spec(manifest, config_path)
    if table_path is not None:
        refuse_with_table(horizon_months, proof_months)
    horizon, proof = bundle_horizon(
        manifest, horizon_months=horizon_months, proof_months=proof_months
    )
    event_data = table_path is None
    return load_inputs(
        table_path=table_path,
        data_dir=data_dir,
        config_path=None,
        extract_date=extract_date,
        labels=labels,
        config=spec.config,
        needs_lookback_months=spec.needs_lookback_months,
        horizon_months=horizon if event_data else None,
        proof_months=proof if event_data else None,
    )


def sample_weights(table: FeatureTable) -> np.ndarray | None:
    """The row weights of a table's (labelled) people: inverse probability of censoring
    weights for a time-to-event table (:mod:`riskmodel._survival`), None otherwise."""
    survival = table.survival
    if survival is None or "weight" not in survival.columns:
        return None
    return survival["weight"].to_numpy(dtype=float)


def survival_summary(inputs: ModelInputs) -> dict[str, Any] | None:
    """The unlabelled and the rates at the horizon of a time-to-event table (None for
    others): :func:`riskmodel._survival.survival_summary`, as read."""
    return inputs.table.meta.get("survival")


def labelled_arrays(inputs: ModelInputs) -> tuple[FeatureTable, np.ndarray, pd.Series | None]:
    """The labelled people, their 0/1 labels, and their index dates (when known)."""
    table = inputs.table
    mask = (
        (table.label_status == LABELLED).to_numpy()
        if table.label_status is not None
        else np.ones(len(table), dtype=bool)
    )
    labelled = table.subset(mask)
    dates = None
    if inputs.index_dates is not None:
        dates = inputs.index_dates[mask].reset_index(drop=True)
    return labelled, labelled.label.to_numpy().astype(int), dates

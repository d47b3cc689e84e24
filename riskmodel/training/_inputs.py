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
from riskmodel.bundle import DEFAULT_NEEDS_LOOKBACK_MONTHS, input_spec
from riskmodel.config import Config, load_config
from riskmodel.features import CATEGORICAL_FEATURES, LABELLED, NUMERIC_FEATURES, FeatureTable
from riskmodel.features._messages import MISSING_EXTRACT_DATE
from riskmodel.scoring._messages import BOTH_INPUTS, NO_INPUT
from riskmodel.training._messages import NO_TABLE_SECTION

__all__ = [
    "ModelInputs",
    "feature_directions",
    "feature_lists",
    "load_inputs",
]


@dataclass
class ModelInputs:
    """A FeatureTable with what the commands need to know about where it came from.

    ``index_dates`` (aligned with the table's rows) is set for event data and lets
    ``riskmodel train`` split by time; ``outcome`` and ``follow_up_months`` describe the label.
    """

    table: FeatureTable
    config: Config
    source: str
    kind: str  # "table" or "data"
    outcome: str
    follow_up_months: int | None
    index_dates: pd.Series | None = None
    summary: dict[str, Any] | None = None

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
) -> ModelInputs:
    """Read ``--table`` (with its ``[table]`` config) or ``--data`` into a FeatureTable.

    ``carry`` names further columns of a ``--table`` to keep beside the groups (``crossval
    --carry``).

    Raises
    ------
    ConfigError
        Neither or both inputs, ``--table`` without a ``[table]`` config, or labels wanted
        from event data without an extract date.
    """
    if table_path is None and data_dir is None:
        raise ConfigError(NO_INPUT)
    if table_path is not None and data_dir is not None:
        raise ConfigError(BOTH_INPUTS)
    if config is None or config_path is not None:
        config = load_config(config_path)
    if table_path is not None:
        from riskmodel.flat_table import load_flat_table

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
        )
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS
    from riskmodel.features import build_feature_table

    data = validate_tables(read_tables(Path(str(data_dir))), extract_date=extract_date)
    if labels and getattr(data, "extract_date", None) is None:
        raise ConfigError(MISSING_EXTRACT_DATE)
    table = build_feature_table(data, labels=labels, needs_lookback_months=needs_lookback_months)
    people = data.people.reset_index(drop=True)
    dates = None
    if "index_date" in people.columns and len(people) == len(table):
        # the table's rows are the people's rows, in order (one per index event)
        dates = pd.Series(people["index_date"].to_numpy(), name="index_date")
    return ModelInputs(
        table=table,
        config=config,
        source=str(data_dir),
        kind="data",
        outcome="proven reoffending within two years (Ministry of Justice definition)",
        follow_up_months=int(FOLLOW_UP_MONTHS),
        index_dates=dates,
        summary=getattr(data, "summary", None),
    )


def inputs_for_bundle(
    manifest: dict[str, Any],
    *,
    table_path: str | os.PathLike | None,
    data_dir: str | os.PathLike | None,
    config_path: str | os.PathLike | None,
    extract_date: str | None = None,
    labels: bool = True,
) -> ModelInputs:
    """Read ``--table`` or ``--data`` the way the bundle with ``manifest`` was trained to:
    its recorded config (``[table]`` and query) unless ``config_path`` gives another, and its
    needs look-back (:func:`riskmodel.bundle.input_spec`, the rule scoring follows too)."""
    spec = input_spec(manifest, config_path)
    return load_inputs(
        table_path=table_path,
        data_dir=data_dir,
        config_path=None,
        extract_date=extract_date,
        labels=labels,
        config=spec.config,
        needs_lookback_months=spec.needs_lookback_months,
    )


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

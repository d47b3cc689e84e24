"""The FeatureTable: the one pivot that training, scoring and every report share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._horizon import DEFAULT_HORIZON_MONTHS, outcome_column
from riskmodel.features._labels import LABELLED

#: Characteristics carried for fairness and cohort reports (never features unless also in X).
GROUP_COLUMNS: tuple[str, ...] = (
    "ethnicity",
    "sex",
    "age_band",
    "cohort",
    "index_disposal",
    "index_offence",
)


@dataclass
class FeatureTable:
    """Person-level features, labels and report characteristics, index-aligned.

    Attributes
    ----------
    X : DataFrame
        Model features (see :data:`riskmodel.features.FEATURES`); numeric and binary columns
        are float64, categorical columns strings. Never contains ethnicity.
    label : Series or None
        ``reoffended_2y`` (float64: 0, 1, NaN when censored; named after the horizon,
        ``meta["horizon_months"]``, default 24); None when built for scoring.
    label_status : Series or None
        ``labelled`` / ``censored``; None when built for scoring.
    groups : DataFrame
        ``ethnicity``, ``sex``, ``age_band``, ``cohort``, ``index_disposal``,
        ``index_offence``: what fairness and cohort reports compare.
    ids : Series
        ``person_id`` of each row.
    meta : dict
        Counts and settings of the build (people, censored, current sanctions taken from
        people, needs look-back, extract date, ...).
    survival : DataFrame or None
        Time to reoffence, when known: ``time_months`` (from the index date to the first
        reoffence, or to the end of follow-up), ``event`` (1 reoffended then, 0 censored then)
        and, for a time-to-event table, ``weight`` (inverse probability of staying
        uncensored; NaN for the unlabelled). See :mod:`riskmodel._survival`.
    """

    X: pd.DataFrame
    label: pd.Series | None
    label_status: pd.Series | None
    groups: pd.DataFrame
    ids: pd.Series
    meta: dict[str, Any] = field(default_factory=dict)
    survival: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        n = len(self.ids)
        parts = [("X", self.X), ("groups", self.groups), ("label", self.label)]
        parts.append(("label_status", self.label_status))
        parts.append(("survival", self.survival))
        for name, part in parts:
            if part is not None and len(part) != n:
                raise ValueError(f"FeatureTable.{name} has {len(part)} rows, ids has {n}")
        if "ethnicity" in self.X.columns:
            raise ValueError("ethnicity is never a model feature")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def feature_names(self) -> list[str]:
        """Column names of ``X``."""
        return list(self.X.columns)

    def subset(self, rows: np.ndarray | pd.Series | list[int]) -> FeatureTable:
        """Rows selected by a boolean mask or positions, with a fresh RangeIndex."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)

        def take(part: Any) -> Any:
            return None if part is None else part.iloc[rows].reset_index(drop=True)

        meta = dict(self.meta)
        meta["subset_of"] = self.meta.get("n_people", len(self))
        meta["n_people"] = len(rows)
        return FeatureTable(
            X=take(self.X),
            label=take(self.label),
            label_status=take(self.label_status),
            groups=take(self.groups),
            ids=take(self.ids),
            meta=meta,
            survival=take(self.survival),
        )

    def labelled(self) -> FeatureTable:
        """Only the people with a known outcome (censored people excluded), for training and
        evaluation. Raises ``ValueError`` when the table was built without labels."""
        if self.label_status is None:
            raise ValueError("this FeatureTable was built without labels")
        return self.subset((self.label_status == LABELLED).to_numpy())

    def to_frame(self, *, include_groups: bool = False) -> pd.DataFrame:
        """One row per person: ``person_id`` first, the features, then the label
        (``reoffended_2y``, or the column of its horizon) and ``label_status`` when labelled (and
        the group columns only when asked for).

        Examples
        --------
        >>> import pandas as pd
        >>> table = FeatureTable(X=pd.DataFrame({"age_at_index": [30.0]}), label=None,
        ...     label_status=None, groups=pd.DataFrame({"sex": ["male"]}),
        ...     ids=pd.Series(["a"], name="person_id"))
        >>> table.to_frame().columns.tolist()
        ['person_id', 'age_at_index']
        """
        parts = [
            self.ids.rename("person_id").reset_index(drop=True),
            self.X.reset_index(drop=True),
        ]
        if self.label is not None:
            name = outcome_column(self.meta.get("horizon_months") or DEFAULT_HORIZON_MONTHS)
            label = self.label.rename(name).reset_index(drop=True)
            parts.append(label.astype("Int64"))
        if self.label_status is not None:
            parts.append(self.label_status.rename("label_status").reset_index(drop=True))
        if include_groups:
            extra = [c for c in self.groups.columns if c not in self.X.columns]
            parts.append(self.groups[extra].reset_index(drop=True))
        return pd.concat(parts, axis=1)

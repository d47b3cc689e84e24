"""The FeatureTable: the one pivot that training, scoring and every report share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._horizon import DEFAULT_HORIZON_MONTHS, outcome_column
from riskmodel._tables import INDEX_ID, PERSON_ID
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
    index_ids : Series or None
        ``index_id`` of each row when a person may have several index events (event data
        whose people carry an ``index_id``); outputs then carry it next to ``person_id``.
    persons : Series or None
        Who each row is, when a person may have several rows (event data with ``index_id``:
        ``person_id``; a flat table's ``[table] person`` column): every split keeps a
        person's rows on one side. None: every row is a person of its own.
    periods : Series or None
        A flat table's ``[table] period`` of each row (as text), for a temporal split.
    """

    X: pd.DataFrame
    label: pd.Series | None
    label_status: pd.Series | None
    groups: pd.DataFrame
    ids: pd.Series
    meta: dict[str, Any] = field(default_factory=dict)
    survival: pd.DataFrame | None = None
    index_ids: pd.Series | None = None
    persons: pd.Series | None = None
    periods: pd.Series | None = None

    def __post_init__(self) -> None:
        n = len(self.ids)
        parts = [("X", self.X), ("groups", self.groups), ("label", self.label)]
        parts.append(("label_status", self.label_status))
        parts.append(("survival", self.survival))
        parts += [("index_ids", self.index_ids), ("persons", self.persons)]
        parts.append(("periods", self.periods))
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
            index_ids=take(self.index_ids),
            persons=take(self.persons),
            periods=take(self.periods),
        )

    def keys(self) -> pd.DataFrame:
        """What identifies each row in an output: ``person_id``, then ``index_id`` when the
        table has one.

        Examples
        --------
        >>> import pandas as pd
        >>> table = FeatureTable(X=pd.DataFrame({"age": [30.0, 31.0]}), label=None,
        ...     label_status=None, groups=pd.DataFrame(index=range(2)),
        ...     ids=pd.Series(["a", "a"]), index_ids=pd.Series(["a1", "a2"]))
        >>> table.keys().to_dict(orient="list")
        {'person_id': ['a', 'a'], 'index_id': ['a1', 'a2']}
        """
        parts = {PERSON_ID: self.ids.reset_index(drop=True)}
        if self.index_ids is not None:
            parts[INDEX_ID] = self.index_ids.reset_index(drop=True)
        return pd.DataFrame(parts)

    def person_groups(self) -> np.ndarray | None:
        """The person of each row, for grouped splits; None when every row is its own
        person (no ``index_id``, no ``[table] person``)."""
        if self.persons is None:
            return None
        return self.persons.astype("str").to_numpy()

    def labelled(self) -> FeatureTable:
        """Only the people with a known outcome (censored people excluded), for training and
        evaluation. Raises ``ValueError`` when the table was built without labels."""
        if self.label_status is None:
            raise ValueError("this FeatureTable was built without labels")
        return self.subset((self.label_status == LABELLED).to_numpy())

    def to_frame(self, *, include_groups: bool = False) -> pd.DataFrame:
        """One row per person: ``person_id`` first (then ``index_id`` when the table has
        one), the features, then the label (``reoffended_2y``, or the column of its horizon)
        and ``label_status`` when labelled (and the group columns only when asked for).

        Examples
        --------
        >>> import pandas as pd
        >>> table = FeatureTable(X=pd.DataFrame({"age_at_index": [30.0]}), label=None,
        ...     label_status=None, groups=pd.DataFrame({"sex": ["male"]}),
        ...     ids=pd.Series(["a"], name="person_id"))
        >>> table.to_frame().columns.tolist()
        ['person_id', 'age_at_index']
        """
        parts = [self.keys(), self.X.reset_index(drop=True)]
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

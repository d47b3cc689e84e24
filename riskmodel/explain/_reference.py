"""Where a person stands among a reference population, feature by feature.

The natural reference is the people a model was trained on: training stores
:meth:`ReferencePopulation.to_dict` in the bundle's manifest (``drift_reference.positions``).
A numeric feature with at most :data:`MAX_EXACT_VALUES` distinct values is kept exactly (each
value and how many people have it); a feature with more is kept as :data:`N_QUANTILES` + 1
evenly spaced order statistics, and positions read from them are flagged approximate. A
categorical feature keeps the count of each category. Without a stored reference the people
explained are the reference, and :attr:`ReferencePopulation.source` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BATCH_REFERENCE",
    "MAX_EXACT_VALUES",
    "N_QUANTILES",
    "TRAINING_REFERENCE",
    "Position",
    "ReferencePopulation",
]

#: Numeric features with at most this many distinct values are stored exactly.
MAX_EXACT_VALUES = 200
#: Order statistics kept (plus one) for numeric features with more distinct values.
N_QUANTILES = 1000
#: ``source`` of a reference read from a bundle (the people the model was trained on).
TRAINING_REFERENCE = "the people the model was trained on"
#: ``source`` of a reference made of the people explained (no stored reference).
BATCH_REFERENCE = "the people explained here"


@dataclass(frozen=True)
class Position:
    """Where one value stands among the reference people with a known value.

    ``lower``, ``same`` and ``higher`` count people (``n`` in all) with a smaller, equal and
    larger value (for a category, ``same`` counts the people in it and the others are zero);
    ``approximate`` when read from stored order statistics.
    """

    lower: float
    same: float
    higher: float
    n: int
    approximate: bool = False


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)


def _summary(series: pd.Series) -> dict[str, Any]:
    if _is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        present = np.sort(values[np.isfinite(values)])
        missing = int(values.size - present.size)
        distinct, counts = np.unique(present, return_counts=True)
        if distinct.size <= MAX_EXACT_VALUES:
            return {
                "kind": "exact",
                "values": distinct.tolist(),
                "counts": counts.astype(int).tolist(),
                "missing": missing,
            }
        ranks = np.linspace(0, present.size - 1, N_QUANTILES + 1).round().astype(int)
        return {
            "kind": "quantiles",
            "values": present[ranks].tolist(),
            "n_present": int(present.size),
            "missing": missing,
        }
    text = series.astype("object").where(series.notna(), None)
    counts = text.value_counts(dropna=True)
    return {
        "kind": "categorical",
        "counts": {str(k): int(v) for k, v in counts.items()},
        "missing": int(text.isna().sum()),
    }


@dataclass
class ReferencePopulation:
    """Per-feature distributions of a reference population.

    Attributes
    ----------
    features : dict
        Feature name -> stored summary (see the module docstring).
    n : int
        People in the reference.
    source : str
        Who they are: :data:`TRAINING_REFERENCE` or :data:`BATCH_REFERENCE`.

    Examples
    --------
    >>> X = pd.DataFrame({"priors": [0.0, 1, 1, 3, 12], "sex": ["m", "m", "f", "m", "f"]})
    >>> ref = ReferencePopulation.from_frame(X)
    >>> ref.position("priors", 3.0)
    Position(lower=3, same=1, higher=1, n=5, approximate=False)
    >>> ref.position("sex", "f").same
    2
    """

    features: dict[str, dict[str, Any]]
    n: int
    source: str = BATCH_REFERENCE

    @classmethod
    def from_frame(cls, X: pd.DataFrame, *, source: str = BATCH_REFERENCE) -> ReferencePopulation:
        """The distributions of every column of ``X``."""
        features = {str(c): _summary(X[c]) for c in X.columns}
        return cls(features=features, n=len(X), source=source)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored in a bundle's manifest at training)."""
        return {"version": 1, "n": int(self.n), "features": self.features}

    @classmethod
    def from_dict(
        cls, values: Any, *, source: str = TRAINING_REFERENCE
    ) -> ReferencePopulation | None:
        """The reference stored by :meth:`to_dict`; None when ``values`` is not one."""
        if not isinstance(values, Mapping) or not isinstance(values.get("features"), Mapping):
            return None
        n = values.get("n")
        if isinstance(n, bool) or not isinstance(n, int):
            return None
        return cls(features=dict(values["features"]), n=n, source=source)

    def known(self, features: Any) -> bool:
        """True when every one of ``features`` has a stored distribution."""
        return all(str(f) in self.features for f in features)

    def position(self, feature: str, value: Any) -> Position | None:
        """Where ``value`` of ``feature`` stands; None when missing or not stored."""
        summary = self.features.get(feature)
        if summary is None or value is None or value is pd.NA:
            return None
        kind = summary.get("kind")
        if kind == "categorical":
            counts = summary.get("counts", {})
            if isinstance(value, float) and np.isnan(value):
                return None
            n = int(sum(counts.values()))
            return Position(0, int(counts.get(str(value), 0)), 0, n) if n else None
        try:
            x = float(value)
        except (TypeError, ValueError):
            return None
        if not np.isfinite(x):
            return None
        values = np.asarray(summary.get("values", []), dtype=np.float64)
        if kind == "exact":
            counts = np.asarray(summary.get("counts", []), dtype=np.int64)
            n = int(counts.sum())
            if not n:
                return None
            lower = int(counts[values < x].sum())
            same = int(counts[values == x].sum())
            return Position(lower, same, n - lower - same, n)
        if kind == "quantiles" and values.size:
            n = int(summary.get("n_present", values.size))
            scale = n / values.size
            lower = float(np.searchsorted(values, x, side="left")) * scale
            upto = float(np.searchsorted(values, x, side="right")) * scale
            return Position(lower, upto - lower, n - upto, n, approximate=True)
        return None

"""Does a batch still look like the training population? Population stability indices.

Training stores a *reference* (:func:`drift_reference`): for the score and for every feature,
bins and the share of training people in each. Scoring counts the batch's people in the same
bins, chunk by chunk (:func:`drift_counts`, whose results add up with :func:`merge_counts`),
and :func:`drift_report` compares the two with the population stability index

    PSI = sum over bins of (batch share - training share) * ln(batch share / training share)

(shares floored at :data:`PSI_FLOOR` so that an empty bin does not give infinity). By a common
rule of thumb a PSI below 0.1 is no real change, 0.1–0.25 a moderate shift, and above
:data:`PSI_WARN` (0.25) a population that no longer looks like the one the model was trained
and calibrated on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.scoring._messages import (
    DRIFT_WARNING,
    FEATURE_DRIFT_WARNING,
    NO_REFERENCE,
    PROGRAMME_DRIFT_WARNING,
    PROGRAMME_FEATURE_DRIFT_WARNING,
    UNSEEN_WARNING,
)

__all__ = [
    "PSI_FLOOR",
    "PSI_MODERATE",
    "PSI_WARN",
    "drift_counts",
    "drift_reference",
    "drift_report",
    "merge_counts",
    "psi",
]

#: PSI above which the batch no longer looks like the training population.
PSI_WARN = 0.25
#: PSI above which a shift is worth mentioning.
PSI_MODERATE = 0.1
#: Smallest share used in the PSI (an empty bin counts as this share).
PSI_FLOOR = 1e-4
#: Numeric features with at most this many distinct training values get one bin per value.
MAX_DISCRETE_VALUES = 12
#: Quantile bins of continuous features and of the score.
N_BINS = 10
#: Categories kept per categorical feature in the reference (the rest pooled as "other").
MAX_CATEGORIES = 200
#: Name of the pooled bin of rare training categories.
OTHER = "__other__"


def psi(expected: np.ndarray, actual: np.ndarray, floor: float = PSI_FLOOR) -> float:
    """Population stability index between two share (or count) vectors over the same bins.

    Examples
    --------
    >>> psi(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    0.0
    >>> round(psi(np.array([0.5, 0.5]), np.array([0.9, 0.1])), 3)
    0.879
    """
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if e.sum() <= 0 or a.sum() <= 0:
        return float("nan")
    e = np.maximum(e / e.sum(), floor)
    a = np.maximum(a / a.sum(), floor)
    return float(np.sum((a - e) * np.log(a / e)))


def _numeric_bins(values: np.ndarray) -> list[float]:
    """Inner cut points: midpoints between values for discrete features, else deciles."""
    present = values[np.isfinite(values)]
    if present.size == 0:
        return []
    distinct = np.unique(present)
    if distinct.size <= MAX_DISCRETE_VALUES:
        return ((distinct[1:] + distinct[:-1]) / 2).tolist()
    quantiles = np.quantile(present, np.linspace(0, 1, N_BINS + 1)[1:-1])
    return np.unique(quantiles).tolist()


def _bin_numeric(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Counts per bin: ``len(edges) + 1`` value bins then one bin for missing values.

    A value is in bin ``k`` when exactly ``k`` cut points are at most it (the bins of
    ``np.searchsorted(edges, value, "right")``); counted one cut point at a time, which is
    several times faster than a binary search per value with the few cut points of a bin set.
    """
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    present = values[finite]
    cuts = np.sort(np.asarray(edges, dtype=np.float64))
    at_least = [len(present)] + [int(np.count_nonzero(present >= cut)) for cut in cuts] + [0]
    counts = -np.diff(np.asarray(at_least, dtype=np.int64))
    return np.append(counts, len(values) - len(present)).astype(np.int64)


def _text(values: pd.Series) -> pd.Series:
    return pd.Series(values).astype("object").where(pd.Series(values).notna(), None)


def drift_reference(X: pd.DataFrame, scores: np.ndarray) -> dict[str, Any]:
    """What scoring needs to compare a batch with the training data (for the manifest).

    Parameters
    ----------
    X : DataFrame
        The training features (``FeatureTable.X`` of the training people).
    scores : array of float
        The model's calibrated probabilities for the same people.

    Returns
    -------
    dict
        JSON-ready: ``n``; ``score`` (``edges``: inner cut points of the score's deciles,
        ``shares``: share of people in each bin); ``features`` (numeric: ``edges``, ``shares``
        with a last bin for missing values; categorical: ``shares`` by category with
        ``__missing__`` for missing values); ``needs_missing_share`` (share of people with no
        needs assessment, when X has ``needs_missing``).

    Examples
    --------
    >>> X = pd.DataFrame({"age": [20.0, 30.0, 40.0, np.nan], "sex": ["m", "f", "f", None]})
    >>> ref = drift_reference(X, np.array([0.1, 0.2, 0.3, 0.4]))
    >>> ref["features"]["age"]["edges"], ref["features"]["age"]["shares"]
    ([25.0, 35.0], [0.25, 0.25, 0.25, 0.25])
    >>> ref["features"]["sex"]["shares"]
    {'f': 0.5, 'm': 0.25, '__missing__': 0.25}
    """
    n = len(X)
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) != n:
        raise ValueError(f"scores has {len(scores)} values, X has {n} rows")
    features: dict[str, Any] = {}
    for column in X.columns:
        series = X[column]
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            edges = _numeric_bins(values)
            counts = _bin_numeric(values, edges)
            features[str(column)] = {
                "kind": "numeric",
                "edges": edges,
                "shares": (counts / max(n, 1)).tolist(),
            }
        else:
            text = _text(series)
            counts = text.value_counts(dropna=True)
            shares: dict[str, float] = {}
            kept = counts.iloc[:MAX_CATEGORIES]
            for value, count in kept.items():
                shares[str(value)] = int(count) / max(n, 1)
            rest = int(counts.iloc[MAX_CATEGORIES:].sum())
            if rest:
                shares[OTHER] = rest / max(n, 1)
            shares["__missing__"] = int(text.isna().sum()) / max(n, 1)
            features[str(column)] = {"kind": "categorical", "shares": shares}
    score_edges = _numeric_bins(scores) if len(scores) else []
    score_counts = _bin_numeric(scores, score_edges)[:-1]
    reference: dict[str, Any] = {
        "version": 1,
        "n": n,
        "score": {
            "edges": score_edges,
            "shares": (score_counts / max(n, 1)).tolist(),
        },
        "features": features,
        "needs_missing_share": (
            float(np.nanmean(X["needs_missing"].to_numpy(dtype=np.float64)))
            if "needs_missing" in X.columns and n
            else None
        ),
    }
    return reference


def drift_counts(X: pd.DataFrame, scores: np.ndarray, reference: Mapping[str, Any]) -> dict:
    """Counts of a batch (or one chunk of it) in the reference's bins; they add up across
    chunks with :func:`merge_counts`.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [20.0, 30.0, 40.0], "sex": ["m", "f", "x"]})
    >>> ref = drift_reference(X, np.array([0.1, 0.2, 0.3]))
    >>> counts = drift_counts(X.iloc[:2], np.array([0.1, 0.2]), ref)
    >>> counts["features"]["age"], counts["unseen"]
    ([1, 1, 0, 0], {})
    """
    scores = np.asarray(scores, dtype=np.float64)
    out: dict[str, Any] = {
        "n": len(X),
        "score": _bin_numeric(scores, reference["score"]["edges"])[:-1].tolist(),
        "features": {},
        "unseen": {},
        "needs_missing": 0,
    }
    for name, ref in reference["features"].items():
        if name not in X.columns:
            continue
        if ref["kind"] == "numeric":
            values = X[name].to_numpy(dtype=np.float64, na_value=np.nan)
            out["features"][name] = _bin_numeric(values, ref["edges"]).tolist()
        else:
            text = X[name]
            counts = text.value_counts(dropna=True)
            known = {k for k in ref["shares"] if k not in ("__missing__", OTHER)}
            by_value = {str(k): int(v) for k, v in counts.items()}
            per_bin = {k: by_value.get(k, 0) for k in known}
            unknown = {k: v for k, v in by_value.items() if k not in known}
            if OTHER in ref["shares"]:
                per_bin[OTHER] = sum(unknown.values())
            else:
                per_bin["__unseen__"] = sum(unknown.values())
                if unknown:
                    out["unseen"][name] = unknown
            per_bin["__missing__"] = int(text.isna().sum())
            out["features"][name] = per_bin
    if "needs_missing" in X.columns:
        out["needs_missing"] = int(np.nansum(X["needs_missing"].to_numpy(dtype=np.float64)))
    return out


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, dict):
        keys = list(a) + [k for k in b if k not in a]
        return {
            k: _add(a.get(k), b.get(k)) if k in a and k in b else a.get(k, b.get(k)) for k in keys
        }
    if isinstance(a, list):
        return [x + y for x, y in zip(a, b, strict=True)]
    return a + b


def merge_counts(a: Mapping[str, Any] | None, b: Mapping[str, Any]) -> dict[str, Any]:
    """The counts of two chunks together (``a`` may be None for the first)."""
    if a is None:
        return dict(b)
    return _add(dict(a), dict(b))


def _level(value: float) -> str:
    if not np.isfinite(value):
        return "not computed"
    if value > PSI_WARN:
        return "major shift"
    if value > PSI_MODERATE:
        return "moderate shift"
    return "stable"


def drift_report(
    reference: Mapping[str, Any] | None,
    counts: Mapping[str, Any] | None,
    *,
    programme_cohort: bool = False,
) -> dict:
    """Compare a batch's counts with the training reference: PSIs, shares, warnings in words.

    The warnings suggest ``riskmodel recalibrate`` for a drifted batch, except for the scores
    of a programme cohort under evaluation (``programme_cohort``), where recalibrating on the
    cohort's outcomes would erase the effect being measured; they say so instead.

    Returns
    -------
    dict
        ``available`` (False without a reference), ``score_psi``, ``score_level``,
        ``feature_psi`` (largest first), ``shifted_features`` (PSI above the warning level),
        ``needs_missing_share`` (``training`` and ``batch``), ``unseen_categories``
        (feature → value → people), ``warnings`` (sentences), ``psi_warn``.

    Examples
    --------
    >>> X = pd.DataFrame({"age": np.arange(100.0)})
    >>> ref = drift_reference(X, np.linspace(0.01, 0.99, 100))
    >>> old = drift_counts(X, np.linspace(0.01, 0.99, 100), ref)
    >>> drift_report(ref, old)["score_level"]
    'stable'
    >>> new = drift_counts(X + 60, np.full(100, 0.95), ref)
    >>> report = drift_report(ref, new)
    >>> report["score_level"], report["shifted_features"]
    ('major shift', ['age'])
    """
    if reference is None:
        return {"available": False, "reason": NO_REFERENCE, "warnings": []}
    if counts is None or counts.get("n", 0) == 0:
        return {
            "available": False,
            "reason": "nobody was scored, so there is nothing to compare",
            "warnings": [],
        }
    score_psi = psi(np.asarray(reference["score"]["shares"]), np.asarray(counts["score"]))
    feature_psi: dict[str, float] = {}
    for name, ref in reference["features"].items():
        if name not in counts["features"]:
            continue
        got = counts["features"][name]
        if ref["kind"] == "numeric":
            feature_psi[name] = psi(np.asarray(ref["shares"]), np.asarray(got))
        else:
            keys = list(dict.fromkeys([*ref["shares"], *got]))
            expected = np.array([ref["shares"].get(k, 0.0) for k in keys])
            actual = np.array([got.get(k, 0) for k in keys], dtype=np.float64)
            feature_psi[name] = psi(expected, actual)
    ordered = dict(sorted(feature_psi.items(), key=lambda kv: -np.nan_to_num(kv[1], nan=-1)))
    shifted = [k for k, v in ordered.items() if np.isfinite(v) and v > PSI_WARN]
    training_missing = reference.get("needs_missing_share")
    batch_missing = counts["needs_missing"] / counts["n"] if training_missing is not None else None
    warnings = []
    if np.isfinite(score_psi) and score_psi > PSI_WARN:
        drifted = PROGRAMME_DRIFT_WARNING if programme_cohort else DRIFT_WARNING
        warnings.append(drifted.format(psi=score_psi, limit=PSI_WARN))
    if shifted:
        listed = ", ".join(f"{k} ({ordered[k]:.2f})" for k in shifted[:8])
        if len(shifted) > 8:
            listed += ", ..."
        shifted_warning = (
            PROGRAMME_FEATURE_DRIFT_WARNING if programme_cohort else FEATURE_DRIFT_WARNING
        )
        warnings.append(shifted_warning.format(n=len(shifted), limit=PSI_WARN, features=listed))
    unseen = {
        k: dict(sorted(v.items(), key=lambda kv: -kv[1])) for k, v in counts["unseen"].items()
    }
    if unseen:
        items = "; ".join(
            f"{feature}: "
            + ", ".join(f"{value!r} ({n:,} people)" for value, n in list(v.items())[:5])
            for feature, v in unseen.items()
        )
        warnings.append(UNSEEN_WARNING.format(items=items))
    return {
        "available": True,
        "n_training": reference.get("n"),
        "n_batch": counts["n"],
        "psi_warn": PSI_WARN,
        "score_psi": score_psi,
        "score_level": _level(score_psi),
        "feature_psi": ordered,
        "shifted_features": shifted,
        "needs_missing_share": {"training": training_missing, "batch": batch_missing},
        "unseen_categories": unseen,
        "warnings": warnings,
    }

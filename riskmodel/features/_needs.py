"""Needs features from the latest assessment on or before the index date, and from all of
them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.contract._vocabulary import NEED_AREAS, PATHWAYS
from riskmodel.features._common import (
    add_months_array,
    as_datetime,
    person_codes,
    require_columns,
    to_days,
)

NEEDS_COLUMNS: tuple[str, ...] = ("person_id", "assessment_date", *NEED_AREAS)


def _area_scores(needs: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The ten area scores of ``rows`` of ``needs`` as a float array (NaN when not scored)."""
    if not len(rows):
        return np.zeros((0, len(NEED_AREAS)))
    return np.column_stack(
        [pd.to_numeric(needs[a], errors="coerce").to_numpy(np.float64)[rows] for a in NEED_AREAS]
    )


def _history_means(
    values: np.ndarray, person: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean score of each area over the assessments ``values`` (rows; NaN when not scored),
    NaN when never scored, and the number of assessments, per person (``person`` gives each
    row's person code)."""
    scored = ~np.isnan(values)
    totals = np.column_stack(
        [
            np.bincount(person, weights=np.where(s, v, 0.0), minlength=n)
            for v, s in zip(values.T, scored.T, strict=True)
        ]
    )
    counts = np.column_stack(
        [np.bincount(person, weights=s, minlength=n) for s in scored.T.astype(np.float64)]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, totals / np.where(counts > 0, counts, 1.0), np.nan)
    return means, np.bincount(person, minlength=n).astype(np.float64)


def needs_features(
    people: pd.DataFrame,
    needs: pd.DataFrame | None,
    index_days: np.ndarray,
    lookback_months: int | None = 12,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Needs features of every person from their latest assessment before follow-up.

    The assessment used is the latest with ``index_date - lookback_months <= assessment_date
    <= index_date`` (calendar months; ``lookback_months=None`` means no limit). Several
    assessments on that day are resolved deterministically (the one with the highest scores,
    compared area by area in NEED_AREAS order), so row order never matters. People without
    one keep NaN scores and ``needs_missing = 1``: no assessment is information, not a reason
    to drop anyone.

    Parameters
    ----------
    people : DataFrame
        ``person_id`` of each person (order kept).
    needs : DataFrame or None
        ``person_id``, ``assessment_date`` and the ten NEED_AREAS (0, 1, 2 or NaN).
    index_days : ndarray of int64
        Each person's index date as days since 1970-01-01.
    lookback_months : int or None
        Look-back window in calendar months.

    Returns
    -------
    features : DataFrame
        ``need_<area>`` ×10 (latest assessment in the look-back), ``mean_need_<area>`` ×10
        and ``assessments_before_index`` (every assessment on or before the index date),
        ``needs_missing``, ``needs_count``, ``needs_pathways`` and ``pathway_<name>`` per
        pathway (float64), one row per person.
    meta : dict
        ``people_without_assessment``, ``assessments_used`` (rows inside each person's
        window), ``assessments_after_index`` (rows ignored as later than the index date).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> people = pd.DataFrame({"person_id": ["a", "b"]})
    >>> needs = pd.DataFrame({"person_id": ["a"], "assessment_date": ["2020-01-01"],
    ...     **{area: [1.0] for area in NEED_AREAS}})
    >>> index = np.array([18300, 18300])  # 2020-02-08
    >>> features, meta = needs_features(people, needs, index)
    >>> features["needs_count"].tolist(), features["needs_missing"].tolist()
    ([10.0, nan], [0.0, 1.0])
    """
    n = len(people)
    n_areas = len(NEED_AREAS)
    scores = np.full((n, n_areas), np.nan)
    found = np.zeros(n, dtype=bool)
    mean_scores = np.full((n, n_areas), np.nan)
    n_before = np.zeros(n)
    meta = {"assessments_used": 0, "assessments_after_index": 0}
    if needs is not None and len(needs):
        require_columns(needs, NEEDS_COLUMNS, "needs")
        codes = person_codes(people["person_id"], needs["person_id"])
        assessed = as_datetime(needs["assessment_date"])
        valid = (codes >= 0) & ~np.isnat(assessed)
        day = np.zeros(len(codes), dtype=np.int64)
        day[valid] = to_days(assessed[valid])
        upper = index_days
        if lookback_months is None:
            lower = np.full(n, np.iinfo(np.int64).min)
        else:
            index_ns = index_days.astype("datetime64[D]").astype("datetime64[ns]")
            lower = to_days(add_months_array(index_ns, -int(lookback_months)))
        c = codes[valid]
        d = day[valid]
        after = d > upper[c]
        meta["assessments_after_index"] = int(after.sum())
        # every assessment on or before the index date, then those inside the look-back
        c, d = c[~after], d[~after]
        values = _area_scores(needs, np.flatnonzero(valid)[~after])
        mean_scores, n_before = _history_means(values, c, n)
        window = d >= lower[c]
        c, d, values = c[window], d[window], values[window]
        meta["assessments_used"] = len(c)
        # Sort by person, then date, then scores (NaN first) — the last row of each person wins.
        keys = [np.nan_to_num(values[:, j], nan=-1.0) for j in range(n_areas - 1, -1, -1)]
        order = np.lexsort([*keys, d, c])
        c = c[order]
        last = np.ones(len(c), dtype=bool)
        last[:-1] = c[:-1] != c[1:]
        chosen = order[last]
        scores[c[last]] = values[chosen]
        found[c[last]] = True

    is_need = scores >= 1
    features = {f"need_{area}": scores[:, j] for j, area in enumerate(NEED_AREAS)}
    for j, area in enumerate(NEED_AREAS):
        features[f"mean_need_{area}"] = mean_scores[:, j]
    features["assessments_before_index"] = n_before
    features["needs_missing"] = (~found).astype(np.float64)
    assessed_any = ~np.isnan(scores)
    count = is_need.sum(axis=1).astype(np.float64)
    count[~assessed_any.any(axis=1)] = np.nan
    features["needs_count"] = count
    pathway_values = {}
    for pathway, areas in PATHWAYS.items():
        cols = [NEED_AREAS.index(a) for a in areas]
        value = is_need[:, cols].any(axis=1).astype(np.float64)
        value[~assessed_any[:, cols].any(axis=1)] = np.nan
        pathway_values[f"pathway_{pathway}"] = value
    stacked = np.column_stack(list(pathway_values.values()))
    pathways = np.nansum(stacked, axis=1)
    pathways[np.isnan(stacked).all(axis=1)] = np.nan
    features["needs_pathways"] = pathways
    features.update(pathway_values)
    meta["people_without_assessment"] = int((~found).sum())
    return pd.DataFrame(features), meta

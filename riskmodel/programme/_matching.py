"""Propensity score, nearest-neighbour matching on its logit, and the balance table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel._errors import ConfigError, DataError
from riskmodel.programme._messages import BAD_RATIO, NO_VARIATION

# scikit-learn is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = [
    "DEFAULT_CALIPER_SD",
    "SMD_LIMIT",
    "Matching",
    "balance_table",
    "match_on_logit",
    "matching_variables",
    "propensity_logit",
]

#: Default caliper, in standard deviations of the logit of the propensity score (Austin 2011).
DEFAULT_CALIPER_SD = 0.2
#: A variable is flagged as imbalanced from this absolute standardised mean difference.
SMD_LIMIT = 0.1
#: Name of the predicted risk among the matching variables.
RISK_VARIABLE = "predicted risk (log-odds)"
MISSING_SUFFIX = " (missing)"
#: Distances on the logit closer than this are ties, broken by the matching variables.
TIE = 1e-9


def matching_variables(X: pd.DataFrame, risk: ArrayLike | None = None) -> pd.DataFrame:
    """The matching variables of ``X``: numeric columns as they are, categorical columns as one
    0/1 column per level, and the logit of ``risk`` when given.

    A numeric column with missing values gets a 0/1 column ``"<name> (missing)"`` and its
    missing values the mean of the others, so that people without (say) a needs assessment
    are matched with people without one. Columns that never vary are left out: they cannot
    differ between groups. A missing or non-finite ``risk`` is kept as NaN: that person has
    missing matching variables.

    Examples
    --------
    >>> X = pd.DataFrame({"age": [20.0, 30.0, np.nan], "sex": ["m", "f", "m"],
    ...                   "constant": [1, 1, 1]})
    >>> matching_variables(X, risk=[0.5, 0.2, 0.7]).columns.tolist()
    ['age', 'age (missing)', 'sex = f', 'sex = m', 'predicted risk (log-odds)']
    """
    columns: dict[str, np.ndarray] = {}
    for name in X.columns:
        values = X[name]
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            missing = ~np.isfinite(numbers)
            if missing.all():
                continue
            if missing.any():
                numbers = np.where(missing, numbers[~missing].mean(), numbers)
                columns[str(name)] = numbers
                columns[f"{name}{MISSING_SUFFIX}"] = missing.astype(float)
            else:
                columns[str(name)] = numbers
        else:
            text = values.astype("string").fillna("(missing)").to_numpy(dtype=object)
            for level in sorted(set(text)):
                columns[f"{name} = {level}"] = (text == level).astype(float)
    frame = pd.DataFrame(columns, index=X.index)
    frame = frame.loc[:, frame.nunique(dropna=False) > 1]
    if risk is not None:
        p = np.asarray(risk, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            logit = np.log(p) - np.log1p(-p)
        frame[RISK_VARIABLE] = np.where(np.isfinite(logit), logit, np.nan)
    return frame


def propensity_logit(variables: pd.DataFrame, participant: ArrayLike) -> np.ndarray:
    """Logit of the propensity score: a logistic regression of taking part on the
    standardised matching variables; NaN for rows with a missing variable.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> v = pd.DataFrame({"x": rng.normal(size=200)})
    >>> taking_part = rng.random(200) < 1 / (1 + np.exp(-2 * v["x"]))
    >>> logit = propensity_logit(v, taking_part)
    >>> bool(np.corrcoef(logit, v["x"])[0, 1] > 0.99)
    True
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    values = variables.to_numpy(dtype=float)
    treated = np.asarray(participant, dtype=bool)
    usable = np.isfinite(values).all(axis=1)
    out = np.full(len(values), np.nan)
    fit = values[usable]
    if fit.shape[1] == 0 or np.ptp(fit, axis=0).max() == 0:
        raise DataError(NO_VARIATION)
    if np.unique(treated[usable]).size < 2:
        return np.where(usable, 0.0, np.nan)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    model.fit(fit, treated[usable])
    out[usable] = model.decision_function(fit)
    return out


@dataclass
class Matching:
    """Matched sets: ``sets[i]`` holds the comparisons (positions in the pool) of participant
    ``i``, -1 where fewer than ``ratio`` were found within the caliper; a participant with none
    is unmatched."""

    sets: np.ndarray
    caliper: float
    ratio: int
    replace: bool

    @property
    def matched(self) -> np.ndarray:
        """Whether each participant has at least one comparison."""
        return (self.sets >= 0).any(axis=1)

    def weights(self, n_pool: int) -> np.ndarray:
        """Weight of each pool member among the matched comparisons: the sum over the sets it
        is in of one over the set's number of comparisons."""
        found = self.sets >= 0
        per = np.where(found, 1.0 / np.maximum(found.sum(axis=1, keepdims=True), 1), 0.0)
        return np.bincount(self.sets[found], weights=per[found], minlength=n_pool)


def match_on_logit(
    participants: ArrayLike,
    pool: ArrayLike,
    *,
    caliper: float,
    ratio: int = 1,
    replace: bool = True,
    participant_values: ArrayLike | None = None,
    pool_values: ArrayLike | None = None,
) -> Matching:
    """Nearest-neighbour matching of ``participants`` to ``pool`` on one score (the logit of
    the propensity), within ``caliper`` (on the score's own scale).

    Pool members at the same distance on the score (ties, up to ``TIE``) are ranked by the
    Euclidean distance of ``participant_values`` and ``pool_values`` (the standardised
    matching variables), so a pool holding a participant's exact copy always gives that copy.
    With ``replace`` a pool member may serve several participants; without, participants are
    matched greedily, the highest score first (those are the hardest to match when the pool
    leans the other way), each taking the nearest members still free. NaN scores are never
    matched.

    Examples
    --------
    >>> m = match_on_logit([0.0, 1.0, 5.0], [0.1, 0.9, 1.05], caliper=0.2)
    >>> m.sets.ravel().tolist(), m.matched.tolist()
    ([0, 2, -1], [True, True, False])
    >>> match_on_logit([1.0, 1.0], [0.9, 1.05], caliper=0.2, replace=False).sets.ravel().tolist()
    [1, 0]
    >>> match_on_logit([0.0], [0.0, 0.0], caliper=0.2, participant_values=[[1.0]],
    ...                pool_values=[[0.0], [1.0]]).sets.ravel().tolist()
    [1]
    """
    from sklearn.neighbors import NearestNeighbors

    if not isinstance(ratio, int | np.integer) or isinstance(ratio, bool) or ratio < 1:
        raise ConfigError(BAD_RATIO.format(value=ratio))
    t = np.asarray(participants, dtype=float)
    c = np.asarray(pool, dtype=float)
    tv = None if participant_values is None else np.asarray(participant_values, dtype=float)
    cv = None if pool_values is None else np.asarray(pool_values, dtype=float)
    sets = np.full((t.size, ratio), -1, dtype=np.int64)
    usable_c = np.flatnonzero(np.isfinite(c))
    usable_t = np.flatnonzero(np.isfinite(t))
    if usable_c.size == 0 or usable_t.size == 0:
        return Matching(sets, float(caliper), int(ratio), bool(replace))
    order_c = usable_c[np.argsort(c[usable_c], kind="stable")]
    sorted_c = c[order_c]
    k = min(usable_c.size, ratio if replace else ratio + 16)
    nn = NearestNeighbors().fit(c[usable_c, None])
    dist, _ = nn.kneighbors(t[usable_t, None], n_neighbors=k)
    reach = dist[:, -1] + TIE
    low = np.searchsorted(sorted_c, t[usable_t] - reach, side="left")
    high = np.searchsorted(sorted_c, t[usable_t] + reach, side="right")
    free = np.ones(c.size, dtype=bool)
    rows = np.argsort(-t[usable_t], kind="stable") if not replace else range(usable_t.size)
    for row in rows:
        person = usable_t[row]
        members = order_c[low[row] : high[row]]
        gap = np.abs(c[members] - t[person])
        if not replace and (~free[members]).sum() > members.size - ratio:
            members = order_c[
                np.searchsorted(sorted_c, t[person] - caliper, side="left") : np.searchsorted(
                    sorted_c, t[person] + caliper, side="right"
                )
            ]
            gap = np.abs(c[members] - t[person])
        ties = np.round(gap / TIE)
        if tv is not None and cv is not None:
            spread = ((cv[members] - tv[person]) ** 2).sum(axis=1)
            ranked = members[np.lexsort((spread, ties))]
        else:
            ranked = members[np.argsort(ties, kind="stable")]
        ok = np.abs(c[ranked] - t[person]) <= caliper
        if not replace:
            ok &= free[ranked]
        chosen = ranked[ok][:ratio]
        if not replace:
            free[chosen] = False
        sets[person, : chosen.size] = chosen
    return Matching(sets, float(caliper), int(ratio), bool(replace))


def balance_table(
    participants: pd.DataFrame,
    pool: pd.DataFrame,
    matching: Matching,
) -> pd.DataFrame:
    """Standardised mean differences of every matching variable before and after matching.

    Before: all participants with their variables against the whole pool. After: the matched
    participants against their comparisons (each comparison weighted by one over its set's
    size, and by how many sets it is in). Both use the same denominator, the square root of
    the mean of the participants' and the pool's variances before matching, so the two
    figures differ only by the means. ``flagged`` marks ``|smd_after| >= 0.1`` (or an
    undefined SMD).

    Examples
    --------
    >>> t = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    >>> c = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 9.0]})
    >>> m = match_on_logit([1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0, 9.0], caliper=0.5)
    >>> table = balance_table(t, c, m)
    >>> table[["variable", "smd_after", "flagged"]].to_dict("records")
    [{'variable': 'x', 'smd_after': 0.0, 'flagged': False}]
    """
    tv = participants.to_numpy(dtype=float)
    cv = pool.to_numpy(dtype=float)
    rows_t = np.isfinite(tv).all(axis=1)
    rows_c = np.isfinite(cv).all(axis=1)
    tv_all, cv_all = tv[rows_t], cv[rows_c]
    mean_t = tv_all.mean(axis=0) if len(tv_all) else np.full(tv.shape[1], np.nan)
    mean_c = cv_all.mean(axis=0) if len(cv_all) else np.full(cv.shape[1], np.nan)
    var_t = tv_all.var(axis=0, ddof=1) if len(tv_all) > 1 else np.zeros(tv.shape[1])
    var_c = cv_all.var(axis=0, ddof=1) if len(cv_all) > 1 else np.zeros(cv.shape[1])
    sd = np.sqrt((var_t + var_c) / 2.0)
    matched = matching.matched
    weights = matching.weights(len(cv))
    with np.errstate(invalid="ignore", divide="ignore"):
        after_t = tv[matched].mean(axis=0) if matched.any() else np.full(tv.shape[1], np.nan)
        after_c = (
            (weights[:, None] * np.nan_to_num(cv)).sum(axis=0) / weights.sum()
            if weights.sum() > 0
            else np.full(cv.shape[1], np.nan)
        )
        before = np.where(sd > 0, (mean_t - mean_c) / sd, np.where(mean_t == mean_c, 0, np.nan))
        after = np.where(sd > 0, (after_t - after_c) / sd, np.where(after_t == after_c, 0, np.nan))
    return pd.DataFrame(
        {
            "variable": list(participants.columns),
            "mean_participants": mean_t,
            "mean_pool": mean_c,
            "smd_before": before,
            "mean_matched_participants": after_t,
            "mean_matched_comparisons": after_c,
            "smd_after": after,
            "flagged": ~(np.abs(after) < SMD_LIMIT),
        }
    )

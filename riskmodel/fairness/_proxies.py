"""Proxies: how well each feature on its own predicts each group column.

A model that never sees ethnicity can still reproduce it through features that stand in for
it (an area code, say). For every feature and group column this gives an AUC and a
normalised mutual information, so a reviewer sees which features carry group information.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel._tables import MISSING_GROUP
from riskmodel.fairness._inputs import group_labels

# scikit-learn is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = ["proxy_table"]

_OTHER = "(other)"


def _as_levels(feature: pd.Series, n_bins: int, min_count: int) -> np.ndarray:
    """A feature as discrete levels: numeric → equal-frequency bins; rare levels lumped."""
    missing = feature.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(feature) and not pd.api.types.is_bool_dtype(feature):
        values = feature.astype(float)
        present = values[~missing]
        if present.nunique() > n_bins:
            codes = pd.qcut(present, q=n_bins, labels=False, duplicates="drop")
            levels = np.full(len(feature), MISSING_GROUP, dtype=object)
            levels[~missing] = codes.astype(int).astype(str).to_numpy()
            return levels
    levels = feature.astype(object).map(str).to_numpy(dtype=object)
    levels[missing] = MISSING_GROUP
    counts = pd.Series(levels).value_counts()
    rare = set(counts.index[counts < min_count]) - {MISSING_GROUP}
    if rare:
        levels = np.where(np.isin(levels, list(rare)), _OTHER, levels)
    return levels


def _rate_auc(codes: np.ndarray, member: np.ndarray) -> float:
    """AUC of the in-sample membership rate of each level (``codes``: 0, 1, ...) as a score of
    membership: the Mann-Whitney statistic of the levels' counts (ties, including levels
    with equal rates, count one half), what ``roc_auc_score(member, rates)`` gives.

    Examples
    --------
    >>> codes = np.array([0, 0, 1, 1, 1, 2])
    >>> member = np.array([True, False, True, True, False, False])
    >>> round(_rate_auc(codes, member), 4)  # (1 x 1.5 + 2 x 2.5) / (3 x 3)
    0.7222
    """
    if member.all() or not member.any():
        return np.nan
    people = np.bincount(codes)
    positive = np.bincount(codes, weights=member.astype(float), minlength=people.size)
    present = people > 0
    people, positive = people[present], positive[present]
    rates, tie = np.unique(positive / people, return_inverse=True)  # ascending
    pos = np.bincount(tie, weights=positive, minlength=rates.size)
    neg = np.bincount(tie, weights=people - positive, minlength=rates.size)
    below = np.cumsum(neg) - neg
    return float((pos * (below + 0.5 * neg)).sum() / (pos.sum() * neg.sum()))


def _normalised_mutual_information(contingency: np.ndarray) -> float:
    """Normalised mutual information of a contingency table (the arithmetic mean of the two
    entropies, as ``normalized_mutual_info_score``): 1 when either side has one level and
    the other does too, 0 when only one side has a single level."""
    from sklearn.metrics import mutual_info_score

    rows, columns = contingency.sum(axis=1), contingency.sum(axis=0)
    if (rows > 0).sum() == (columns > 0).sum() == 1:
        return 1.0
    if (rows > 0).sum() == 1 or (columns > 0).sum() == 1:
        return 0.0
    mutual = mutual_info_score(None, None, contingency=contingency)
    total = contingency.sum()

    def entropy(counts: np.ndarray) -> float:
        shares = counts[counts > 0] / total
        return float(-(shares * np.log(shares)).sum())

    normaliser = (entropy(rows) + entropy(columns)) / 2
    return float(mutual / normaliser) if normaliser > 0 else 0.0


def proxy_table(
    X: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    n_bins: int = 10,
    min_count: int = 20,
) -> pd.DataFrame:
    """How well each feature alone predicts each group column (a tidy, sorted table).

    Each feature is made discrete (numeric features: up to ``n_bins`` equal-frequency bins;
    levels with fewer than ``min_count`` people lumped together; missing its own level).
    Then, for each group column (missing group values form a ``"(missing)"`` group):

    - ``auc``: the AUC of the feature's in-sample group rate per level as a score of group
      membership; for a group column with more than two levels, the mean over levels of each
      level against the rest (macro one-vs-rest). 0.5 means no information, 1 perfect.
      In-sample, so optimistic for features with many levels.
    - ``nmi``: normalised mutual information between the binned feature and the group
      (0 none, 1 the feature determines the group).

    Parameters
    ----------
    X : DataFrame
        The features (the model's inputs).
    groups : DataFrame
        Group columns aligned with ``X`` (never model inputs).
    n_bins, min_count : int
        Binning of numeric features and lumping of rare levels.

    Returns
    -------
    DataFrame
        Columns ``group_column``, ``feature``, ``group_levels``, ``auc``, ``nmi``; one row
        per pair, sorted by group column, then by ``auc`` and ``nmi`` from strongest down.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> eth = pd.Series(rng.choice(["a", "b"], 400))
    >>> X = pd.DataFrame({"area": np.where(eth == "a", "north", "south"),
    ...                   "noise": rng.normal(size=400)})
    >>> table = proxy_table(X, pd.DataFrame({"ethnicity": eth}))
    >>> table["feature"].tolist()
    ['area', 'noise']
    >>> float(table["auc"].iloc[0])
    1.0
    """
    if len(X) != len(groups):
        raise ValueError(f"X has {len(X)} rows but groups has {len(groups)}")
    X = X.reset_index(drop=True)
    groups = groups.reset_index(drop=True)
    rows = []
    codes = {
        feature: pd.factorize(_as_levels(X[feature], n_bins, min_count))[0]
        for feature in X.columns
    }
    for group_column in groups.columns:
        labels = group_labels(groups[group_column]).to_numpy(dtype=object)
        levels_of_group = sorted(set(labels))
        group_codes = pd.factorize(labels)[0]
        for feature in X.columns:
            levels = codes[feature]
            if len(levels_of_group) == 2:
                auc = _rate_auc(levels, labels == levels_of_group[1])
            else:
                aucs = [_rate_auc(levels, labels == g) for g in levels_of_group]
                aucs = [a for a in aucs if np.isfinite(a)]
                auc = float(np.mean(aucs)) if aucs else np.nan
            contingency = np.zeros((group_codes.max() + 1, levels.max() + 1))
            np.add.at(contingency, (group_codes, levels), 1.0)
            nmi = _normalised_mutual_information(contingency)
            rows.append(
                {
                    "group_column": str(group_column),
                    "feature": str(feature),
                    "group_levels": len(levels_of_group),
                    "auc": auc,
                    "nmi": nmi,
                }
            )
    table = pd.DataFrame(rows, columns=["group_column", "feature", "group_levels", "auc", "nmi"])
    return table.sort_values(
        ["group_column", "auc", "nmi", "feature"],
        ascending=[True, False, False, True],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)

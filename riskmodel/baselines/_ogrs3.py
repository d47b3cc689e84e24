"""OGRS3, the static actuarial scale of UK probation (DOMAIN.md), as a scorer and a baseline.

    copas = ln(sanction_occasions / (age_at_current_sanction - age_at_first_sanction + 10))
    logit = intercept + 1.25112 * copas + age_sex_term + offence_weight + status_term

Ages are whole years: the age-sex term uses the age at the start of follow-up (index date),
the Copas rate the age at the current sanction (``index_sanction_date``). The inputs are the
features of :func:`riskmodel.features.build_feature_table` (``copas_rate``,
``age_at_index``, ``sex``, ``index_offence``, ``sanction_occasions``), so OGRS3 and the
models see the same offence history.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from riskmodel.bands import DEFAULT_BANDS
from riskmodel.baselines._messages import BAD_HORIZON, MISSING_INPUTS
from riskmodel.features._offence_history import offence_history

#: Intercept by horizon.
INTERCEPTS: dict[str, float] = {"1y": 1.40256, "2y": 2.1217}
COPAS_WEIGHT = 1.25112
#: Status term: the current sanction is the first / is not the first.
STATUS_FIRST = 0.12614
STATUS_NOT_FIRST = 0.46306
#: Age ranges of the age-sex term (lowest, highest; None = no upper limit).
AGE_RANGES: tuple[tuple[int, int | None], ...] = (
    (10, 11),
    (12, 13),
    (14, 15),
    (16, 17),
    (18, 20),
    (21, 24),
    (25, 29),
    (30, 34),
    (35, 39),
    (40, 49),
    (50, None),
)
AGE_SEX_TERMS: dict[str, tuple[float, ...]] = {
    "male": (
        0,
        0.08392,
        0.07578,
        -0.0616,
        -0.6251,
        -1.0515,
        -1.1667,
        -1.326,
        -1.368,
        -1.4997,
        -2.0253,
    ),
    "female": (
        0.785,
        0.61385,
        0.66952,
        -0.9592,
        -0.8975,
        -1.0285,
        -1.0528,
        -1.1291,
        -1.4219,
        -1.5247,
        -2.4498,
    ),
}
#: Offence weights mapped to this package's offence groups (approximate, DOMAIN.md).
OFFENCE_WEIGHTS: dict[str, float] = {
    "violence": 0.0,
    "weapons": 0.0,
    "robbery": -0.6348,
    "public_order": 0.1819,
    "sexual_adult": 0.0328,
    "sexual_child": -0.6534,
    "burglary_domestic": -0.1239,
    "burglary_other": 0.2406,
    "criminal_damage": 0.205,
    "theft": 0.6612,
    "handling": 0.3519,
    "fraud_forgery": 0.1599,
    "vehicle_theft": 0.3801,
    "motoring_other": 0.2622,
    "drink_driving": -0.1214,
    "drug_possession_supply": 0.0772,
    "drug_import_production": -0.7956,
    "absconding_bail": 0.7334,
    "breach": -0.0607,
    "other": -0.0607,
}
#: Features OGRS3 needs from a FeatureTable.
OGRS3_INPUTS: tuple[str, ...] = (
    "copas_rate",
    "age_at_index",
    "sex",
    "index_offence",
    "sanction_occasions",
)
SCORE_COLUMNS: tuple[str, ...] = ("person_id", "ogrs3_1y", "ogrs3_2y", "ogrs3_band")


def _age_sex_term(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    term = np.full(len(age), np.nan)
    for s, values in AGE_SEX_TERMS.items():
        for (low, high), value in zip(AGE_RANGES, values, strict=True):
            top = np.inf if high is None else high
            term[(sex == s) & (age >= low) & (age <= top)] = value
    return term


def ogrs3_logit(X: pd.DataFrame, horizon: str = "2y") -> np.ndarray:
    """OGRS3 log-odds of proven reoffending within ``horizon`` (``"1y"`` or ``"2y"``).

    NaN where an input is unknown or out of the scale's range (age under 10, unknown sex or
    offence group).
    """
    if horizon not in INTERCEPTS:
        raise ValueError(BAD_HORIZON.format(value=horizon))
    missing = [c for c in OGRS3_INPUTS if c not in X.columns]
    if missing:
        raise ValueError(MISSING_INPUTS.format(columns=", ".join(missing)))
    sex = X["sex"].astype("str").to_numpy()
    offence = X["index_offence"].astype("str").map(OFFENCE_WEIGHTS).to_numpy(dtype=np.float64)
    occasions = X["sanction_occasions"].to_numpy(dtype=np.float64)
    status = np.where(occasions > 1, STATUS_NOT_FIRST, STATUS_FIRST)
    status[np.isnan(occasions)] = np.nan
    return (
        INTERCEPTS[horizon]
        + COPAS_WEIGHT * X["copas_rate"].to_numpy(dtype=np.float64)
        + _age_sex_term(X["age_at_index"].to_numpy(dtype=np.float64), sex)
        + offence
        + status
    )


def ogrs3_band(probability_2y: np.ndarray | pd.Series) -> np.ndarray:
    """OGRS3 band of two-year probabilities, on the percentage rounded half-up.

    Examples
    --------
    >>> ogrs3_band([0.494999, 0.495, 0.745, 0.9]).tolist()
    ['Low', 'Medium', 'High', 'Very high']
    """
    return DEFAULT_BANDS.band_of(probability_2y)


def ogrs3_from_features(X: pd.DataFrame) -> pd.DataFrame:
    """OGRS3 one- and two-year probabilities and band from feature columns.

    Returns
    -------
    DataFrame
        ``ogrs3_1y``, ``ogrs3_2y`` (probabilities, unrounded) and ``ogrs3_band``, on X's index.
    """
    p1 = 1.0 / (1.0 + np.exp(-ogrs3_logit(X, "1y")))
    p2 = 1.0 / (1.0 + np.exp(-ogrs3_logit(X, "2y")))
    return pd.DataFrame(
        {"ogrs3_1y": p1, "ogrs3_2y": p2, "ogrs3_band": ogrs3_band(p2)}, index=X.index
    )


def ogrs3_scores(people: pd.DataFrame, offences: pd.DataFrame) -> pd.DataFrame:
    """OGRS3 scores of every person from the people and offences tables.

    The offence history is counted as of the index date, exactly as the model features are
    (sanction occasions including the current one; age at first sanction).

    Parameters
    ----------
    people : DataFrame
        ``person_id``, ``date_of_birth``, ``sex``, ``index_date``, ``index_offence`` and
        optionally ``index_sanction_date`` (datetime64 or ISO strings).
    offences : DataFrame
        ``person_id``, ``sanction_date``, ``offence_group``.

    Returns
    -------
    DataFrame
        ``person_id``, ``ogrs3_1y``, ``ogrs3_2y`` (probabilities) and ``ogrs3_band``.

    Examples
    --------
    DOMAIN.md's worked example:

    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["x"], "date_of_birth": ["1991-07-17"],
    ...     "sex": ["male"], "index_date": ["2021-08-05"], "index_offence": ["fraud_forgery"]})
    >>> offences = pd.DataFrame({"person_id": ["x"], "sanction_date": ["2013-03-01"],
    ...     "offence_group": ["theft"]})
    >>> scores = ogrs3_scores(people, offences)
    >>> round(scores.loc[0, "ogrs3_1y"] * 100), round(scores.loc[0, "ogrs3_2y"] * 100)
    (11, 20)
    >>> scores.loc[0, "ogrs3_band"]
    'Low'
    """
    people = people.reset_index(drop=True)
    features, _ = offence_history(people, offences)
    scores = ogrs3_from_features(features)
    scores.insert(0, "person_id", people["person_id"].astype("str").to_numpy())
    return scores[list(SCORE_COLUMNS)]


class OGRS3Classifier(ClassifierMixin, BaseEstimator):
    """OGRS3 as a scikit-learn classifier: a fixed published scale, nothing is learned.

    ``fit`` only checks the inputs and records ``classes_``; ``predict_proba`` gives the
    OGRS3 probability of proven reoffending within ``horizon`` from FeatureTable columns
    (:data:`OGRS3_INPUTS`). Use it beside fitted models in comparisons; it can be calibrated
    to local data with ``CalibratedClassifierCV(FrozenEstimator(OGRS3Classifier().fit(X)))``.

    Parameters
    ----------
    horizon : {"2y", "1y"}
        Which OGRS3 equation to use.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"copas_rate": [-2.2513], "age_at_index": [30.0], "sex": ["male"],
    ...     "index_offence": ["fraud_forgery"], "sanction_occasions": [2.0]})
    >>> OGRS3Classifier().fit(X).predict_proba(X)[:, 1].round(2).tolist()
    [0.2]
    """

    def __init__(self, *, horizon: str = "2y") -> None:
        self.horizon = horizon

    @staticmethod
    def _frame(X: Any) -> pd.DataFrame:
        frame = getattr(X, "X", X)
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(MISSING_INPUTS.format(columns=", ".join(OGRS3_INPUTS)))
        return frame

    def fit(self, X: Any, y: Any = None) -> OGRS3Classifier:
        """Check the inputs; nothing is estimated. Returns ``self``."""
        if self.horizon not in INTERCEPTS:
            raise ValueError(BAD_HORIZON.format(value=self.horizon))
        frame = self._frame(X)
        missing = [c for c in OGRS3_INPUTS if c not in frame.columns]
        if missing:
            raise ValueError(MISSING_INPUTS.format(columns=", ".join(missing)))
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.array(list(frame.columns), dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """OGRS3 log-odds."""
        return ogrs3_logit(self._frame(X), self.horizon)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns: probability of no reoffending, probability of reoffending."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

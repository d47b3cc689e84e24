"""Model families behind one estimator, :class:`RiskModel`: a pipeline wrapped in calibration.

Families
--------
``logistic``
    A scorecard-like regularised logistic regression: B-spline bases on numeric features
    (non-linear age and history effects), one-hot encoding with rare levels grouped for
    categoricals. The regularisation strength is chosen by inner cross-validation.
``gbm``
    ``HistGradientBoostingClassifier`` on numeric features and ordinal-coded categoricals
    (rare levels grouped; no native categorical splits, so shap's TreeExplainer is exact).
``ensemble``
    The best ``logistic`` and the best ``gbm`` candidate averaged in log-odds
    (:class:`~riskmodel.models.LogOddsEnsemble`), under one calibrator: still exactly
    explainable, since the decomposition of each member's log-odds adds up.
``default``
    The recommended default: the ``logistic`` and ``gbm`` candidates and their ``ensemble``
    are compared by inner cross-validated log loss on the training data only, and the best is
    kept. Whatever wins, the calibrated score is one sigmoid of one log-odds score, so it stays
    exactly explainable.

Directions
----------
Every family is monotone by construction in the declared directions (``directions``; by
default the feature catalogue's, :data:`riskmodel.features.DIRECTIONS`): the scorecard reads a
declared feature through a monotone basis with sign-constrained weights
(:mod:`riskmodel.models._monotone`), gradient boosting through ``monotonic_cst``, the ensemble
averages monotone members with positive weights, and the sigmoid calibration's slope must be
positive. The offending profiles are left out when any of their inputs has a direction
(:func:`uses_profiles`): their posteriors are not monotone in what they read.

A need score that was not assessed takes a training mean inside the pipeline
(:data:`NEED_RECORD`; the assessment coverage records its absence), so no missing-value flag or
missing branch escapes the directions. The scorecard adds a floor per need area
(:data:`NEED_FLOORS`): the latest score at its maximum outweighs whatever the mean score can
take away, so in an explanation (reference: the training design mean) a need scored 2 never
lowers the risk through its area.

Calibration is ``CalibratedClassifierCV(method=..., ensemble=False)``: the pipeline is refitted
on all training rows and one calibrator is fitted on its cross-validated decision values. With
the sigmoid method the calibrated log-odds are exactly
``calibration_slope_ * raw_decision_function(X) + calibration_intercept_``.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from riskmodel._errors import ConfigError, DataError
from riskmodel._io import to_jsonable
from riskmodel._threads import thread_limit
from riskmodel.config import (
    BAD_DIRECTION,
    CALIBRATIONS,
    DIRECTION_NOT_NUMERIC,
    FAMILIES,
    FORBIDDEN_FEATURE,
    FORBIDDEN_FEATURES,
    UNKNOWN_CALIBRATION,
    UNKNOWN_FAMILY,
)
from riskmodel.contract._vocabulary import NEED_AREAS, PATHWAYS
from riskmodel.features._directions import directions_for
from riskmodel.models import _splits
from riskmodel.models._decision import raw_decision
from riskmodel.models._ensemble import LogOddsEnsemble
from riskmodel.models._messages import (
    BAD_TARGET,
    BAD_WEIGHTS,
    MISSING_FEATURES,
    ONE_CLASS,
    REVERSED_CALIBRATION,
)
from riskmodel.models._monotone import MonotoneLogisticRegression, MonotonePipeline
from riskmodel.models._preprocess import feature_preprocessor
from riskmodel.models._profiles import (
    PROFILE_BANDED,
    PROFILE_COUNTS,
    PROFILE_FEATURE,
    PROFILE_LEVELS,
    LatentProfiles,
    with_profiles,
)
from riskmodel.models._selection import calibrate_with, out_of_fold_log_odds, path_log_odds
from riskmodel.models._weights import weight_params

__all__ = [
    "CANDIDATES",
    "FAMILIES",
    "FORBIDDEN_COLUMNS",
    "BaseRateModel",
    "RiskModel",
    "build_pipeline",
]

#: Hyperparameter candidates of each family, compared by inner cross-validation.
CANDIDATES: dict[str, tuple[dict[str, Any], ...]] = {
    "logistic": tuple({"C": c} for c in (0.1, 0.3)),
    "gbm": (
        {
            "learning_rate": 0.05,
            "max_iter": 200,
            "max_leaf_nodes": 15,
            "min_samples_leaf": 40,
            "l2_regularization": 1.0,
        },
    ),
}
#: Families whose candidates the default (and the ensemble) compare.
DEFAULT_CANDIDATE_FAMILIES: tuple[str, ...] = ("logistic", "gbm")
#: The ensemble's members, in order.
ENSEMBLE_MEMBERS: tuple[str, ...] = ("logistic", "gbm")
#: Number of profile probabilities the profile block gives (one preprocessed column each).
PROFILE_COUNT: int = LatentProfiles().n_profiles
#: Need-assessment features (declared increasing) whose missing value means "not assessed": the
#: assessment coverage (``needs_missing``, ``assessments_before_index``) records that, so a
#: missing one takes a training mean inside the pipeline, with no indicator of its own.
NEED_RECORD: frozenset[str] = frozenset(
    {
        *(f"need_{area}" for area in NEED_AREAS),
        *(f"mean_need_{area}" for area in NEED_AREAS),
        *(f"pathway_{pathway}" for pathway in PATHWAYS),
        "needs_count",
        "needs_pathways",
    }
)
#: The scorecard's floors (:class:`~riskmodel.models.MonotonePipeline`): a need area's latest
#: score at its maximum outweighs whatever its mean score at its minimum takes away, so a need
#: scored 2 never lowers the risk through its area (its pathway flags are then 1, their top).
NEED_FLOORS: tuple[tuple[str, str], ...] = tuple(
    (f"need_{area}", f"mean_need_{area}") for area in NEED_AREAS
)
#: Columns that never reach a model, whatever the caller passes.
FORBIDDEN_COLUMNS: frozenset[str] = frozenset(FORBIDDEN_FEATURES)


def uses_profiles(numeric: list[str], directions: Mapping[str, int] | None = None) -> bool:
    """Whether a model over these numeric features with these directions reads offending
    profiles: when it has their inputs (:func:`~riskmodel.models._profiles.with_profiles`) and
    none of those inputs has a declared direction. A person's profile posteriors are not
    monotone in the offence counts, need levels, age and Copas rate they read, so a declared
    direction on any of them leaves the profile block out (the offence counts by group then
    reach the model directly, each with its direction).

    Examples
    --------
    >>> from riskmodel.models._profiles import PROFILE_BANDED, PROFILE_COUNTS, PROFILE_LEVELS
    >>> columns = [*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED]
    >>> uses_profiles(columns), uses_profiles(columns, {"age_at_index": -1})
    (True, False)
    """
    if not with_profiles(numeric):
        return False
    read = {*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED}
    return not any(directions.get(c, 0) for c in read) if directions else True


def build_pipeline(
    family: str,
    params: dict[str, Any],
    numeric: list[str],
    categorical: list[str],
    seed: int,
    directions: Mapping[str, int] | None = None,
) -> Pipeline:
    """The uncalibrated pipeline (preprocessing + classifier) of one family.

    ``directions`` (feature: ``+1`` non-decreasing, ``-1`` non-increasing) makes the score
    monotone in those numeric features by construction: the scorecard reads them through a
    monotone basis with sign-constrained weights (:class:`MonotoneLogisticRegression` in a
    :class:`MonotonePipeline`), gradient boosting through ``monotonic_cst``, and the profile
    block is left out when it would read any of them (:func:`uses_profiles`).

    Examples
    --------
    >>> build_pipeline("logistic", {"C": 0.1}, ["age"], ["sex"], 0).steps[-1][0]
    'classifier'

    The ``ensemble`` family takes ``params`` by member (``{"logistic": {...}, "gbm": {...}}``)
    and returns a :class:`~riskmodel.models.LogOddsEnsemble` of the members' pipelines.
    """
    if family == "ensemble":
        return LogOddsEnsemble(
            [
                (
                    member,
                    build_pipeline(member, params[member], numeric, categorical, seed, directions),
                )
                for member in ENSEMBLE_MEMBERS
            ]
        )
    directions = {c: d for c, d in (directions or {}).items() if d}
    profiles = uses_profiles(numeric, directions)
    if profiles:
        numeric = [c for c in numeric if c not in PROFILE_COUNTS]
    preprocess = feature_preprocessor(
        family,
        numeric,
        categorical,
        profiles=profiles,
        seed=seed,
        directions=directions,
        impute=NEED_RECORD,
    )
    if family == "logistic" and directions:
        classifier: Any = MonotoneLogisticRegression(max_iter=5000, **params)
        floors = [
            (top, bottom)
            for top, bottom in NEED_FLOORS
            if directions.get(top) == 1 and directions.get(bottom) == 1
        ]
        return MonotonePipeline(
            [("preprocess", preprocess), ("classifier", classifier)], floors=floors
        )
    if family == "logistic":
        classifier = LogisticRegression(max_iter=5000, **params)
    elif family == "gbm":
        if directions:
            # One constraint per preprocessed column: numeric columns pass through one each,
            # in order; profile probabilities and categorical codes are free.
            width = len(numeric) + (PROFILE_COUNT if profiles else 0) + len(categorical)
            constraints = [int(directions.get(c, 0)) for c in numeric]
            params = {**params, "monotonic_cst": constraints + [0] * (width - len(numeric))}
        classifier = HistGradientBoostingClassifier(random_state=seed, **params)
    else:
        raise ConfigError(UNKNOWN_FAMILY.format(value=family, known=", ".join(FAMILIES[1:])))
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def _log_loss(
    y: np.ndarray, log_odds: np.ndarray, sample_weight: np.ndarray | None = None
) -> float:
    """Log loss of the probabilities ``expit(log_odds)``, held within [1e-6, 1 - 1e-6]."""
    proba = np.clip(expit(log_odds), 1e-6, 1 - 1e-6)
    return float(log_loss(y, proba, sample_weight=sample_weight, labels=[0, 1]))


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    weights = np.asarray(sample_weight, dtype=float).ravel()
    good = np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0
    if weights.shape != (n,) or not good:
        raise DataError(BAD_WEIGHTS.format(n=n, shape=weights.shape))
    return weights


def _target(y: Any) -> np.ndarray:
    values = pd.Series(np.asarray(y)).reset_index(drop=True)
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna() | ~numeric.isin([0, 1])
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(values[bad].astype(str))[:5])
        raise DataError(BAD_TARGET.format(examples=examples))
    target = numeric.to_numpy(dtype=int)
    if np.unique(target).size < 2:
        raise DataError(ONE_CLASS.format(value=int(target[0])))
    return target


class RiskModel(ClassifierMixin, BaseEstimator):
    """A calibrated model of a binary outcome: one pipeline, one calibrator.

    Parameters
    ----------
    family : {"default", "logistic", "gbm", "ensemble"}
        Model family; ``default`` picks between ``logistic`` and ``gbm`` by inner CV.
    calibration : {"sigmoid", "isotonic"}
        Calibration method. Sigmoid keeps the score exactly explainable in log-odds.
    seed : int
        Seed of every random choice (folds, boosting).
    numeric, categorical : list of str, optional
        Feature columns; when both are omitted they are inferred from ``X``'s dtypes
        (numeric and boolean dtypes are numeric, everything else categorical).
    cv : int or "auto"
        Folds of the calibration's cross-validation; ``auto`` is 5 up to 20,000 training
        rows and 3 above (large samples need fewer folds, and training stays fast).
    inner_cv : int or "auto"
        Folds of the inner cross-validation that chooses hyperparameters and family;
        ``auto``: the calibration's. When the choice is made on every training row with the
        calibration's number of folds, the calibration reuses the chosen candidate's
        out-of-fold log-odds instead of fitting its own folds.
    max_selection_rows : int
        The inner cross-validation uses at most this many (stratified) training rows.
    directions : dict of str to int, optional
        Numeric features in which the score must be non-decreasing (``+1``) or non-increasing
        (``-1``): every family honours them by construction. None: the feature catalogue's
        directions (:data:`riskmodel.features.DIRECTIONS`) of the event features present;
        ``{}``: none. A name that is not a numeric feature of the model, or a direction other
        than +1/-1, is a :class:`~riskmodel.ConfigError`.

    Attributes
    ----------
    family_ : str
        The family fitted (the one chosen, for ``default``).
    params_ : dict
        Its hyperparameters.
    selection_ : list of dict
        Inner-CV log loss of every candidate (``family``, ``params``, ``inner_log_loss``;
        empty when there was nothing to choose).
    estimator_ : Pipeline or LogOddsEnsemble
        The fitted uncalibrated pipeline (the ensemble of pipelines for ``ensemble``).
    calibrated_ : CalibratedClassifierCV
    calibration_slope_, calibration_intercept_ : float or None
        Sigmoid calibration: ``logit(p) = slope * raw + intercept`` (None for isotonic).
    feature_names_in_ : ndarray
        Feature columns in the order the model uses them.
    design_mean_ : ndarray
        Mean of the preprocessed training design (the logistic family's explanation
        reference).
    directions_ : dict of str to int
        The directions honoured (declared ones only, in the model's feature order).
    profiles_ : bool
        Whether the model reads offending profiles (never when a profile input has a
        direction: :func:`uses_profiles`).
    grouped_ : bool
        Whether ``fit`` was given ``groups``: the inner and calibration folds then kept each
        person's rows on one side.
    out_of_fold_log_odds_ : ndarray or None
        The raw log-odds of every training row from the inner fold that did not see it, on
        which the calibrator was fitted; None when the calibration fitted folds of its own.
        Never saved with the model (a saved model carries nothing of a training row):
        :meth:`refit` can reuse it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.integers(18, 70, 300).astype(float),
    ...                   "sex": rng.choice(["male", "female"], 300)})
    >>> y = (rng.random(300) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    >>> model = RiskModel(family="logistic").fit(X, y)
    >>> p = model.predict_proba(X)[:, 1]
    >>> bool(((p > 0) & (p < 1)).all())
    True
    """

    def __init__(
        self,
        *,
        family: str = "default",
        calibration: str = "sigmoid",
        seed: int = 0,
        numeric: list[str] | None = None,
        categorical: list[str] | None = None,
        cv: int | str = "auto",
        inner_cv: int | str = "auto",
        max_selection_rows: int = 100_000,
        directions: dict[str, int] | None = None,
    ) -> None:
        self.family = family
        self.calibration = calibration
        self.seed = seed
        self.numeric = numeric
        self.categorical = categorical
        self.cv = cv
        self.inner_cv = inner_cv
        self.max_selection_rows = max_selection_rows
        self.directions = directions

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A model saved before directions existed: no parameter, nothing declared, and the
        # profile block wherever its inputs were present.
        state = dict(state)
        state.setdefault("directions", None)
        super().__setstate__(state)
        calibrated = getattr(self, "calibrated_", None)
        if calibrated is not None and calibrated.estimator is None:
            calibrated.estimator = self.estimator_  # left out when saved (see __getstate__)

    def __getstate__(self) -> dict[str, Any]:
        # One figure per training row stays in memory: a saved model carries no training row.
        state = dict(super().__getstate__())  # a copy: the model itself keeps it
        state.pop("out_of_fold_log_odds_", None)
        # The fitted pipeline can be held three times (``estimator_``, the calibration's own
        # estimator and its fitted classifier's), and a serialiser such as skops writes each
        # reference out in full. The calibration's own estimator, which nothing reads, is left
        # out and restored on loading; the two others stay, so that a model file written here
        # still works with versions of this class that do not restore it.
        calibrated = state.get("calibrated_")
        if calibrated is not None and calibrated.estimator is state.get("estimator_"):
            calibrated = copy.copy(calibrated)
            calibrated.estimator = None
            state["calibrated_"] = calibrated
        return state

    def _resolve_directions(self) -> dict[str, int]:
        if self.directions is None:
            return directions_for(self.numeric_)
        numeric = set(self.numeric_)
        resolved: dict[str, int] = {}
        for column, direction in self.directions.items():
            if column not in numeric:
                raise ConfigError(DIRECTION_NOT_NUMERIC.format(key="directions", column=column))
            if isinstance(direction, bool) or direction not in (-1, 0, 1):
                raise ConfigError(BAD_DIRECTION.format(column=column, value=direction))
        for column in self.numeric_:
            if self.directions.get(column):
                resolved[column] = int(self.directions[column])
        return resolved

    # -- fitting -------------------------------------------------------------------------
    def _resolve_columns(self, X: pd.DataFrame) -> tuple[list[str], list[str]]:
        if self.numeric is None and self.categorical is None:
            numeric = [
                str(c)
                for c in X.columns
                if pd.api.types.is_numeric_dtype(X[c].dtype)
                or pd.api.types.is_bool_dtype(X[c].dtype)
            ]
            categorical = [str(c) for c in X.columns if str(c) not in numeric]
        else:
            numeric = list(self.numeric or [])
            categorical = list(self.categorical or [])
        for column in numeric + categorical:
            if column.strip().lower() in FORBIDDEN_COLUMNS:
                raise ConfigError(FORBIDDEN_FEATURE.format(column=column))
        missing = [c for c in numeric + categorical if c not in X.columns]
        if missing:
            raise DataError(MISSING_FEATURES.format(missing=", ".join(map(repr, missing))))
        return numeric, categorical

    def prepare(self, X: Any) -> pd.DataFrame:
        """The model's feature columns of ``X``, in its order and types (numeric as float).

        Raises :class:`~riskmodel.DataError` naming any feature column ``X`` lacks.
        """
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        names = list(self.feature_names_in_)
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise DataError(MISSING_FEATURES.format(missing=", ".join(map(repr, missing))))
        frame = frame[names].reset_index(drop=True)
        for column in self.numeric_:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        return frame

    def _candidates(self) -> list[tuple[str, dict[str, Any]]]:
        families = (
            DEFAULT_CANDIDATE_FAMILIES
            if self.family in ("default", "ensemble")
            else (self.family,)
        )
        return [(family, dict(params)) for family in families for params in CANDIDATES[family]]

    def _calibration_folds(self, n_rows: int) -> int:
        """Folds of the calibration's cross-validation (``cv``; ``auto``: 5 up to 20,000 rows,
        3 above)."""
        return int(self.cv) if self.cv != "auto" else (5 if n_rows <= 20_000 else 3)

    def _select(
        self,
        X: pd.DataFrame,
        y: np.ndarray,
        candidates: list[tuple[str, dict[str, Any]]],
        sample_weight: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> tuple[tuple[str, dict[str, Any]], pd.DataFrame, np.ndarray | None]:
        """The candidate with the least inner cross-validated log loss, the table of all, and
        its out-of-fold log-odds when every row of ``X`` took part in the folds the calibration
        would use (None otherwise: the calibration then has folds of its own). ``groups``
        keeps each person's rows on one side of every fold."""
        if len(candidates) == 1 and self.family != "ensemble":
            return (
                candidates[0],
                pd.DataFrame(columns=["family", "params", "inner_log_loss"]),
                None,
            )
        Xs, ys, ws, gs = X, y, sample_weight, groups
        if len(X) > self.max_selection_rows:
            rows = _splits.subsample(y, groups, self.max_selection_rows, self.seed)
            Xs, ys = X.iloc[rows], y[rows]
            ws = None if sample_weight is None else sample_weight[rows]
            gs = None if groups is None else groups[rows]
        inner = self._calibration_folds(len(y)) if self.inner_cv == "auto" else self.inner_cv
        splits = _splits.fold_splits(ys, gs, int(inner), self.seed + 1)
        log_odds = self._candidate_log_odds(Xs, ys, candidates, splits, ws)
        rows = [
            {"family": family, "params": params, "inner_log_loss": _log_loss(ys, odds, ws)}
            for (family, params), odds in zip(candidates, log_odds, strict=True)
        ]
        table = pd.DataFrame(rows)
        if self.family in ("default", "ensemble"):
            # The ensemble of the best candidate of each member family, scored on the same
            # inner folds: its members' out-of-fold log-odds averaged.
            members: dict[str, Any] = {}
            combined = np.zeros(len(ys))
            for member in ENSEMBLE_MEMBERS:
                own = np.flatnonzero(table["family"].to_numpy() == member)
                pick = int(own[table["inner_log_loss"].to_numpy()[own].argmin()])
                members[member] = candidates[pick][1]
                combined += log_odds[pick] / len(ENSEMBLE_MEMBERS)
            candidates = [*candidates, ("ensemble", members)]
            log_odds = [*log_odds, combined]
            ensemble_row = {
                "family": "ensemble",
                "params": members,
                "inner_log_loss": _log_loss(ys, combined, ws),
            }
            table = pd.concat([table, pd.DataFrame([ensemble_row])], ignore_index=True)
        best = len(candidates) - 1
        if self.family != "ensemble":
            best = int(table["inner_log_loss"].to_numpy().argmin())
        reusable = len(Xs) == len(X) and int(inner) == self._calibration_folds(len(y))
        return candidates[best], table, log_odds[best] if reusable else None

    def _candidate_log_odds(
        self,
        X: pd.DataFrame,
        y: np.ndarray,
        candidates: list[tuple[str, dict[str, Any]]],
        splits: list[tuple[np.ndarray, np.ndarray]],
        sample_weight: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """Out-of-fold log-odds of every candidate on ``splits``; the scorecard candidates,
        which differ only in ``C``, sharing each fold's fitted preprocessing."""
        out: dict[int, np.ndarray] = {}
        path = [
            i
            for i, (family, params) in enumerate(candidates)
            if family == "logistic" and set(params) == {"C"}
        ]
        if len(path) > 1:
            pipeline = build_pipeline(
                "logistic",
                candidates[path[0]][1],
                self.numeric_,
                self.categorical_,
                self.seed,
                self.directions_,
            )
            Cs = [candidates[i][1]["C"] for i in path]
            path_odds = path_log_odds(pipeline, Cs, X, y, splits, sample_weight)
            out.update(zip(path, path_odds, strict=True))
        for i, (family, params) in enumerate(candidates):
            if i not in out:
                pipeline = build_pipeline(
                    family, params, self.numeric_, self.categorical_, self.seed, self.directions_
                )
                out[i] = out_of_fold_log_odds(pipeline, X, y, splits, sample_weight)
        return [out[i] for i in range(len(candidates))]

    def fit(self, X: Any, y: Any, sample_weight: Any = None, groups: Any = None) -> RiskModel:
        """Choose (by inner CV), fit and calibrate on ``X``, ``y``, with the package's native
        thread limit (:func:`riskmodel._threads.thread_limit`).

        ``sample_weight`` (one non-negative weight per row, e.g. inverse probability of
        censoring weights, :mod:`riskmodel._survival`) weights every step: the inner
        cross-validation's fits and log loss, the pipeline's classifier (every member of an
        ensemble) and the calibrator. ``groups`` (optional, one value per row) names the
        person of each row when a person may have several: the inner model-selection folds
        and the calibration folds then keep each person's rows on one side
        (:mod:`riskmodel.models._splits`).
        """
        with thread_limit():
            return self._fit(X, y, sample_weight, groups)

    def refit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        groups: Any = None,
        log_odds: Any = None,
    ) -> RiskModel:
        """A new model with this one's choice of family and hyperparameters, fitted and
        calibrated on ``X``, ``y``: what ``riskmodel train`` ships after its held-out
        evaluation, without choosing again on rows that include the held-out ones. Its
        ``selection_`` is this model's.

        The calibrator is fitted on out-of-sample log-odds of every row: ``log_odds`` when
        given (one raw log-odds per row of ``X``, each from a fit of this choice that did not
        see the row, e.g. :attr:`out_of_fold_log_odds_` for the rows this model was fitted on
        and :meth:`raw_decision_function` for the others), otherwise cross-validated ones
        computed here (the calibration's folds, fitted again).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame({"age": rng.integers(18, 70, 300).astype(float)})
        >>> y = (rng.random(300) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
        >>> first = RiskModel(family="logistic").fit(X[:200], y[:200])
        >>> again = first.refit(X, y)
        >>> again.params_ == first.params_, again.n_train_
        (True, 300)
        """
        check_is_fitted(self, "family_")
        model = clone(self)
        model.selection_ = self.selection_
        scores = None if log_odds is None else np.asarray(log_odds, dtype=np.float64)
        if scores is not None and scores.shape != (len(X),):
            raise ValueError(f"log_odds has {scores.size} values for {len(X)} rows")
        if scores is not None and not np.isfinite(scores).all():
            raise ValueError("log_odds must be finite: one out-of-sample log-odds per row")
        with thread_limit():
            return model._fit(
                X,
                y,
                sample_weight,
                groups,
                choice=(self.family_, dict(self.params_)),
                log_odds=scores,
            )

    def _fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        groups: Any = None,
        choice: tuple[str, dict[str, Any]] | None = None,
        log_odds: np.ndarray | None = None,
    ) -> RiskModel:
        if self.family not in FAMILIES:
            raise ConfigError(UNKNOWN_FAMILY.format(value=self.family, known=", ".join(FAMILIES)))
        if self.calibration not in CALIBRATIONS:
            raise ConfigError(
                UNKNOWN_CALIBRATION.format(value=self.calibration, known=", ".join(CALIBRATIONS))
            )
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        target = _target(y)
        weights = None if sample_weight is None else _weights(sample_weight, len(target))
        self.numeric_, self.categorical_ = self._resolve_columns(frame)
        self.feature_names_in_ = np.asarray(self.numeric_ + self.categorical_, dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.directions_ = self._resolve_directions()
        self.profiles_ = uses_profiles(self.numeric_, self.directions_)
        frame = self.prepare(frame)
        persons = None if groups is None else np.asarray(groups).astype(str)
        if persons is not None and len(persons) != len(target):
            raise ValueError(f"groups has {len(persons)} values, y has {len(target)}")
        if choice is None:
            (self.family_, self.params_), selection, log_odds = self._select(
                frame, target, self._candidates(), weights, persons
            )
            # Plain records (not a DataFrame): a bundle persists only types it can load safely.
            self.selection_ = to_jsonable(selection.to_dict(orient="records"))
        else:  # the choice made before (refit): its inner-CV table stays as it was
            self.family_, self.params_ = choice
        pipeline = build_pipeline(
            self.family_,
            self.params_,
            self.numeric_,
            self.categorical_,
            self.seed,
            self.directions_,
        )
        self.out_of_fold_log_odds_ = None if choice is not None else log_odds
        if log_odds is not None:
            # The choice was made on the calibration's folds (or the caller has out-of-sample
            # log-odds of every row): a calibration by cross-validation would compute them again.
            self.calibrated_ = calibrate_with(
                pipeline.fit(frame, target, **weight_params(pipeline, weights)),
                log_odds,
                target,
                method=self.calibration,
                sample_weight=weights,
            )
        else:
            n_folds = self._calibration_folds(len(target))
            folds = _splits.fold_splits(target, persons, n_folds, self.seed)
            with warnings.catch_warnings():
                # A plain Pipeline's fit has no sample_weight of its own: the weights reach
                # its classifier as classifier__sample_weight, and the calibrator directly.
                warnings.filterwarnings(
                    "ignore", message=".*does not appear to accept sample_weight"
                )
                params = weight_params(pipeline, weights) if type(pipeline) is Pipeline else {}
                self.calibrated_ = CalibratedClassifierCV(
                    pipeline, method=self.calibration, cv=folds, ensemble=False
                ).fit(frame, target, sample_weight=weights, **params)
            self.calibrated_.cv = n_folds  # the split lists served the fit; no rows kept
        self.grouped_ = persons is not None
        fitted = self.calibrated_.calibrated_classifiers_[0]
        self.estimator_ = fitted.estimator
        calibrator = fitted.calibrators[0]
        if self.calibration == "sigmoid":
            self.calibration_slope_ = float(-calibrator.a_)
            self.calibration_intercept_ = float(-calibrator.b_)
            if self.directions_:
                check_slope(self.calibration_slope_)
        else:
            self.calibration_slope_ = self.calibration_intercept_ = None
        self.classes_ = np.array([0, 1])
        self.base_rate_ = float(np.average(target, weights=weights))
        self.n_train_ = len(target)
        # The training data's mean design row: the reference ("average person") of the
        # logistic family's exact explanations, the same for every batch explained.
        self.design_mean_ = None
        for _, family, pipeline in self.members():
            if family == "logistic":
                design = pipeline.named_steps["preprocess"].transform(frame)
                self.design_mean_ = np.asarray(design.mean(axis=0), dtype=float).ravel()
        return self

    def members(self) -> list[tuple[float, str, Pipeline]]:
        """(weight, family, fitted pipeline) of every model whose log-odds make up the raw
        score: one with weight 1, or the ensemble's members with their weights."""
        check_is_fitted(self, "estimator_")
        if isinstance(self.estimator_, LogOddsEnsemble):
            return [
                (float(weight), name, member)
                for weight, (name, member) in zip(
                    self.estimator_.weights_, self.estimator_.members_, strict=True
                )
            ]
        return [(1.0, self.family_, self.estimator_)]

    def explained_features(self) -> list[str]:
        """The features an explanation reports, in the model's order: every feature the model
        reads directly, then the offending profile (standing for everything its latent class
        analysis reads: the offence counts by group, need levels, age and Copas rate) when the
        model has one.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> X = pd.DataFrame({"age": np.arange(60.0), "sex": ["male", "female"] * 30})
        >>> model = RiskModel(family="logistic", cv=2).fit(X, np.arange(60) % 2)
        >>> model.explained_features()
        ['age', 'sex']
        """
        check_is_fitted(self, "estimator_")
        if not self.reads_profiles:
            return [str(c) for c in self.feature_names_in_]
        direct = [str(c) for c in self.feature_names_in_ if c not in PROFILE_COUNTS]
        return [*direct, PROFILE_FEATURE]

    @property
    def reads_profiles(self) -> bool:
        """Whether the fitted model reads offending profiles (a model saved before directions
        existed read them whenever their inputs were present)."""
        check_is_fitted(self, "estimator_")
        if hasattr(self, "profiles_"):
            return bool(self.profiles_)
        return with_profiles(list(self.numeric_))

    # -- prediction ----------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, shape ``(n, 2)``."""
        return self.log_odds_and_proba(X)[1]

    def log_odds_and_proba(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """The raw log-odds of ``X`` and the calibrated probabilities made from them: how
        :meth:`predict_proba` computes its answer, both halves, for a caller that needs the
        two (an explanation checks its contributions against the first and states the
        second).

        Parameters
        ----------
        X : DataFrame
            The model's feature columns.

        Returns
        -------
        raw : ndarray of shape (n,)
            The calibrated classifier's own uncalibrated log-odds.
        proba : ndarray of shape (n, 2)
            Its calibrator's probabilities of ``raw``, exactly :meth:`predict_proba`'s.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame({"age": rng.integers(18, 70, 300).astype(float)})
        >>> y = (rng.random(300) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
        >>> model = RiskModel(family="logistic", cv=3).fit(X, y)
        >>> raw, proba = model.log_odds_and_proba(X)
        >>> bool(np.array_equal(proba, model.predict_proba(X)))
        True
        >>> bool(np.allclose(raw, model.raw_decision_function(X)))
        True
        """
        check_is_fitted(self, "calibrated_")
        fitted = self.calibrated_.calibrated_classifiers_[0]
        with thread_limit():
            raw = np.asarray(raw_decision(fitted.estimator, self.prepare(X)), dtype=np.float64)
        # the calibrator of the raw log-odds, as ``calibrated_.predict_proba`` applies it
        p = fitted.calibrators[0].predict(raw)
        return raw, np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """1 when the calibrated probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def raw_decision_function(self, X: Any) -> np.ndarray:
        """The uncalibrated pipeline's decision function (its log-odds)."""
        check_is_fitted(self, "calibrated_")
        with thread_limit():
            return raw_decision(self.estimator_, self.prepare(X))

    def decision_function(self, X: Any) -> np.ndarray:
        """Calibrated log-odds: exactly ``slope * raw + intercept`` for sigmoid calibration."""
        check_is_fitted(self, "calibrated_")
        if self.calibration_slope_ is not None:
            raw = self.raw_decision_function(X)
            return self.calibration_slope_ * raw + self.calibration_intercept_
        p = np.clip(self.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
        return np.log(p / (1 - p))

    @property
    def exactly_explainable(self) -> bool:
        """True when the calibrated log-odds are a linear function of one model's output."""
        return self.calibration == "sigmoid"

    def transformed_feature_names(self) -> list[str]:
        """Names of the preprocessed columns, each ``{feature}__{detail}``."""
        names = []
        members = self.members()
        for _, family, pipeline in members:
            prefix = f"{family}:" if len(members) > 1 else ""
            names += [prefix + str(n) for n in pipeline[:-1].get_feature_names_out()]
        return names

    def describe(self) -> dict[str, Any]:
        """A plain summary for manifests and model cards."""
        check_is_fitted(self, "estimator_")
        return {
            "family": self.family,
            "family_fitted": self.family_,
            "params": self.params_,
            "calibration": self.calibration,
            "calibration_slope": self.calibration_slope_,
            "calibration_intercept": self.calibration_intercept_,
            "numeric": list(self.numeric_),
            "categorical": list(self.categorical_),
            "selection": list(self.selection_),
            "exactly_explainable": self.exactly_explainable,
            "directions": dict(getattr(self, "directions_", {})),
            "profiles": self.reads_profiles,
        }


class BaseRateModel(ClassifierMixin, BaseEstimator):
    """Everyone gets the training base rate: the baseline every model must beat.

    Examples
    --------
    >>> import numpy as np
    >>> BaseRateModel().fit(np.zeros((4, 1)), [0, 0, 1, 1]).predict_proba(np.zeros((1, 1)))
    array([[0.5, 0.5]])
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> BaseRateModel:
        target = np.asarray(y, dtype=float)
        self.base_rate_ = float(np.average(target, weights=sample_weight))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "base_rate_")
        n = len(X)
        return np.column_stack([np.full(n, 1 - self.base_rate_), np.full(n, self.base_rate_)])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


def check_slope(slope: float) -> None:
    """Refuse a sigmoid calibration that would turn the score around: with directions declared,
    the calibrated log-odds must rise with the model's own (``slope > 0``), or a monotone
    model would come out monotone the wrong way.

    Examples
    --------
    >>> check_slope(0.9)
    """
    if not slope > 0:
        raise DataError(REVERSED_CALIBRATION.format(slope=slope))


def clone_model(model: RiskModel) -> RiskModel:
    """An unfitted copy with the same parameters."""
    return clone(model)

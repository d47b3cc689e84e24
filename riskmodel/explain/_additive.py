"""Exact, additive explanations of the calibrated score, per original feature.

How the decomposition is built
------------------------------
A :class:`riskmodel.models.RiskModel` is one pipeline (``preprocess`` then ``classifier``) and
one calibrator. With sigmoid calibration the calibrated log-odds are exactly
``slope * raw + intercept``, where ``raw`` is the classifier's own log-odds, so an additive
decomposition of ``raw`` composes exactly with the calibrator:

* ``logistic``: ``shap.LinearExplainer`` over the transformed design matrix (spline and
  one-hot columns). For a linear model the contribution of column ``j`` is
  ``w_j * (z_j - mean_j)``; the base value is the model's log-odds at the reference mean.
* ``gbm``: ``shap.TreeExplainer(model_output="raw")`` on the ``HistGradientBoostingClassifier``
  (plain numeric and ordinal-coded inputs, no native categorical splits, so the tree SHAP values
  are exact); the base value is the trees' mean raw log-odds over the training data.
* ``ensemble``: its raw log-odds are a weighted average of a logistic and a gbm member's, so
  each member is decomposed as above and the contributions and base values are averaged with
  the same weights.

Columns of the design matrix are summed back to the original feature they came from (every
spline or one-hot column belongs to exactly one feature), then multiplied by the calibration
slope; the base value becomes ``slope * raw_base + intercept``. Additivity is then *checked*
against the model's own ``predict_proba`` for every person, and an explanation that fails the
check is refused (:data:`NOT_ADDITIVE`), never replaced by a sampling approximation.

Isotonic calibration is piecewise constant: no additive decomposition of its log-odds exists.
Its explanations are of the uncalibrated model's log-odds, flagged ``exact = False``, with the
per-person gap to the calibrated log-odds kept in ``calibration_adjustment``.

Percentage points
-----------------
``percentage_points`` shares the change in probability from the base probability to the
person's probability, ``p - p_base``, among features in proportion to their log-odds
contributions: feature ``j`` gets ``c_j * (p - p_base) / (logit(p) - logit(p_base))`` (the
secant slope of the logistic curve between the two points; its derivative ``p (1 - p)`` when
they coincide). These effects have the signs of the log-odds contributions and add up exactly
to ``p - p_base``; they are expressed in percentage points (x 100).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.utils.validation import check_is_fitted

from riskmodel._errors import RiskmodelError
from riskmodel._horizon import DEFAULT_HORIZON_MONTHS, probability_column
from riskmodel.explain._concepts import ConceptMap
from riskmodel.explain._messages import (
    EMPTY_INPUT,
    NOT_ADDITIVE,
    NOT_FITTED,
    UNSUPPORTED_FAMILY,
    UNSUPPORTED_PREPROCESSING,
)
from riskmodel.explain._reference import BATCH_REFERENCE, ReferencePopulation
from riskmodel.features._concepts import SHARED_RULE
from riskmodel.models._decision import design_matrix
from riskmodel.models._profiles import PROFILE_FEATURE, profile_descriptions

__all__ = [
    "ADDITIVITY_TOLERANCE",
    "Explanation",
    "ExplanationError",
    "explain",
    "logit",
]

#: Largest |base + sum(contributions) - logit(p)| accepted for any person.
ADDITIVITY_TOLERANCE = 1e-6

#: Concepts contributing less than this (log-odds, either way) make little difference
#: (:data:`riskmodel.explain.NEGLIGIBLE`).
NEGLIGIBLE_LOG_ODDS = 0.05

#: Model families explained exactly.
EXPLAINABLE_FAMILIES: tuple[str, ...] = ("logistic", "gbm", "ensemble")

#: Probabilities are clipped to this distance from 0 and 1 before taking log-odds (isotonic
#: calibration reaches 0 and 1).
_CLIP = 1e-12


class ExplanationError(RiskmodelError):
    """An explanation that cannot be given exactly (the command line: exit code 2)."""


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds ``log(p / (1 - p))``, computed as ``log(p) - log1p(-p)``."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _shap() -> Any:
    """Import shap; its import touches a matplotlib API due for deprecation (narrowly muted)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module="shap")
        warnings.filterwarnings("ignore", message=".*set_bad.*", category=DeprecationWarning)
        warnings.filterwarnings(
            "ignore", message=".*set_bad.*", category=PendingDeprecationWarning
        )
        import shap
    return shap


@dataclass
class Explanation:
    """Per-person, per-feature additive explanations of a model's scores.

    Attributes
    ----------
    ids : Series
        Person identifiers, one per row.
    X : DataFrame
        The feature values explained (the model's columns, in its order).
    contributions : DataFrame
        Contribution of each original feature to each person's log-odds (calibrated log-odds
        when ``exact``; the uncalibrated model's log-odds otherwise).
    base_value : float
        Log-odds every explanation starts from: the calibrated log-odds of the reference mean
        (see ``reference``).
    probability : ndarray
        Calibrated probability ``model.predict_proba(X)[:, 1]``, unrounded.
    exact : bool
        True when ``base_value + contributions.sum(axis=1) == logit(probability)`` (checked to
        :data:`ADDITIVITY_TOLERANCE`); False for isotonic calibration (approximate).
    family, calibration : str
        The model family explained and its calibration method.
    reference : str
        What the base value averages over: ``"training data"`` or ``"the people explained"``.
    method : str
        How the contributions were computed, in words.
    max_additivity_error : float
        Largest additivity gap measured (in the calibrated log-odds when exact, in the
        uncalibrated model's log-odds otherwise).
    calibration_adjustment : ndarray or None
        Isotonic only: ``logit(probability) - (base_value + sum of contributions)``.
    """

    ids: pd.Series
    X: pd.DataFrame
    contributions: pd.DataFrame
    base_value: float
    probability: np.ndarray
    exact: bool
    family: str
    calibration: str
    reference: str
    method: str
    max_additivity_error: float
    calibration_adjustment: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    concept_map: ConceptMap | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    population: ReferencePopulation | None = None
    #: ``index_id`` of each row when people have several index events (written next to
    #: ``person_id`` in ``explanations.json``).
    index_ids: pd.Series | None = None

    def __len__(self) -> int:
        return len(self.ids)

    # -- concepts --------------------------------------------------------------------------
    @property
    def concepts(self) -> ConceptMap:
        """The concepts reasons are given for (:class:`ConceptMap`): the ``concept_map`` given
        to :func:`explain`, else the concept catalogue for event data and one concept per
        feature otherwise."""
        if self.concept_map is None:
            self.concept_map = ConceptMap.for_features(self.features)
        return self.concept_map

    @property
    def concept_contributions(self) -> pd.DataFrame:
        """Contribution of each concept to each person's log-odds: the sum of its features'
        contributions (a shared feature by its per-person shares). ``base_value +
        concept_contributions.sum(axis=1)`` equals the sum by feature to float rounding."""
        cached = self.meta.get("_concept_contributions")
        if cached is None:
            cached = self.concepts.aggregate(self.contributions, self.X)
            self.meta["_concept_contributions"] = cached
        return cached

    def concept_percentage_points(self, points: pd.DataFrame | None = None) -> pd.DataFrame:
        """:attr:`percentage_points` summed into concepts (``points``: the per-feature ones,
        when already computed)."""
        points = self.percentage_points if points is None else points
        return self.concepts.aggregate(points, self.X)

    def mean_abs_concept_contribution(self) -> pd.Series:
        """Mean absolute contribution (log-odds) of each concept, largest first."""
        values = self.concept_contributions.abs().mean(axis=0)
        return values.sort_values(ascending=False, kind="stable")

    @property
    def reference_population(self) -> ReferencePopulation:
        """Who a person's position is stated among: the stored training reference given to
        :func:`explain` when it covers the features, else the people explained (its
        ``source`` says which)."""
        if self.population is None or not self.population.known(
            [c for c in self.X.columns if c != PROFILE_FEATURE]
        ):
            self.population = ReferencePopulation.from_frame(self.X, source=BATCH_REFERENCE)
        return self.population

    @property
    def features(self) -> list[str]:
        """Feature names, in the model's order."""
        return list(self.contributions.columns)

    @property
    def log_odds(self) -> np.ndarray:
        """The log-odds of each person's calibrated probability."""
        return logit(np.clip(self.probability, _CLIP, 1 - _CLIP))

    @property
    def base_probability(self) -> float:
        """The probability at the base value, ``1 / (1 + exp(-base_value))``."""
        return float(_sigmoid(self.base_value))

    @property
    def percentage_points(self) -> pd.DataFrame:
        """Each contribution as a share of ``p - p_base``, in percentage points.

        ``c_j * (p - p_base) / (logit(p) - base_value)``: proportional to the log-odds
        contribution, same sign, and summing to ``100 * (p - p_base)`` for every person (the
        module docstring explains the choice).
        """
        end = self.base_value + self.contributions.to_numpy().sum(axis=1)
        delta = end - self.base_value
        p_end = _sigmoid(end)
        p0 = self.base_probability
        small = np.abs(delta) < 1e-9
        safe = np.where(small, 1.0, delta)
        slope = np.where(small, p_end * (1 - p_end), (p_end - p0) / safe)
        return self.contributions.mul(100 * slope, axis=0)

    def mean_abs_contribution(self) -> pd.Series:
        """Mean absolute contribution (log-odds) of each feature, largest first."""
        values = self.contributions.abs().mean(axis=0)
        return values.sort_values(ascending=False, kind="stable")

    def percentile(self) -> np.ndarray:
        """Share (0-100) of the people explained whose probability is below each person's."""
        ordered = np.sort(self.probability)
        below = np.searchsorted(ordered, self.probability, side="left")
        return 100.0 * below / len(ordered)

    def position(self, person_id: str) -> int:
        """Row of ``person_id``; ``KeyError`` when absent."""
        matches = np.flatnonzero(self.ids.astype(str).to_numpy() == str(person_id))
        if matches.size == 0:
            raise KeyError(person_id)
        return int(matches[0])

    def to_dict(self, *, horizon_months: int = DEFAULT_HORIZON_MONTHS) -> dict[str, Any]:
        """The ``explanations.json`` structure of CLI.md (plus a ``method`` block).

        The probability is named after the model's horizon, ``horizon_months``
        (``probability_2y`` for 24 months, ``probability_1y`` for 12).

        ``{"people": [{"person_id", "probability_2y", "base_value", "contributions",
        "concepts"}], "global": {"mean_abs_contribution", "mean_abs_concept_contribution",
        "concepts"}, "method": {...}}``: ``contributions`` per feature (for researchers),
        ``concepts`` per concept (their sums; ``global.concepts`` names each concept's
        features); isotonic explanations add ``calibration_adjustment`` per person and are
        flagged ``"exact": false``.
        """
        from riskmodel.bands import risk_band

        features = self.features
        values = self.contributions.to_numpy()
        concepts = self.concept_contributions
        concept_names = list(concepts.columns)
        concept_values = concepts.to_numpy()
        bands = risk_band(self.probability)
        name = probability_column(horizon_months)
        people = []
        index_ids = None if self.index_ids is None else self.index_ids.astype(str).tolist()
        for i, person_id in enumerate(self.ids.astype(str).tolist()):
            row: dict[str, Any] = {"person_id": person_id}
            if index_ids is not None:
                row["index_id"] = index_ids[i]
            row |= {
                name: float(self.probability[i]),
                "base_value": float(self.base_value),
                "contributions": dict(zip(features, values[i].tolist(), strict=True)),
                "concepts": dict(zip(concept_names, concept_values[i].tolist(), strict=True)),
                "risk_band": bands[i],
            }
            if self.calibration_adjustment is not None:
                row["calibration_adjustment"] = float(self.calibration_adjustment[i])
            people.append(row)
        return {
            "people": people,
            "global": {
                "mean_abs_contribution": {
                    k: float(v) for k, v in self.mean_abs_contribution().items()
                },
                "mean_abs_concept_contribution": {
                    k: float(v) for k, v in self.mean_abs_concept_contribution().items()
                },
                "concepts": self.concepts.to_dict(),
            },
            "method": self.method_summary(),
        }

    def method_summary(self) -> dict[str, Any]:
        """How the explanation was made: family, calibration, exactness, units, reference."""
        return {
            "family": self.family,
            "calibration": self.calibration,
            "exact": self.exact,
            "approximate": not self.exact,
            "units": "log-odds" if self.exact else "log-odds of the uncalibrated model",
            "description": self.method,
            "reference": self.reference,
            "base_probability": self.base_probability,
            "max_additivity_error": self.max_additivity_error,
            "additivity_tolerance": ADDITIVITY_TOLERANCE,
            "percentage_points": (
                "c_j * (p - p_base) / (logit(p) - base_value), x 100: the change from the "
                "base probability to the person's, shared in proportion to the log-odds "
                "contributions; they add up to p - p_base"
            ),
            "n_people": len(self),
            "concepts": (
                "each concept's contribution is the sum of its features' contributions; "
                + SHARED_RULE
            ),
            "positions_reference": self.reference_population.source,
            "negligible": (
                f"a concept contributing less than {NEGLIGIBLE_LOG_ODDS:g} log-odds either way "
                "makes little difference to the risk"
            ),
        }


# -- design matrix ------------------------------------------------------------------------


def _column_groups(preprocess: Any, n_columns: int) -> list[tuple[str, np.ndarray]]:
    """(feature, output column indices) for every original feature of the preprocessor."""
    transformer = preprocess[-1] if hasattr(preprocess, "steps") else preprocess
    if not isinstance(transformer, ColumnTransformer):
        raise ExplanationError(
            UNSUPPORTED_PREPROCESSING.format(
                reason=f"expected a ColumnTransformer, found {type(transformer).__name__}"
            )
        )
    groups: dict[str, list[int]] = {}
    covered = np.zeros(n_columns, dtype=int)
    for name, _, columns in transformer.transformers_:
        block = transformer.output_indices_.get(name, slice(0, 0))
        indices = np.arange(n_columns)[block]
        if indices.size == 0:
            continue
        columns = [columns] if isinstance(columns, str) else list(columns)
        if name == PROFILE_FEATURE:
            columns = [PROFILE_FEATURE]  # the profile columns together, as one feature
        if len(columns) != 1:
            raise ExplanationError(
                UNSUPPORTED_PREPROCESSING.format(
                    reason=f"block {name!r} mixes several features ({columns})"
                )
            )
        groups.setdefault(str(columns[0]), []).extend(indices.tolist())
        covered[indices] += 1
    if not (covered == 1).all():
        raise ExplanationError(
            UNSUPPORTED_PREPROCESSING.format(
                reason="some preprocessed columns belong to no feature, or to several"
            )
        )
    return [(feature, np.asarray(idx)) for feature, idx in groups.items()]


def _linear(classifier: Any, Z: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, float]:
    shap = _shap()
    covariance = np.zeros((Z.shape[1], Z.shape[1]))
    explainer = shap.LinearExplainer(classifier, (mean, covariance))
    values = np.asarray(explainer.shap_values(Z), dtype=np.float64)
    base = float(np.ravel(explainer.expected_value)[0])
    return values.reshape(Z.shape), base


def _tree(classifier: Any, Z: np.ndarray) -> tuple[np.ndarray, float]:
    shap = _shap()
    explainer = shap.TreeExplainer(classifier, model_output="raw")
    # Additivity is checked below against the model's own decision function, with a message
    # of ours; shap's own check would only repeat it.
    values = np.asarray(explainer.shap_values(Z, check_additivity=False), dtype=np.float64)
    if values.ndim == 3:  # (n, features, outputs) in some shap versions
        values = values[..., -1]
    base = float(np.ravel(explainer.expected_value)[-1])
    return values.reshape(Z.shape), base


def float_tolerance(probability: np.ndarray) -> np.ndarray:
    """Tolerance of a comparison with ``logit(p)``: :data:`ADDITIVITY_TOLERANCE`, widened by
    the resolution of ``p`` itself. A float64 probability is stored to about 1.1e-16, so its
    log-odds are known only to ``eps / (p (1 - p))``: within 1e-10 of 0 or 1 that exceeds
    1e-6. (The identity with the calibrated decision function is checked to the plain
    tolerance first.)"""
    p = np.clip(np.asarray(probability, dtype=np.float64), 1e-300, 1.0)
    with np.errstate(divide="ignore"):
        return ADDITIVITY_TOLERANCE + 4 * np.finfo(np.float64).eps / (p * (1 - p))


def _check(
    gap: np.ndarray, stage: str, target: str, tolerance: float | np.ndarray = ADDITIVITY_TOLERANCE
) -> float:
    error = np.abs(gap)
    worst = float(np.nanmax(error)) if error.size else 0.0
    bad = ~(error <= tolerance)
    if bad.any():
        raise ExplanationError(
            NOT_ADDITIVE.format(
                stage=stage,
                target=target,
                error=float(np.nanmax(np.where(np.isfinite(error), error, np.inf))),
                tolerance=ADDITIVITY_TOLERANCE,
                count=int(bad.sum()),
                n=gap.size,
            )
        )
    return worst


def _member_values(
    model: Any,
    family: str,
    pipeline: Any,
    frame: pd.DataFrame,
    background: pd.DataFrame | None,
) -> tuple[pd.DataFrame, float, str, str]:
    """Per-feature contributions to one pipeline's raw log-odds, its base value, what the base
    averages over, and the method in words."""
    preprocess, classifier = pipeline[:-1], pipeline[-1]
    Z = np.asarray(design_matrix(preprocess, frame), dtype=np.float64)
    groups = _column_groups(preprocess, Z.shape[1])
    reference = "training data"
    if family == "logistic":
        design_mean = getattr(model, "design_mean_", None)
        if background is not None:
            mean = np.asarray(design_matrix(preprocess, model.prepare(background))).mean(axis=0)
            reference = "the background people given"
        elif design_mean is not None:
            mean = np.asarray(design_mean, dtype=np.float64)
        else:
            mean = Z.mean(axis=0)
            reference = "the people explained"
        raw_values, raw_base = _linear(classifier, Z, mean)
        method = (
            "shap.LinearExplainer on the logistic regression over its spline and one-hot "
            "columns (contribution of a column: weight x (value - reference mean)), summed "
            "back to each feature"
        )
    elif family == "gbm":
        raw_values, raw_base = _tree(classifier, Z)
        method = (
            "shap.TreeExplainer (exact tree SHAP, raw log-odds) on the gradient boosted trees, "
            "summed back to each feature"
        )
    else:
        raise ExplanationError(
            UNSUPPORTED_FAMILY.format(family=family, families=", ".join(EXPLAINABLE_FAMILIES))
        )
    values = pd.DataFrame(
        np.column_stack([raw_values[:, idx].sum(axis=1) for _, idx in groups]),
        columns=[feature for feature, _ in groups],
    )
    return values, raw_base, reference, method


def explain(
    model: Any,
    X: pd.DataFrame,
    *,
    ids: pd.Series | None = None,
    background: pd.DataFrame | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    population: ReferencePopulation | None = None,
) -> Explanation:
    """Exact additive explanations of a fitted :class:`~riskmodel.models.RiskModel`'s scores.

    Parameters
    ----------
    model : RiskModel
        Fitted, family ``logistic``, ``gbm`` or ``ensemble`` (``default`` resolves to one
        of them). An ensemble's contributions are its members', weighted as in its score.
    X : DataFrame
        Features of the people to explain (the model's columns; extra columns are ignored).
    ids : Series, optional
        Person identifiers (default: ``X``'s index as strings).
    background : DataFrame, optional
        Reference people for the logistic family's base value (default: the mean design of
        the training data when the model records it as ``design_mean_``, otherwise of ``X``).
        Tree models always use the training data (through the trees' node counts).
    groups : mapping, optional
        Concepts of a flat table (a config's ``[explain.groups]``: name -> features); event
        data use the concept catalogue (:data:`riskmodel.features.CONCEPTS`).
    labels : mapping, optional
        Words for a flat table's codes (a config's ``[labels]``).
    population : ReferencePopulation, optional
        Who reasons state a person's position among (the training people stored in a
        bundle); default: the people explained.

    Returns
    -------
    Explanation
        ``base_value + contributions.sum(axis=1) == logit(model.predict_proba(X)[:, 1])`` for
        every person, checked to :data:`ADDITIVITY_TOLERANCE` (sigmoid calibration); the same
        holds for ``concept_contributions`` (checked too).

    Raises
    ------
    ExplanationError
        When the model cannot be explained exactly or the check fails.
    ConfigError
        ``groups`` names a column that is not a feature, or a feature twice.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskmodel.models import RiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.integers(18, 70, 400).astype(float),
    ...                   "sex": rng.choice(["male", "female"], 400)})
    >>> y = (rng.random(400) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    >>> model = RiskModel(family="logistic", cv=3).fit(X, y)
    >>> e = explain(model, X)
    >>> p = model.predict_proba(X)[:, 1]
    >>> bool(np.allclose(e.base_value + e.contributions.sum(axis=1), np.log(p / (1 - p))))
    True
    """
    try:
        check_is_fitted(model, "estimator_")
    except Exception as exc:  # NotFittedError, or not an estimator at all
        raise ExplanationError(NOT_FITTED) from exc
    if len(X) == 0:
        raise ExplanationError(EMPTY_INPUT)
    family = str(getattr(model, "family_", ""))
    if family not in EXPLAINABLE_FAMILIES:
        raise ExplanationError(
            UNSUPPORTED_FAMILY.format(family=family, families=", ".join(EXPLAINABLE_FAMILIES))
        )

    frame = model.prepare(X)
    members = model.members() if hasattr(model, "members") else [(1.0, family, model.estimator_)]
    reference = "training data"
    features: list[str] = []
    per_feature = np.zeros((len(frame), 0))
    raw_base = 0.0
    methods = []
    for weight, member_family, pipeline in members:
        values, base, member_reference, method = _member_values(
            model, member_family, pipeline, frame, background
        )
        names = list(values.columns)
        if not features:
            features, per_feature = names, np.zeros((len(frame), len(names)))
        if sorted(names) != sorted(features):
            raise ExplanationError(
                UNSUPPORTED_PREPROCESSING.format(reason="the members explain different features")
            )
        per_feature = per_feature + weight * values[features].to_numpy()
        raw_base += weight * base
        reference = member_reference if member_family == "logistic" else reference
        methods.append(method if len(members) == 1 else f"{weight:g} x ({method})")
    method = (
        methods[0]
        if len(methods) == 1
        else (
            "the ensemble's log-odds are a weighted average of its members' log-odds, so their "
            "contributions are averaged with the same weights: " + "; plus ".join(methods)
        )
    )

    if hasattr(model, "explained_features"):  # the model's order, whatever the blocks'
        order = [features.index(name) for name in model.explained_features()]
        features = [features[i] for i in order]
        per_feature = per_feature[:, order]
    # The calibrated classifier's raw log-odds and its probabilities, as predict_proba (and so
    # `riskmodel score`) computes them: the contributions, taken from the members, must add
    # up to them.
    raw, proba = model.log_odds_and_proba(X)
    raw_error = _check(raw_base + per_feature.sum(axis=1) - raw, "uncalibrated", "raw log-odds")
    probability = proba[:, 1]
    index = pd.RangeIndex(len(frame))
    ids = (
        pd.Series(X.index.astype(str), name="person_id")
        if ids is None
        else pd.Series(np.asarray(ids).astype(str), name="person_id")
    )

    slope = getattr(model, "calibration_slope_", None)
    intercept = getattr(model, "calibration_intercept_", None)
    adjustment = None
    if slope is not None and intercept is not None:
        contributions = per_feature * float(slope)
        base = float(slope) * raw_base + float(intercept)
        total = base + contributions.sum(axis=1)
        calibrated = float(slope) * raw + float(intercept)
        error = _check(total - calibrated, "calibrated", "calibrated log-odds")
        with np.errstate(divide="ignore"):
            _check(
                total - logit(probability),
                "calibrated",
                "log-odds of its probability",
                float_tolerance(probability),
            )
        exact = True
        method += f", times the sigmoid calibration slope {float(slope):.4g} (base: slope x "
        method += f"raw base + intercept {float(intercept):.4g})"
    else:
        contributions = per_feature
        base = raw_base
        clipped = np.clip(probability, _CLIP, 1 - _CLIP)
        adjustment = logit(clipped) - (base + contributions.sum(axis=1))
        error = raw_error
        exact = False
        method += (
            "; APPROXIMATE: isotonic calibration is not additive in log-odds, so these are "
            "contributions to the uncalibrated model's log-odds"
        )
    shown = frame.set_axis(index)
    if PROFILE_FEATURE in features:
        shown[PROFILE_FEATURE] = profile_descriptions(members[0][2], frame)
    concept_map = ConceptMap.for_features(features, groups)
    explanation = Explanation(
        ids=ids.reset_index(drop=True),
        X=shown,
        contributions=pd.DataFrame(contributions, columns=features, index=index),
        base_value=float(base),
        probability=probability,
        exact=exact,
        family=family,
        calibration=str(getattr(model, "calibration", "")),
        reference=reference,
        method=method,
        max_additivity_error=float(error),
        calibration_adjustment=adjustment,
        meta={"raw_base_value": raw_base, "raw_max_additivity_error": raw_error},
        concept_map=concept_map,
        labels={str(k): dict(v) for k, v in (labels or {}).items()},
        population=population,
    )
    # The reasons are the concepts: they must add up exactly as the features do.
    by_concept = base + explanation.concept_contributions.to_numpy().sum(axis=1)
    _check(by_concept - (base + contributions.sum(axis=1)), "concept", "sum by feature", 1e-9)
    return explanation

"""Row weights on their way to the classifier of a pipeline, whatever its kind."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

__all__ = ["weight_params"]


def weight_params(estimator: Any, sample_weight: Any) -> dict[str, Any]:
    """The fit parameters that give ``sample_weight`` to ``estimator``'s classifier: nothing
    without weights; ``classifier__sample_weight`` for a plain :class:`~sklearn.pipeline.Pipeline`
    (whose ``fit`` has no ``sample_weight`` of its own); ``sample_weight`` for everything else
    (:class:`~riskmodel.models.MonotonePipeline`, :class:`~riskmodel.models.LogOddsEnsemble`,
    a bare classifier).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> list(weight_params(Pipeline([("classifier", LogisticRegression())]), [1.0, 2.0]))
    ['classifier__sample_weight']
    >>> weight_params(LogisticRegression(), None)
    {}
    """
    if sample_weight is None:
        return {}
    if type(estimator) is Pipeline:
        return {f"{estimator.steps[-1][0]}__sample_weight": sample_weight}
    return {"sample_weight": sample_weight}

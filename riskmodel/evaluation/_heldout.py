"""Everything measured on held-out predictions: the figures with their intervals, the same by
index disposal and offence group, and reoffending over time by risk band."""

from __future__ import annotations

from typing import Any

import pandas as pd
from numpy.typing import ArrayLike

from riskmodel.evaluation._metrics import evaluate_predictions, metrics_by_group
from riskmodel.evaluation._survival import reoffending_over_time

#: Group columns evaluated separately when the data have them (reoffending differs sharply).
EVALUATION_GROUPS: tuple[str, ...] = ("index_disposal", "index_offence")


def heldout_metrics(
    *,
    y_true: ArrayLike,
    y_prob: ArrayLike,
    groups: pd.DataFrame | None = None,
    times: pd.DataFrame | None = None,
    horizon_months: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: ArrayLike | None = None,
) -> dict[str, Any]:
    """:func:`evaluate_predictions` of ``y_prob`` against ``y_true``, with ``by_group``
    (:func:`metrics_by_group` by each column of :data:`EVALUATION_GROUPS` that ``groups``
    has) and ``over_time`` (:func:`reoffending_over_time` of ``times``, a
    ``FeatureTable.survival`` frame of the same people, at ``horizon_months``) where they
    apply.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.1, 0.9, 200)
    >>> y = (rng.random(200) < p).astype(int)
    >>> groups = pd.DataFrame({"index_disposal": ["custody", "fine"] * 100, "sex": "male"})
    >>> metrics = heldout_metrics(y_true=y, y_prob=p, groups=groups, n_resamples=20)
    >>> list(metrics["by_group"]), "over_time" in metrics
    (['index_disposal'], False)
    """
    resampling = {"n_resamples": n_resamples, "seed": seed, "sample_weight": sample_weight}
    metrics = evaluate_predictions(y_true=y_true, y_prob=y_prob, **resampling)
    present = [c for c in EVALUATION_GROUPS if groups is not None and c in groups.columns]
    if present:
        metrics["by_group"] = metrics_by_group(
            y_true=y_true, y_prob=y_prob, groups=groups[present], **resampling
        )
    over_time = reoffending_over_time(times, y_prob, horizon_months=horizon_months)
    if over_time is not None:
        metrics["over_time"] = over_time
    return metrics

"""What ``riskmodel explain`` explains: a bundle's model, and the people who get a page."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from riskmodel._errors import ConfigError, DataError
from riskmodel.explain._messages import (
    DEFAULT_SAMPLE_NOTE,
    EMPTY_IDS,
    IDS_NOTE,
    NO_PAGES_NOTE,
    NOT_EXPLAINABLE,
    UNKNOWN_IDS,
)


def load_model(model_dir: str | os.PathLike) -> tuple[Any, dict[str, Any]]:
    """The fitted model of a bundle directory and its manifest (the bundle loader checks the
    manifest's and the model file's sha256 and loads only allowlisted types).

    Raises
    ------
    DataError
        The bundle holds a model without explanations (a baseline, not a RiskModel).
    """
    from riskmodel.bundle import load_bundle

    bundle = load_bundle(model_dir)
    if not hasattr(bundle.model, "estimator_"):
        raise DataError(NOT_EXPLAINABLE.format(path=model_dir, kind=type(bundle.model).__name__))
    return bundle.model, dict(bundle.manifest)


def explain_people(model: Any, manifest: dict[str, Any], table: Any, config: Any) -> Any:
    """The :class:`~riskmodel.explain.Explanation` of the people of ``table`` (a feature table)
    by a bundle's ``model``: reasons grouped and worded as ``config`` says
    (``explain_groups``, ``labels``), people placed against the reference population the
    bundle's ``manifest`` records (none recorded: against the people explained)."""
    from riskmodel.explain._additive import explain
    from riskmodel.explain._reference import ReferencePopulation

    population = ReferencePopulation.from_dict(
        (manifest.get("drift_reference") or {}).get("positions")
    )
    explanation = explain(
        model,
        table.X,
        ids=table.ids,
        groups=config.explain_groups,
        labels=config.labels,
        population=population,
    )
    explanation.index_ids = table.index_ids
    return explanation


def choose_people(ids: Any, wanted: str | None, sample: int, seed: int) -> tuple[list[int], str]:
    """Rows that get a person page, and the note saying how they were chosen.

    Parameters
    ----------
    ids : sequence
        The person ids explained, in row order.
    wanted : str, optional
        Comma-separated ids asked for (``--ids``); rows in the order asked, once each.
    sample : int
        Without ``wanted``: how many people, drawn at random, get a page (0: none).
    seed : int
        Seed of that draw.

    Examples
    --------
    >>> choose_people(["a", "b", "c"], "c,a", 5, 0)
    ([2, 0], 'Pages are shown for the 2 people asked for with --ids.')
    >>> choose_people(["a", "b", "c"], None, 0, 0)[0]
    []
    """
    ids = [str(i) for i in ids]
    if wanted is not None:
        asked = [w.strip() for w in wanted.split(",") if w.strip()]
        if not asked:
            raise ConfigError(EMPTY_IDS)
        position = {person: row for row, person in enumerate(ids)}
        missing = [a for a in asked if a not in position]
        if missing:
            shown = ", ".join(missing[:10]) + (", ..." if len(missing) > 10 else "")
            raise DataError(UNKNOWN_IDS.format(count=len(missing), ids=shown))
        rows = list(dict.fromkeys(position[a] for a in asked))
        return rows, IDS_NOTE.format(k=len(rows))
    if sample <= 0:
        return [], NO_PAGES_NOTE
    k = min(sample, len(ids))
    rows = sorted(np.random.default_rng(seed).choice(len(ids), k, replace=False).tolist())
    return rows, DEFAULT_SAMPLE_NOTE.format(k=k, n=len(ids), seed=seed)

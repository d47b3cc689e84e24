"""What a reviewer needs to be told about a model's evidence: too few outcomes, a calibration
slope whose interval excludes 1, people evaluated who were trained on, and a population that
no longer looks like the training one.

Training people are recorded in the manifest only as salted hashes
(:func:`training_people`): a random salt kept in the manifest and, per person, the first
:data:`DIGEST_CHARS` hexadecimal digits of ``sha256(salt + id)`` (64 bits: a chance collision
among millions of people is negligible). The ids themselves are never written. Anyone holding
the bundle and a list of candidate ids can still test them against it, as for any hash of a
short identifier: the hashes hide the ids from a reader, not from someone who already has them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.training._messages import FEW_OUTCOMES_WARNING, OVERLAP_WARNING, SLOPE_WARNING

__all__ = [
    "DIGEST_CHARS",
    "MIN_OUTCOMES",
    "evidence_warnings",
    "overlap_with_training",
    "training_people",
]

#: Fewer held-out people than this with (or without) the outcome gives a warning.
MIN_OUTCOMES = 100
#: Hexadecimal digits of sha256 kept per training person.
DIGEST_CHARS = 16


def _digests(ids: pd.Series, salt: str) -> list[str]:
    return [
        hashlib.sha256((salt + str(i)).encode("utf-8")).hexdigest()[:DIGEST_CHARS]
        for i in ids.astype("str")
    ]


def training_people(ids: pd.Series) -> dict[str, Any]:
    """The manifest's record of the people a model was fitted on: a fresh random salt and
    the sorted salted hashes of their ids (never the ids).

    Examples
    --------
    >>> record = training_people(pd.Series(["A1", "B2"]))
    >>> sorted(record), len(record["hashes"]), "A1" in str(record)
    (['digest', 'hashes', 'n', 'salt'], 2, False)
    """
    salt = secrets.token_hex(16)
    return {
        "salt": salt,
        "digest": f"sha256(salt + id), first {DIGEST_CHARS} hex digits",
        "n": len(ids),
        "hashes": sorted(set(_digests(ids, salt))),
    }


def overlap_with_training(manifest: Mapping[str, Any], ids: pd.Series) -> int | None:
    """How many of ``ids`` were among the people the bundle's model was fitted on (None when
    the manifest keeps no record of them, or a malformed one).

    Examples
    --------
    >>> manifest = {"training_people": training_people(pd.Series(["A1", "B2"]))}
    >>> overlap_with_training(manifest, pd.Series(["B2", "C3"]))
    1
    """
    record = manifest.get("training_people")
    if not isinstance(record, Mapping):
        return None
    salt, hashes = record.get("salt"), record.get("hashes")
    if not isinstance(salt, str) or not isinstance(hashes, list):
        return None
    known = set(map(str, hashes))
    return sum(digest in known for digest in _digests(ids, salt))


def overlap_warning(manifest: Mapping[str, Any], ids: pd.Series) -> list[str]:
    """:data:`OVERLAP_WARNING` when some of ``ids`` were trained on, else nothing."""
    n = overlap_with_training(manifest, ids)
    if not n:
        return []
    n_training = manifest["training_people"].get("n", len(manifest["training_people"]["hashes"]))
    return [OVERLAP_WARNING.format(n=n, total=len(ids), n_training=int(n_training))]


def evidence_warnings(
    y: np.ndarray,
    metrics: Mapping[str, Any] | None = None,
    *,
    where: str = "the held-out set",
) -> list[str]:
    """Warnings about the evidence of ``metrics`` measured on outcomes ``y``: fewer than
    :data:`MIN_OUTCOMES` people of either outcome, and a calibration slope whose 95% interval
    (``calibration_slope_ci``) excludes 1.

    Examples
    --------
    >>> y = np.array([0] * 300 + [1] * 40)
    >>> [w.split(":")[0] for w in evidence_warnings(y)]
    ['the held-out set has only 40 people with the outcome and 300 without (fewer than 100 of either)']
    >>> m = {"calibration_slope": 4.0, "calibration_slope_ci": [1.8, 6.1]}
    >>> "excludes 1" in evidence_warnings(np.array([0, 1] * 200), m)[0]
    True
    """  # noqa: E501
    y = np.asarray(y, dtype=float)
    positives = int(np.nansum(y))
    negatives = int(np.sum(y == 0))
    warnings = []
    if min(positives, negatives) < MIN_OUTCOMES:
        warnings.append(
            FEW_OUTCOMES_WARNING.format(
                where=where, positives=positives, negatives=negatives, minimum=MIN_OUTCOMES
            )
        )
    ci = (metrics or {}).get("calibration_slope_ci")
    slope = (metrics or {}).get("calibration_slope")
    if isinstance(ci, list | tuple) and len(ci) == 2 and slope is not None:
        low, high = ci
        finite = all(isinstance(v, int | float) and np.isfinite(v) for v in (low, high, slope))
        if finite and not low <= 1 <= high:
            how = "more extreme" if high < 1 else "less extreme"
            warnings.append(SLOPE_WARNING.format(slope=slope, low=low, high=high, how=how))
    return warnings


def batch_warnings(
    manifest: Mapping[str, Any], X: pd.DataFrame, p: np.ndarray, ids: pd.Series
) -> dict[str, Any]:
    """Drift and unseen categories against the bundle's training reference (as ``score``
    reports them: :func:`riskmodel.scoring.drift_report`) and people trained on.

    Returns
    -------
    dict
        ``drift`` (the drift report), ``trained_on`` (people here who were trained on; None
        without a record) and ``warnings`` (sentences).
    """
    from riskmodel.scoring import drift_counts, drift_report

    reference = manifest.get("drift_reference")
    reference = reference if isinstance(reference, Mapping) else None
    counts = drift_counts(X, p, reference) if reference is not None and len(X) else None
    drift = drift_report(reference, counts)
    return {
        "drift": drift,
        "trained_on": overlap_with_training(manifest, ids),
        "warnings": [*drift.get("warnings", []), *overlap_warning(manifest, ids)],
    }

"""The types of a bundle manifest's fields, checked before anything reads them.

A manifest's sha256 catches corruption and careless edits, not a manifest written by hand
and resealed: a needs look-back given as text, library versions given as a list or a drift
reference of the wrong shape would otherwise fail deep inside scoring. :func:`manifest_problem`
names the first field whose value is not of the type training writes. A field that is absent is
not a problem here (older bundles lack some); what reads it uses its default.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["manifest_problem"]

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _mapping(value: Any) -> bool:
    return isinstance(value, dict)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and all(_number(v) for v in value)


def _text_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _number_map(value: Any) -> bool:
    return isinstance(value, dict) and all(_number(v) for v in value.values())


def _optional(check: Check) -> Check:
    return lambda value: value is None or check(value)


#: (field, check, what the field must hold); a dotted field is checked when its parent is a
#: mapping (a parent of the wrong type is reported first).
_FIELDS: tuple[tuple[str, Check, str], ...] = (
    ("model_id", _text, "text"),
    ("created_at", _text, "text"),
    ("versions", _text_map, "a mapping of library names to version text"),
    ("outcome", _optional(_text), "text"),
    ("follow_up_months", _optional(_count), "a whole number of months"),
    ("horizon_months", _optional(_count), "a whole number of months"),
    ("proof_months", _optional(_count), "a whole number of months"),
    ("feature_spec", _mapping, "a mapping"),
    ("feature_spec.numeric", _texts, "a list of column names"),
    ("feature_spec.categorical", _texts, "a list of column names"),
    ("feature_spec.needs_lookback_months", _optional(_count), "a whole number of months"),
    ("features", _mapping, "a mapping"),
    ("features.needs_lookback_months", _optional(_count), "a whole number of months"),
    ("training_data", _mapping, "a mapping"),
    ("split", _mapping, "a mapping"),
    ("metrics", _mapping, "a mapping"),
    ("group_summary", _mapping, "a mapping"),
    ("model", _mapping, "a mapping"),
    ("model.numeric", _texts, "a list of column names"),
    ("model.categorical", _texts, "a list of column names"),
    ("config", _mapping, "a mapping"),
    ("config.table", _optional(_mapping), "a mapping"),
    ("config.model", _optional(_mapping), "a mapping"),
    ("config.model_configured", _flag, "true or false"),
    ("config.source", _optional(_text), "text"),
    ("parent", _optional(_mapping), "a mapping"),
    ("drift_reference", _optional(_mapping), "a mapping"),
    ("drift_reference.n", _count, "a whole number"),
    ("drift_reference.score", _mapping, "a mapping"),
    ("drift_reference.score.edges", _numbers, "a list of numbers"),
    ("drift_reference.score.shares", _numbers, "a list of numbers"),
    ("drift_reference.features", _mapping, "a mapping"),
    ("drift_reference.needs_missing_share", _optional(_number), "a number"),
)


def _lookup(manifest: Mapping[str, Any], field: str) -> tuple[bool, Any]:
    """Whether ``field`` is present under mappings all the way down, and its value."""
    value: Any = manifest
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _bins_problem(entry: Mapping[str, Any], extra: int) -> tuple[str, str, Any] | None:
    """What is wrong with a numeric bin set (shares for ``len(edges) + extra`` bins)."""
    edges, shares = entry.get("edges"), entry.get("shares")
    if not _numbers(edges):
        return "edges", "a list of numbers", edges
    if not _numbers(shares) or len(shares) != len(edges) + extra:
        return "shares", f"a list of {len(edges) + extra} numbers", shares
    return None


def _drift_problem(reference: Mapping[str, Any]) -> tuple[str, str, Any] | None:
    base = "drift_reference"
    problem = _bins_problem(reference["score"], 1)
    if problem is not None:
        return f"{base}.score.{problem[0]}", problem[1], problem[2]
    for name, entry in reference["features"].items():
        field = f"{base}.features.{name}"
        if not isinstance(entry, dict) or entry.get("kind") not in ("numeric", "categorical"):
            return field, "a mapping with kind 'numeric' or 'categorical'", entry
        if entry["kind"] == "numeric":
            problem = _bins_problem(entry, 2)
            if problem is not None:
                return f"{field}.{problem[0]}", problem[1], problem[2]
        elif not _number_map(entry.get("shares")):
            return f"{field}.shares", "a mapping of categories to numbers", entry.get("shares")
    return None


def manifest_problem(manifest: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The first manifest field of the wrong type: (field, what it must hold, what it holds);
    None when every field is as training writes it.

    Examples
    --------
    >>> manifest_problem({"model_id": "m", "feature_spec": {"needs_lookback_months": 12}})
    >>> manifest_problem({"feature_spec": {"needs_lookback_months": "12"}})
    ('feature_spec.needs_lookback_months', 'a whole number of months', "str '12'")
    >>> manifest_problem({"versions": ["1.0"]})[:2]
    ('versions', 'a mapping of library names to version text')
    """
    for field, check, expected in _FIELDS:
        present, value = _lookup(manifest, field)
        if present and not check(value):
            return field, expected, _found(value)
    reference = manifest.get("drift_reference")
    if isinstance(reference, dict) and "score" in reference and "features" in reference:
        problem = _drift_problem(reference)
        if problem is not None:
            return problem[0], problem[1], _found(problem[2])
    return None


def _found(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"

"""What a model reads, said from its feature list and the data's group columns.

Every page that says whether a characteristic reaches the model (the explanation report, the
fairness report, the model card) calls :func:`model_reads`, so the sentence is true by
construction: a group column is named a model feature exactly when it is one.
"""

from __future__ import annotations

from collections.abc import Sequence

from riskmodel._format import join_words

__all__ = ["model_reads", "split_groups"]


def _key(name: str) -> str:
    return str(name).strip().lower()


def split_groups(
    features: Sequence[str], group_columns: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The group columns that are model features, and those that are not (names compared
    without case or surrounding spaces; order kept, repeats dropped).

    Examples
    --------
    >>> split_groups(["age", "Sex"], ["race", "sex", "race"])
    (['sex'], ['race'])
    """
    read = {_key(f) for f in features}
    groups = list(dict.fromkeys(str(g).strip() for g in group_columns))
    return [g for g in groups if _key(g) in read], [g for g in groups if _key(g) not in read]


def model_reads(features: Sequence[str], group_columns: Sequence[str]) -> str:
    """One plain statement of which group columns the model reads, from its feature list.

    Parameters
    ----------
    features : sequence of str
        The features the model reads (a bundle's ``numeric`` and ``categorical`` columns).
    group_columns : sequence of str
        The characteristics the data carry for fairness reports (sex, ethnicity, ...).

    Examples
    --------
    >>> model_reads(["age", "sex"], ["sex", "race"])
    'Of the characteristics these data carry for fairness reports, sex is a model feature; race is not: the model is never given it, and no score or explanation from this model uses it directly (other features can still go with it: see the proxy check of the fairness report).'
    >>> model_reads(["age"], ["ethnicity"])[:48]
    'Of the characteristics these data carry for fair'
    >>> model_reads(["age", "sex"], [])
    'The model reads 2 features; these data carry no group columns (characteristics kept for fairness reports) to compare with them.'
    """  # noqa: E501
    n = len(list(features))
    inside, outside = split_groups(features, group_columns)
    if not inside and not outside:
        return (
            f"The model reads {n:,} feature{'s' if n != 1 else ''}; these data carry no group"
            " columns (characteristics kept for fairness reports) to compare with them."
        )
    parts = []
    if inside:
        are = "is a model feature" if len(inside) == 1 else "are model features"
        parts.append(f"{join_words(inside)} {are}")
    if outside:
        it = "it" if len(outside) == 1 else "them"
        if inside:
            verb = "is not" if len(outside) == 1 else "are not"
        else:
            verb = "is not a model feature" if len(outside) == 1 else "are not model features"
        parts.append(
            f"{join_words(outside)} {verb}: the model is never given {it}, and no score or"
            f" explanation from this model uses {it} directly (other features can still go"
            f" with {it}: see the proxy check of the fairness report)"
        )
    return (
        "Of the characteristics these data carry for fairness reports, " + "; ".join(parts) + "."
    )

"""The plain paragraph of an allocation: who gets a place, who does not, and where places go.

Every sentence is built from the figures of a :class:`~riskmodel.allocation.ThresholdResult`
with a template of :mod:`riskmodel.allocation._messages`, so it states what the figures show
and nothing else: a group too small to compare says so instead of a rate, and a gap whose
interval includes zero is said to be possibly chance.
"""

from __future__ import annotations

import math
from typing import Any

from riskmodel.allocation import _messages as msg

__all__ = ["allocation_summary", "calibration_note", "people"]


def people(n: int) -> str:
    """``"1 person"``, ``"3 people"``, ``"1,234 people"``.

    Examples
    --------
    >>> people(1), people(1234)
    ('1 person', '1,234 people')
    """
    return "1 person" if n == 1 else f"{n:,} people"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _interval(pair: Any, confidence: float, fmt: Any) -> str:
    if pair is None or any(v is None or not math.isfinite(v) for v in pair):
        return msg.SUMMARY_NO_INTERVAL
    return msg.SUMMARY_INTERVAL.format(
        confidence=f"{100 * confidence:.0f}%", low=fmt(pair[0]), high=fmt(pair[1])
    )


def _label(column: str) -> str:
    return column.replace("_", " ")


def _group_sentences(data: dict[str, Any], confidence: float) -> list[str]:
    """Sentences about every group column, the largest selection-rate gap first."""
    gaps = data.get("group_gaps", {})
    order = sorted(
        gaps,
        key=lambda c: -gaps[c]["difference"] if gaps[c].get("difference") is not None else 1.0,
    )
    sentences = []
    for column in order:
        gap, entries, label = gaps[column], data["by_group"][column], _label(column)
        if gap.get("highest") is not None:
            high, low = gap["highest"], gap["lowest"]
            ci = gap["difference_ci"]
            template = msg.SUMMARY_GAP
            defined = ci is not None and all(v is not None and math.isfinite(v) for v in ci)
            if defined and ci[0] <= 0.0 <= ci[1]:
                template = msg.SUMMARY_GAP_CHANCE
            sentences.append(
                template.format(
                    column=label,
                    high=high,
                    high_rate=_pct(entries[high]["selection_rate"]),
                    low=low,
                    low_rate=_pct(entries[low]["selection_rate"]),
                    gap=f"{100 * gap['difference']:.1f}",
                    interval=_interval(ci, confidence, lambda v: f"{100 * v:.1f}"),
                )
            )
        elif gap.get("n_compared") == 1:
            value = next(v for v, e in entries.items() if e["n"] and not e["small"])
            sentences.append(
                msg.SUMMARY_ONE_GROUP.format(
                    column=label, value=value, people=people(entries[value]["n"])
                )
            )
        for value, entry in entries.items():
            if entry["n"] and not entry["small"] and entry["allocated"] == 0:
                sentences.append(
                    msg.SUMMARY_NONE_IN_GROUP.format(
                        n=f"{entry['n']:,}", column=label, value=value
                    )
                )
        for value, entry in entries.items():
            if entry["n"] and entry["small"]:
                sentences.append(
                    msg.SUMMARY_SMALL_GROUP.format(
                        column=label.capitalize(), value=value, people=people(entry["n"])
                    )
                )
    return sentences


def allocation_summary(data: dict[str, Any]) -> list[str]:
    """The sentences of the plain paragraph, from ``ThresholdResult.to_dict()`` content.

    Who gets a place (overall, then by group: the largest gaps in selection rate first,
    groups where nobody gets a place, groups too small to compare), how many reoffenders get
    no place, and how many places go to people who would not reoffend: observed when outcomes
    are given, expected from the probabilities otherwise.

    Examples
    --------
    >>> from riskmodel.allocation import Capacity, choose_threshold
    >>> result = choose_threshold([0.9, 0.6, 0.3, 0.1], Capacity(count=1), n_resamples=0)
    >>> print(allocation_summary(result.to_dict())[0])
    1 of the 4 people with a score get a place (25.0%).
    """
    confidence = float(data["bootstrap"]["confidence"])
    sentences = [
        msg.SUMMARY_PLACES.format(
            allocated=f"{data['allocated']:,}",
            n_scored=f"{data['n_scored']:,}",
            rate=_pct(data["allocated_fraction"]),
        )
    ]
    if data["n_missing_score"]:
        sentences.append(msg.SUMMARY_NO_SCORE.format(people=people(data["n_missing_score"])))
    nobody = data["allocated"] == 0
    if nobody:
        sentences.append(msg.SUMMARY_NOBODY)
    else:
        sentences.extend(_group_sentences(data, confidence))
    # Observed counts only when some outcome is known: otherwise they would all read 0.
    if data.get("has_outcomes") and data.get("n_outcome_known", 0) > 0:
        sentences.append(
            msg.SUMMARY_OBSERVED_MISSED.format(
                total=_count(data["observed_reoffenders"]),
                missed=_count(data["observed_reoffenders_missed"]),
            )
        )
        known = data["observed_reoffenders_captured"] + data["observed_non_reoffenders_allocated"]
        if not nobody:
            sentences.append(
                msg.SUMMARY_OBSERVED_NON_REOFFENDERS.format(
                    known=_count(known), count=_count(data["observed_non_reoffenders_allocated"])
                )
            )
    else:
        sentences.append(
            msg.SUMMARY_EXPECTED_MISSED.format(
                total=_count(data["expected_reoffenders"]),
                missed=_count(data["expected_reoffenders_missed"]),
                interval=_interval(data["expected_reoffenders_missed_ci"], confidence, _count),
            )
        )
        if nobody:
            return sentences
        sentences.append(
            msg.SUMMARY_EXPECTED_NON_REOFFENDERS.format(
                count=_count(data["expected_non_reoffenders_allocated"]),
                allocated=f"{data['allocated']:,}",
                interval=_interval(
                    data["expected_non_reoffenders_allocated_ci"], confidence, _count
                ),
            )
        )
    return sentences


def calibration_note(data: dict[str, Any]) -> str:
    """Whether the intervals include the model's calibration error, and how.

    Examples
    --------
    >>> from riskmodel.allocation import Capacity, choose_threshold
    >>> result = choose_threshold([0.9, 0.6], Capacity(count=1), n_resamples=0)
    >>> calibration_note(result.to_dict()).startswith("These intervals leave out")
    True
    """
    calibration = data.get("calibration")
    if calibration is None:
        if data.get("has_outcomes"):
            return msg.CALIBRATION_LEFT_OUT_OBSERVED
        return msg.CALIBRATION_LEFT_OUT
    n_heldout = calibration.get("n_heldout")
    return msg.CALIBRATION_INCLUDED.format(
        draws=f"{data['bootstrap']['n_resamples']:,}",
        intercept=f"{calibration['intercept']:.3f}",
        intercept_low=f"{calibration['intercept_ci'][0]:.3f}",
        intercept_high=f"{calibration['intercept_ci'][1]:.3f}",
        slope=f"{calibration['slope']:.3f}",
        slope_low=f"{calibration['slope_ci'][0]:.3f}",
        slope_high=f"{calibration['slope_ci'][1]:.3f}",
        confidence=f"{100 * calibration['confidence']:.0f}%",
        n_heldout="an unrecorded number of" if n_heldout is None else f"{n_heldout:,}",
        model_id=calibration.get("model_id") or "(no id)",
    )

"""Programme evaluation with a matched comparison group: counts, balance, outcomes."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel._bootstrap import bootstrap_indices, percentile_interval
from riskmodel._errors import ConfigError, DataError
from riskmodel._format import P_FLOOR, p_value_text
from riskmodel._horizon import (
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_PROOF_MONTHS,
    horizon_words,
    outcome_text,
    whole_months,
)
from riskmodel._survival import kaplan_meier_median, kaplan_meier_risk
from riskmodel.programme._matching import (
    DEFAULT_CALIPER_SD,
    SMD_LIMIT,
    balance_table,
    match_on_logit,
    propensity_logit,
)
from riskmodel.programme._messages import (
    BAD_CALIPER,
    BALANCE_CAVEAT,
    DIFFERENCE_METHOD,
    MATCHING_METHOD,
    MDD_METHOD,
    NO_PARTICIPANTS,
    NO_POOL,
    REASON_MISSING,
    REASON_NO_LABEL,
    REASON_NO_MATCH,
    REASON_NO_OUTCOME,
    REASON_NOT_FOUND,
    TOO_SMALL,
)

__all__ = [
    "MEASURES",
    "MINIMUM_MATCHED",
    "ProgrammeResult",
    "evaluate_programme",
    "measure_words",
    "outcome_differences",
]

#: Below this many matched participants the page says what cannot be concluded (the Justice
#: Data Lab's minimum cohort).
MINIMUM_MATCHED = 60
#: Power of the minimum detectable difference.
POWER = 0.8
CONFIDENCE = 0.95
#: The outcome measures, in the order reported, with their words.
MEASURES: dict[str, str] = {
    "rate": "proven reoffending rate",
    "reoffences_per_person": "reoffences per person",
    "reoffences_per_reoffender": "reoffences per reoffender",
    "days_to_first": "days to the first proven reoffence (restricted mean within the horizon)",
}
#: What each measure depends on beyond the label: the reoffence counts or the time to the
#: first reoffence (a flat table may give neither).
NEEDS: dict[str, str] = {
    "reoffences_per_person": "reoffences",
    "reoffences_per_reoffender": "reoffences",
    "days_to_first": "days_to_first",
}


def measure_words(horizon_months: int = DEFAULT_HORIZON_MONTHS) -> dict[str, str]:
    """The measures of :data:`MEASURES` in the words of the page at a horizon.

    Examples
    --------
    >>> measure_words(12)["rate"]
    'proven reoffending rate within one year'
    >>> measure_words(18)["days_to_first"]
    'days to the first proven reoffence (restricted mean within 18 months)'
    """
    within = horizon_words(horizon_months)
    return {
        "rate": f"proven reoffending rate {within}",
        "reoffences_per_person": f"proven reoffences per person {within}",
        "reoffences_per_reoffender": f"proven reoffences per reoffender {within}",
        "days_to_first": f"days to the first proven reoffence (restricted mean {within})",
    }


#: Step of the survival curves in programme.json, in days.
CURVE_STEP_DAYS = 7


def _statistics(t: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The four measures (participants, comparisons, difference) from per-set arrays of shape
    ``(..., n, 3)``: reoffended, reoffences and days free within the horizon."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no matched sets: NaN, as wanted
        t_mean = t.mean(axis=-2)
        c_mean = c.mean(axis=-2)
        t_per = t[..., 1].sum(axis=-1) / t[..., 0].sum(axis=-1)
        c_per = c[..., 1].sum(axis=-1) / c[..., 0].sum(axis=-1)
    part = np.stack([t_mean[..., 0], t_mean[..., 1], t_per, t_mean[..., 2]], axis=-1)
    comp = np.stack([c_mean[..., 0], c_mean[..., 1], c_per, c_mean[..., 2]], axis=-1)
    return np.stack([part, comp, part - comp], axis=-1)


def outcome_differences(
    participants: ArrayLike,
    comparisons: ArrayLike,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """The measures of :data:`MEASURES` for matched sets, with bootstrap intervals over sets.

    ``participants`` and ``comparisons`` have one row per matched set and three columns:
    reoffended (0/1), reoffences, and days free of proven reoffending within the horizon; a
    set's comparison row is the mean over its comparisons. Differences are participants minus
    comparisons.

    Examples
    --------
    >>> t = np.array([[1, 2, 100.0], [0, 0, 730.0]] * 20)
    >>> out = outcome_differences(t, t.copy(), n_resamples=50)
    >>> out["rate"]["difference"], out["rate"]["difference_ci"], out["rate"]["p_value"]
    (0.0, [0.0, 0.0], 1.0)
    """
    t = np.asarray(participants, dtype=float)
    c = np.asarray(comparisons, dtype=float)
    point = _statistics(t, c)
    n = len(t)
    if n:
        replicates = np.concatenate(
            [
                _statistics(t[idx], c[idx])[..., 2]
                for idx in bootstrap_indices(
                    n, n_resamples=n_resamples, rng=np.random.default_rng(seed)
                )
            ]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            se = np.nanstd(replicates, axis=0, ddof=1)
        defined = np.isfinite(replicates).sum(axis=0)
        n_below = (replicates <= 0).sum(axis=0)
        n_above = (replicates >= 0).sum(axis=0)
        p_values = np.minimum(1.0, 2 * (np.minimum(n_below, n_above) + 1) / (defined + 1))
        # no resample on the other side of 0: the p-value is only known to be at most this
        bound = (np.minimum(n_below, n_above) == 0) & (defined > 0)
        ci = percentile_interval(replicates, CONFIDENCE)
    else:
        se = np.full(4, np.nan)
        ci = np.full((4, 2), np.nan)
        p_values = np.full(4, np.nan)
        bound = np.zeros(4, dtype=bool)
    factor = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2) + NormalDist().inv_cdf(POWER)
    out = {}
    for k, name in enumerate(MEASURES):
        d = float(point[k, 2])
        s = float(se[k])
        p = float(p_values[k]) if np.isfinite(d) else np.nan
        out[name] = {
            "participants": float(point[k, 0]),
            "comparisons": float(point[k, 1]),
            "difference": d,
            "difference_ci": [float(ci[k, 0]), float(ci[k, 1])],
            "standard_error": s,
            "p_value": p,
            "p_value_is_bound": bool(bound[k]) and np.isfinite(d),
            "minimum_detectable_difference": float(factor * s),
        }
    return out


@dataclass
class ProgrammeResult:
    """What :func:`evaluate_programme` found; :meth:`to_dict` is ``programme.json``."""

    counts: dict[str, Any]
    unmatched: pd.DataFrame
    balance: pd.DataFrame
    outcomes: dict[str, dict[str, Any]]
    naive: dict[str, float]
    survival: dict[str, list[float]]
    settings: dict[str, Any]
    payment_by_results: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_matched(self) -> int:
        return int(self.counts["matched"])

    @property
    def too_small(self) -> str | None:
        """The sentence said below :data:`MINIMUM_MATCHED` matched participants, else None."""
        if self.n_matched >= self.settings["minimum_matched"]:
            return None
        return TOO_SMALL.format(n=f"{self.n_matched:,}", minimum=self.settings["minimum_matched"])

    @property
    def n_flagged(self) -> int:
        """Matching variables with ``|SMD| >= 0.1`` (or undefined) after matching."""
        return int(self.balance["flagged"].sum()) if self.n_matched else len(self.balance)

    def findings(self) -> list[str]:
        """The page's sentences, each made from the figures it states."""
        return findings(self)

    def to_dict(self) -> dict[str, Any]:
        """``programme.json``: counts, settings, balance, outcomes, survival, sentences."""
        return {
            **self.settings,
            "counts": self.counts,
            "unmatched": self.unmatched.to_dict("records"),
            "balance": self.balance.to_dict("records"),
            "n_flagged": self.n_flagged,
            "balanced": self.n_flagged == 0,
            "outcomes": self.outcomes,
            "naive_differences": self.naive,
            "survival": self.survival,
            "too_small": self.too_small,
            "caveat": BALANCE_CAVEAT,
            "payment_by_results": self.payment_by_results,
            "findings": self.findings(),
            "notes": list(self.notes),
        }


def _survival(durations: np.ndarray, events: np.ndarray, weights: np.ndarray, grid: np.ndarray):
    """Kaplan-Meier survival (no proven reoffence yet) at ``grid`` days and the median, of the
    people with a positive weight (:mod:`riskmodel._survival`)."""
    keep = weights > 0
    if not keep.any():
        return [float("nan")] * len(grid), float("nan")
    d, e, w = durations[keep], events[keep], weights[keep]
    curve = 1.0 - kaplan_meier_risk(d, e, grid, weights=w)
    return curve.tolist(), kaplan_meier_median(d, e, weights=w)


def evaluate_programme(
    variables: pd.DataFrame,
    outcomes: pd.DataFrame,
    participant: ArrayLike,
    *,
    ids: ArrayLike | None = None,
    not_found: Sequence[str] = (),
    caliper_sd: float = DEFAULT_CALIPER_SD,
    ratio: int = 1,
    replace: bool = True,
    n_resamples: int = 1000,
    seed: int = 0,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    proof_months: int | None = DEFAULT_PROOF_MONTHS,
    minimum_matched: int = MINIMUM_MATCHED,
    unavailable: Mapping[str, str] | None = None,
    pool_participant_rows: int = 0,
) -> ProgrammeResult:
    """Evaluate a programme against a propensity-matched comparison group.

    Parameters
    ----------
    variables : DataFrame
        Matching variables (:func:`matching_variables`), one row per person: participants and
        comparison pool together; NaN marks a missing variable.
    outcomes : DataFrame
        Aligned with ``variables``: ``reoffended`` (NaN when not known yet), ``reoffences``,
        ``days_to_first`` (NaN without a reoffence) and ``follow_up_days``
        (:func:`reoffending_outcomes`); optionally ``outcome_unknown``, why an outcome is
        not known (default: not known yet at the extract).
    participant : array-like of bool
        Who took part; everyone else is the comparison pool.
    ids : array-like, optional
        Person ids, for the list of unmatched participants (default: row positions).
    not_found : sequence of str
        Participants named but absent from the data; reported as unmatched.
    caliper_sd : float
        Caliper in standard deviations of the logit of the propensity score (pooled SD of
        participants and pool).
    ratio : int
        Comparisons per participant.
    replace : bool
        Whether a comparison may serve several participants.
    n_resamples, seed : int
        Bootstrap over matched sets.
    horizon_months, proof_months : int
        The label rule the outcomes were made with (stated on the page); the proof period is
        None when the outcomes come from flat tables only.
    minimum_matched : int
        Below this many matched participants the result says what cannot be concluded.
    unavailable : mapping, optional
        Measures of :data:`MEASURES` the data cannot give, each with the sentence saying why
        (:func:`riskmodel.programme.read_programme_data`); they are reported as not
        available, never estimated.
    pool_participant_rows : int
        Rows already left out of the pool because their person is a participant
        (``ProgrammeData.pool_participant_rows``); counted as ``pool_participant_rows``.

    Returns
    -------
    ProgrammeResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> v = pd.DataFrame({"x": rng.normal(size=400)})
    >>> y = (rng.random(400) < 0.4).astype(float)
    >>> out = pd.DataFrame({"reoffended": y, "reoffences": y,
    ...     "days_to_first": np.where(y == 1, 100.0, np.nan), "follow_up_days": 730.0})
    >>> r = evaluate_programme(v, out, np.arange(400) < 100, n_resamples=100)
    >>> r.counts["participants"] == r.counts["matched"] + r.counts["unmatched"]
    True
    """
    horizon_months = whole_months(horizon_months)
    if proof_months is not None:
        proof_months = whole_months(proof_months, "the proof period")
    unavailable = {k: str(v) for k, v in (unavailable or {}).items() if k in MEASURES}
    if not (isinstance(caliper_sd, int | float) and np.isfinite(caliper_sd) and caliper_sd > 0):
        raise ConfigError(BAD_CALIPER.format(value=caliper_sd))
    treated = np.asarray(participant, dtype=bool)
    n = len(treated)
    person = np.asarray(ids if ids is not None else np.arange(n)).astype(str)
    known = np.isfinite(outcomes["reoffended"].to_numpy(dtype=float))
    complete = np.isfinite(variables.to_numpy(dtype=float)).all(axis=1)
    n_participants = int(treated.sum()) + len(not_found)
    if n_participants == 0:
        raise DataError(NO_PARTICIPANTS)
    pool_rows = np.flatnonzero(~treated & known & complete)
    if pool_rows.size == 0:
        raise DataError(NO_POOL.format(horizon=horizon_months))
    reason = np.full(n, "", dtype=object)
    why_unknown = np.full(n, REASON_NO_OUTCOME, dtype=object)
    if "outcome_unknown" in outcomes.columns:
        given = outcomes["outcome_unknown"].to_numpy(dtype=object)
        why_unknown = np.where(pd.notna(given), given, why_unknown)
    reason[treated & ~known] = why_unknown[treated & ~known]
    reason[treated & known & ~complete] = REASON_MISSING
    candidates = np.flatnonzero(treated & known & complete)

    logit = np.full(n, np.nan)
    if candidates.size:
        rows = np.concatenate([candidates, pool_rows])
        logit[rows] = propensity_logit(
            variables.iloc[rows], np.r_[np.ones(candidates.size), np.zeros(pool_rows.size)]
        )
        sd = np.sqrt((np.var(logit[candidates]) + np.var(logit[pool_rows])) / 2.0)
    else:
        sd = 0.0
    caliper = caliper_sd * sd if sd > 0 else np.inf
    values = variables.to_numpy(dtype=float)
    if candidates.size:
        spread = values[rows].std(axis=0)
        values = (values - values[rows].mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    matching = match_on_logit(
        logit[candidates],
        logit[pool_rows],
        caliper=caliper,
        ratio=ratio,
        replace=replace,
        participant_values=values[candidates],
        pool_values=values[pool_rows],
    )
    matched = matching.matched
    reason[candidates[~matched]] = REASON_NO_MATCH

    unmatched = pd.DataFrame(
        {
            "person_id": [*person[treated & (reason != "")], *map(str, not_found)],
            "reason": [*reason[treated & (reason != "")], *[REASON_NOT_FOUND] * len(not_found)],
        }
    )
    reasons = [REASON_NOT_FOUND, REASON_NO_OUTCOME, REASON_MISSING, REASON_NO_MATCH]
    if "outcome_unknown" in outcomes.columns and pd.notna(given[treated]).any():
        reasons.insert(2, REASON_NO_LABEL)  # participants from a flat table
    by_reason = {r: int((unmatched["reason"] == r).sum()) for r in reasons}
    weights = matching.weights(pool_rows.size)
    counts = {
        "participants": n_participants,
        "matched": int(matched.sum()),
        "unmatched": len(unmatched),
        "unmatched_reasons": by_reason,
        "pool": int((~treated).sum()),
        "pool_usable": int(pool_rows.size),
        "pool_left_out": int((~treated).sum() - pool_rows.size),
        "pool_participant_rows": int(pool_participant_rows),
        "comparisons_used": int((weights > 0).sum()),
    }

    balance = balance_table(
        variables.iloc[candidates].reset_index(drop=True),
        variables.iloc[pool_rows].reset_index(drop=True),
        matching,
    )

    frame = outcomes.reset_index(drop=True).copy()
    # what the data cannot give is left out of the figures (and stated as not available)
    if any(NEEDS.get(k) == "reoffences" for k in unavailable):
        frame["reoffences"] = frame["reoffended"]
    if "days_to_first" in unavailable:
        frame["days_to_first"] = np.nan
    horizon_days = float(frame["follow_up_days"].min())
    per_person = _per_person(frame, horizon_days)
    t_sets = per_person[candidates[matched]]
    c_sets = _set_means(per_person[pool_rows], matching.sets[matched])
    results = outcome_differences(t_sets, c_sets, n_resamples=n_resamples, seed=seed)
    everyone_t = per_person[treated & known]
    naive_stats = _statistics(everyone_t, per_person[pool_rows])[..., 2]
    naive = {name: float(naive_stats[k]) for k, name in enumerate(MEASURES)}
    for name, o in results.items():
        o["available"] = name not in unavailable
        o["not_available"] = unavailable.get(name)
        if name in unavailable:
            o.update({k: float("nan") for k in o if isinstance(o[k], float)})
            o["difference_ci"] = [float("nan"), float("nan")]
            o["p_value_is_bound"] = False
            naive[name] = float("nan")

    grid = np.arange(0.0, horizon_days + 1e-9, CURVE_STEP_DAYS)
    durations = np.where(
        np.isfinite(frame["days_to_first"]), frame["days_to_first"], frame["follow_up_days"]
    ).astype(float)
    events = np.isfinite(frame["days_to_first"].to_numpy(dtype=float)).astype(int)
    part_w = np.zeros(n)
    part_w[candidates[matched]] = 1.0
    comp_w = np.zeros(n)
    comp_w[pool_rows] = weights
    s_t, med_t = _survival(durations, events, part_w, grid)
    s_c, med_c = _survival(durations, events, comp_w, grid)
    survival = {
        "days": grid.tolist(),
        "participants": s_t,
        "comparisons": s_c,
        # an infinite median: fewer than half reoffended (not reached); NaN: nobody to follow
        "median_days_participants": med_t,
        "median_days_comparisons": med_c,
        "median_not_reached_participants": bool(np.isposinf(med_t)),
        "median_not_reached_comparisons": bool(np.isposinf(med_c)),
        "not_available": unavailable.get("days_to_first"),
    }
    if "days_to_first" in unavailable:
        survival.update(days=[], participants=[], comparisons=[],
                        median_days_participants=float("nan"),
                        median_days_comparisons=float("nan"),
                        median_not_reached_participants=False,
                        median_not_reached_comparisons=False)  # fmt: skip
    settings = {
        "horizon_months": horizon_months,
        "proof_months": proof_months,
        "horizon_words": horizon_words(horizon_months),
        "outcome": outcome_text(horizon_months, proof_months)
        if proof_months is not None
        else f"proven reoffending {horizon_words(horizon_months)} (the tables' own labels)",
        "not_available": dict(unavailable),
        "caliper_sd": float(caliper_sd),
        "caliper": float(caliper),
        "ratio": int(ratio),
        "replace": bool(replace),
        "smd_limit": SMD_LIMIT,
        "minimum_matched": int(minimum_matched),
        "n_resamples": int(n_resamples),
        "confidence": CONFIDENCE,
        "matching_method": MATCHING_METHOD.format(
            n_variables=variables.shape[1],
            ratio=ratio,
            plural="" if ratio == 1 else "s",
            replacement="with replacement" if replace else "without replacement",
            caliper_sd=caliper_sd,
            caliper=caliper,
        ),
        "difference_method": DIFFERENCE_METHOD.format(n_resamples=n_resamples),
        "mdd_method": MDD_METHOD.format(
            power=POWER, factor=NormalDist().inv_cdf(0.975) + NormalDist().inv_cdf(POWER)
        ),
    }
    return ProgrammeResult(
        counts=counts,
        unmatched=unmatched,
        balance=balance,
        outcomes=results,
        naive=naive,
        survival=survival,
        settings=settings,
    )


def _per_person(frame: pd.DataFrame, horizon_days: float) -> np.ndarray:
    """(people, 3): reoffended, reoffences, days free of proven reoffending up to the horizon."""
    days = frame["days_to_first"].to_numpy(dtype=float)
    free = np.where(np.isfinite(days), np.minimum(days, horizon_days), horizon_days)
    return np.column_stack(
        [
            frame["reoffended"].to_numpy(dtype=float),
            frame["reoffences"].to_numpy(dtype=float),
            free,
        ]
    )


def _set_means(pool: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Mean of each set's comparisons (rows of ``pool``; -1 entries left out)."""
    if len(sets) == 0:
        return np.zeros((0, pool.shape[1]))
    found = sets >= 0
    values = pool[np.where(found, sets, 0)] * found[..., None]
    return values.sum(axis=1) / found.sum(axis=1, keepdims=True)


def p_text(outcome: dict[str, Any], *, prefix: bool = True) -> str:
    """The p-value of one difference as text; when no bootstrap resample fell on the other
    side of 0 it is only bounded, and says so, rounded up so that the bound stays true
    ("p ≤ 0.010").

    Examples
    --------
    >>> p_text({"p_value": 0.0099, "p_value_is_bound": True})
    'p ≤ 0.010'
    >>> p_text({"p_value": 2 / 834, "p_value_is_bound": True})
    'p ≤ 0.003'
    >>> p_text({"p_value": 0.0002, "p_value_is_bound": True}, prefix=False)
    '< 0.001'
    >>> p_text({"p_value": 0.31, "p_value_is_bound": False})
    'p = 0.310'
    """
    p = outcome["p_value"]
    if outcome.get("p_value_is_bound") and p is not None and np.isfinite(p) and p >= P_FLOOR:
        p = math.ceil(round(float(p) * 1000, 9)) / 1000  # a bound is rounded up, never down
    text = p_value_text(p, prefix=prefix)
    if outcome.get("p_value_is_bound") and "<" not in text:
        text = text.replace("= ", "≤ ") if prefix else f"≤ {text}"
    return text


def _signed(value: float, scale: float, unit: str, digits: int = 1) -> str:
    return f"{scale * value:+.{digits}f}{unit}".replace("-", "−")


def _measure_sentence(name: str, o: dict[str, Any], horizon: int) -> str:
    """One finding: the two figures, the difference with its interval and p-value, and what
    the interval allows one to say; or that the data cannot give the measure."""
    within = horizon_words(horizon)
    if o.get("available") is False:
        return f"{measure_words(horizon)[name].capitalize()}: {o['not_available']}."
    low, high = o["difference_ci"]
    p = p_text(o)
    if name == "rate":
        scale, unit, digits = 100.0, " percentage points", 1
        figures = (
            f"Proven reoffending {within}: {100 * o['participants']:.1f}% of "
            f"matched participants against {100 * o['comparisons']:.1f}% of their comparisons"
        )
    elif name == "days_to_first":
        scale, unit, digits = 1.0, " days", 0
        figures = (
            f"Days free of proven reoffending {within} (restricted mean): "
            f"{o['participants']:.0f} for matched participants against "
            f"{o['comparisons']:.0f} for their comparisons"
        )
    else:
        scale, unit, digits = 1.0, "", 2
        figures = (
            f"{measure_words(horizon)[name].capitalize()}: {o['participants']:.2f} for "
            f"matched participants against {o['comparisons']:.2f} for their comparisons"
        )
    if not np.isfinite(o["difference"]):
        return f"{figures}: the difference is undefined."
    text = (
        f"{figures}, a difference of {_signed(o['difference'], scale, unit, digits)} (95% "
        f"interval {_signed(low, scale, '', digits)} to {_signed(high, scale, unit, digits)}, "
        f"{p})."
    )
    if not (np.isfinite(low) and np.isfinite(high)):
        return text
    if low <= 0 <= high:
        verdict = "The interval includes 0: the difference cannot be told apart from chance."
    elif name == "days_to_first":
        how_long = "longer" if low > 0 else "for less time"
        verdict = (
            "The interval excludes 0: participants stayed free of proven reoffending "
            f"{how_long} on average {within}."
        )
    else:
        direction = "lower" if high < 0 else "higher"
        verdict = (
            f"The interval excludes 0: {direction} for participants than for their comparisons."
        )
    return f"{text} {verdict}"


def findings(result: ProgrammeResult) -> list[str]:
    """The sentences of the page and the terminal, each from the figures it states."""
    c = result.counts
    out = [
        f"{c['participants']:,} participants: {c['matched']:,} matched and {c['unmatched']:,} "
        "not matched"
        + (
            " (" + "; ".join(f"{n:,} {r}" for r, n in c["unmatched_reasons"].items() if n) + ")."
            if c["unmatched"]
            else "."
        )
    ]
    if result.too_small:
        out.append(result.too_small + ".")
    if result.n_matched:
        flagged = result.n_flagged
        total = len(result.balance)
        if flagged:
            out.append(
                f"After matching, {flagged:,} of {total:,} matching variables still differ by "
                f"a standardised mean difference of {SMD_LIMIT} or more: the groups are not "
                "alike on them, and the differences below may reflect that."
            )
        else:
            out.append(
                f"After matching, all {total:,} matching variables differ by a standardised "
                f"mean difference below {SMD_LIMIT}."
            )
        horizon = result.settings["horizon_months"]
        for name, o in result.outcomes.items():
            out.append(_measure_sentence(name, o, horizon))
        rate = result.outcomes["rate"]
        mdd = rate["minimum_detectable_difference"]
        if np.isfinite(mdd):
            out.append(
                f"With {result.n_matched:,} matched participants, the smallest difference in "
                f"the proven reoffending rate {horizon_words(horizon)} this comparison would "
                f"reliably detect (80% power, 5% level) is {100 * mdd:.1f} percentage points."
            )
    return out

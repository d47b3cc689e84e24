"""Offence-history features as of the index date, vectorised over all people at once.

Each offence row gets an integer person code; rows proven after the index date are dropped
first (the point-in-time rule), so nothing after the index date can reach a feature. Sanction
occasions are the distinct (person, sanction day) pairs, found by sorting one int64 key; per
person figures then come from ``bincount`` and ``searchsorted`` on the sorted keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.contract._ages import whole_years
from riskmodel.contract._vocabulary import OFFENCE_GROUPS
from riskmodel.features._catalogue import OFFENCE_FAMILIES
from riskmodel.features._common import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    add_months_array,
    as_datetime,
    equals_text,
    offence_codes,
    require_columns,
    required_dates,
    to_days,
    vocabulary_codes,
)

PEOPLE_COLUMNS: tuple[str, ...] = (
    "person_id",
    "date_of_birth",
    "sex",
    "index_date",
    "index_offence",
)
OFFENCE_COLUMNS: tuple[str, ...] = ("person_id", "sanction_date", "offence_group")
FAMILIES: tuple[str, ...] = tuple(OFFENCE_FAMILIES)
#: Family code of each offence group code (unknown groups fall in "other").
_FAMILY_OF_GROUP = np.array(
    [next(i for i, gs in enumerate(OFFENCE_FAMILIES.values()) if g in gs) for g in OFFENCE_GROUPS]
    + [FAMILIES.index("other")],
    dtype=np.int64,
)
#: Group code of each offence group code (unknown groups fall in "other").
_GROUP_OF_CODE = np.array(
    [*range(len(OFFENCE_GROUPS)), OFFENCE_GROUPS.index("other")], dtype=np.int64
)


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` without its hash-table path, slower here)."""
    keys = np.sort(keys)
    if len(keys) < 2:
        return keys
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _days_to_series(days: np.ndarray) -> pd.Series:
    return pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]"))


def _whole_years_days(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    return whole_years(_days_to_series(born), _days_to_series(on)).to_numpy(dtype=np.float64)


#: Age of criminal responsibility in England and Wales: time at risk is counted from it.
AGE_OF_RESPONSIBILITY = 10.0
#: Share of a custodial sentence served before automatic release (standard determinate
#: sentences in England and Wales are released at the halfway point).
SHARE_SERVED = 0.5


def _months_from(
    position: np.ndarray, occasion_person: np.ndarray, occasion_day: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Months from each person's occasion at ``position`` (in the sorted occasion arrays) to
    their ``end`` day; NaN when the position is -1 or holds another person's occasion."""
    found = position >= 0
    found[found] = occasion_person[position[found]] == np.flatnonzero(found)
    months = np.full(len(end), np.nan)
    months[found] = (end[found] - occasion_day[position[found]]) / DAYS_PER_MONTH
    return months


def _previous_years_served(
    code: np.ndarray,
    day: np.ndarray,
    sentence_days: np.ndarray,
    current: np.ndarray,
    span: int,
    base: int,
    n: int,
) -> np.ndarray:
    """Years served in custody for sanction occasions before the current one, per person.

    An occasion's sentence is the longest ``custody_days`` among its offences (sentences for
    offences dealt with together usually run concurrently); the time served is
    :data:`SHARE_SERVED` of it.
    """
    with_sentence = sentence_days > 0
    keys = code[with_sentence] * span + (day[with_sentence] - base)
    if keys.size == 0:
        return np.zeros(n)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    days = sentence_days[with_sentence][order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    longest = np.maximum.reduceat(days, starts)
    person = keys[starts] // span
    previous = (keys[starts] % span + base) != current[person]
    served = np.bincount(person[previous], weights=longest[previous], minlength=n)
    return SHARE_SERVED * served / DAYS_PER_YEAR


def people_dates(people: pd.DataFrame) -> dict[str, np.ndarray]:
    """Birth, index and current-sanction dates of ``people`` as int64 day numbers.

    ``index_sanction_date`` defaults to ``index_date`` when absent or empty, and is clipped to
    the index date when later (the current sanction cannot be proven after follow-up starts).
    """
    require_columns(people, PEOPLE_COLUMNS, "people")
    index = to_days(required_dates(people, "index_date", "people"))
    born = to_days(required_dates(people, "date_of_birth", "people"))
    if "index_sanction_date" in people.columns:
        current = as_datetime(people["index_sanction_date"])
        missing = np.isnat(current)
        current = np.where(
            missing, index, to_days(np.where(missing, np.datetime64(0, "ns"), current))
        )
    else:
        current = index.copy()
    after = current > index
    current = np.minimum(current, index)
    return {"born": born, "index": index, "current": current, "current_after_index": after}


def offence_history(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    dates: dict[str, np.ndarray] | None = None,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Offence-history features of every person as of their index date.

    Parameters
    ----------
    people : DataFrame
        Validated people (``person_id``, ``date_of_birth``, ``sex``, ``index_date``,
        ``index_offence``, optional ``index_sanction_date`` and ``index_disposal``).
    offences : DataFrame
        Validated offences (``person_id``, ``sanction_date``, ``offence_group``, optional
        ``disposal`` and ``custody_days``). Rows proven after a person's index date, and rows
        of people not in ``people``, are ignored.
    dates : dict, optional
        The output of :func:`people_dates`, when already computed.
    codes : tuple of ndarray, optional
        The output of :func:`riskmodel.features._common.offence_codes`, when already computed.

    Returns
    -------
    features : DataFrame
        The offence-history and person columns of the catalogue, one row per person in the
        order of ``people`` (RangeIndex).
    meta : dict
        ``offences_in_history`` (rows used), ``offences_after_index`` (rows ignored),
        ``current_sanction_from_people`` (people whose current sanction had no offence row
        and was taken from ``people.index_offence``), ``index_sanction_after_index``.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["a"], "date_of_birth": ["1990-01-01"],
    ...     "sex": ["male"], "index_date": ["2020-01-01"], "index_offence": ["theft"]})
    >>> offences = pd.DataFrame({"person_id": ["a", "a", "a"],
    ...     "sanction_date": ["2015-05-01", "2015-05-01", "2021-01-01"],
    ...     "offence_group": ["theft", "violence", "theft"]})
    >>> features, meta = offence_history(people, offences)
    >>> int(features.loc[0, "sanction_occasions"]), meta["current_sanction_from_people"]
    (2, 1)
    """
    if dates is None:
        dates = people_dates(people)
    require_columns(offences, OFFENCE_COLUMNS, "offences")
    n = len(people)
    born, index, current = dates["born"], dates["index"], dates["current"]
    people_idx = np.arange(n, dtype=np.int64)

    # --- offence rows proven on or before each person's index date -------------------------
    codes, group_codes = codes if codes is not None else offence_codes(people, offences)
    sanction_ns = as_datetime(offences["sanction_date"])
    valid = (codes >= 0) & ~np.isnat(sanction_ns)
    if valid.all():  # the usual case after validation: no masking needed
        sanction = to_days(sanction_ns)
        history = sanction <= index[codes]
    else:
        sanction = np.zeros(len(codes), dtype=np.int64)
        sanction[valid] = to_days(sanction_ns[valid])
        history = valid.copy()
        history[valid] = sanction[valid] <= index[codes[valid]]
    n_history = int(history.sum())
    n_after = int(valid.sum()) - n_history

    code = codes[history]
    day = sanction[history]
    group = group_codes[history]
    custody = np.zeros(len(codes), dtype=bool)
    sentence_days = np.zeros(len(codes))
    if "disposal" in offences.columns:
        custody |= equals_text(offences["disposal"], "custody")
    if "custody_days" in offences.columns:
        sentence_days = (
            pd.to_numeric(offences["custody_days"], errors="coerce").fillna(0).to_numpy(float)
        )
        custody |= sentence_days > 0
    custody = custody[history]
    sentence_days = sentence_days[history]
    del codes, sanction, sanction_ns, valid, history

    # --- sanction occasions: distinct (person, day), as one sorted int64 key ----------------
    base = int(min(day.min(initial=current.min(initial=0)), current.min(initial=0)))
    span = int(max(day.max(initial=index.max(initial=0)), index.max(initial=0))) - base + 1
    occasions = _sorted_unique(code * span + (day - base))
    occ_person = occasions // span
    occ_day = occasions % span + base
    current_key = people_idx * span + (current - base)
    pos = np.searchsorted(occasions, current_key)
    has_current = np.zeros(n, dtype=bool)
    inside = pos < len(occasions)
    has_current[inside] = occasions[pos[inside]] == current_key[inside]
    taken_from_people = ~has_current

    n_occasions = np.bincount(occ_person, minlength=n) + taken_from_people
    starts = np.searchsorted(occ_person, people_idx, side="left")
    any_row = np.bincount(occ_person, minlength=n) > 0
    first_day = current.copy()
    first_day[any_row] = np.minimum(occ_day[starts[any_row]], current[any_row])

    other = occ_day != current[occ_person]
    other_person = occ_person[other]
    other_day = occ_day[other]
    last_pos = np.searchsorted(other_person, people_idx, side="right") - 1
    months_since_previous = _months_from(last_pos, other_person, other_day, index)

    index_ns = index.astype("datetime64[D]").astype("datetime64[ns]")
    recent = {}
    for months in (12, 24):
        cutoff = to_days(add_months_array(index_ns, -months))
        recent[months] = np.bincount(
            other_person[other_day > cutoff[other_person]], minlength=n
        ).astype(np.float64)

    custody_occ = _sorted_unique(code[custody] * span + (day[custody] - base))
    c_person = custody_occ // span
    c_other = (custody_occ % span + base) != current[c_person]
    previous_custody = np.bincount(c_person[c_other], minlength=n).astype(np.float64)
    served_years = _previous_years_served(code, day, sentence_days, current, span, base, n)
    # the latest other occasion before the current sanction (not one proven while in custody)
    other_keys = other_person * span + (other_day - base)
    before_pos = np.searchsorted(other_keys, current_key, side="left") - 1
    months_previous_to_current = _months_from(before_pos, other_person, other_day, current)

    # --- offences by family, with the current offence from people when it had no row --------
    n_fam = len(FAMILIES)
    family = _FAMILY_OF_GROUP[group]
    by_family = np.bincount(code * n_fam + family, minlength=n * n_fam).reshape(n, n_fam)
    index_code = vocabulary_codes(people["index_offence"], OFFENCE_GROUPS)
    index_family = _FAMILY_OF_GROUP[index_code]
    by_family[people_idx[taken_from_people], index_family[taken_from_people]] += 1

    # --- offences by group, counted the same way ---------------------------------------------
    n_groups = len(OFFENCE_GROUPS)
    by_group = np.bincount(
        code * n_groups + _GROUP_OF_CODE[group], minlength=n * n_groups
    ).reshape(n, n_groups)
    index_group = _GROUP_OF_CODE[index_code]
    by_group[people_idx[taken_from_people], index_group[taken_from_people]] += 1

    # --- ages and durations -------------------------------------------------------------------
    age_at_index = _whole_years_days(born, index)
    age_at_current = _whole_years_days(born, current)
    age_at_first = _whole_years_days(born, first_day)
    years_first_to_current = age_at_current - age_at_first
    with np.errstate(divide="ignore", invalid="ignore"):
        copas = np.log(n_occasions / (years_first_to_current + 10.0))

    disposal = (
        people["index_disposal"].astype("str").where(people["index_disposal"].notna(), "unknown")
        if "index_disposal" in people.columns
        else pd.Series(["unknown"] * n)
    )
    columns: dict[str, object] = {
        "age_at_index": age_at_index,
        "sex": None,
        "index_offence": None,
        "index_disposal": None,
        "sanction_occasions": n_occasions.astype(np.float64),
        "first_sanction": (n_occasions == 1).astype(np.float64),
        "age_at_first_sanction": age_at_first,
        "years_first_to_current": years_first_to_current,
        "copas_rate": copas,
        "months_sanction_to_index": (index - current) / DAYS_PER_MONTH,
        "previous_custodial_sentences": previous_custody,
        "previous_sanctions_1y": recent[12],
        "previous_sanctions_2y": recent[24],
        "months_since_previous_sanction": months_since_previous,
        "months_previous_to_current": months_previous_to_current,
        "years_in_custody": served_years,
        "years_at_risk": np.maximum(age_at_current - AGE_OF_RESPONSIBILITY - served_years, 0.0),
    }
    for j, fam in enumerate(FAMILIES):
        columns[f"offences_{fam}"] = by_family[:, j].astype(np.float64)
    for j, offence_group in enumerate(OFFENCE_GROUPS):
        columns[f"offence_count_{offence_group}"] = by_group[:, j].astype(np.float64)
    features = pd.DataFrame({k: v for k, v in columns.items() if v is not None})
    # string columns assigned as Series keep their Arrow storage (no per-value conversion)
    features["sex"] = people["sex"].astype("str").reset_index(drop=True)
    features["index_offence"] = people["index_offence"].astype("str").reset_index(drop=True)
    features["index_disposal"] = disposal.reset_index(drop=True)
    features = features[list(columns)]
    meta = {
        "offences_in_history": n_history,
        "offences_after_index": n_after,
        "current_sanction_from_people": int(taken_from_people.sum()),
        "index_sanction_after_index": int(dates["current_after_index"].sum()),
    }
    return features, meta

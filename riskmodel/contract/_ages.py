"""Whole-year ages, calendar-month arithmetic, cohorts and age bands."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.contract._vocabulary import AGE_BANDS


def whole_years(born: pd.Series, on: pd.Series) -> pd.Series:
    """Age in completed years of people born on ``born`` at dates ``on``.

    Parameters
    ----------
    born, on : Series of datetime64
        Birth dates and the dates at which age is taken, aligned by position.

    Returns
    -------
    Series of float
        Whole years (a birthday counts on the day itself); NaN where either date is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> whole_years(pd.Series(pd.to_datetime(["2000-03-01"])),
    ...             pd.Series(pd.to_datetime(["2018-02-28"]))).tolist()
    [17.0]
    """
    born = pd.to_datetime(pd.Series(born).reset_index(drop=True))
    on = pd.to_datetime(pd.Series(on).reset_index(drop=True))
    years = on.dt.year - born.dt.year
    before_birthday = (on.dt.month < born.dt.month) | (
        (on.dt.month == born.dt.month) & (on.dt.day < born.dt.day)
    )
    return (years - before_birthday.astype("float")).astype("float")


def add_months(dates: pd.Series, months: int) -> pd.Series:
    """Add calendar months, clipping to the month's last day (31 Jan + 1 month = 28/29 Feb).

    Examples
    --------
    >>> import pandas as pd
    >>> add_months(pd.Series(pd.to_datetime(["2020-01-31"])), 1).dt.date.astype(str).tolist()
    ['2020-02-29']
    """
    return pd.Series(pd.to_datetime(dates)) + pd.DateOffset(months=months)


def age_band(age: pd.Series) -> pd.Series:
    """Report age band (``18-20`` … ``50+``) of whole-year ages; missing below 18."""
    age = pd.Series(age, dtype="float")
    out = pd.Series(pd.NA, index=age.index, dtype="object")
    for label, low, high in AGE_BANDS:
        upper = np.inf if high is None else high
        out[(age >= low) & (age <= upper)] = label
    return out


def cohort(sex: pd.Series, age: pd.Series) -> pd.Series:
    """Caseload cohort: ``young_male`` (18–24), ``adult_male`` (25–49), ``mature_male`` (50+),
    ``female`` (all ages 18 and over); missing where sex or age is unknown or age is under 18.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort(pd.Series(["male", "male", "female"]), pd.Series([19, 50, 30])).tolist()
    ['young_male', 'mature_male', 'female']
    """
    sex = pd.Series(sex).astype("object").reset_index(drop=True)
    age = pd.Series(age, dtype="float").reset_index(drop=True)
    out = pd.Series(pd.NA, index=age.index, dtype="object")
    adult = age >= 18
    male = sex == "male"
    out[adult & (sex == "female")] = "female"
    out[adult & male & (age <= 24)] = "young_male"
    out[male & (age >= 25) & (age <= 49)] = "adult_male"
    out[male & (age >= 50)] = "mature_male"
    return out

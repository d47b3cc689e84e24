"""Risk bands of two-year probabilities, OGRS-style.

OGRS publishes its bands on the two-year percentage rounded half-up to a whole number
(Low 0–49, Medium 50–74, High 75–89, Very high 90 and over). Scores use the same rule, so a
person's band here agrees with :func:`riskmodel.baselines.ogrs3_band` and with the band in an
explanation. Cut points other than the default are allowed; they must be whole percentages,
since the rule compares whole percentages.
"""

from __future__ import annotations

import numpy as np

from riskmodel._errors import ConfigError
from riskmodel.allocation import OGRS_BAND_CUTS, Bands

__all__ = [
    "BANDS_NOT_WHOLE_PERCENT",
    "DEFAULT_BANDS",
    "band_positions",
    "parse_bands",
    "risk_band",
]

#: Raised for cut points that are not whole percentages (``0.333``).
BANDS_NOT_WHOLE_PERCENT = (
    "band cut points must be whole percentages such as 0.5,0.75,0.9 (bands compare the "
    "two-year percentage rounded half-up to a whole number, as OGRS does); got {value!r}"
)

#: Low / Medium / High / Very high at 50%, 75% and 90%.
DEFAULT_BANDS: Bands = Bands(cuts=OGRS_BAND_CUTS)


def parse_bands(text: str | None) -> Bands:
    """Band cut points from ``"0.5,0.75,0.9"`` (None: the OGRS default).

    Raises
    ------
    ConfigError
        Cut points that are not increasing, not inside (0, 1), or not whole percentages.

    Examples
    --------
    >>> parse_bands(None).names
    ('Low', 'Medium', 'High', 'Very high')
    >>> parse_bands("0.3,0.6").names
    ('0-30%', '30-60%', '60-100%')
    """
    if text is None:
        return DEFAULT_BANDS
    bands = Bands.parse(text)
    percent = np.asarray(bands.cuts) * 100
    if not np.allclose(percent, np.round(percent), rtol=0, atol=1e-9):
        raise ConfigError(BANDS_NOT_WHOLE_PERCENT.format(value=text))
    return bands


def risk_band(probability: np.ndarray, bands: Bands = DEFAULT_BANDS) -> np.ndarray:
    """Band name of each probability: the two-year percentage is rounded half-up to a whole
    number, then placed among the cut points (``cut <= percentage`` enters the higher band).

    Parameters
    ----------
    probability : array of float
        Two-year probabilities in [0, 1].
    bands : Bands
        Cut points and names (:func:`parse_bands`).

    Returns
    -------
    ndarray of str (object)

    Examples
    --------
    >>> risk_band(np.array([0.494999, 0.495, 0.745, 0.9])).tolist()
    ['Low', 'Medium', 'High', 'Very high']
    """
    return np.asarray(bands.names, dtype=object)[band_positions(probability, bands)]


def band_positions(probability: np.ndarray, bands: Bands = DEFAULT_BANDS) -> np.ndarray:
    """Position of each probability's band in ``bands.names`` (the rule of :func:`risk_band`).

    Examples
    --------
    >>> band_positions(np.array([0.2, 0.8])).tolist()
    [0, 2]
    """
    p = np.asarray(probability, dtype=np.float64)
    # Round half-up on the percentage; rounding to 9 decimals first absorbs the binary
    # representation of exact halves (0.495 * 100 = 49.49999999999999).
    percent = np.floor(np.round(p * 100, 9) + 0.5)
    cuts = np.round(np.asarray(bands.cuts) * 100)
    return np.searchsorted(cuts, percent, side="right")

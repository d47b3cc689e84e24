"""Risk bands: the one rule that puts a probability in a band, everywhere.

OGRS publishes its bands on the percentage rounded half-up to a whole number (Low 0–49,
Medium 50–74, High 75–89, Very high 90 and over). Every output that names a band (scores,
explanations, threshold and cohort reports, OGRS3) places people with :meth:`Bands.positions`,
so a person at 0.495 is "Medium" in all of them. Cut points must therefore be whole
percentages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, ClassVar

import numpy as np

from riskmodel._errors import ConfigError

__all__ = [
    "BAD_BANDS",
    "BAD_BAND_NAMES",
    "BANDS_NOT_WHOLE_PERCENT",
    "DEFAULT_BANDS",
    "OGRS_BAND_CUTS",
    "OGRS_BAND_NAMES",
    "Bands",
    "band_positions",
    "parse_bands",
    "risk_band",
]

#: OGRS-style band cut points on the probability (Low, Medium, High, Very high).
OGRS_BAND_CUTS: tuple[float, ...] = (0.5, 0.75, 0.9)
OGRS_BAND_NAMES: tuple[str, ...] = ("Low", "Medium", "High", "Very high")

#: Raised for cut points that are not increasing numbers inside (0, 1).
BAD_BANDS = "band cut points must be increasing numbers strictly between 0 and 1, got {value!r}"
#: Raised when the number of names does not match the number of bands.
BAD_BAND_NAMES = "{cuts} cut points make {bands} bands, but {names} names were given"
#: Raised for cut points that are not whole percentages (``0.333``).
BANDS_NOT_WHOLE_PERCENT = (
    "band cut points must be whole percentages such as 0.5,0.75,0.9 (bands compare the "
    "percentage rounded half-up to a whole number, as OGRS does); got {value!r}"
)


@dataclass(frozen=True)
class Bands:
    """Risk bands at whole-percentage cut points (OGRS-style 0.5, 0.75, 0.9 by default).

    A person's percentage is rounded half-up to a whole number and enters the higher band at a
    cut point: 0.495 is 49.5%, rounds to 50% and so is "Medium". In numbers, a band starts at
    its :attr:`lower_edges` (0.495, 0.745 and 0.895 for the OGRS bands) and a probability at or
    above an edge is in the higher band. "Allocated" (as an allocation policy) means above the
    lowest band, i.e. ``p >= threshold`` with :attr:`threshold` the first edge.

    Examples
    --------
    >>> Bands().names
    ('Low', 'Medium', 'High', 'Very high')
    >>> Bands.parse("0.3,0.6").names
    ('0-30%', '30-60%', '60-100%')
    >>> Bands().band_of([0.494999, 0.495, 0.745, 0.9]).tolist()
    ['Low', 'Medium', 'High', 'Very high']
    >>> Bands().threshold
    0.495
    """

    cuts: tuple[float, ...] = OGRS_BAND_CUTS
    names: tuple[str, ...] = field(default=())
    name: ClassVar[str] = "bands"

    def __post_init__(self) -> None:
        try:
            cuts = tuple(float(c) for c in self.cuts)
        except (TypeError, ValueError):
            raise ConfigError(BAD_BANDS.format(value=self.cuts)) from None
        if (
            not cuts
            or any(not (math.isfinite(c) and 0.0 < c < 1.0) for c in cuts)
            or any(b <= a for a, b in pairwise(cuts))
        ):
            raise ConfigError(BAD_BANDS.format(value=self.cuts))
        percent = np.asarray(cuts) * 100
        if not np.allclose(percent, np.round(percent), rtol=0, atol=1e-9):
            raise ConfigError(BANDS_NOT_WHOLE_PERCENT.format(value=self.cuts))
        object.__setattr__(self, "cuts", cuts)
        names = tuple(self.names)
        if not names:
            if cuts == OGRS_BAND_CUTS:
                names = OGRS_BAND_NAMES
            else:
                edges = (0.0, *cuts, 1.0)
                names = tuple(f"{100 * lo:.4g}-{100 * hi:.4g}%" for lo, hi in pairwise(edges))
        if len(names) != len(cuts) + 1:
            raise ConfigError(
                BAD_BAND_NAMES.format(cuts=len(cuts), bands=len(cuts) + 1, names=len(names))
            )
        object.__setattr__(self, "names", names)

    @classmethod
    def parse(cls, text: str | None) -> Bands:
        """Read comma-separated cut points such as ``"0.5,0.75,0.9"`` (None: the OGRS bands).

        Raises
        ------
        ConfigError
            Cut points that are not numbers, not increasing, not inside (0, 1), or not whole
            percentages.
        """
        if text is None:
            return cls()
        try:
            cuts = tuple(float(part) for part in str(text).split(","))
        except ValueError:
            raise ConfigError(BAD_BANDS.format(value=text)) from None
        try:
            return cls(cuts=cuts)
        except ConfigError as error:  # report the text as given
            message = str(error).replace(repr(cuts), repr(text))
            raise ConfigError(message) from None

    @property
    def edges(self) -> tuple[float, ...]:
        """The nominal edges: 0, the cut points, 1."""
        return (0.0, *self.cuts, 1.0)

    @property
    def lower_edges(self) -> tuple[float, ...]:
        """The lowest probability of each band above the first: the percentage that rounds
        half-up to the cut point (49.5% for a cut at 50%), as a probability."""
        return tuple((round(100 * c) - 0.5) / 100 for c in self.cuts)

    @property
    def threshold(self) -> float:
        """The lowest probability outside the lowest band (0.495 for the OGRS bands)."""
        return self.lower_edges[0]

    def positions(self, probability: Any) -> np.ndarray:
        """Position of each probability's band in :attr:`names`: the number of
        :attr:`lower_edges` at or below it (so band membership and ``p >= threshold`` agree
        exactly, as numbers)."""
        p = np.asarray(probability, dtype=np.float64)
        return np.searchsorted(np.asarray(self.lower_edges), p, side="right")

    def band_of(self, probability: Any) -> np.ndarray:
        """Band name of each probability (an object array of str)."""
        return np.asarray(self.names, dtype=object)[self.positions(probability)]

    def members(self, probability: Any) -> list[tuple[str, np.ndarray]]:
        """``(name, mask)`` for every band, in order; the masks partition the people."""
        positions = self.positions(probability)
        return [(name, positions == i) for i, name in enumerate(self.names)]

    def ranges(self) -> list[tuple[str, int, int | None]]:
        """``(name, lowest, highest or None)`` whole percentages of each band."""
        cuts = [round(100 * c) for c in self.cuts]
        lows = [0, *cuts]
        highs: list[int | None] = [c - 1 for c in cuts] + [None]
        return list(zip(self.names, lows, highs, strict=True))

    def describe(self) -> str:
        """The bands in words, e.g. ``"Low 0%–49%, Medium 50%–74%, … Very high 90% and over"``.

        Examples
        --------
        >>> Bands(cuts=(0.5,), names=("Lower", "Higher")).describe()
        'Lower 0%–49%, Higher 50% and over'
        """
        return ", ".join(
            f"{name} {low}%" + (f"–{high}%" if high is not None else " and over")
            for name, low, high in self.ranges()
        )

    def parameters(self) -> dict[str, Any]:
        return {"cuts": list(self.cuts), "names": list(self.names)}


#: Low / Medium / High / Very high at 50%, 75% and 90%.
DEFAULT_BANDS: Bands = Bands()


def parse_bands(text: str | None) -> Bands:
    """Band cut points from ``"0.5,0.75,0.9"`` (None: the OGRS default).

    Examples
    --------
    >>> parse_bands(None).names
    ('Low', 'Medium', 'High', 'Very high')
    >>> parse_bands("0.3,0.6").names
    ('0-30%', '30-60%', '60-100%')
    """
    return Bands.parse(text)


def risk_band(probability: Any, bands: Bands = DEFAULT_BANDS) -> np.ndarray:
    """Band name of each probability (:meth:`Bands.band_of`).

    Examples
    --------
    >>> risk_band(np.array([0.494999, 0.495, 0.745, 0.9])).tolist()
    ['Low', 'Medium', 'High', 'Very high']
    """
    return bands.band_of(probability)


def band_positions(probability: Any, bands: Bands = DEFAULT_BANDS) -> np.ndarray:
    """Position of each probability's band in ``bands.names`` (:meth:`Bands.positions`).

    Examples
    --------
    >>> band_positions(np.array([0.2, 0.8])).tolist()
    [0, 2]
    """
    return bands.positions(probability)

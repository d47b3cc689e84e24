"""Allocation policies: how a threshold (or a set of places) is chosen from the scores.

Each policy is a small frozen dataclass that checks its own parameters; pass one to
:func:`riskmodel.allocation.choose_threshold`.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from riskmodel._errors import ConfigError
from riskmodel.allocation import _messages as msg
from riskmodel.bands import Bands

__all__ = [
    "Capacity",
    "ExpectedCost",
    "PPVTarget",
    "Policy",
    "SensitivityTarget",
]


TIE_BREAKS: tuple[str, ...] = ("random", "input_order")


@dataclass(frozen=True)
class _Target:
    """A share to reach, above 0 and at most 1; ``label`` names it in messages."""

    target: float
    label: ClassVar[str]

    def __post_init__(self) -> None:
        value = float(self.target)
        if not (math.isfinite(value) and 0.0 < value <= 1.0):
            raise ConfigError(msg.BAD_TARGET.format(name=self.label, value=value))
        object.__setattr__(self, "target", value)

    def parameters(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Capacity:
    """Allocate exactly ``count`` people (or ``fraction`` of those with a score).

    The people with the highest scores are allocated. When several people share the score at
    the last place and not all of them fit, the last places go to the tied people in a fixed
    order: ``tie_break="random"`` (default) uses a random order drawn with ``seed`` (a seeded
    lottery: the same input and seed always give the same people); ``"input_order"`` takes
    them in the order of the input rows. A fraction gives ``round(fraction * n)`` places
    (halves rounded up), ``n`` being the number of people with a score; a count larger than
    the caseload allocates everybody.

    Examples
    --------
    >>> Capacity(count=134).places(1338)
    134
    >>> Capacity(fraction=0.1).places(1338)
    134
    >>> Capacity.parse("10%").fraction
    0.1
    """

    count: int | None = None
    fraction: float | None = None
    tie_break: str = "random"
    seed: int = 0
    name: ClassVar[str] = "capacity"

    def __post_init__(self) -> None:
        if (self.count is None) == (self.fraction is None):
            raise ConfigError(msg.CAPACITY_BOTH)
        if self.count is not None and (
            isinstance(self.count, bool) or int(self.count) != self.count or self.count < 0
        ):
            raise ConfigError(msg.BAD_CAPACITY.format(value=self.count))
        if self.fraction is not None and not (
            math.isfinite(self.fraction) and 0.0 <= self.fraction <= 1.0
        ):
            raise ConfigError(msg.BAD_CAPACITY.format(value=self.fraction))
        if self.tie_break not in TIE_BREAKS:
            raise ConfigError(msg.BAD_TIE_BREAK.format(value=self.tie_break))

    @classmethod
    def parse(cls, text: str, *, tie_break: str = "random", seed: int = 0) -> Capacity:
        """Read ``"134"`` (a count), ``"0.1"`` (a fraction below 1) or ``"10%"``."""
        raw = str(text).strip()
        try:
            if raw.endswith("%"):
                fraction = float(raw[:-1]) / 100.0
                if not 0.0 <= fraction <= 1.0:
                    raise ValueError
                return cls(fraction=fraction, tie_break=tie_break, seed=seed)
            value = float(raw)
        except ValueError:
            raise ConfigError(msg.BAD_CAPACITY.format(value=raw)) from None
        if not math.isfinite(value) or value < 0:
            raise ConfigError(msg.BAD_CAPACITY.format(value=raw))
        if value < 1:
            return cls(fraction=value, tie_break=tie_break, seed=seed)
        if value != int(value) or not re.fullmatch(r"\d+(\.0*)?", raw):
            raise ConfigError(msg.BAD_CAPACITY.format(value=raw))
        return cls(count=int(value), tie_break=tie_break, seed=seed)

    def places(self, n: int) -> int:
        """Number of people allocated among ``n`` people with a score."""
        if self.count is not None:
            return min(int(self.count), n)
        return min(n, math.floor(float(self.fraction) * n + 0.5))

    def parameters(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SensitivityTarget(_Target):
    """Catch at least ``target`` of those who reoffend, at the highest threshold that does.

    With outcomes the share is observed (reoffenders with a score ≥ threshold over all
    reoffenders); without, it is expected from the probabilities (sum of p among those
    allocated over the sum of p).

    Examples
    --------
    >>> SensitivityTarget(0.8).target
    0.8
    """

    name: ClassVar[str] = "sensitivity"
    label: ClassVar[str] = "sensitivity"


@dataclass(frozen=True)
class PPVTarget(_Target):
    """Allocate as many people as possible while at least ``target`` of them reoffend.

    The lowest threshold whose positive predictive value (observed with outcomes, expected
    from the probabilities without) is at least ``target``. Observed PPV need not fall
    steadily as the threshold falls; the lowest qualifying threshold is taken all the same.

    Examples
    --------
    >>> PPVTarget(0.6).target
    0.6
    """

    name: ClassVar[str] = "ppv"
    label: ClassVar[str] = "PPV"


@dataclass(frozen=True)
class ExpectedCost:
    """Minimise expected total cost; every figure is given by the user (no defaults).

    Expected total cost of allocating the set S is
    ``sum over S of (B + A * p * (1 - E)) + sum over the others of A * p``, with ``A`` the cost
    of a reoffence, ``B`` the cost of the intervention per person and ``E`` its relative effect
    (0.2: a fifth fewer reoffences among those given it). Allocating a person pays when
    ``p > B / (A * E)``, the break-even probability.

    Examples
    --------
    >>> ExpectedCost(cost_reoffence=10_000, cost_intervention=1_000, effect=0.2).break_even
    0.5
    """

    cost_reoffence: float
    cost_intervention: float
    effect: float
    name: ClassVar[str] = "expected_cost"

    def __post_init__(self) -> None:
        a, b, e = float(self.cost_reoffence), float(self.cost_intervention), float(self.effect)
        if not (math.isfinite(a) and math.isfinite(b) and a > 0 and b >= 0):
            raise ConfigError(msg.BAD_COST.format(reoffence=a, intervention=b))
        if not (math.isfinite(e) and 0 < e <= 1):
            raise ConfigError(msg.BAD_EFFECT.format(value=e))

    @property
    def break_even(self) -> float:
        """Probability above which allocating a person lowers the expected cost."""
        return float(self.cost_intervention) / (float(self.cost_reoffence) * float(self.effect))

    def parameters(self) -> dict[str, Any]:
        return {**asdict(self), "break_even_probability": self.break_even}


Policy = Capacity | SensitivityTarget | PPVTarget | ExpectedCost | Bands

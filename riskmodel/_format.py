"""Numbers and lists written for people: p-values, interval bounds beside the limits they are
judged on, and "a, b and c", the same way on every page and in every command."""

from __future__ import annotations

import math

__all__ = ["P_FLOOR", "beside", "join_words", "p_value_text", "signed"]

#: The smallest p-value written as a number; anything below reads "p < 0.001".
P_FLOOR = 0.001


def p_value_text(p: float | None, *, prefix: bool = True) -> str:
    """A p-value as text: three decimals, never "0.000" (below 0.001: "p < 0.001").

    Parameters
    ----------
    p : float or None
        The p-value; None or NaN is undefined (a dash).
    prefix : bool
        Lead with ``p`` ("p = 0.063"); False for a table cell under a p-value heading
        ("0.063", "< 0.001").

    Examples
    --------
    >>> p_value_text(0.0632), p_value_text(0.00002), p_value_text(1.0)
    ('p = 0.063', 'p < 0.001', 'p = 1.000')
    >>> p_value_text(0.0004, prefix=False), p_value_text(0.0067, prefix=False)
    ('< 0.001', '0.007')
    >>> p_value_text(None)
    '—'
    """
    if p is None or math.isnan(float(p)):
        return "—"
    p = float(p)
    if p < P_FLOOR:
        return f"p < {P_FLOOR}" if prefix else f"< {P_FLOOR}"
    # a p-value that rounds down to 0.000 was caught above; one that rounds to 0.001 says so
    return f"p = {p:.3f}" if prefix else f"{p:.3f}"


#: Figures are compared with their limits to this many decimals: a rate difference of
#: 0.55 - 0.50 is 0.05, not 0.05 and some floating-point noise.
NOISE_DECIMALS = 12


def beside(value: float, limits: tuple[float, ...] = (), decimals: int = 2) -> str:
    """``value`` rounded to ``decimals``, or to up to three more when that would print it on
    one of ``limits`` it is not on: an interval judged to exclude 1 never reads as if it
    ended at 1 (0.996, not 1.00), nor one outside ±5 points as if it started at 5.0.

    Examples
    --------
    >>> beside(0.996, (1.0,), 2), beside(0.93, (1.0,), 2), beside(1.0, (1.0,), 2)
    ('0.996', '0.93', '1.00')
    >>> beside(0.04, (0.0, 5.0), 1), beside(5.04, (0.0, 5.0), 1)
    ('0.04', '5.04')
    >>> beside(5.000000000000004, (5.0,), 1)  # floating-point noise is not a difference
    '5.0'
    """
    value = round(float(value), NOISE_DECIMALS)
    for places in range(decimals, decimals + 3):
        text = f"{value:.{places}f}"
        if value in limits or all(float(text) != limit for limit in limits):
            return text
    return f"{value:.{decimals + 3}f}"


def signed(value: float, digits: int = 1, limits: tuple[float, ...] = ()) -> str:
    """A change with its sign, the minus sign U+2212 as in the reports' sentences; a change
    that rounds to zero reads "0.0", never "−0.0" or "+0.0". With ``limits`` (magnitudes), a
    change is never printed on one it is not on (:func:`beside`).

    Examples
    --------
    >>> signed(12.94), signed(-0.61), signed(-0.04), signed(0.0), signed(-0.071, 2)
    ('+12.9', '−0.6', '0.0', '0.0', '−0.07')
    >>> signed(0.0485, 2, (0.05,)), signed(-0.0004, 1, (0.0, 5.0)), signed(-5.04, 1, (0.0, 5.0))
    ('+0.049', '−0.0004', '−5.04')
    """
    magnitude = beside(abs(float(value)), tuple(abs(limit) for limit in limits), digits)
    if float(magnitude) == 0:
        return magnitude
    return ("+" if value > 0 else "\N{MINUS SIGN}") + magnitude


def join_words(items: list[str]) -> str:
    """``items`` as a sentence lists them: "a", "a and b", "a, b and c" ("" for none).

    Examples
    --------
    >>> join_words(["sex"]), join_words(["a", "b"]), join_words(["a", "b", "c"]), join_words([])
    ('sex', 'a and b', 'a, b and c', '')
    """
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]

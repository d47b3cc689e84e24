"""The follow-up horizon of the label, and the names and words that follow it.

The outcome is proven reoffending within a follow-up of ``horizon_months`` calendar months
after the index date, proven within a further ``proof_months`` (event data; DATA_CONTRACT.md,
"The outcome"). Every column and sentence that names the horizon is made here: scores hold
``probability_1y`` for 12 months, ``probability_2y`` for 24 and ``probability_{N}m`` otherwise;
outcomes ``reoffended_1y`` / ``reoffended_2y`` / ``reoffended_{N}m``; reports say "within one
year", "within two years" or "within N months".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from riskmodel._errors import ConfigError, DataError
from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS, WAITING_MONTHS

__all__ = [
    "DEFAULT_HORIZON_MONTHS",
    "DEFAULT_PROOF_MONTHS",
    "bundle_horizon",
    "find_probability_column",
    "horizon_of_column",
    "horizon_suffix",
    "horizon_words",
    "label_horizon",
    "outcome_column",
    "outcome_text",
    "probability_column",
    "refuse_with_table",
    "whole_months",
]

#: The follow-up of event-data labels unless ``--horizon-months`` says otherwise.
DEFAULT_HORIZON_MONTHS = FOLLOW_UP_MONTHS
#: The further months for proof unless ``--proof-months`` says otherwise.
DEFAULT_PROOF_MONTHS = WAITING_MONTHS

#: Prefix of the probability column of a scores file.
PROBABILITY_PREFIX = "probability_"

#: A scores file with no probability column, and no --score-column given (exit code 2).
NO_PROBABILITY_COLUMN = (
    "{file}: no probability column (probability_1y, probability_2y, probability_18m, ...) and "
    "no --score-column given; columns are: {columns}"
)
#: A scores file with several probability columns, and no --score-column given (exit code 2).
SEVERAL_PROBABILITY_COLUMNS = (
    "{file} has several probability columns ({found}); name the one to use with --score-column"
)
#: An explicit horizon option that differs from the bundle's own (exit code 2).
HORIZON_MISMATCH = (
    "{option} {given} differs from the model's own {recorded} months ({where}); a model "
    "predicts the horizon it was trained on: leave {option} out, or train a model for "
    "{given} months"
)
#: --horizon-months or --proof-months given with a flat table (exit code 2).
HORIZON_WITH_TABLE = (
    "{option} applies to labels built from event data (--data); a flat table's horizon is its "
    "[table] follow_up_months"
)
#: The horizon or proof period is not a positive whole number of months.
BAD_MONTHS = "{what} must be a positive whole number of months, got {value!r}"

_COLUMN = re.compile(r"^(?:probability|reoffended)_(?:(\d+)y|(\d+)m)$")
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def whole_months(months: Any, what: str = "the horizon") -> int:
    """``months``, checked to be a positive whole number (:data:`BAD_MONTHS`)."""
    if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
        raise ConfigError(BAD_MONTHS.format(what=what, value=months))
    return months


def horizon_suffix(months: int = DEFAULT_HORIZON_MONTHS) -> str:
    """The suffix of the column names of a horizon: ``1y`` for 12 months, ``2y`` for 24,
    ``{N}m`` otherwise.

    Examples
    --------
    >>> horizon_suffix(12), horizon_suffix(24), horizon_suffix(18), horizon_suffix(36)
    ('1y', '2y', '18m', '36m')
    """
    months = whole_months(months)
    return {12: "1y", 24: "2y"}.get(months, f"{months}m")


def probability_column(months: int = DEFAULT_HORIZON_MONTHS) -> str:
    """The probability column of scores at this horizon (``probability_2y`` for 24).

    Examples
    --------
    >>> probability_column(12), probability_column(24), probability_column(18)
    ('probability_1y', 'probability_2y', 'probability_18m')
    """
    return PROBABILITY_PREFIX + horizon_suffix(months)


def outcome_column(months: int = DEFAULT_HORIZON_MONTHS) -> str:
    """The label column at this horizon (``reoffended_2y`` for 24).

    Examples
    --------
    >>> outcome_column(12), outcome_column(24), outcome_column(9)
    ('reoffended_1y', 'reoffended_2y', 'reoffended_9m')
    """
    return "reoffended_" + horizon_suffix(months)


def horizon_words(months: int = DEFAULT_HORIZON_MONTHS) -> str:
    """The horizon in words: "within one year", "within two years", "within 18 months".

    Examples
    --------
    >>> horizon_words(12), horizon_words(24), horizon_words(18), horizon_words(1)
    ('within one year', 'within two years', 'within 18 months', 'within 1 month')
    """
    months = whole_months(months)
    if months % 12 == 0 and months // 12 in _WORDS:
        years = months // 12
        return f"within {_WORDS[years]} year{'s' if years > 1 else ''}"
    return f"within {months} month{'s' if months > 1 else ''}"


def outcome_text(
    months: int = DEFAULT_HORIZON_MONTHS, proof_months: int = DEFAULT_PROOF_MONTHS
) -> str:
    """What an event-data label records, in the words manifests and reports print.

    Examples
    --------
    >>> outcome_text(24, 6)
    'proven reoffending within two years (Ministry of Justice definition)'
    >>> outcome_text(12, 6)
    'proven reoffending within one year (Ministry of Justice definition)'
    >>> outcome_text(18, 3)
    'proven reoffending within 18 months (offences proven within a further 3 months)'
    >>> outcome_text(18, 6)
    'proven reoffending within 18 months (offences proven within a further 6 months)'
    """
    proof_months = whole_months(proof_months, "the proof period")
    # The Ministry of Justice counts one- and two-year follow-ups with six months for proof;
    # any other follow-up is this package's own, said in full.
    if proof_months == DEFAULT_PROOF_MONTHS and whole_months(months) in (12, 24):
        how = "Ministry of Justice definition"
    else:
        how = f"offences proven within a further {proof_months} months"
    return f"proven reoffending {horizon_words(months)} ({how})"


def horizon_of_column(name: str) -> int | None:
    """The horizon in months a column's name states (``probability_1y`` -> 12,
    ``reoffended_18m`` -> 18); None when the name states none.

    Examples
    --------
    >>> horizon_of_column("probability_1y"), horizon_of_column("probability_18m")
    (12, 18)
    >>> horizon_of_column("decile_score") is None
    True
    """
    match = _COLUMN.match(str(name))
    if match is None:
        return None
    years, months = match.groups()
    return int(years) * 12 if years is not None else int(months)


def find_probability_column(columns: Iterable[Any], file: str) -> str:
    """The one probability column (``probability_1y``, ``probability_2y``, ...) of a scores
    file, whatever its horizon.

    Raises
    ------
    DataError
        None, or several (:data:`NO_PROBABILITY_COLUMN`, :data:`SEVERAL_PROBABILITY_COLUMNS`).

    Examples
    --------
    >>> find_probability_column(["person_id", "probability_1y", "risk_band"], "scores.csv")
    'probability_1y'
    """
    columns = [str(c) for c in columns]
    found = [
        c for c in columns if c.startswith(PROBABILITY_PREFIX) and horizon_of_column(c) is not None
    ]
    if not found:
        raise DataError(NO_PROBABILITY_COLUMN.format(file=file, columns=", ".join(columns)))
    if len(found) > 1:
        raise DataError(SEVERAL_PROBABILITY_COLUMNS.format(file=file, found=", ".join(found)))
    return found[0]


def label_horizon(
    horizon_months: int | None = None, proof_months: int | None = None
) -> tuple[int, int]:
    """The horizon and proof period of event-data labels: the options given, else 24 and 6,
    checked to be positive whole months.

    Examples
    --------
    >>> label_horizon(), label_horizon(12)
    ((24, 6), (12, 6))
    """
    horizon = DEFAULT_HORIZON_MONTHS if horizon_months is None else horizon_months
    proof = DEFAULT_PROOF_MONTHS if proof_months is None else proof_months
    return whole_months(horizon), whole_months(proof, "the proof period")


def refuse_with_table(horizon_months: int | None, proof_months: int | None) -> None:
    """Refuse ``--horizon-months`` or ``--proof-months`` given with a flat table, whose
    horizon is its ``[table] follow_up_months`` (:data:`HORIZON_WITH_TABLE`)."""
    for option, given in (("--horizon-months", horizon_months), ("--proof-months", proof_months)):
        if given is not None:
            raise ConfigError(HORIZON_WITH_TABLE.format(option=option))


def bundle_horizon(
    manifest: Mapping[str, Any],
    *,
    horizon_months: int | None = None,
    proof_months: int | None = None,
    where: str = "its manifest",
) -> tuple[int, int | None]:
    """The horizon and proof period a bundle was trained for, checked against explicit
    options.

    A bundle records ``horizon_months`` and ``proof_months``; one made before they were
    recorded holds ``follow_up_months`` (or nothing: 24 months), and event-data bundles the
    default proof period.

    Raises
    ------
    ConfigError
        ``horizon_months`` or ``proof_months`` given and different from the recorded ones
        (:data:`HORIZON_MISMATCH`, naming both).

    Examples
    --------
    >>> bundle_horizon({"horizon_months": 12, "proof_months": 6})
    (12, 6)
    >>> bundle_horizon({"feature_spec": {"source": "data"}})
    (24, 6)
    """
    recorded = manifest.get("horizon_months") or manifest.get("follow_up_months")
    recorded = int(recorded) if recorded else DEFAULT_HORIZON_MONTHS
    proof = manifest.get("proof_months")
    if proof is None and "proof_months" not in manifest:
        source = (manifest.get("feature_spec") or {}).get("source")
        proof = DEFAULT_PROOF_MONTHS if source in (None, "data") else None
    for option, given, own in (
        ("--horizon-months", horizon_months, recorded),
        ("--proof-months", proof_months, proof),
    ):
        if given is not None and own is None:
            raise ConfigError(HORIZON_WITH_TABLE.format(option=option))
        if given is not None and given != own:
            raise ConfigError(
                HORIZON_MISMATCH.format(option=option, given=given, recorded=own, where=where)
            )
    return recorded, proof

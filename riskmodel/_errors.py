"""Error types shared across the package.

A :class:`DataError` is a whole-input problem (a missing column, an unreadable file, an empty
table): the command stops with its message and exit code 2. Row-level problems never raise;
they become rejects (see :mod:`riskmodel.contract`).
"""

from __future__ import annotations


class RiskmodelError(Exception):
    """Base class of every error the command line turns into a clear message and exit code 2."""


class DataError(RiskmodelError, ValueError):
    """Input data that cannot be used as a whole (one readable summary of every problem)."""


class ConfigError(RiskmodelError, ValueError):
    """A configuration file or option that cannot be used."""

"""Messages of ``riskmodel.reports`` (written into reports and printed); tests match them."""

from __future__ import annotations

#: Said in metrics.json, the evaluation report and on the terminal when the people evaluated
#: all have the same outcome.
ONE_OUTCOME_CLASS = (
    "all {n} people evaluated {had} the outcome, so AUC and the calibration slope and intercept "
    "are undefined (they compare people with and without it) and shown as —"
)

"""Messages of ``riskmodel.features`` (raised or printed); tests import and match them."""

from __future__ import annotations

#: Raised when labels are asked for and no extract date is known.
MISSING_EXTRACT_DATE = (
    "labels need the data's extract date: pass --extract-date YYYY-MM-DD or put "
    '"extract_date" in the data directory\'s metadata.json'
)

#: Raised when an input table lacks a column the builders need.
MISSING_COLUMNS = "{table} table is missing required column(s): {columns}"

#: Raised when person_id repeats in the people table.
DUPLICATE_PEOPLE = "people table has {n} duplicated person_id value(s); validate the data first"

#: Raised when a required date is empty.
MISSING_DATES = "{table}.{column} is empty in {n} row(s); validate the data first"


#: Raised for a look-back that is not a positive whole number of months.
BAD_LOOKBACK = "needs look-back must be a positive whole number of months, got {value!r}"

#: --from / --to given without --first-per-person.
PERIOD_WITHOUT_RULE = (
    "--from and --to give the period of --first-per-person; add --first-per-person"
)

#: A --from or --to that is not a date.
BAD_PERIOD_DATE = "{option} {value!r} is not a date (expected YYYY-MM-DD)"

#: A period that ends before it starts.
PERIOD_REVERSED = "the period ends ({end}) before it starts ({start})"

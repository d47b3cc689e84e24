"""Messages of the data contract, shared by validation and its tests.

Row-level reasons are templates completed with the expectation; whole-table messages are
formatted with the file name.
"""

from __future__ import annotations

# Whole-table problems (DataError); a file that cannot be read and an empty table are the
# readers' (riskmodel._tables._messages).
NO_DATA_DIR = "data directory {path} does not exist"
MISSING_TABLE = "{table}: no {table}.csv or {table}.parquet in {path}"
AMBIGUOUS_TABLE = "{table}: both {files} exist in {path}; keep one"
MISSING_COLUMNS = "{file}: missing required column(s) {columns}"
BAD_METADATA = "metadata.json: {detail}"
BAD_EXTRACT_DATE = "extract date {value!r} is not a date (expected YYYY-MM-DD)"
WHOLE_TABLE_HEADER = "the input cannot be used:"

# Row-level problems (rejects).
MISSING_VALUE = "missing value; {expected}"
UNPARSEABLE_DATE = "not a date; expected YYYY-MM-DD"
UNKNOWN_VALUE = "unknown value; expected one of: {allowed}"
BAD_NEED_SCORE = "need score outside 0-2; expected 0, 1, 2 or empty"
BAD_CUSTODY_DAYS = "custody_days must be a whole number of days >= 0"
SANCTION_BEFORE_OFFENCE = "sanction_date is before offence_date"
UNKNOWN_PERSON = "person_id not found in people"
DUPLICATE_PERSON = "duplicate person_id: every row with this person_id is rejected"
BIRTH_AFTER_INDEX = "date_of_birth is after index_date"
UNDER_MINIMUM_AGE = "aged {age} on index_date: people under 18 belong to youth justice"
INDEX_SANCTION_AFTER_INDEX = "index_sanction_date is after index_date"

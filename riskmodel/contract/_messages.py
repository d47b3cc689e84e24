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
NESTED_COLUMNS = (
    "{file}: column(s) {columns} hold lists or records; expected one value (text, a number "
    "or a date) per cell"
)
BAD_METADATA = "metadata.json: {detail}"
BAD_EXTRACT_DATE = "extract date {value!r} is not a date (expected YYYY-MM-DD)"
WHOLE_TABLE_HEADER = "the input cannot be used:"

# Row-level problems (rejects).
MISSING_VALUE = "missing value; {expected}"
UNPARSEABLE_DATE = "not a date; expected YYYY-MM-DD"
DATE_OUT_OF_RANGE = "date out of range: expected a date from 1900-01-01 to 2099-12-31"
AFTER_EXTRACT_DATE = "{column} is after the data's extract date {extract}"
UNKNOWN_VALUE = "unknown value; expected one of: {allowed}"
BAD_NEED_SCORE = "need score outside 0-2; expected 0, 1, 2 or empty"
BAD_CUSTODY_DAYS = "custody_days must be a whole number of days from 0 to 36525 (100 years)"
SANCTION_BEFORE_OFFENCE = "sanction_date is before offence_date"
UNKNOWN_PERSON = "person_id not found in people"
ID_READS_AS_MISSING = "person_id reads as missing (NaN, null, N/A, None, ...); expected a real id"
ID_CONTROL_CHARACTER = "person_id holds a control character (NUL, tab, line break, ...)"
ID_LEADING_ZEROS = (
    "another table names this person_id with other leading zeros (read as a number?); write "
    "ids as text, the same way in every table"
)
DUPLICATE_PERSON = "duplicate person_id: every row with this person_id is rejected"
DUPLICATE_INDEX_ID = "duplicate index_id: every row of the people holding it is rejected"
MISSING_INDEX_ID = (
    "missing index_id; the people table has an index_id column, so every index event needs one"
)
BIRTH_AFTER_INDEX = "date_of_birth is after index_date"
UNDER_MINIMUM_AGE = "aged {age} on index_date: people under 18 belong to youth justice"
OVER_MAXIMUM_AGE = "aged {age} on index_date: above 110 is not a plausible age"
INDEX_SANCTION_AFTER_INDEX = "index_sanction_date is after index_date"

"""The data contract: vocabularies, typed loading and validation of the event tables.

See DATA_CONTRACT.md. Whole-table problems raise :class:`riskmodel.DataError`; row-level
problems quarantine the affected person in ``rejects`` and everyone else is kept.
"""

from riskmodel.contract._ages import add_months, age_band, cohort, whole_years
from riskmodel.contract._read import RawTables, read_tables
from riskmodel.contract._schema import INDEX_ID
from riskmodel.contract._validate import (
    REJECT_COLUMNS,
    ValidatedData,
    resolve_extract_date,
    validate_tables,
)
from riskmodel.contract._vocabulary import (
    AGE_BANDS,
    COHORTS,
    DISPOSALS,
    NEED_AREAS,
    OFFENCE_GROUPS,
    PATHWAYS,
    SEXES,
)

__all__ = [
    "AGE_BANDS",
    "COHORTS",
    "DISPOSALS",
    "INDEX_ID",
    "NEED_AREAS",
    "OFFENCE_GROUPS",
    "PATHWAYS",
    "REJECT_COLUMNS",
    "SEXES",
    "RawTables",
    "ValidatedData",
    "add_months",
    "age_band",
    "cohort",
    "read_tables",
    "resolve_extract_date",
    "validate_tables",
    "whole_years",
]

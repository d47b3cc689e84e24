"""Point-in-time features, two-year proven-reoffending labels and the FeatureTable.

Everything a feature uses was known on the person's index date (DATA_CONTRACT.md, "Point in
time"); training and scoring call the same :func:`build_feature_table`. Every feature is
documented once, in :data:`FEATURES` / :func:`feature_catalogue`.
"""

from riskmodel.features._build import BAD_LOOKBACK, build_feature_table
from riskmodel.features._catalogue import (
    CATALOGUE,
    CATEGORICAL_FEATURES,
    FEATURES,
    NUMERIC_FEATURES,
    OFFENCE_FAMILIES,
    Feature,
    feature_catalogue,
    format_value,
)
from riskmodel.features._common import MISSING_COLUMNS, MISSING_EXTRACT_DATE
from riskmodel.features._concepts import CONCEPTS, SHARED_FEATURES, SHARED_RULE, Concept
from riskmodel.features._directions import DIRECTIONS, UNDECLARED, directions_for
from riskmodel.features._labels import CENSORED, LABEL_COLUMNS, LABELLED, build_labels
from riskmodel.features._needs import needs_features
from riskmodel.features._offence_history import offence_history
from riskmodel.features._table import GROUP_COLUMNS, FeatureTable

__all__ = [
    "BAD_LOOKBACK",
    "CATALOGUE",
    "CATEGORICAL_FEATURES",
    "CENSORED",
    "CONCEPTS",
    "DIRECTIONS",
    "FEATURES",
    "GROUP_COLUMNS",
    "LABELLED",
    "LABEL_COLUMNS",
    "MISSING_COLUMNS",
    "MISSING_EXTRACT_DATE",
    "NUMERIC_FEATURES",
    "OFFENCE_FAMILIES",
    "SHARED_FEATURES",
    "SHARED_RULE",
    "UNDECLARED",
    "Concept",
    "Feature",
    "FeatureTable",
    "build_feature_table",
    "build_labels",
    "directions_for",
    "feature_catalogue",
    "format_value",
    "needs_features",
    "offence_history",
]

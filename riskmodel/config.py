"""Training configuration (TOML): the ``[table]``, ``[model]``, ``[explain]`` and ``[labels]``
sections of CLI.md.

``[table]`` describes a flat person-level table (which column is the id, the label, the
numeric and categorical features, the group columns carried for fairness reports, the outcome
and its follow-up). ``[model]`` chooses the model family and its calibration; omitted, the
package's recommended default is used. ``[explain]`` ``groups`` declares the concepts an
explanation reports as one reason each (``criminal_history = ["priors_count",
"juv_fel_count"]``; a feature in no group is a concept of its own), and ``[labels]`` maps a
column's codes to words (``fin = {0 = "no financial aid", 1 = "financial aid"}``) for reasons,
charts and reports. Every problem raises :class:`ConfigError` with a message
that names the offending key and what was expected.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from riskmodel._errors import ConfigError

__all__ = [
    "BAD_DIRECTION",
    "BAD_DURATION_UNIT",
    "BAD_TYPE",
    "CALIBRATIONS",
    "DEFAULT_FAMILY",
    "DIRECTION_NOT_NUMERIC",
    "DIRECTION_TWICE",
    "DUPLICATE_FEATURE",
    "FAMILIES",
    "FEATURE_IN_TWO_GROUPS",
    "FORBIDDEN_FEATURE",
    "LABEL_AND_DURATION",
    "MISSING_KEY",
    "NO_FEATURES",
    "UNKNOWN_CALIBRATION",
    "UNKNOWN_FAMILY",
    "UNKNOWN_GROUP_FEATURE",
    "UNKNOWN_KEY",
    "UNKNOWN_LABEL_COLUMN",
    "UNREADABLE_CONFIG",
    "Config",
    "ModelSpec",
    "TableSpec",
    "check_groups",
    "load_config",
    "parse_config",
]

#: Model families the package knows (see :mod:`riskmodel.models`).
FAMILIES: tuple[str, ...] = ("default", "logistic", "gbm", "ensemble")
#: The family used when a config has no ``[model]`` section.
DEFAULT_FAMILY = "default"
#: Calibration methods.
CALIBRATIONS: tuple[str, ...] = ("sigmoid", "isotonic")
#: Column names that are never features, whatever a config says (ethnicity is only ever a
#: group column for fairness reports).
FORBIDDEN_FEATURES: tuple[str, ...] = ("ethnicity", "race")

UNREADABLE_CONFIG = "cannot read config {path}: {reason}"
UNKNOWN_KEY = "unknown key {key!r} in [{section}] of the config; known keys: {known}"
UNKNOWN_SECTION = (
    "unknown section [{section}] in the config; known sections: table, model, explain, labels"
)
MISSING_KEY = "[{section}] needs {key!r} ({what})"
BAD_TYPE = "[{section}] {key} must be {expected}, got {value!r}"
UNKNOWN_FAMILY = "the model family ([model] family) must be one of {known}, got {value!r}"
UNKNOWN_CALIBRATION = "calibration ([model] calibration) must be one of {known}, got {value!r}"
NO_FEATURES = "[table] names no features: list columns under 'numeric' and/or 'categorical'"
DUPLICATE_FEATURE = "[table] column(s) {columns} listed more than once among id/label/features"
FORBIDDEN_FEATURE = (
    "column {column!r} can never be a model feature (it may be listed under [table] 'groups' "
    "for fairness reports)"
)

DIRECTION_NOT_NUMERIC = (
    "[table] {key} names {column!r}, which is not a numeric feature: directions apply to "
    "columns listed under 'numeric' only"
)
DIRECTION_TWICE = (
    "[table] column {column!r} is listed under both 'increasing' and 'decreasing'; a feature "
    "has one direction"
)
BAD_DIRECTION = (
    "the direction of {column!r} must be 1 (increasing) or -1 (decreasing), got {value!r}"
)

#: Time-to-event tables: a label, or a duration with its event flag, never both.
LABEL_AND_DURATION = (
    "[table] gives both 'label' ({label!r}) and 'duration' ({duration!r}): give the 0/1 "
    "outcome as 'label', or the time to reoffence as 'duration' with 'event' (the label at "
    "follow_up_months is then derived), not both"
)
#: A duration unit other than days, weeks or months.
BAD_DURATION_UNIT = "[table] duration_unit must be one of {known}, got {value!r}"

GROUP_IS_FEATURE = (
    "[table] column(s) {columns} listed both under 'groups' (for fairness reports only, never "
    "a feature) and under 'numeric'/'categorical'; list each column under one of them"
)

_TABLE_KEYS = (
    "query",
    "id",
    "label",
    "numeric",
    "categorical",
    "groups",
    "outcome",
    "follow_up_months",
    "increasing",
    "decreasing",
    "duration",
    "event",
    "duration_unit",
    "person",
    "period",
    "reoffences",
)
#: Units a ``[table]`` duration may be given in.
DURATION_UNIT_NAMES: tuple[str, ...] = ("days", "weeks", "months")
_MODEL_KEYS = ("family", "calibration", "seed")
_EXPLAIN_KEYS = ("groups",)
_SECTIONS = ("table", "model", "explain", "labels")

#: A concept group naming a column that is not a feature (exit code 2).
UNKNOWN_GROUP_FEATURE = (
    "[explain.groups] {group!r} names {feature!r}, which is not a feature of the model; "
    "features: {features}"
)
#: One feature in two concept groups (exit code 2).
FEATURE_IN_TWO_GROUPS = (
    "[explain.groups] lists {feature!r} in two groups ({first!r} and {second!r}); a feature "
    "belongs to one concept"
)
#: Labels for a column the table does not use.
UNKNOWN_LABEL_COLUMN = (
    "[labels] names {column!r}, which is neither a feature nor a group column of [table]; "
    "columns: {columns}"
)


@dataclass(frozen=True)
class TableSpec:
    """The ``[table]`` section: how to read a flat person-level table.

    Attributes
    ----------
    label : str or None
        Column holding the binary outcome (0/1, or true/false); None when the table gives a
        time to reoffence (``duration`` and ``event``) instead.
    numeric, categorical : tuple of str
        Feature columns. Boolean columns may be listed under either.
    id : str or None
        Column of person identifiers (row numbers when omitted).
    groups : tuple of str
        Columns carried for fairness reports, never features (a config listing a column both
        here and as a feature is refused).
    query : str
        A row filter applied first (empty: every row): columns, literals, comparisons,
        and/or/not, ``in`` and ``isna``/``notna`` only (:mod:`riskmodel._query`; never code).
    outcome : str
        What the label means, repeated in every report and model card.
    follow_up_months : int or None
        Length of the outcome's follow-up.
    increasing, decreasing : tuple of str
        Numeric features in which the score must never fall as they rise (``increasing``) or
        as they fall (``decreasing``); every model family honours them by construction.
    duration, event, duration_unit : str or None
        A time-to-event table: the column of times from the index date (in ``duration_unit``:
        days, weeks or months) and the column saying whether the person reoffended then (1)
        or was censored then (0). The label at ``follow_up_months`` is derived
        (:mod:`riskmodel._survival`).
    person : str or None
        Column naming the person of each row when a person may have several rows (every
        split then keeps a person's rows on one side).
    period : str or None
        Column naming each row's period (a year, a cohort), for a temporal split
        (``--test-periods``).
    reoffences : str or None
        Column counting each person's proven reoffences within ``follow_up_months`` (the
        frequency measure of ``riskmodel programme``; never a feature).
    """

    label: str | None = None
    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    id: str | None = None
    groups: tuple[str, ...] = ()
    query: str = ""
    outcome: str = "reoffending within the follow-up period"
    follow_up_months: int | None = None
    increasing: tuple[str, ...] = ()
    decreasing: tuple[str, ...] = ()
    duration: str | None = None
    event: str | None = None
    duration_unit: str | None = None
    person: str | None = None
    period: str | None = None
    reoffences: str | None = None

    @property
    def features(self) -> tuple[str, ...]:
        """Numeric then categorical feature columns."""
        return self.numeric + self.categorical

    @property
    def directions(self) -> dict[str, int]:
        """Declared directions, ``+1`` increasing and ``-1`` decreasing, in numeric order.

        Examples
        --------
        >>> TableSpec(label="y", numeric=("age", "priors"), increasing=("priors",),
        ...           decreasing=("age",)).directions
        {'age': -1, 'priors': 1}
        """
        return {
            c: 1 if c in self.increasing else -1
            for c in self.numeric
            if c in self.increasing or c in self.decreasing
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for manifests and MLflow params)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ModelSpec:
    """The ``[model]`` section: model family, calibration method and seed."""

    family: str = DEFAULT_FAMILY
    calibration: str = "sigmoid"
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return asdict(self)


@dataclass(frozen=True)
class Config:
    """A parsed training configuration.

    ``table`` is None when the config has no ``[table]`` section (event tables, ``--data``);
    ``model`` is always set (the default when the config has no ``[model]`` section) and
    ``model_configured`` says whether the config asked for one. ``explain_groups`` holds the
    concepts of ``[explain.groups]`` (name -> features) and ``labels`` the words of
    ``[labels]`` (column -> {code as text: words}).
    """

    table: TableSpec | None = None
    model: ModelSpec = field(default_factory=ModelSpec)
    model_configured: bool = False
    source: str | None = None
    explain_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for manifests)."""
        return {
            "table": None if self.table is None else self.table.to_dict(),
            "model": self.model.to_dict(),
            "model_configured": self.model_configured,
            "source": self.source,
            "explain": {"groups": {k: list(v) for k, v in self.explain_groups.items()}},
            "labels": {k: dict(v) for k, v in self.labels.items()},
        }


def _check_keys(section: str, values: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in values:
        if key not in known:
            raise ConfigError(UNKNOWN_KEY.format(key=key, section=section, known=", ".join(known)))


def _string(section: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            BAD_TYPE.format(section=section, key=key, expected="a non-empty string", value=value)
        )
    return value


def _missing_key(key: str, what: str) -> ConfigError:
    """The error of a ``[table]`` key that must be given, saying ``what`` it is."""
    return ConfigError(MISSING_KEY.format(section="table", key=key, what=what))


def _optional_string(section: str, key: str, values: Mapping[str, Any]) -> str | None:
    """``values[key]``, a non-empty string, or None where the key is not given."""
    value = values.get(key)
    return None if value is None else _string(section, key, value)


def _string_list(section: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(
            BAD_TYPE.format(
                section=section, key=key, expected="a list of column names", value=value
            )
        )
    return tuple(value)


def _parse_table(values: Any) -> TableSpec:
    if not isinstance(values, Mapping):
        raise ConfigError(
            BAD_TYPE.format(section="table", key="", expected="a table", value=values)
        )
    _check_keys("table", values, _TABLE_KEYS)
    duration, event, unit = _parse_duration(values)
    if "label" not in values and duration is None:
        raise _missing_key(
            "label", "the 0/1 outcome column, or 'duration' and 'event' for a time to reoffence"
        )
    label = _string("table", "label", values["label"]) if "label" in values else None
    if label is not None and duration is not None:
        raise ConfigError(LABEL_AND_DURATION.format(label=label, duration=duration))
    numeric = _string_list("table", "numeric", values.get("numeric", []))
    categorical = _string_list("table", "categorical", values.get("categorical", []))
    groups = _string_list("table", "groups", values.get("groups", []))
    id_column = _optional_string("table", "id", values)
    person = _optional_string("table", "person", values)
    period = _optional_string("table", "period", values)
    reoffences = _optional_string("table", "reoffences", values)
    query = values.get("query", "")
    if not isinstance(query, str):
        raise ConfigError(
            BAD_TYPE.format(section="table", key="query", expected="a string", value=query)
        )
    outcome = _string("table", "outcome", values.get("outcome", TableSpec.outcome))
    follow_up = values.get("follow_up_months")
    if follow_up is not None and (
        isinstance(follow_up, bool) or not isinstance(follow_up, int) or follow_up <= 0
    ):
        raise ConfigError(
            BAD_TYPE.format(
                section="table",
                key="follow_up_months",
                expected="a positive whole number",
                value=follow_up,
            )
        )
    features = numeric + categorical
    if not features:
        raise ConfigError(NO_FEATURES)
    for column in features:
        if column.strip().lower() in FORBIDDEN_FEATURES:
            raise ConfigError(FORBIDDEN_FEATURE.format(column=column))
    if duration is not None and follow_up is None:
        raise _missing_key(
            "follow_up_months",
            "the horizon at which the label is derived from 'duration' and 'event'",
        )
    outcomes = [label] if label is not None else [duration, event]
    outcomes += [reoffences] if reoffences else []
    listed = [*features, *outcomes, *([id_column] if id_column else [])]
    duplicated = sorted({c for c in listed if listed.count(c) > 1})
    if duplicated:
        raise ConfigError(DUPLICATE_FEATURE.format(columns=", ".join(map(repr, duplicated))))
    grouped = [c for c in groups if c in features]
    if grouped:
        raise ConfigError(GROUP_IS_FEATURE.format(columns=", ".join(map(repr, grouped))))
    increasing = _string_list("table", "increasing", values.get("increasing", []))
    decreasing = _string_list("table", "decreasing", values.get("decreasing", []))
    for key, listed_columns in (("increasing", increasing), ("decreasing", decreasing)):
        for column in listed_columns:
            if column not in numeric:
                raise ConfigError(DIRECTION_NOT_NUMERIC.format(key=key, column=column))
    for column in increasing:
        if column in decreasing:
            raise ConfigError(DIRECTION_TWICE.format(column=column))
    return TableSpec(
        label=label,
        numeric=numeric,
        categorical=categorical,
        id=id_column,
        groups=groups,
        query=query.strip(),
        outcome=outcome,
        follow_up_months=follow_up,
        increasing=increasing,
        decreasing=decreasing,
        duration=duration,
        event=event,
        duration_unit=unit,
        person=person,
        period=period,
        reoffences=reoffences,
    )


def _parse_duration(values: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """``duration``, ``event`` and ``duration_unit`` of a ``[table]`` (all None without a
    duration; an event or unit without a duration, or a duration without either, refused)."""
    if "duration" not in values:
        for key in ("event", "duration_unit"):
            if key in values:
                raise _missing_key("duration", f"the column {key!r} goes with")
        return None, None, None
    duration = _string("table", "duration", values["duration"])
    if "event" not in values:
        raise _missing_key(
            "event", "the column saying 1 = reoffended at that time, 0 = censored then"
        )
    event = _string("table", "event", values["event"])
    if "duration_unit" not in values:
        raise _missing_key(
            "duration_unit", f"the unit of {duration!r}: {', '.join(DURATION_UNIT_NAMES)}"
        )
    unit = values["duration_unit"]
    if unit not in DURATION_UNIT_NAMES:
        raise ConfigError(
            BAD_DURATION_UNIT.format(known=", ".join(DURATION_UNIT_NAMES), value=unit)
        )
    return duration, event, unit


def _parse_model(values: Any) -> ModelSpec:
    if not isinstance(values, Mapping):
        raise ConfigError(
            BAD_TYPE.format(section="model", key="", expected="a table", value=values)
        )
    _check_keys("model", values, _MODEL_KEYS)
    family = values.get("family", DEFAULT_FAMILY)
    if family not in FAMILIES:
        raise ConfigError(UNKNOWN_FAMILY.format(known=", ".join(FAMILIES), value=family))
    calibration = values.get("calibration", "sigmoid")
    if calibration not in CALIBRATIONS:
        raise ConfigError(
            UNKNOWN_CALIBRATION.format(known=", ".join(CALIBRATIONS), value=calibration)
        )
    seed = values.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(
            BAD_TYPE.format(
                section="model", key="seed", expected="a non-negative whole number", value=seed
            )
        )
    return ModelSpec(family=family, calibration=calibration, seed=seed)


def check_groups(groups: Mapping[str, Any], features: Any) -> None:
    """Refuse a concept group naming a column outside ``features``, or a feature in two
    groups (:data:`UNKNOWN_GROUP_FEATURE`, :data:`FEATURE_IN_TWO_GROUPS`)."""
    features = [str(f) for f in features]
    owner: dict[str, str] = {}
    for group, members in groups.items():
        for feature in members:
            if feature not in features:
                raise ConfigError(
                    UNKNOWN_GROUP_FEATURE.format(
                        group=group, feature=feature, features=", ".join(features)
                    )
                )
            if feature in owner:
                raise ConfigError(
                    FEATURE_IN_TWO_GROUPS.format(
                        feature=feature, first=owner[feature], second=group
                    )
                )
            owner[feature] = group


def _parse_groups(values: Any, table: TableSpec | None) -> dict[str, tuple[str, ...]]:
    if not isinstance(values, Mapping):
        raise ConfigError(
            BAD_TYPE.format(section="explain", key="", expected="a table", value=values)
        )
    _check_keys("explain", values, _EXPLAIN_KEYS)
    groups = values.get("groups", {})
    if not isinstance(groups, Mapping):
        raise ConfigError(
            BAD_TYPE.format(
                section="explain", key="groups", expected="a table of lists", value=groups
            )
        )
    parsed = {
        str(name): _string_list("explain.groups", str(name), members)
        for name, members in groups.items()
    }
    if table is not None:
        check_groups(parsed, table.features)
    return parsed


def _parse_labels(values: Any, table: TableSpec | None) -> dict[str, dict[str, str]]:
    if not isinstance(values, Mapping):
        raise ConfigError(
            BAD_TYPE.format(section="labels", key="", expected="a table", value=values)
        )
    labels: dict[str, dict[str, str]] = {}
    columns = [*table.features, *table.groups] if table is not None else None
    for column, words in values.items():
        if columns is not None and column not in columns:
            raise ConfigError(
                UNKNOWN_LABEL_COLUMN.format(column=column, columns=", ".join(columns))
            )
        if not isinstance(words, Mapping) or not all(
            isinstance(v, str) and v.strip() for v in words.values()
        ):
            raise ConfigError(
                BAD_TYPE.format(
                    section="labels",
                    key=column,
                    expected='a table of codes and words, e.g. {0 = "no", 1 = "yes"}',
                    value=words,
                )
            )
        labels[str(column)] = {str(k).strip(): str(v) for k, v in words.items()}
    return labels


def parse_config(values: Mapping[str, Any], *, source: str | None = None) -> Config:
    """Parse an already-loaded TOML mapping.

    Examples
    --------
    >>> config = parse_config({"table": {"label": "y", "numeric": ["age"]}})
    >>> config.table.numeric, config.model.family, config.model_configured
    (('age',), 'default', False)
    """
    for section in values:
        if section not in _SECTIONS:
            raise ConfigError(UNKNOWN_SECTION.format(section=section))
    table = _parse_table(values["table"]) if "table" in values else None
    configured = "model" in values
    model = _parse_model(values["model"]) if configured else ModelSpec()
    groups = _parse_groups(values.get("explain", {}), table)
    labels = _parse_labels(values.get("labels", {}), table)
    return Config(
        table=table,
        model=model,
        model_configured=configured,
        source=source,
        explain_groups=groups,
        labels=labels,
    )


def load_config(path: str | os.PathLike | None) -> Config:
    """Read and parse a TOML config; ``None`` gives the default (no table, default model).

    Examples
    --------
    >>> load_config(None).model.family
    'default'
    """
    if path is None:
        return Config()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        values = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(UNREADABLE_CONFIG.format(path=path, reason=exc)) from exc
    return parse_config(values, source=str(path))

"""Row-level validation: every problem reported, affected people quarantined, counts reconciled.

Each check is a vectorised mask over a table. A problem on any row of a person (in people,
offences or needs) rejects the whole person, since a partial record would give a wrong score;
everyone else is kept. Offences or assessments naming a person who is not in ``people`` are
reported as rejects lines of their own and dropped. Counts always reconcile:
``people_read == people_kept + people_rejected``.

Implausible values are row problems too: a date outside 1900–2099 or after the data's extract
date, an age above :data:`~riskmodel.contract._vocabulary.MAXIMUM_AGE`, ``custody_days`` that
is not finite or above :data:`~riskmodel.contract._vocabulary.MAXIMUM_CUSTODY_DAYS`, a
``person_id`` that reads as missing (``"NaN"``, ``"null"``, ...), holds a control character,
or is written in another table with other leading zeros (``"007"`` and ``"7"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from riskmodel._errors import DataError
from riskmodel._tables import (
    arrow_text,
    cell_text,
    has_control_characters,
    ids_as_text,
    unpadded,
    without_missing_ids,
)
from riskmodel.contract import _messages as msg
from riskmodel.contract._ages import whole_years
from riskmodel.contract._read import RawTables
from riskmodel.contract._schema import INDEX_ID, NEEDS, OFFENCES, PEOPLE, Column
from riskmodel.contract._tables import EventTables
from riskmodel.contract._vocabulary import (
    DATES_END,
    EARLIEST_DATE,
    MAXIMUM_AGE,
    MAXIMUM_CUSTODY_DAYS,
    MINIMUM_AGE,
    NEED_SCORES,
)

#: Columns of the rejects file (CLI.md).
REJECT_COLUMNS: tuple[str, ...] = ("person_id", "table", "row", "column", "value", "reason")


@dataclass
class ValidatedData(EventTables):
    """Typed, validated contract tables with the people who were kept.

    Attributes
    ----------
    people : DataFrame
        One row per kept person; dates as ``datetime64[ns]``; ``index_sanction_date`` filled
        from ``index_date`` where empty.
    offences : DataFrame
        The kept people's offences, typed.
    needs : DataFrame
        The kept people's assessments, need areas as float (NaN = not assessed); empty with
        the contract's columns when the data have no needs table.
    rejects : DataFrame
        One line per problem, columns :data:`REJECT_COLUMNS`.
    summary : dict
        Counts read, kept and rejected for each table, and problems by reason.
    extract_date : Timestamp or None
        From ``metadata.json`` when it has one.
    """

    rejects: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    extract_date: pd.Timestamp | None = None


class _Problems:
    """Collects row-level problems of one table as vectorised blocks."""

    def __init__(self, table: str, frame: pd.DataFrame) -> None:
        self.table = table
        self.frame = frame
        self.cells = cell_text(frame["person_id"]) if "person_id" in frame else None
        self.ids = without_missing_ids(self.cells) if self.cells is not None else None
        self.blocks: list[pd.DataFrame] = []
        self.bad = np.zeros(len(frame), dtype=bool)

    def add(self, mask: np.ndarray | pd.Series, column: str, reason: str | pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad |= mask
        rows = np.flatnonzero(mask)
        raw = self.frame[column] if column in self.frame else pd.Series([""] * len(self.frame))
        values = _shown(cell_text(raw.iloc[rows]).fillna(""))
        reasons = reason.iloc[rows].to_numpy() if isinstance(reason, pd.Series) else reason
        self.blocks.append(
            pd.DataFrame(
                {
                    "person_id": _shown(self.ids.iloc[rows]).to_numpy(),
                    "table": self.table,
                    "row": rows + 1,
                    "column": column,
                    "value": values.to_numpy(),
                    "reason": reasons,
                }
            )
        )

    def frame_of_problems(self) -> pd.DataFrame:
        return _concat_rejects(self.blocks)


def _shown(values: pd.Series) -> pd.Series:
    """Values for a rejects line: control characters written as escapes (``\\x00``), so that
    the rejects file stays one line per problem."""
    bad = has_control_characters(values)
    if not bad.any():
        return values
    values = values.astype(object).copy()
    values[bad] = [str(v).encode("unicode_escape").decode("ascii") for v in values[bad].tolist()]
    return values


def _concat_rejects(blocks: list[pd.DataFrame]) -> pd.DataFrame:
    blocks = [b for b in blocks if len(b)]
    if not blocks:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in REJECT_COLUMNS}).astype(
            {"row": "int64"}
        )
    return pd.concat(blocks, ignore_index=True)[list(REJECT_COLUMNS)]


def _isin(series: pd.Series, values) -> np.ndarray:
    """Vectorised membership of text values (missing is never a member)."""
    found = pc.is_in(arrow_text(series), value_set=arrow_text(values))
    return np.asarray(pc.fill_null(found, False), dtype=bool)


def _positions(ids: pd.Series, known: pa.Array) -> np.ndarray:
    """Position of each id in ``known`` (int64; -1 for an id not there or missing).

    Arrow's hash lookup: ``pandas.Index.get_indexer`` would first turn both sides into
    Python strings (about six times slower on a million offence rows).
    """
    found = pc.index_in(arrow_text(ids), value_set=known)
    return np.asarray(pc.fill_null(found, -1), dtype=np.int64)


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def _vocabulary_text(
    series: pd.Series, vocabulary: tuple[str, ...]
) -> tuple[pd.Series, np.ndarray]:
    """Vocabulary values, stripped and lower-cased (only rows not already exact are touched),
    and whether each value is in the vocabulary (missing never is)."""
    text = series.astype("str")
    exact = _isin(text, vocabulary)
    if exact.all():
        return text, exact
    rows = ~exact
    text = text.copy()
    text[rows] = text[rows].str.strip().str.lower()
    text = text.where(text != "")
    known = exact.copy()
    known[rows] = _isin(text[rows], vocabulary)
    return text, known


#: A time-zone suffix of an ISO 8601 date-time (dropped when a column mixes zones).
_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _parse_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates as ``datetime64[ns]`` (local wall time; NaT where not a date or out of range),
    and which values are dates outside ``EARLIEST_DATE`` to ``DATES_END``.

    Dates of any unit (Parquet's ``date32`` or a timestamp of year 9999) are checked against
    the range before they are converted to nanoseconds, which could not hold them.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = series.dt.tz_localize(None) if series.dt.tz is not None else series
    else:
        text = series.astype("str")
        try:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except (ValueError, OverflowError):  # time zones mixed within the column
            text = text.str.replace(_ZONE, "", regex=True)
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
    outside = (
        parsed.notna()
        & ((parsed < pd.Timestamp(EARLIEST_DATE)) | (parsed >= pd.Timestamp(DATES_END)))
    ).to_numpy()
    if outside.any():
        parsed = parsed.where(~outside)
    return parsed.astype("datetime64[ns]"), outside


#: Dates checked against index_date instead of the extract date (which index_date precedes).
_BOUNDED_BY_INDEX_DATE = frozenset({"date_of_birth", "index_sanction_date"})


def _check_id(problems: _Problems, column: Column) -> np.ndarray:
    """Check the person id column; return which rows have one."""
    present = problems.ids.notna().to_numpy()
    looks_missing = problems.cells.notna().to_numpy() & ~present
    problems.add(looks_missing, column.name, msg.ID_READS_AS_MISSING)
    problems.add(~present & ~looks_missing, column.name, _missing_reason(column))
    problems.add(has_control_characters(problems.ids), column.name, msg.ID_CONTROL_CHARACTER)
    return present


def _check_columns(
    problems: _Problems, columns: tuple[Column, ...], extract: pd.Timestamp | None = None
) -> dict[str, pd.Series]:
    """Check presence, dates, vocabularies and numbers; return the typed columns."""
    frame = problems.frame
    typed: dict[str, pd.Series] = {}
    for column in columns:
        if column.name not in frame:
            continue
        raw = frame[column.name]
        known = None
        if column.kind == "id":
            text = problems.ids
            _check_id(problems, column)
            typed[column.name] = text
            continue
        if column.kind == "vocab":
            text, known = _vocabulary_text(raw, column.vocabulary)
        elif _is_text(raw):
            text = cell_text(raw)
        else:
            text = raw
        present = text.notna().to_numpy()
        if not column.may_be_empty:
            problems.add(~present, column.name, _missing_reason(column))
        if column.kind == "date":
            parsed, outside = _parse_dates(text)
            unparsed = present & parsed.isna().to_numpy() & ~outside
            problems.add(unparsed, column.name, msg.UNPARSEABLE_DATE)
            problems.add(outside, column.name, msg.DATE_OUT_OF_RANGE)
            if extract is not None and column.name not in _BOUNDED_BY_INDEX_DATE:
                late = (parsed > extract).to_numpy()
                reason = msg.AFTER_EXTRACT_DATE.format(
                    column=column.name, extract=extract.date().isoformat()
                )
                problems.add(late, column.name, reason)
            typed[column.name] = parsed
        elif column.kind == "vocab":
            reason = msg.UNKNOWN_VALUE.format(allowed=", ".join(column.vocabulary))
            problems.add(present & ~known, column.name, reason)
            typed[column.name] = text
        elif column.kind in ("need", "count"):
            numbers = pd.to_numeric(text, errors="coerce").astype("float64")
            if column.kind == "need":
                ok = numbers.isin(NEED_SCORES).to_numpy()
                problems.add(present & ~ok, column.name, msg.BAD_NEED_SCORE)
            else:
                ok = (numbers >= 0) & (numbers <= MAXIMUM_CUSTODY_DAYS)
                ok &= numbers == np.round(numbers)
                problems.add(present & ~ok.to_numpy(), column.name, msg.BAD_CUSTODY_DAYS)
            typed[column.name] = numbers.where(present)
        else:
            typed[column.name] = text if _is_text(text) else cell_text(text)
    return typed


def _missing_reason(column: Column) -> str:
    if column.kind == "date":
        expected = "expected a date as YYYY-MM-DD"
    elif column.kind == "vocab":
        expected = "expected one of: " + ", ".join(column.vocabulary)
    else:
        expected = "expected a value"
    return msg.MISSING_VALUE.format(expected=expected)


def _typed_frame(frame: pd.DataFrame, typed: dict[str, pd.Series], columns) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        if column.name in typed:
            out[column.name] = typed[column.name]
        elif column.kind == "date":
            out[column.name] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        elif column.kind in ("need", "count"):
            out[column.name] = np.nan
        else:
            out[column.name] = pd.Series(np.nan, index=out.index, dtype="str")
    return out


def _validate_people(
    frame: pd.DataFrame, extract: pd.Timestamp | None
) -> tuple[pd.DataFrame, _Problems]:
    problems = _Problems("people", frame)
    typed = _check_columns(problems, PEOPLE, extract)
    people = _typed_frame(frame, typed, PEOPLE)
    ids = people["person_id"]
    if INDEX_ID in frame.columns:  # several index events per person: index_id is the key
        index_ids = ids_as_text(frame[INDEX_ID])
        people[INDEX_ID] = index_ids
        problems.add(index_ids.isna().to_numpy(), INDEX_ID, msg.MISSING_INDEX_ID)
        repeated = (index_ids.duplicated(keep=False) & index_ids.notna()).to_numpy()
        problems.add(repeated, INDEX_ID, msg.DUPLICATE_INDEX_ID)
    else:
        duplicated = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
        problems.add(duplicated, "person_id", msg.DUPLICATE_PERSON)
    people["index_sanction_date"] = people["index_sanction_date"].fillna(people["index_date"])
    birth, index = people["date_of_birth"], people["index_date"]
    both = (birth.notna() & index.notna()).to_numpy()
    problems.add(both & (birth > index).to_numpy(), "date_of_birth", msg.BIRTH_AFTER_INDEX)
    age = whole_years(birth, index).to_numpy()
    young = both & (birth <= index).to_numpy() & (age < MINIMUM_AGE)
    reasons = pd.Series("", index=range(len(people)), dtype=object)
    for value in np.unique(age[young]):
        reasons[young & (age == value)] = msg.UNDER_MINIMUM_AGE.format(age=int(value))
    problems.add(young, "date_of_birth", reasons)
    old = both & (age > MAXIMUM_AGE)
    reasons = pd.Series("", index=range(len(people)), dtype=object)
    for value in np.unique(age[old]):
        reasons[old & (age == value)] = msg.OVER_MAXIMUM_AGE.format(age=int(value))
    problems.add(old, "date_of_birth", reasons)
    late = (people["index_sanction_date"] > index).to_numpy()
    problems.add(late, "index_sanction_date", msg.INDEX_SANCTION_AFTER_INDEX)
    return people, problems


def _validate_events(
    table: str,
    frame: pd.DataFrame,
    columns: tuple[Column, ...],
    known_ids: pa.Array,
    extract: pd.Timestamp | None,
) -> tuple[pd.DataFrame, _Problems, np.ndarray]:
    """Validate an event table; also return each row's position in ``known_ids`` (-1: none)."""
    problems = _Problems(table, frame)
    typed = _check_columns(problems, columns, extract)
    events = _typed_frame(frame, typed, columns)
    ids = events["person_id"]
    person = _positions(ids, known_ids)
    orphan = ids.notna().to_numpy() & (person < 0)
    problems.add(orphan, "person_id", msg.UNKNOWN_PERSON)
    if table == "offences":
        before = (events["sanction_date"] < events["offence_date"]).to_numpy()
        problems.add(before, "sanction_date", msg.SANCTION_BEFORE_OFFENCE)
    return events, problems, person


def _other_zeros(people_ids: pd.Series, events: list[tuple[pd.Series, np.ndarray]]) -> np.ndarray:
    """Which people are named in another table by the same number with other leading zeros
    (``"007"`` in people, ``"7"`` in offences): the events' rows that name nobody are
    compared with the people by :func:`riskmodel._tables.unpadded`."""
    orphans = [ids[(person < 0) & ids.notna().to_numpy()] for ids, person in events]
    orphans = [ids for ids in orphans if len(ids)]
    if not orphans:
        return np.zeros(len(people_ids), dtype=bool)
    numbers = pc.drop_null(unpadded(arrow_text(pd.concat(orphans, ignore_index=True))))
    if len(numbers) == 0:
        return np.zeros(len(people_ids), dtype=bool)
    found = pc.is_in(unpadded(arrow_text(people_ids)), value_set=pc.unique(numbers))
    return np.asarray(pc.fill_null(found, False), dtype=bool)


def validate_tables(raw: RawTables, *, extract_date: str | None = None) -> ValidatedData:
    """Validate raw contract tables, quarantining every person with a row-level problem.

    Parameters
    ----------
    raw : RawTables
        As returned by :func:`read_tables`.
    extract_date : str, optional
        Overrides ``metadata.json``'s ``extract_date`` (the day labels are taken). Events
        after ``metadata.json``'s own extract date are row problems either way.

    Returns
    -------
    ValidatedData

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["A", "B"], "date_of_birth": ["1990-01-01", "x"],
    ...     "sex": ["male", "female"], "index_date": ["2020-01-01"] * 2,
    ...     "index_offence": ["theft", "theft"]})
    >>> offences = pd.DataFrame({"person_id": ["A"], "offence_date": ["2019-12-01"],
    ...     "sanction_date": ["2020-01-01"], "offence_group": ["theft"]})
    >>> data = validate_tables(RawTables(people, offences, None))
    >>> data.summary["people_kept"], data.summary["people_rejected"]
    (1, 1)
    >>> data.rejects["reason"].tolist()
    ['not a date; expected YYYY-MM-DD']
    """
    extract = resolve_extract_date(extract_date, raw.metadata)
    period_end = _period_end(extract_date, raw.metadata)
    people, people_problems = _validate_people(raw.people, period_end)
    person_ids = people["person_id"]
    known = pc.unique(pc.drop_null(arrow_text(person_ids)))
    if isinstance(known, pa.ChunkedArray):
        known = known.combine_chunks()
    people_person = _positions(person_ids, known)
    offences, offence_problems, offence_person = _validate_events(
        "offences", raw.offences, OFFENCES, known, period_end
    )
    needs_frame = raw.needs if raw.needs is not None else _empty_needs()
    needs, needs_problems, needs_person = _validate_events(
        "needs", needs_frame, NEEDS, known, period_end
    )
    renamed = _other_zeros(
        person_ids,
        [(offences["person_id"], offence_person), (needs["person_id"], needs_person)],
    )
    people_problems.add(renamed, "person_id", msg.ID_LEADING_ZEROS)

    # A problem on any row of a person rejects every row of that person. Rows that name no
    # known person (person < 0) are reported and dropped, and reject nobody.
    rejected = np.zeros(len(known) + 1, dtype=bool)  # the last slot stands for "no person"
    for person, problems in (
        (people_person, people_problems),
        (offence_person, offence_problems),
        (needs_person, needs_problems),
    ):
        rejected[person[problems.bad]] = True
    rejected[-1] = False
    people_rejected = people_problems.bad | rejected[people_person]
    offences_kept = (offence_person >= 0) & ~rejected[offence_person]
    needs_kept = (needs_person >= 0) & ~rejected[needs_person]
    offence_unattached = offence_person < 0
    needs_unattached = needs_person < 0

    rejects = _concat_rejects(
        [p.frame_of_problems() for p in (people_problems, offence_problems, needs_problems)]
    )
    kept_people = people.loc[~people_rejected].reset_index(drop=True)
    kept_offences = offences.loc[offences_kept].reset_index(drop=True)
    kept_needs = needs.loc[needs_kept].reset_index(drop=True)

    summary = {
        "people_read": len(people),
        "people_kept": len(kept_people),
        "people_rejected": int(people_rejected.sum()),
        "offence_rows_read": len(offences),
        "offence_rows_kept": len(kept_offences),
        "offence_rows_unknown_person": int(offence_unattached.sum()),
        "needs_rows_read": len(needs) if raw.needs is not None else 0,
        "needs_rows_kept": len(kept_needs),
        "needs_rows_unknown_person": int(needs_unattached.sum()),
        "needs_table": raw.needs is not None,
        "problems": len(rejects),
        "problems_by_reason": {
            str(k): int(v) for k, v in rejects["reason"].value_counts().sort_index().items()
        },
    }
    return ValidatedData(
        people=kept_people,
        offences=kept_offences,
        needs=kept_needs,
        rejects=rejects,
        summary=summary,
        extract_date=extract,
    )


def _empty_needs() -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in NEEDS})


def _period_end(value: str | None, metadata: dict[str, Any]) -> pd.Timestamp | None:
    """The last day the data can describe: ``metadata.json``'s extract date.

    An extract date given instead (``--extract-date``) labels the people as of that day, and
    the data may hold later events (they are neither history nor outcome then): it bounds no
    date, and a bad date in ``metadata.json`` that it replaces bounds none either.
    """
    if value is None:
        return resolve_extract_date(None, metadata)
    try:
        return resolve_extract_date(None, metadata)
    except DataError:  # the date given replaces a bad one in metadata.json
        return None


def resolve_extract_date(value: str | None, metadata: dict[str, Any]) -> pd.Timestamp | None:
    """The extract date given on the command line, else ``metadata.json``'s, else None.

    Raises
    ------
    DataError
        When the value given is not a date.
    """
    chosen = value if value is not None else metadata.get("extract_date")
    if chosen is None or chosen == "":
        return None
    parsed = pd.to_datetime(str(chosen), format="ISO8601", errors="coerce")
    if pd.isna(parsed):
        raise DataError(msg.BAD_EXTRACT_DATE.format(value=chosen))
    return pd.Timestamp(parsed).tz_localize(None).as_unit("ns")

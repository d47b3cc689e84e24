"""The columns of each table of the data contract, their kinds and vocabularies."""

from __future__ import annotations

from dataclasses import dataclass

from riskmodel._tables import INDEX_ID
from riskmodel.contract._vocabulary import DISPOSALS, NEED_AREAS, OFFENCE_GROUPS, SEXES


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    Attributes
    ----------
    name : str
    kind : {"id", "date", "vocab", "count", "need", "text"}
    required : bool
        Whether the column must exist in the file.
    vocabulary : tuple of str, optional
        Allowed values of a ``vocab`` column.
    nullable : bool, optional
        Whether a row may leave the value empty; by default only optional columns may.
    """

    name: str
    kind: str
    required: bool
    vocabulary: tuple[str, ...] = ()
    nullable: bool | None = None

    @property
    def may_be_empty(self) -> bool:
        """Whether an empty value is allowed on a row."""
        return (not self.required) if self.nullable is None else self.nullable


PEOPLE: tuple[Column, ...] = (
    Column("person_id", "id", True),
    Column("date_of_birth", "date", True),
    Column("sex", "vocab", True, SEXES),
    Column("index_date", "date", True),
    Column("index_offence", "vocab", True, OFFENCE_GROUPS),
    Column("index_sanction_date", "date", False),
    Column("index_disposal", "vocab", False, DISPOSALS),
    Column("ethnicity", "text", False),
)

OFFENCES: tuple[Column, ...] = (
    Column("person_id", "id", True),
    Column("offence_date", "date", True),
    Column("sanction_date", "date", True),
    Column("offence_group", "vocab", True, OFFENCE_GROUPS),
    Column("disposal", "vocab", False, DISPOSALS),
    Column("custody_days", "count", False),
)

NEEDS: tuple[Column, ...] = (
    Column("person_id", "id", True),
    Column("assessment_date", "date", True),
    *(Column(area, "need", True, nullable=True) for area in NEED_AREAS),
)

#: Contract tables in reading order; ``needs`` is optional.
TABLES: dict[str, tuple[Column, ...]] = {"people": PEOPLE, "offences": OFFENCES, "needs": NEEDS}
OPTIONAL_TABLES: frozenset[str] = frozenset({"needs"})

__all__ = ["INDEX_ID", "NEEDS", "OFFENCES", "OPTIONAL_TABLES", "PEOPLE", "TABLES", "Column"]

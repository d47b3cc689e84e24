"""The data contract's three event tables, held together."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["EventTables"]


@dataclass
class EventTables:
    """People, their offences and their needs assessments: the tables of DATA_CONTRACT.md.

    Attributes
    ----------
    people, offences, needs : DataFrame
        One row per person, per offence and per assessment.
    """

    people: pd.DataFrame
    offences: pd.DataFrame
    needs: pd.DataFrame

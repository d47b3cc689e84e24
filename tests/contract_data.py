"""Small, valid contract tables for tests, and a writer for data directories."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from riskmodel.contract import NEED_AREAS


def valid_tables(n_people: int = 6) -> dict[str, pd.DataFrame]:
    """Contract tables with no problem at all, as text (the way CSV arrives)."""
    ids = [f"P{i:03d}" for i in range(n_people)]
    people = pd.DataFrame(
        {
            "person_id": ids,
            "date_of_birth": [f"{1960 + 5 * (i % 8)}-0{1 + i % 9}-15" for i in range(n_people)],
            "sex": ["male" if i % 3 else "female" for i in range(n_people)],
            "index_date": ["2021-06-01"] * n_people,
            "index_offence": ["theft", "violence", "burglary_domestic"] * (n_people // 3)
            + ["fraud_forgery"] * (n_people % 3),
            "index_sanction_date": ["2021-03-01" if i % 2 else "" for i in range(n_people)],
            "index_disposal": ["custody" if i % 2 else "community_order" for i in range(n_people)],
            "ethnicity": ["white", "black", "asian"] * (n_people // 3)
            + ["mixed"] * (n_people % 3),
        }
    )
    offences = pd.DataFrame(
        {
            "person_id": [pid for pid in ids for _ in range(2)],
            "offence_date": ["2019-01-10", "2021-02-01"] * n_people,
            "sanction_date": ["2019-02-10", "2021-03-01"] * n_people,
            "offence_group": ["theft", "violence"] * n_people,
            "disposal": ["fine", "custody"] * n_people,
            "custody_days": ["", "90"] * n_people,
        }
    )
    needs = pd.DataFrame(
        {
            "person_id": ids[: max(1, n_people - 2)],
            "assessment_date": ["2021-05-01"] * max(1, n_people - 2),
            **{area: ["1"] * max(1, n_people - 2) for area in NEED_AREAS},
        }
    )
    needs.loc[0, "drugs"] = ""
    return {"people": people, "offences": offences, "needs": needs}


def write_data_dir(
    directory: Path,
    tables: dict[str, pd.DataFrame],
    *,
    fmt: str = "csv",
    extract_date: str | None = "2025-01-01",
) -> Path:
    """Write tables as ``{name}.{fmt}`` plus ``metadata.json`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if fmt == "parquet":
            frame.to_parquet(directory / f"{name}.parquet", index=False)
        else:
            frame.to_csv(directory / f"{name}.csv", index=False)
    if extract_date is not None:
        (directory / "metadata.json").write_text(json.dumps({"extract_date": extract_date}))
    return directory

"""Several index events per person: the contract, point-in-time features and labels per
event, the MoJ cohort rule (``features --first-per-person``), and ``index_id`` in outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.contract import RawTables, validate_tables
from riskmodel.contract import _messages as contract_msg
from riskmodel.features import build_feature_table
from riskmodel.features._index_events import first_per_person
from riskmodel.features._messages import BAD_PERIOD_DATE, PERIOD_REVERSED, PERIOD_WITHOUT_RULE
from tests.commands import run_here

EXTRACT = "2026-06-30"


def _people(rows: list[tuple]) -> pd.DataFrame:
    """People rows (person_id, index_id, index_date), everyone born 1990 and male."""
    frame = pd.DataFrame(rows, columns=["person_id", "index_id", "index_date"])
    return frame.assign(date_of_birth="1990-01-01", sex="male", index_offence="theft")


def _offences(rows: list[tuple]) -> pd.DataFrame:
    """Offence rows (person_id, offence_date, sanction_date, offence_group)."""
    return pd.DataFrame(
        rows, columns=["person_id", "offence_date", "sanction_date", "offence_group"]
    )


def multi_event_data(n: int = 120, seed: int = 0) -> RawTables:
    """A synthetic caseload where about half the people have a second index event 15 to 30
    months after their first (their later offences are its history), with ``index_id``."""
    from riskmodel.synthetic import generate_population

    population = generate_population(n, seed=seed)
    people = population.people.copy()
    rng = np.random.default_rng(seed)
    again = people.loc[rng.random(len(people)) < 0.5].copy()
    later = pd.to_datetime(again["index_date"]) + pd.to_timedelta(
        rng.integers(460, 900, len(again)), "D"
    )
    again["index_date"] = later.dt.strftime("%Y-%m-%d")
    again["index_sanction_date"] = again["index_date"]
    again = again.loc[later <= pd.Timestamp(EXTRACT)]
    people["index_id"] = people["person_id"] + "-1"
    again["index_id"] = again["person_id"] + "-2"
    both = pd.concat([people, again], ignore_index=True)
    return RawTables(
        both, population.offences, population.needs, metadata={"extract_date": EXTRACT}
    )


def write_data(raw: RawTables, directory: Path) -> Path:
    """Write ``raw`` as a data directory."""
    directory.mkdir(parents=True, exist_ok=True)
    raw.people.to_csv(directory / "people.csv", index=False)
    raw.offences.to_csv(directory / "offences.csv", index=False)
    if raw.needs is not None:
        raw.needs.to_csv(directory / "needs.csv", index=False)
    (directory / "metadata.json").write_text(json.dumps(raw.metadata))
    return directory


# -- the contract ---------------------------------------------------------------------------


def test_index_id_lets_a_person_repeat_and_must_be_unique_and_present():
    people = _people(
        [
            ("A", "a1", "2018-01-01"),
            ("A", "a2", "2021-01-01"),
            ("B", "b1", "2020-01-01"),
            ("B", "b1", "2020-06-01"),
            ("C", None, "2020-01-01"),
        ]
    )
    data = validate_tables(RawTables(people, _offences([]), None))
    assert data.people["person_id"].tolist() == ["A", "A"]
    assert data.people["index_id"].tolist() == ["a1", "a2"]
    reasons = data.rejects.groupby("person_id")["reason"].apply(list).to_dict()
    assert reasons == {
        "B": [contract_msg.DUPLICATE_INDEX_ID] * 2,
        "C": [contract_msg.MISSING_INDEX_ID],
    }
    summary = data.summary
    assert summary["people_read"] == summary["people_kept"] + summary["people_rejected"] == 5


def test_without_index_id_a_repeated_person_is_still_rejected():
    people = _people([("A", None, "2018-01-01"), ("A", None, "2021-01-01")])
    data = validate_tables(RawTables(people.drop(columns="index_id"), _offences([]), None))
    assert len(data.people) == 0
    assert data.rejects["reason"].tolist() == [contract_msg.DUPLICATE_PERSON] * 2


# -- features and labels per index event ---------------------------------------------------


def test_each_index_event_has_its_own_point_in_time_features_and_label():
    people = _people(
        [("A", "a1", "2018-01-01"), ("A", "a2", "2021-01-01"), ("B", "b1", "2020-01-01")]
    )
    offences = _offences(
        [
            ("A", "2017-12-01", "2018-01-01", "theft"),  # the first event's own sanction
            ("A", "2019-05-01", "2019-06-01", "burglary_domestic"),  # outcome of a1, history of a2
            ("B", "2019-01-01", "2020-01-01", "theft"),
        ]
    )
    data = validate_tables(RawTables(people, offences, None), extract_date="2024-01-01")
    table = build_feature_table(data, labels=True)
    frame = table.to_frame()
    assert frame.columns[:2].tolist() == ["person_id", "index_id"]
    assert frame["index_id"].tolist() == ["a1", "a2", "b1"]
    # a2: the 2018 and 2019 sanctions, and its own current sanction taken from people
    assert frame["sanction_occasions"].tolist() == [1.0, 3.0, 1.0]
    assert frame["reoffended_2y"].tolist() == [1, 0, 0]
    assert table.meta["n_persons"] == 2 and table.persons.tolist() == ["A", "A", "B"]


def test_events_built_together_equal_each_event_built_alone():
    raw = multi_event_data(60, seed=5)
    data = validate_tables(raw)
    together = build_feature_table(data, labels=True).to_frame()
    assert together["person_id"].duplicated().any()
    for position in range(0, len(data.people), 7):
        one = data.people.iloc[[position]].drop(columns="index_id")
        alone = build_feature_table(
            {
                "people": one,
                "offences": data.offences,
                "needs": data.needs,
                "extract_date": data.extract_date,
            },
            labels=True,
        ).to_frame()
        row = together.iloc[[position]].drop(columns="index_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(row, alone, check_dtype=False)


# -- the MoJ cohort rule --------------------------------------------------------------------


def test_first_per_person_keeps_each_persons_first_event_in_the_period():
    people = _people(
        [
            ("A", "a1", "2019-12-31"),  # before the period
            ("A", "a2", "2020-05-01"),
            ("A", "a3", "2020-02-01"),  # A's first in the period
            ("B", "b1", "2020-03-01"),  # tie with b2: the first row wins
            ("B", "b2", "2020-03-01"),
            ("C", "c1", "2021-01-01"),  # after the period: C is left out
        ]
    ).assign(index_date=lambda f: pd.to_datetime(f["index_date"]))
    kept, rule = first_per_person(people, start="2020-01-01", end="2020-12-31")
    assert kept["index_id"].tolist() == ["a3", "b1"]
    assert (rule.events_read, rule.outside_period, rule.later_events, rule.kept) == (6, 2, 2, 2)
    assert rule.sentence() == (
        "first index event per person from 2020-01-01 to 2020-12-31: kept 2 of 6 index events "
        "(2 outside the period, 2 later events of the same people)"
    )
    open_start, _ = first_per_person(people, end="2020-12-31")
    assert open_start["index_id"].tolist() == ["a1", "b1"]
    whole, rule = first_per_person(people)
    assert whole["index_id"].tolist() == ["a1", "b1", "c1"]
    assert rule.sentence().startswith("first index event per person over the whole data")


def test_first_per_person_refuses_bad_periods():
    from riskmodel._errors import ConfigError

    people = _people([("A", "a1", "2020-01-01")])
    with pytest.raises(ConfigError) as error:
        first_per_person(people, start="2021-01-01", end="2020-01-01")
    assert str(error.value) == PERIOD_REVERSED.format(start="2021-01-01", end="2020-01-01")
    with pytest.raises(ConfigError) as error:
        first_per_person(people, start="soon")
    assert str(error.value) == BAD_PERIOD_DATE.format(option="--from", value="soon")


def test_features_cli_first_per_person_and_index_id(tmp_path):
    raw = multi_event_data(80, seed=2)
    data_dir = write_data(raw, tmp_path / "data")
    out = tmp_path / "all.csv"
    done = run_here("features", "--data", data_dir, "--out", out, "--labels")
    assert done.returncode == 0, done.stderr
    every = pd.read_csv(out, dtype={"person_id": str, "index_id": str})
    assert every.columns[:2].tolist() == ["person_id", "index_id"]
    assert len(every) == len(raw.people) and every["index_id"].is_unique

    cohort = tmp_path / "cohort.csv"
    done = run_here(
        "features", "--data", data_dir, "--out", cohort, "--first-per-person",
        "--from", "2019-01-01", "--to", "2023-12-31",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    first = pd.read_csv(cohort, dtype={"person_id": str, "index_id": str})
    assert first["person_id"].is_unique
    dates = raw.people.set_index("index_id")["index_date"]
    chosen = pd.to_datetime(dates.loc[first["index_id"]]).to_numpy()
    assert (chosen >= np.datetime64("2019-01-01")).all()
    assert (chosen <= np.datetime64("2023-12-31")).all()
    expected, rule = first_per_person(
        validate_tables(raw).people, start="2019-01-01", end="2023-12-31"
    )
    assert first["index_id"].tolist() == expected["index_id"].tolist()
    assert rule.sentence() in done.stdout
    assert f"people read: {len(raw.people):,} = kept {len(raw.people):,} + rejected 0" in (
        done.stdout
    )

    done = run_here("features", "--data", data_dir, "--out", tmp_path / "x.csv", "--to", "2020")
    assert done.returncode == 2
    assert PERIOD_WITHOUT_RULE in done.stderr


# -- outputs keyed by person carry index_id -------------------------------------------------


@pytest.mark.slow
def test_scores_and_explanations_carry_index_id(bundle, tmp_path):
    raw = multi_event_data(40, seed=3)
    data_dir = write_data(raw, tmp_path / "data")
    scores = tmp_path / "scores.csv"
    done = run_here("score", "--model", bundle, "--data", data_dir, "--out", scores)
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(scores, dtype={"person_id": str, "index_id": str})
    assert frame.columns[:3].tolist() == ["person_id", "index_id", "probability_2y"]
    assert sorted(frame["index_id"]) == sorted(raw.people["index_id"])
    pairs = dict(zip(raw.people["index_id"], raw.people["person_id"], strict=True))
    assert [pairs[i] for i in frame["index_id"]] == frame["person_id"].tolist()

    done = run_here(
        "explain", "--model", bundle, "--data", data_dir, "--out", tmp_path / "explain",
        "--sample", "0",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    people = json.loads((tmp_path / "explain" / "explanations.json").read_text())["people"]
    assert [p["index_id"] for p in people] == raw.people["index_id"].tolist()
    assert list(people[0])[:3] == ["person_id", "index_id", "probability_2y"]

"""Batch scoring: parity with training features, rejects, whole-file errors, chunks, bands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmodel._tables import _messages as table_msg
from riskmodel.bundle import save_bundle
from riskmodel.contract import NEED_AREAS, read_tables, validate_tables
from riskmodel.contract import _messages as msg
from riskmodel.contract._vocabulary import DISPOSALS, OFFENCE_GROUPS
from riskmodel.features import build_feature_table
from riskmodel.models import RiskModel
from riskmodel.scoring import (
    BAD_CARRY,
    BANDS_NOT_WHOLE_PERCENT,
    CARRY_IN_OUTPUT,
    DRIFT_WARNING,
    MODEL_NOT_FOR_EVENTS,
    NO_REFERENCE,
    OUTSIDE_QUERY,
    PersonPartition,
    drift_reference,
    open_event_input,
    score_files,
)
from riskmodel.scoring._messages import BANDS_RULE, DUPLICATE_TABLE_ID, NO_TABLE_CONFIG
from riskmodel.training._manifest import feature_spec
from tests.commands import run_here, run_main
from tests.contract_data import valid_tables, write_data_dir

FIXED = ["person_id", "probability_2y", "risk_band", "cohort", "age_band", "model_id"]


# -- data and a fitted model ----------------------------------------------------------------


def make_population(n: int, seed: int, *, age_shift: int = 0, prefix: str = "P") -> dict:
    """Valid contract tables (text, as CSV arrives) of ``n`` varied people, in random order."""
    rng = np.random.default_rng(seed)
    index = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    age_days = rng.integers(18 * 366 + 30, 65 * 365, n) + age_shift * 365
    born = index - pd.to_timedelta(age_days, unit="D")
    release = rng.random(n) < 0.3
    current = index - pd.to_timedelta(np.where(release, rng.integers(30, 500, n), 0), unit="D")
    ids = np.array([f"{prefix}{i:05d}" for i in range(n)])
    people = pd.DataFrame(
        {
            "person_id": ids,
            "date_of_birth": born.strftime("%Y-%m-%d"),
            "sex": rng.choice(["male", "female"], n, p=[0.85, 0.15]),
            "index_date": index.strftime("%Y-%m-%d"),
            "index_offence": rng.choice(OFFENCE_GROUPS, n),
            "index_sanction_date": np.where(release, current.strftime("%Y-%m-%d"), ""),
            "index_disposal": rng.choice(DISPOSALS, n),
            "ethnicity": rng.choice(["white", "black", "asian", "mixed", "other"], n),
            "case_officer": rng.choice(["north team", "south team"], n),
        }
    )
    counts = rng.poisson(3.0, n)
    who = np.repeat(np.arange(n), counts)
    career = np.maximum(age_days[who] - 17 * 365, 10)
    sanction = index[who] + pd.to_timedelta(
        400 - (rng.random(len(who)) * (career + 400)).astype(int), unit="D"
    )
    with_current = np.flatnonzero(rng.random(n) < 0.8)
    who = np.concatenate([who, with_current])
    sanction = sanction.append(current[with_current])
    offence = sanction - pd.to_timedelta(rng.integers(0, 200, len(who)), unit="D")
    offences = pd.DataFrame(
        {
            "person_id": ids[who],
            "offence_date": offence.strftime("%Y-%m-%d"),
            "sanction_date": sanction.strftime("%Y-%m-%d"),
            "offence_group": rng.choice(OFFENCE_GROUPS, len(who)),
            "disposal": rng.choice(DISPOSALS, len(who)),
            "custody_days": np.where(
                rng.random(len(who)) < 0.1, rng.integers(1, 400, len(who)).astype(str), ""
            ),
        }
    ).sample(frac=1.0, random_state=seed)
    assessed = np.flatnonzero(rng.random(n) < 0.7)
    needs = pd.DataFrame(
        {
            "person_id": ids[assessed],
            "assessment_date": (
                index[assessed] - pd.to_timedelta(rng.integers(0, 300, len(assessed)), unit="D")
            ).strftime("%Y-%m-%d"),
            **{
                area: np.where(
                    rng.random(len(assessed)) < 0.05,
                    "",
                    rng.integers(0, 3, len(assessed)).astype(str),
                )
                for area in NEED_AREAS
            },
        }
    )
    return {
        "people": people.reset_index(drop=True),
        "offences": offences.reset_index(drop=True),
        "needs": needs,
    }


def feature_table(directory: Path):
    """The training path: read, validate and build features of a whole directory at once."""
    return build_feature_table(validate_tables(read_tables(directory)))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scoring")


def build_event_bundle(workspace: Path) -> None:
    """Train the ``bundle`` fixture's model (tests/conftest.py) into ``workspace / "bundle"``."""
    train_dir = write_data_dir(workspace / "train", make_population(2500, seed=1))
    table = feature_table(train_dir)
    X = table.X
    rng = np.random.default_rng(2)
    logit = (
        -0.3
        - 0.04 * (X["age_at_index"] - 35)
        + 0.25 * np.log1p(X["sanction_occasions"])
        + 0.3 * X["needs_count"].fillna(3) / 3
    )
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)
    model = RiskModel(family="logistic", cv=3, inner_cv=2).fit(X, y)
    p = model.predict_proba(X)[:, 1]
    reference = drift_reference(X[list(model.feature_names_in_)], p)
    save_bundle(
        workspace / "bundle",
        model,
        manifest={"feature_spec": feature_spec(model, "data"), "drift_reference": reference},
        family="logistic",
    )


@pytest.fixture(scope="module")
def batch_dir(workspace) -> Path:
    return write_data_dir(workspace / "batch", make_population(300, seed=5, prefix="B"))


def score(capsys, model: Path, data: Path, out: Path, *options, source: str = "--data"):
    """``riskmodel score --model MODEL --data DATA --out OUT OPTIONS`` in this process (with
    ``source="--table"``: a flat table); exit code, standard output and standard error."""
    return run_main(["score", "--model", model, source, data, "--out", out, *options], capsys)


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# -- parity with the training features --------------------------------------------------------


def test_scores_equal_predict_proba_on_training_feature_table(bundle, batch_dir, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    code, stdout, _ = score(capsys, bundle, batch_dir, out, "--chunk-size", 37)
    assert code == 0
    scores = pd.read_csv(out, dtype={"person_id": str})
    assert list(scores.columns) == FIXED
    table = feature_table(batch_dir)
    model, _ = __import__("riskmodel.scoring", fromlist=["load_model"]).load_model(bundle)
    expected = pd.Series(model.predict_proba(table.X)[:, 1], index=table.ids.to_numpy())
    assert scores["person_id"].tolist() == table.ids.tolist()  # input order kept
    got = scores.set_index("person_id")["probability_2y"]
    np.testing.assert_allclose(got.to_numpy(), expected[got.index].to_numpy(), rtol=0, atol=1e-12)
    assert scores["model_id"].nunique() == 1
    assert scores["model_id"].iloc[0].startswith("logistic-")
    groups = table.groups.set_index(table.ids.to_numpy())
    assert (scores["cohort"].to_numpy() == groups["cohort"].to_numpy()).all()
    assert (scores["age_band"].to_numpy() == groups["age_band"].to_numpy()).all()
    assert "people read: 300 = scored 300 + rejected 0" in stdout


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(chunk_size=st.integers(min_value=1, max_value=20), parquet=st.booleans())
def test_scores_do_not_depend_on_chunk_size(bundle, workspace, chunk_size, parquet, tmp_path):
    # 20 people: a chunk of one person, chunks that do not divide them, and one chunk of all
    tables = make_population(20, seed=11, prefix="H")
    tables["people"].loc[3, "date_of_birth"] = "1990-13-45"  # one reject, wherever it lands
    fmt = "parquet" if parquet else "csv"
    data = write_data_dir(workspace / f"hyp-{fmt}", tables, fmt=fmt)
    out = tmp_path / f"scores-{chunk_size}-{fmt}.parquet"
    summary = score_files(model_dir=bundle, data_dir=data, out=out, chunk_size=chunk_size)
    scores = pd.read_parquet(out)
    model, _ = __import__("riskmodel.scoring", fromlist=["load_model"]).load_model(bundle)
    table = feature_table(data)
    np.testing.assert_allclose(
        scores["probability_2y"].to_numpy(),
        model.predict_proba(table.X)[:, 1],
        rtol=0,
        atol=1e-12,
    )
    assert scores["person_id"].tolist() == table.ids.tolist()
    assert summary["people_read"] == 20 == summary["people_scored"] + summary["people_rejected"]
    rejects = pd.read_csv(out.with_name(out.stem + ".rejects.csv"))
    assert rejects[["person_id", "table", "row", "column"]].values.tolist() == [
        ["H00003", "people", 4, "date_of_birth"]
    ]


def test_partition_keeps_each_person_in_one_chunk(workspace, tmp_path):
    tables = make_population(50, seed=3, prefix="Q")
    data = write_data_dir(workspace / "partition", tables)
    partition = PersonPartition.build(open_event_input(data), chunk_size=7, workdir=tmp_path)
    try:
        assert partition.n_chunks == 8
        seen: dict[str, set[int]] = {}
        rows = {"people": [], "offences": [], "needs": []}
        for chunk in partition.chunks():
            assert chunk.people["person_id"].nunique() <= 7
            for name in rows:
                frame = getattr(chunk, name)
                rows[name].extend(frame["__riskmodel_row__"].tolist())
                for pid in frame["person_id"]:
                    seen.setdefault(pid, set()).add(chunk.index)
        assert all(len(chunks) == 1 for chunks in seen.values())
        for name, numbers in rows.items():  # every input row exactly once, numbered as read
            assert sorted(numbers) == list(range(1, len(tables[name]) + 1))
    finally:
        partition.cleanup()
    assert not any(tmp_path.iterdir())


# -- nothing lost: every bad-input case of DATA_CONTRACT.md ----------------------------------


def bad_batch() -> tuple[dict, dict[str, tuple[str, str, str]]]:
    """Good people with every row-level problem of the data contract mixed in.

    Returns the tables and, for each bad person, the (table, column, reason) expected.
    """
    tables = make_population(60, seed=21, prefix="G")
    people, offences, needs = tables["people"], tables["offences"], tables["needs"]

    def person(i: int) -> str:
        return str(people.loc[i, "person_id"])

    def first_offence(pid: str) -> int:
        return int(np.flatnonzero(offences["person_id"].to_numpy() == pid)[0])

    expected: dict[str, tuple[str, str, str]] = {}
    people.loc[2, "date_of_birth"] = "not a date"
    expected[person(2)] = ("people", "date_of_birth", msg.UNPARSEABLE_DATE)
    people.loc[5, "index_offence"] = "shoplifting"
    expected[person(5)] = ("people", "index_offence", "unknown value")
    people.loc[8, "sex"] = "unknown"
    expected[person(8)] = ("people", "sex", "unknown value")
    people.loc[11, "index_date"] = ""
    expected[person(11)] = ("people", "index_date", "missing value")
    people.loc[14, "date_of_birth"] = "2010-01-01"
    expected[person(14)] = ("people", "date_of_birth", "people under 18")
    people.loc[17, "date_of_birth"] = "2030-01-01"
    expected[person(17)] = ("people", "date_of_birth", msg.BIRTH_AFTER_INDEX)
    people.loc[20, "index_sanction_date"] = "2035-01-01"
    expected[person(20)] = ("people", "index_sanction_date", msg.INDEX_SANCTION_AFTER_INDEX)
    people.loc[23, "index_disposal"] = "prison"
    expected[person(23)] = ("people", "index_disposal", "unknown value")
    row = first_offence(person(26))
    offences.loc[row, "offence_group"] = "jaywalking"
    expected[person(26)] = ("offences", "offence_group", "unknown value")
    row = first_offence(person(29))
    offences.loc[row, "sanction_date"] = "1999-01-01"
    offences.loc[row, "offence_date"] = "2000-01-01"
    expected[person(29)] = ("offences", "sanction_date", msg.SANCTION_BEFORE_OFFENCE)
    row = first_offence(person(32))
    offences.loc[row, "custody_days"] = "-3"
    expected[person(32)] = ("offences", "custody_days", msg.BAD_CUSTODY_DAYS)
    row = first_offence(person(35))
    offences.loc[row, "offence_date"] = "31/02/2020"
    expected[person(35)] = ("offences", "offence_date", msg.UNPARSEABLE_DATE)
    who = str(needs.loc[4, "person_id"])
    needs.loc[4, "drugs"] = "7"
    expected[who] = ("needs", "drugs", msg.BAD_NEED_SCORE)
    who = str(needs.loc[9, "person_id"])
    needs.loc[9, "assessment_date"] = "soon"
    expected[who] = ("needs", "assessment_date", msg.UNPARSEABLE_DATE)
    # a duplicated person_id, far apart in the file: both rows rejected
    duplicate = people.loc[[40]].copy()
    tables["people"] = pd.concat([people, duplicate], ignore_index=True)
    expected[person(40)] = ("people", "person_id", msg.DUPLICATE_PERSON)
    # events naming nobody in people: their own lines, and nobody rejected for them
    orphan = offences.iloc[[0]].assign(person_id="NOBODY")
    tables["offences"] = pd.concat([offences, orphan], ignore_index=True)
    orphan_need = needs.iloc[[0]].assign(person_id="NOBODY-2")
    tables["needs"] = pd.concat([needs, orphan_need], ignore_index=True)
    return tables, expected


@pytest.mark.parametrize("chunk_size", [4, 1000])
def test_every_bad_input_case_is_rejected_and_counts_reconcile(
    bundle, tmp_path, capsys, chunk_size
):
    tables, expected = bad_batch()
    data = write_data_dir(tmp_path / "bad", tables)
    out = tmp_path / "out" / "scores.csv"
    code, stdout, stderr = score(capsys, bundle, data, out, "--chunk-size", chunk_size)
    assert code == 0, stderr
    scores = pd.read_csv(out, dtype={"person_id": str})
    rejects = pd.read_csv(out.with_name("scores.rejects.csv"), dtype={"person_id": str})
    n_people = len(tables["people"])
    n_unique = tables["people"]["person_id"].nunique()
    good = sorted(set(tables["people"]["person_id"]) - set(expected))
    assert sorted(scores["person_id"]) == good  # every good person scored, once
    assert set(rejects["person_id"]) == set(expected) | {"NOBODY", "NOBODY-2"}
    for pid, (table, column, reason) in expected.items():
        lines = rejects[rejects["person_id"] == pid]
        hit = lines[(lines["table"] == table) & (lines["column"] == column)]
        assert len(hit) >= 1, (pid, table, column)
        assert hit["reason"].str.contains(reason, regex=False).all(), (pid, hit["reason"])
    orphans = rejects[rejects["person_id"].isin(["NOBODY", "NOBODY-2"])]
    assert set(orphans["reason"]) == {msg.UNKNOWN_PERSON}
    assert orphans.set_index("person_id")["row"].to_dict() == {
        "NOBODY": len(tables["offences"]),
        "NOBODY-2": len(tables["needs"]),
    }
    # rows are the input files' data rows, whatever the chunk
    dup_rows = rejects[rejects["reason"] == msg.DUPLICATE_PERSON]["row"].tolist()
    assert sorted(dup_rows) == [41, n_people]
    for line in rejects.itertuples():
        if line.table in ("people", "offences", "needs") and line.person_id not in (
            "NOBODY",
            "NOBODY-2",
        ):
            assert tables[line.table].iloc[line.row - 1]["person_id"] == line.person_id
    n_rejected = n_unique - len(good) + 1  # the duplicated id counts as two people read
    assert f"people read: {n_people} = scored {len(good)} + rejected {n_rejected}" in stdout
    summary = json.loads(out.with_name("scores.summary.json").read_text())
    assert summary["people_read"] == n_people
    assert summary["people_read"] == summary["people_scored"] + summary["people_rejected"]
    assert summary["reconciled"] is True
    assert summary["rejects_lines"] == len(rejects)


# -- whole-file problems: one message, exit 2, nothing written ------------------------------


def test_missing_column_stops_with_one_message_and_no_output(bundle, tmp_path, capsys):
    tables = valid_tables(6)
    tables["offences"] = tables["offences"].drop(columns="sanction_date")
    data = write_data_dir(tmp_path / "data", tables)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, stderr = score(capsys, bundle, data, out_dir / "s.csv")
    assert code == 2
    assert stderr.startswith("error: ")
    assert msg.MISSING_COLUMNS.format(file="offences.csv", columns="sanction_date") in stderr
    assert files_in(out_dir) == []


def test_unreadable_file_mid_stream_leaves_no_partial_output(bundle, tmp_path, capsys):
    tables = make_population(30, seed=4)
    data = write_data_dir(tmp_path / "data", tables)
    text = (data / "needs.csv").read_text()
    (data / "needs.csv").write_text(text + '"unterminated,quote\n')
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, stderr = score(capsys, bundle, data, out_dir / "s.csv")
    assert code == 2
    assert "needs.csv: cannot be read" in stderr
    assert files_in(out_dir) == []


def test_empty_people_and_missing_table(bundle, tmp_path, capsys):
    tables = valid_tables(3)
    tables["people"] = tables["people"].iloc[:0]
    data = write_data_dir(tmp_path / "empty", tables)
    code, _, stderr = score(capsys, bundle, data, tmp_path / "a.csv")
    assert code == 2
    assert table_msg.EMPTY_TABLE.format(file="people.csv") in stderr
    (data / "offences.csv").unlink()
    code, _, stderr = score(capsys, bundle, data, tmp_path / "a.csv")
    assert code == 2
    assert "offences: no offences.csv or offences.parquet" in stderr
    assert not (tmp_path / "a.csv").exists()


def test_tampered_bundle_is_refused(bundle, batch_dir, tmp_path, capsys):
    import shutil

    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    with open(copy / "model.skops", "ab") as handle:
        handle.write(b"x")
    code, _, stderr = score(capsys, copy, batch_dir, tmp_path / "s.csv")
    assert code == 2
    assert "was modified" in stderr
    assert not (tmp_path / "s.csv").exists()


def test_bad_input_gives_no_traceback(bundle, tmp_path):
    run_ = run_here(
        "score", "--model", bundle, "--data", tmp_path / "nowhere", "--out", tmp_path / "s.csv"
    )
    assert run_.returncode == 2
    assert "Traceback" not in run_.stderr
    assert run_.stderr.startswith("error: ")
    assert msg.NO_DATA_DIR.format(path=tmp_path / "nowhere") in run_.stderr


# -- columns: carry, bands, explain ---------------------------------------------------------


def test_only_carried_columns_travel(bundle, batch_dir, tmp_path, capsys):
    out = tmp_path / "s.parquet"
    code, _, _ = score(capsys, bundle, batch_dir, out, "--carry", "case_officer, index_date")
    assert code == 0
    scores = pd.read_parquet(out)
    assert list(scores.columns) == [*FIXED, "case_officer", "index_date"]
    people = pd.read_csv(batch_dir / "people.csv", dtype=str).set_index("person_id")
    assert (
        scores["case_officer"].tolist() == people.loc[scores["person_id"], "case_officer"].tolist()
    )
    assert scores["index_date"].tolist() == people.loc[scores["person_id"], "index_date"].tolist()
    assert "ethnicity" not in scores.columns


def test_carry_errors(bundle, batch_dir, tmp_path, capsys):
    code, _, stderr = score(capsys, bundle, batch_dir, tmp_path / "s.csv", "--carry", "shoe_size")
    assert code == 2
    assert BAD_CARRY.split("{")[0] in stderr and "'shoe_size'" in stderr
    code, _, stderr = score(capsys, bundle, batch_dir, tmp_path / "s.csv", "--carry", "person_id")
    assert code == 2
    assert CARRY_IN_OUTPUT.format(columns="'person_id'") in stderr
    assert not (tmp_path / "s.csv").exists()


def test_risk_bands_default_and_custom(bundle, batch_dir, tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert score(capsys, bundle, batch_dir, out)[0] == 0
    scores = pd.read_csv(out)
    percent = np.floor(np.round(scores["probability_2y"] * 100, 9) + 0.5)
    expected = np.select(
        [percent >= 90, percent >= 75, percent >= 50], ["Very high", "High", "Medium"], "Low"
    )
    assert (scores["risk_band"].to_numpy() == expected).all()
    code, _, _ = score(capsys, bundle, batch_dir, out, "--bands", "0.2,0.4")
    assert code == 0
    scores = pd.read_csv(out)
    percent = np.floor(np.round(scores["probability_2y"] * 100, 9) + 0.5)
    expected = np.select([percent >= 40, percent >= 20], ["40-100%", "20-40%"], "0-20%")
    assert (scores["risk_band"].to_numpy() == expected).all()
    assert len(set(expected)) > 1
    code, _, stderr = score(capsys, bundle, batch_dir, out, "--bands", "0.333")
    assert code == 2
    assert BANDS_NOT_WHOLE_PERCENT.format(value="0.333") in stderr


def test_explain_adds_reasons_in_words(bundle, batch_dir, tmp_path, capsys):
    out = tmp_path / "s.csv"
    code, _, stderr = score(capsys, bundle, batch_dir, out, "--explain", "2", "--chunk-size", 100)
    assert code == 0, stderr
    scores = pd.read_csv(out)
    assert list(scores.columns) == [*FIXED, "reason_1", "reason_2"]
    reasons = scores["reason_1"].dropna()
    assert len(reasons) > 0.9 * len(scores)
    assert reasons.str.endswith(("raises the risk", "lowers the risk")).all()


# -- drift ----------------------------------------------------------------------------------


def test_drift_stable_batch_has_no_warning(bundle, batch_dir, tmp_path, capsys):
    out = tmp_path / "s.csv"
    code, stdout, _ = score(capsys, bundle, batch_dir, out)
    assert code == 0
    summary = json.loads((tmp_path / "s.summary.json").read_text())
    drift = summary["drift"]
    assert drift["available"] is True
    assert drift["score_psi"] < 0.1
    assert max(drift["feature_psi"].values()) < 0.25
    assert drift["warnings"] == [] and "recalibrate" not in stdout
    share = drift["needs_missing_share"]
    assert abs(share["batch"] - 0.3) < 0.1 and abs(share["training"] - 0.3) < 0.05


def test_drift_warns_in_words_for_a_different_population(bundle, tmp_path, capsys):
    tables = make_population(400, seed=8, age_shift=25, prefix="D")
    tables["needs"] = tables["needs"].iloc[:20]
    data = write_data_dir(tmp_path / "older", tables)
    out = tmp_path / "s.csv"
    code, stdout, _ = score(capsys, bundle, data, out)
    assert code == 0
    summary = json.loads((tmp_path / "s.summary.json").read_text())
    drift = summary["drift"]
    assert drift["score_psi"] > 0.25
    assert "age_at_index" in drift["shifted_features"]
    assert "needs_missing" in drift["shifted_features"]
    assert drift["needs_missing_share"]["batch"] > 0.9
    warning = DRIFT_WARNING.format(psi=drift["score_psi"], limit=0.25)
    assert warning in summary["warnings"]
    assert f"warning: {warning}" in stdout
    assert "riskmodel recalibrate" in stdout


def test_bundle_without_reference_says_so(bundle, batch_dir, tmp_path, capsys):
    import shutil

    from riskmodel.bundle import load_bundle

    loaded = load_bundle(bundle)
    manifest = {k: v for k, v in loaded.manifest.items() if k != "drift_reference"}
    for key in ("model_id", "created_at", "versions", "model_sha256"):
        manifest.pop(key)
    copy = tmp_path / "bare"
    save_bundle(copy, loaded.model, manifest=manifest, family="logistic")
    code, stdout, _ = score(capsys, copy, batch_dir, tmp_path / "s.csv")
    assert code == 0
    assert NO_REFERENCE in stdout
    shutil.rmtree(copy)


# -- flat tables ----------------------------------------------------------------------------


def flat_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, n)
    priors = rng.poisson(2, n)
    frame = pd.DataFrame(
        {
            "id": np.arange(1000, 1000 + n),
            "age": age,
            "priors_count": priors,
            "sex": rng.choice(["Male", "Female"], n),
            "charge": rng.choice(["F", "M", "O"], n),
            "race": rng.choice(["a", "b"], n),
            "note": rng.choice(["x", "y"], n),
        }
    )
    logit = -0.5 - 0.04 * (age - 35) + 0.3 * np.log1p(priors)
    frame["two_year_recid"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


CONFIG = """
[table]
query = "charge != 'O'"
id = "id"
label = "two_year_recid"
numeric = ["age", "priors_count"]
categorical = ["sex", "charge"]
groups = ["race"]
"""


def build_flat_bundle(workspace: Path) -> None:
    """Train the ``flat_bundle`` fixture's model (tests/conftest.py) into ``workspace``."""
    from riskmodel.config import load_config
    from riskmodel.flat_table import build_flat_table

    config = workspace / "flat.toml"
    config.write_text(CONFIG)
    spec = load_config(config).table
    table = build_flat_table(flat_frame(1500, seed=1), spec).labelled()
    model = RiskModel(family="logistic", cv=3, inner_cv=2).fit(table.X, table.label)
    reference = drift_reference(table.X, model.predict_proba(table.X)[:, 1])
    save_bundle(
        workspace / "flat-bundle",
        model,
        manifest={"config": load_config(config).to_dict(), "drift_reference": reference},
        family="logistic",
    )


def test_flat_table_scores_match_and_query_exclusions_are_rejects(flat_bundle, tmp_path, capsys):
    from riskmodel.config import load_config
    from riskmodel.flat_table import load_flat_table
    from riskmodel.scoring import load_model

    model_dir, config = flat_bundle
    frame = flat_frame(200, seed=9)
    frame.loc[5, "charge"] = "X"  # a category never seen in training
    path = tmp_path / "batch.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "s.csv"
    code, stdout, stderr = score(
        capsys, model_dir, path, out, "--chunk-size", 33, "--carry", "note", source="--table"
    )
    assert code == 0, stderr
    scores = pd.read_csv(out, dtype={"person_id": str})
    assert list(scores.columns) == [*FIXED, "flags", "note"]
    assert scores.loc[scores["person_id"] == str(frame.loc[5, "id"]), "flags"].tolist() == [
        "charge 'X' not seen in training (treated as unknown)"
    ]
    table = load_flat_table(path, load_config(config).table, labels=False)
    model, _ = load_model(model_dir)
    np.testing.assert_allclose(
        scores["probability_2y"], model.predict_proba(table.X)[:, 1], rtol=0, atol=1e-12
    )
    assert scores["person_id"].tolist() == table.ids.tolist()
    rejects = pd.read_csv(out.with_name("s.rejects.csv"), dtype={"person_id": str})
    excluded = frame.index[frame["charge"] == "O"]
    assert rejects["row"].tolist() == (excluded + 1).tolist()
    assert set(rejects["reason"]) == {OUTSIDE_QUERY.format(query="charge != 'O'")}
    assert f"people read: 200 = scored {len(scores)} + rejected {len(excluded)}" in stdout
    summary = json.loads(out.with_name("s.summary.json").read_text())
    assert summary["drift"]["unseen_categories"] == {"charge": {"X": 1}}
    assert "never seen in training" in stdout
    ages = frame.set_index(frame["id"].astype(str)).loc[scores["person_id"], "age"]
    assert (scores["cohort"].notna()).all()
    assert ((ages.to_numpy() >= 50) == scores["age_band"].eq("50+").to_numpy()).all()


def test_flat_table_duplicates_across_chunks_are_rejected(flat_bundle, tmp_path, capsys):
    """Both rows of an id repeated in different chunks go to the rejects; the rest are
    scored, and the counts reconcile."""
    model_dir, config = flat_bundle
    frame = flat_frame(50, seed=2)
    frame.loc[45, "id"] = frame.loc[1, "id"]
    frame.loc[[1, 45], "charge"] = "F"
    path = tmp_path / "batch.parquet"
    frame.to_parquet(path, index=False)
    out = tmp_path / "s.csv"
    code, _, _ = score(
        capsys, model_dir, path, out, "--config", config, "--chunk-size", 10, source="--table"
    )
    assert code == 0
    rejects = pd.read_csv(tmp_path / "s.rejects.csv", dtype=str)
    duplicated = rejects[rejects["reason"] == DUPLICATE_TABLE_ID]
    assert sorted(duplicated["row"].astype(int)) == [2, 46]
    assert set(duplicated["person_id"]) == {str(frame.loc[1, "id"])}
    summary = json.loads((tmp_path / "s.summary.json").read_text())
    assert summary["people_read"] == summary["people_scored"] + summary["people_rejected"]
    assert str(frame.loc[1, "id"]) not in set(pd.read_csv(out, dtype=str)["person_id"])


def test_flat_model_refuses_event_data(flat_bundle, batch_dir, tmp_path, capsys):
    model_dir, _ = flat_bundle
    code, _, stderr = score(capsys, model_dir, batch_dir, tmp_path / "s.csv")
    assert code == 2
    assert MODEL_NOT_FOR_EVENTS.split("{")[0] in stderr


def test_summary_states_the_band_rule(bundle, batch_dir, tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert score(capsys, bundle, batch_dir, out)[0] == 0
    summary = json.loads((tmp_path / "s.summary.json").read_text())
    assert summary["bands"]["rule"] == BANDS_RULE


def test_table_without_a_recorded_config_needs_one(bundle, tmp_path, capsys):
    table = tmp_path / "t.csv"
    flat_frame(20, seed=2).to_csv(table, index=False)
    code, _, stderr = score(capsys, bundle, table, tmp_path / "s.csv", source="--table")
    assert code == 2
    assert stderr.strip() == f"error: {NO_TABLE_CONFIG}"

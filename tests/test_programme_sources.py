"""``riskmodel programme``: flat-table participants and pools, and the horizon."""

from __future__ import annotations

import html as html_text
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel import ConfigError, DataError
from riskmodel._horizon import HORIZON_MISMATCH, HORIZON_WITH_TABLE
from riskmodel.config import load_config
from riskmodel.programme import (
    evaluate_programme,
    matching_variables,
    read_programme_data,
    reoffending_outcomes,
)
from riskmodel.programme._evaluate import measure_words
from riskmodel.programme._inputs import check_same_features, programme_horizon
from riskmodel.programme._messages import (
    BAD_COUNTS,
    BASELINE_NEEDS_COUNTS,
    COUNT_COLUMN_MISSING,
    FEATURES_DIFFER,
    FEATURES_EXTRA,
    FEATURES_KIND,
    FEATURES_MISSING,
    NO_COUNT_COLUMN,
    NO_TIME_COLUMNS,
    PARTICIPANT_SOURCE_CHOICE,
    POOL_CHOICE,
    REASON_NO_LABEL,
    TABLE_COMPLETE_CASE,
    TABLE_HORIZON,
    TABLE_NEEDS_CONFIG,
    TABLE_OUTCOME,
)
from riskmodel.synthetic import generate_population, write_population
from tests.commands import run_here
from tests.conftest import built_once
from tests.test_programme import _people
from tests.test_programme_cli import _write_area

#: A reoffence time that lies beyond a one-year horizon (followed up past it, no reoffence).
BEYOND = 400.0


def _write_pool(where: Path) -> None:
    other = generate_population(400, seed=23)
    for name in ("people", "offences", "needs", "truth"):
        getattr(other, name)["person_id"] = "Q" + getattr(other, name)["person_id"]
    write_population(other, where / "pool")


@pytest.fixture(scope="module")
def area(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, "programme-area", _write_area)


@pytest.fixture(scope="module")
def pool_dir(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, "programme-pool", _write_pool) / "pool"


def flat_copy(
    directory: Path,
    where: Path,
    *,
    horizon: int = 12,
    counts: bool = True,
    times: bool = False,
    features: slice = slice(None),
    extra: str = "",
) -> tuple[Path, Path]:
    """A data directory's people as a flat table (their features and outcomes at
    ``horizon`` months) and its config: a pool that should match exactly like the directory."""
    data = read_programme_data(directory, participants=[], horizon_months=horizon)
    X = data.X.iloc[:, features]
    out = data.outcomes
    frame = pd.concat([pd.Series(data.ids, name="person_id"), X], axis=1)
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c].dtype)]
    categorical = [c for c in X.columns if c not in numeric]
    lines = [
        "[table]",
        'id = "person_id"',
        f"numeric = {json.dumps(numeric)}",
        f"categorical = {json.dumps(categorical)}",
        f"follow_up_months = {horizon}",
        'outcome = "proven reoffending within the follow-up (national records)"',
    ]
    if times:
        known = out["reoffended"].notna()
        frame["days"] = np.where(known, out["days_to_first"].fillna(BEYOND), 1.0)
        frame["event"] = (out["days_to_first"].notna() & known).astype(int)
        lines += ['duration = "days"', 'event = "event"', 'duration_unit = "days"']
    else:
        frame["reoffended"] = out["reoffended"]
        lines.append('label = "reoffended"')
    if counts:
        frame["n_reoffences"] = out["reoffences"]
        lines.append('reoffences = "n_reoffences"')
    where.mkdir(parents=True, exist_ok=True)
    frame.to_csv(where / "pool.csv", index=False)
    (where / "pool.toml").write_text("\n".join(lines) + "\n" + extra)
    return where / "pool.csv", where / "pool.toml"


def _evaluate(data, **options):
    return evaluate_programme(
        matching_variables(data.X, data.risk),
        data.outcomes,
        data.participant,
        ids=data.ids,
        not_found=data.not_found,
        horizon_months=data.horizon_months,
        proof_months=data.proof_months,
        unavailable=data.unavailable,
        n_resamples=40,
        **options,
    )


def test_a_flat_pool_matches_as_the_same_people_in_a_directory(area, pool_dir, tmp_path):
    table, config = flat_copy(pool_dir, tmp_path)
    common = dict(participant_column="programme", horizon_months=12)
    as_dir = read_programme_data(area / "area", pool_dir=pool_dir, **common)
    as_table = read_programme_data(area / "area", pool_table=table, config=config, **common)
    assert as_table.horizon_months == 12 and as_table.proof_months == 6
    assert (as_table.ids == as_dir.ids).all()
    pd.testing.assert_frame_equal(as_table.X, as_dir.X)
    for column in ("reoffended", "reoffences"):
        np.testing.assert_array_equal(as_table.outcomes[column], as_dir.outcomes[column])
    reason = NO_TIME_COLUMNS.format(source=f"the comparison pool's table ({table})")
    assert as_table.unavailable == {"days_to_first": reason}
    a, b = _evaluate(as_dir), _evaluate(as_table)
    assert a.counts == {**b.counts, "unmatched_reasons": a.counts["unmatched_reasons"]}
    c = b.counts
    assert c["participants"] == c["matched"] + c["unmatched"] > 0
    assert c["pool"] == c["pool_usable"] + c["pool_left_out"] == 400
    for name in ("rate", "reoffences_per_person", "reoffences_per_reoffender"):
        assert b.outcomes[name] == {**a.outcomes[name], "available": True, "not_available": None}
    o = b.outcomes["days_to_first"]
    assert o["available"] is False and o["not_available"] == reason
    assert np.isnan(o["difference"]) and np.isnan(b.naive["days_to_first"])
    assert b.survival["not_available"] == reason and b.survival["participants"] == []
    words = measure_words(12)["days_to_first"].capitalize()
    assert f"{words}: {reason}." in b.findings()
    assert as_table.notes == [
        TABLE_OUTCOME.format(
            source=f"The comparison pool's table ({table})",
            months=12,
            outcome="proven reoffending within the follow-up (national records)",
            extra="; reoffences counted by its column 'n_reoffences'",
        )
    ]


def test_a_time_to_event_pool_gives_the_time_to_first_reoffence(area, pool_dir, tmp_path):
    table, config = flat_copy(pool_dir, tmp_path, counts=False, times=True)
    data = read_programme_data(
        area / "area", participant_column="programme", pool_table=table, config=config
    )
    assert data.horizon_months == 12  # the table's follow_up_months, no option given
    direct = read_programme_data(pool_dir, participants=[], horizon_months=12).outcomes
    pool = data.outcomes[~data.participant].reset_index(drop=True)
    np.testing.assert_array_equal(pool["reoffended"], direct["reoffended"])
    np.testing.assert_allclose(pool["days_to_first"], direct["days_to_first"], rtol=1e-12)
    reason = NO_COUNT_COLUMN.format(source=f"the comparison pool's table ({table})")
    assert data.unavailable == {
        "reoffences_per_person": reason,
        "reoffences_per_reoffender": reason,
    }
    result = _evaluate(data)
    assert result.outcomes["days_to_first"]["available"]
    assert np.isfinite(result.outcomes["days_to_first"]["difference"])
    assert result.survival["not_available"] is None and len(result.survival["participants"])
    assert not result.outcomes["reoffences_per_person"]["available"]
    known = int(pool["reoffended"].notna().sum())
    complete_case = TABLE_COMPLETE_CASE.format(
        source=f"The comparison pool's table ({table})",
        months=12,
        followed=f"{known:,}",
        left_out=f"{len(pool) - known:,}",
    )
    assert complete_case in data.notes and 0 < known < len(pool)
    assert complete_case.startswith(
        f"The comparison pool's table ({table}): its rates are complete-case rates among the "
        f"{known:,} people followed to the 12-month horizon; {len(pool) - known:,} people "
        "censored before it are left out (no censoring weights)"
    )


def test_participants_from_a_flat_table(pool_dir, tmp_path):
    table, config = flat_copy(pool_dir, tmp_path)
    frame = pd.read_csv(table)
    frame["programme"] = (np.arange(len(frame)) % 5 == 0).astype(int)
    frame.loc[0, ["reoffended", "n_reoffences"]] = np.nan  # a participant not followed up
    frame.to_csv(table, index=False)
    data = read_programme_data(table_path=table, participant_column="programme", config=config)
    assert data.participant.sum() == 80 and data.proof_months is None
    result = _evaluate(data)
    c = result.counts
    assert c["participants"] == 80 == c["matched"] + c["unmatched"]
    assert c["unmatched_reasons"][REASON_NO_LABEL] >= 1
    assert {"person_id": data.ids[0], "reason": REASON_NO_LABEL} in result.to_dict()["unmatched"]
    assert result.settings["outcome"] == (
        "proven reoffending within one year (the tables' own labels)"
    )


def test_a_flat_pool_must_have_the_participants_features(area, pool_dir, tmp_path):
    table, config = flat_copy(pool_dir, tmp_path, features=slice(0, -2))
    names = read_programme_data(pool_dir, participants=[]).X.columns[-2:].tolist()
    with pytest.raises(DataError) as caught:
        read_programme_data(
            area / "area", participant_column="programme", pool_table=table, config=config
        )
    assert str(caught.value) == FEATURES_DIFFER.format(
        pool=table,
        participants=area / "area",
        problems=FEATURES_MISSING.format(columns=", ".join(names)),
    )
    ours = pd.DataFrame({"age": [30.0], "sex": ["f"]})
    theirs = pd.DataFrame({"age": ["30"], "sex": ["m"], "priors": [1.0]})
    with pytest.raises(DataError) as caught:
        check_same_features(ours, theirs, names=("a", "b"))
    assert str(caught.value) == FEATURES_DIFFER.format(
        pool="b",
        participants="a",
        problems=FEATURES_EXTRA.format(columns="priors")
        + "; "
        + FEATURES_KIND.format(columns="age"),
    )


def test_counts_must_agree_with_the_label(pool_dir, tmp_path):
    table, config = flat_copy(pool_dir, tmp_path)
    frame = pd.read_csv(table)
    labelled = frame.index[frame["reoffended"] == 0][0]
    frame.loc[labelled, "n_reoffences"] = 2
    frame.to_csv(table, index=False)
    with pytest.raises(DataError) as caught:
        read_programme_data(table_path=table, participants=["Q0000001"], config=config)
    assert str(caught.value) == BAD_COUNTS.format(
        source=f"the participants' table ({table})",
        column="n_reoffences",
        count=1,
        first=frame.loc[labelled, "person_id"],
    )
    frame.drop(columns="n_reoffences").to_csv(table, index=False)
    with pytest.raises(DataError, match=re.escape(COUNT_COLUMN_MISSING.split(" (its")[0].format(
            source=table, column="n_reoffences"))):  # fmt: skip
        read_programme_data(table_path=table, participants=["Q0000001"], config=config)


def test_the_horizon_of_flat_tables_and_models(tmp_path):
    spec = load_config(flat_copy_config(tmp_path, 24)).table
    with pytest.raises(ConfigError) as caught:
        programme_horizon(horizon_months=12, tables=[("pool.csv", spec)])
    assert str(caught.value) == TABLE_HORIZON.format(
        source="pool.csv", table=24, horizon=12, why="--horizon-months"
    )
    with pytest.raises(ConfigError, match=re.escape(HORIZON_WITH_TABLE.format(
            option="--horizon-months"))):  # fmt: skip
        programme_horizon(horizon_months=24, tables=[("t.csv", spec)], event_data=False)
    assert programme_horizon(tables=[("t.csv", spec)], event_data=False) == (24, None)
    manifest = {"horizon_months": 12, "proof_months": 6}
    assert programme_horizon(manifest=manifest) == (12, 6)
    with pytest.raises(ConfigError) as caught:
        programme_horizon(manifest=manifest, horizon_months=24)
    assert str(caught.value) == HORIZON_MISMATCH.format(
        option="--horizon-months", given=24, recorded=12, where="its manifest"
    )
    with pytest.raises(ConfigError) as caught:
        programme_horizon(manifest=manifest, tables=[("pool.csv", spec)])
    assert str(caught.value) == TABLE_HORIZON.format(
        source="pool.csv", table=24, horizon=12, why="the model's own"
    )


def flat_copy_config(where: Path, months: int) -> Path:
    path = where / f"h{months}.toml"
    path.write_text(f'[table]\nlabel = "y"\nnumeric = ["a"]\nfollow_up_months = {months}\n')
    return path


def _text(page: str) -> str:
    return html_text.unescape(re.sub(r"<[^>]+>", " ", page))


def test_programme_at_12_months_against_a_flat_pool(area, pool_dir, tmp_path):
    table, config = flat_copy(pool_dir, tmp_path / "flat", counts=False)
    out = tmp_path / "out"
    done = run_here(
        "programme", "--data", area / "area", "--participant-column", "programme",
        "--pool-table", table, "--config", config, "--horizon-months", "12",
        "--n-resamples", "30", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "programme.json").read_text())
    assert (data["horizon_months"], data["proof_months"]) == (12, 6)
    assert data["horizon_words"] == "within one year"
    c = data["counts"]
    assert c["participants"] == c["matched"] + c["unmatched"]
    assert c["participants"] == len(pd.read_csv(area / "programme.csv"))
    assert c["pool"] == 400
    source = f"the comparison pool's table ({table})"
    assert data["not_available"] == {
        "reoffences_per_person": NO_COUNT_COLUMN.format(source=source),
        "reoffences_per_reoffender": NO_COUNT_COLUMN.format(source=source),
        "days_to_first": NO_TIME_COLUMNS.format(source=source),
    }
    for name, reason in data["not_available"].items():
        assert data["outcomes"][name]["available"] is False
        assert data["outcomes"][name]["not_available"] == reason
    assert data["outcomes"]["rate"]["available"] is True
    page = (out / "report.html").read_text()
    text = " ".join(_text(page).split())
    for sentence in [*data["findings"], *data["notes"]]:
        assert " ".join(sentence.split()) in text
        assert sentence in done.stdout
    assert any(s.startswith("Proven reoffending within one year: ") for s in data["findings"])
    assert NO_TIME_COLUMNS.format(source=source) in text
    assert NO_COUNT_COLUMN.format(source=source) in text
    assert "Outcomes within one year" in text and "Time to the first proven reoffence" in text
    assert page.count("data:image/png;base64,") == 1  # balance only: no survival curves
    assert "24 months" not in text and "two years" not in text
    participants = read_programme_data(area / "area", participant_column="programme",
                                       horizon_months=12)  # fmt: skip
    people = pd.read_csv(area / "area" / "people.csv", dtype=str)
    offences = pd.read_csv(area / "area" / "offences.csv", dtype=str)
    extract = json.loads((area / "area" / "metadata.json").read_text())["extract_date"]
    direct = reoffending_outcomes(people, offences, extract, horizon_months=12)
    direct = direct.set_index("person_id").loc[participants.ids]
    np.testing.assert_array_equal(
        participants.outcomes["reoffended"], direct["reoffended"].to_numpy()
    )


def test_programme_refuses_what_does_not_fit(area, pool_dir, bundle, tmp_path):
    base = ["programme", "--participant-column", "programme", "--out", tmp_path / "o"]
    data = ["--data", area / "area"]
    table, config = flat_copy(pool_dir, tmp_path / "flat", counts=False)
    for args, message in (
        ([*base], PARTICIPANT_SOURCE_CHOICE),
        ([*base, *data, "--table", table], PARTICIPANT_SOURCE_CHOICE),
        ([*base, *data, "--pool", pool_dir, "--pool-table", table], POOL_CHOICE),
        ([*base, *data, "--pool-table", table], TABLE_NEEDS_CONFIG.format(option="--pool-table")),
        (
            [*base, *data, "--model", bundle, "--horizon-months", "12"],
            HORIZON_MISMATCH.format(
                option="--horizon-months", given=12, recorded=24, where="its manifest"
            ),
        ),
        (
            [*base, "--table", table, "--config", config, "--horizon-months", "12"],
            HORIZON_WITH_TABLE.format(option="--horizon-months"),
        ),
        (
            [*base, *data, "--pool-table", table, "--config", config, "--horizon-months", "24"],
            TABLE_HORIZON.format(source=table, table=12, horizon=24, why="--horizon-months"),
        ),
    ):
        done = run_here(*args)
        assert done.returncode == 2, (args, done.stdout)
        assert " ".join(message.split()) in " ".join(done.stderr.split()), done.stderr
        assert "Traceback" not in done.stderr
    table, config = flat_copy(pool_dir, tmp_path / "flat24", horizon=24, counts=False)
    frame = pd.read_csv(table)
    frame["programme"] = (np.arange(len(frame)) % 4 == 0).astype(int)
    frame.to_csv(table, index=False)
    done = run_here(*base, "--table", table, "--config", config, "--model", bundle,
                    "--baseline", area / "baseline")  # fmt: skip
    reason = NO_COUNT_COLUMN.format(source=f"the participants' table ({table})")
    assert done.returncode == 2 and BASELINE_NEEDS_COUNTS.format(reason=reason) in done.stderr


def test_help_names_the_horizon_and_the_flat_pool():
    done = run_here("programme", "--help")
    text = " ".join(done.stdout.split())
    for option in ("--horizon-months", "--proof-months", "--pool-table", "--table", "--config"):
        assert option in text
    assert "within 24 months" not in text
    assert "with --model, the model's own" in text


@settings(max_examples=8, deadline=None)
@given(
    counts=st.booleans(),
    times=st.booleans(),
    n=st.integers(min_value=80, max_value=200),
    seed=st.integers(min_value=0, max_value=50),
)
def test_what_is_not_available_is_stated_and_the_rest_unchanged(counts, times, n, seed):
    variables, outcomes = _people(n, seed)
    participant = np.random.default_rng(seed).random(n) < 0.3
    unavailable = {}
    if not counts:
        unavailable |= {k: f"not available: no counts ({k})" for k in
                        ("reoffences_per_person", "reoffences_per_reoffender")}  # fmt: skip
    if not times:
        unavailable["days_to_first"] = "not available: no times"
    options = dict(n_resamples=30, seed=seed, horizon_months=12)
    full = evaluate_programme(variables, outcomes, participant, **options)
    part = evaluate_programme(variables, outcomes, participant, unavailable=unavailable, **options)
    assert part.counts == full.counts
    findings = part.findings()
    for name, o in part.outcomes.items():
        if name in unavailable:
            assert o["available"] is False and o["not_available"] == unavailable[name]
            assert np.isnan(o["difference"]) and np.isnan(o["participants"])
            assert np.isnan(part.naive[name])
            if part.n_matched:
                assert f"{measure_words(12)[name].capitalize()}: {unavailable[name]}." in findings
        else:
            assert o == {**full.outcomes[name], "available": True, "not_available": None}
    assert (part.survival["not_available"] is None) == times
    assert not any("within two years" in s or "24 months" in s for s in findings)

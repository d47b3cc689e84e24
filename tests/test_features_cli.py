"""``riskmodel features`` end to end on a tiny data directory."""

from __future__ import annotations

import json

import pandas as pd

from riskmodel.cli import main
from riskmodel.contract._vocabulary import NEED_AREAS
from riskmodel.features import FEATURES, MISSING_EXTRACT_DATE


def write_data(directory, metadata=True):
    directory.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "person_id": ["a", "b", "bad", "late"],
            "date_of_birth": ["1990-01-01", "1985-05-05", "not a date", "1970-01-01"],
            "sex": ["male", "female", "male", "male"],
            "index_date": ["2020-08-31", "2019-03-01", "2020-01-01", "2023-06-01"],
            "index_offence": ["theft", "violence", "theft", "drink_driving"],
            "ethnicity": ["x", "y", "z", "x"],
        }
    ).to_csv(directory / "people.csv", index=False)
    pd.DataFrame(
        {
            "person_id": ["a", "a", "b", "b"],
            "offence_date": ["2018-01-01", "2022-08-31", "2019-03-01", "2020-01-01"],
            "sanction_date": ["2018-02-01", "2023-02-28", "2019-03-01", "2020-02-01"],
            "offence_group": ["theft", "theft", "violence", "breach"],
        }
    ).to_csv(directory / "offences.csv", index=False)
    needs = {"person_id": ["a"], "assessment_date": ["2020-06-01"]}
    needs.update({area: [1] for area in NEED_AREAS})
    pd.DataFrame(needs).to_csv(directory / "needs.csv", index=False)
    if metadata:
        (directory / "metadata.json").write_text(json.dumps({"extract_date": "2024-12-31"}))


def test_features_with_labels(tmp_path, capsys):
    write_data(tmp_path / "data")
    out = tmp_path / "out" / "features.csv"
    code = main(["features", "--data", str(tmp_path / "data"), "--out", str(out), "--labels"])
    assert code == 0
    frame = pd.read_csv(out)
    assert frame.columns.tolist() == [
        "person_id",
        *[f.name for f in FEATURES],
        "reoffended_2y",
        "label_status",
    ]
    assert frame["person_id"].tolist() == ["a", "b", "late"]
    by_id = frame.set_index("person_id")
    # a: offence on the last day of the 24th month, proven on the last day of waiting
    assert by_id.loc["a", "reoffended_2y"] == 1
    assert by_id.loc["b", "reoffended_2y"] == 0  # only a breach
    assert by_id.loc["late", "label_status"] == "censored"
    assert pd.isna(by_id.loc["late", "reoffended_2y"])
    assert by_id.loc["a", "needs_count"] == 10
    assert by_id.loc["b", "needs_missing"] == 1
    assert "ethnicity" not in frame.columns
    printed = capsys.readouterr().out
    assert "people read: 4 = written 3 + rejected 1" in printed
    assert "censored 1" in printed
    rejects = pd.read_csv(tmp_path / "out" / "features.rejects.csv")
    assert set(rejects["person_id"]) == {"bad"}


def test_extract_date_option_overrides_metadata_and_parquet_out(tmp_path):
    write_data(tmp_path / "data", metadata=False)
    out = tmp_path / "features.parquet"
    args = ["features", "--data", str(tmp_path / "data"), "--out", str(out), "--labels"]
    assert main([*args, "--extract-date", "2022-12-31"]) == 0
    frame = pd.read_parquet(out)
    # a's 30 months end 2023-02-28, after 2022-12-31; b's end 2021-09-01
    assert frame.set_index("person_id")["label_status"].to_dict() == {
        "a": "censored",
        "b": "labelled",
        "late": "censored",
    }


def test_labels_without_extract_date_exit_2(tmp_path, capsys):
    write_data(tmp_path / "data", metadata=False)
    out = tmp_path / "features.csv"
    code = main(["features", "--data", str(tmp_path / "data"), "--out", str(out), "--labels"])
    assert code == 2
    assert capsys.readouterr().err.strip() == f"error: {MISSING_EXTRACT_DATE}"
    assert not out.exists()


def test_features_without_labels_and_lookback(tmp_path):
    write_data(tmp_path / "data", metadata=False)
    out = tmp_path / "features.csv"
    args = ["features", "--data", str(tmp_path / "data"), "--out", str(out)]
    assert main([*args, "--needs-lookback-months", "2"]) == 0
    frame = pd.read_csv(out).set_index("person_id")
    assert "reoffended_2y" not in frame.columns
    assert frame.loc["a", "needs_missing"] == 1  # 2020-06-01 is 3 months before 2020-08-31
    assert main([*args, "--needs-lookback-months", "0"]) == 2

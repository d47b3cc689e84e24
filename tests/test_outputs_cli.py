"""Outputs never destroy anything, through the command line: every refusal exits 2 with its
message, before any work, and leaves every input byte for byte as it was; CSV cells that a
spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from riskmodel._outputs import (
    MARKER,
    OUTPUT_IN_INPUT,
    OUTPUT_IS_INPUT,
    OUTPUT_NOT_OURS,
    OUTPUTS_COLLIDE,
    SAME_KIND_NEEDS_FORCE,
)
from riskmodel.cli import main
from riskmodel.synthetic import generate_population, write_population

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = {"P0000001": '=HYPERLINK("http://x","y")', "P0000002": "+cmd|' /C calc'!A0",
           "P0000003": "@SUM(1+1)*cmd|' /C calc'!A0"}  # fmt: skip


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """A data directory (with hostile ids) and a copy of the default bundle."""
    root = tmp_path_factory.mktemp("inputs")
    data = write_population(generate_population(300, seed=3), root / "data")
    for name in ("people.csv", "offences.csv", "needs.csv"):
        frame = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        frame["person_id"] = frame["person_id"].replace(HOSTILE)
        frame.to_csv(data / name, index=False)
    bundle = root / "bundle"
    shutil.copytree(ROOT / "models" / "default", bundle)
    return data, bundle


def _fingerprint(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _refused(args: list, capsys, message: str, *untouched: Path) -> None:
    before = _fingerprint(*untouched)
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err, err
    assert "Traceback" not in err
    assert _fingerprint(*untouched) == before


def test_score_onto_an_input_table_is_refused(inputs, capsys):
    data, bundle = inputs
    people = data / "people.csv"
    message = OUTPUT_IN_INPUT.format(option="--out", output=people, input=data.resolve())
    _refused(["score", "--model", bundle, "--data", data, "--out", people], capsys, message, data)


def test_features_onto_an_input_table_is_refused(inputs, capsys):
    data, _ = inputs
    out = data / "offences.csv"
    message = OUTPUT_IN_INPUT.format(option="--out", output=out, input=data.resolve())
    _refused(["features", "--data", data, "--out", out], capsys, message, data)


def test_rejects_onto_an_input_table_is_refused(inputs, capsys, tmp_path):
    data, bundle = inputs
    target = data / "needs.csv"
    message = OUTPUT_IN_INPUT.format(option="--rejects", output=target, input=data.resolve())
    _refused(["validate", "--data", data, "--rejects", target], capsys, message, data)
    _refused(["score", "--model", bundle, "--data", data, "--out", tmp_path / "s.csv",
              "--rejects", target], capsys, message, data, bundle)  # fmt: skip


def test_rejects_onto_the_summary_or_the_scores_is_refused(inputs, capsys, tmp_path):
    data, bundle = inputs
    out = tmp_path / "s.csv"
    summary = tmp_path / "s.summary.json"
    message = OUTPUTS_COLLIDE.format(option="the run summary", output=summary, other="--rejects")
    args = ["score", "--model", bundle, "--data", data, "--out", out, "--rejects", summary]
    _refused(args, capsys, message, data, bundle)
    message = OUTPUTS_COLLIDE.format(option="--rejects", output=out, other="--out")
    args = ["score", "--model", bundle, "--data", data, "--out", out, "--rejects", out]
    _refused(args, capsys, message, data, bundle)
    assert not out.exists()


def test_score_onto_the_bundle_is_refused(inputs, capsys):
    data, bundle = inputs
    target = bundle / "model.skops"
    message = OUTPUT_IN_INPUT.format(option="--out", output=target, input=bundle.resolve())
    _refused(["score", "--model", bundle, "--data", data, "--out", target], capsys, message,
             data, bundle)  # fmt: skip


@pytest.mark.parametrize("command", ["train", "recalibrate"])
def test_a_directory_that_is_not_a_bundle_is_never_replaced(inputs, capsys, tmp_path, command):
    data, bundle = inputs
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "precious.txt").write_text("keep me")
    model = ["--model", bundle] if command == "recalibrate" else []
    message = OUTPUT_NOT_OURS.format(option="--out", output=precious, kind="bundle")
    for force in ([], ["--force"]):
        args = [command, *model, "--data", data, "--out", precious, "--no-mlflow", *force]
        if command == "recalibrate":
            args.remove("--no-mlflow")
        _refused(args, capsys, message, precious, data, bundle)


def test_train_onto_the_data_directory_is_refused(inputs, capsys):
    data, _ = inputs
    message = OUTPUT_IS_INPUT.format(option="--out", output=data, input=data.resolve())
    _refused(["train", "--data", data, "--out", data, "--no-mlflow"], capsys, message, data)


def test_a_report_directory_is_replaced_only_with_force(inputs, capsys, tmp_path):
    data, bundle = inputs
    out = tmp_path / "explain"
    args = ["explain", "--model", bundle, "--data", data, "--out", out, "--sample", "1"]
    assert main([str(a) for a in args]) == 0
    capsys.readouterr()
    assert (out / MARKER).is_file() and (out / "report.html").is_file()
    message = SAME_KIND_NEEDS_FORCE.format(option="--out", output=out, kind="explain")
    _refused(args, capsys, message, out)
    (out / "notes.txt").write_text("a reader's notes")
    old = (out / "report.html").stat().st_mtime_ns
    assert main([str(a) for a in [*args, "--force"]]) == 0
    assert (out / "report.html").stat().st_mtime_ns > old
    assert (out / "notes.txt").read_text() == "a reader's notes", "--force deletes nothing"


def test_csv_cells_that_would_run_as_formulas_are_neutralised(inputs, capsys, tmp_path):
    data, bundle = inputs
    scores = tmp_path / "scores.csv"
    assert main(["score", "--model", str(bundle), "--data", str(data), "--out", str(scores)]) == 0
    features = tmp_path / "features.csv"
    assert main(["features", "--data", str(data), "--out", str(features)]) == 0
    ogrs3 = tmp_path / "ogrs3.csv"
    assert main(["ogrs3", "--data", str(data), "--out", str(ogrs3)]) == 0
    for path in (scores, features, ogrs3):
        ids = pd.read_csv(path, dtype=str)["person_id"]
        hostile = ids[ids.str.lstrip("'").isin(HOSTILE.values())]
        assert len(hostile) == len(HOSTILE), path
        assert hostile.str.startswith("'").all(), path
        assert not ids.str.match(r"^[=+@]").any(), path

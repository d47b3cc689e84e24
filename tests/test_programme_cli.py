"""``riskmodel programme``: the command, its report and its errors."""

from __future__ import annotations

import html as html_text
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from riskmodel.cli._programme import MODEL_HELP
from riskmodel.programme._messages import (
    BALANCE_CAVEAT,
    BASELINE_NEEDS_MODEL,
    PARTICIPANT_COLUMN_MISSING,
    PARTICIPANTS_CHOICE,
    PARTICIPANTS_FILE_COLUMN,
)
from riskmodel.synthetic import generate_population, with_programme, write_population
from tests.commands import run_here
from tests.conftest import built_once


def _write_area(where: Path) -> None:
    population, programme = with_programme(
        generate_population(900, seed=21), effect=0.3, seed=21, share=0.2
    )
    write_population(population, where / "area")
    programme.to_csv(where / "programme.csv", index=False)
    write_population(generate_population(500, seed=22), where / "baseline")


@pytest.fixture(scope="module")
def area(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, "programme-area", _write_area)


@pytest.mark.slow
def test_programme_report_with_a_model_and_a_baseline(area, bundle, tmp_path):
    out = tmp_path / "out"
    done = run_here(
        "programme", "--data", area / "area", "--participant-column", "programme",
        "--model", bundle, "--baseline", area / "baseline", "--ratio", "2",
        "--n-resamples", "50", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "programme.json").read_text())
    counts = data["counts"]
    assert counts["participants"] == counts["matched"] + counts["unmatched"]
    assert counts["participants"] == len(pd.read_csv(area / "programme.csv"))
    assert data["caveat"] == BALANCE_CAVEAT
    assert any(b["variable"] == "predicted risk (log-odds)" for b in data["balance"])
    assert data["payment_by_results"]["binary"]["expected"] > 0
    html = (out / "report.html").read_text()
    assert BALANCE_CAVEAT in html
    for sentence in data["findings"]:
        assert html_text.escape(sentence, quote=False).replace("'", "&#39;") in html
        assert sentence in done.stdout
    assert html.count("data:image/png;base64,") == 2
    assert 'id="pbr"' in html and "Significance rule" in html
    assert f"{counts['matched']:,} matched" in done.stdout


def test_participants_from_a_file_with_a_separate_pool(area, tmp_path):
    ids = pd.read_csv(area / "programme.csv")["person_id"].head(40).tolist()
    (tmp_path / "ids.csv").write_text("person_id\n" + "\n".join([*ids, "NOBODY"]) + "\n")
    other = generate_population(400, seed=23)
    for name in ("people", "offences", "needs", "truth"):
        frame = getattr(other, name)
        frame["person_id"] = "Q" + frame["person_id"]
    pool = write_population(other, tmp_path / "pool")
    out = tmp_path / "out"
    done = run_here(
        "programme", "--data", area / "area", "--participants", tmp_path / "ids.csv",
        "--pool", pool, "--without-replacement", "--n-resamples", "30", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "programme.json").read_text())
    assert data["counts"]["participants"] == 41
    assert {
        "person_id": "NOBODY",
        "reason": "not in the data (absent, or rejected by validation)",
    } in data["unmatched"]
    assert data["too_small"] is not None and data["too_small"] in (out / "report.html").read_text()
    assert data["replace"] is False


def test_bad_input_gives_one_message_and_exit_code_2(area, tmp_path):
    base = ["programme", "--data", area / "area", "--out", tmp_path / "o"]
    done = run_here(*base)
    assert done.returncode == 2 and PARTICIPANTS_CHOICE in done.stderr
    done = run_here(*base, "--participant-column", "programme", "--baseline", area / "baseline")
    assert done.returncode == 2 and BASELINE_NEEDS_MODEL in done.stderr
    done = run_here(*base, "--participant-column", "absent")
    assert done.returncode == 2
    assert re.search(
        re.escape(PARTICIPANT_COLUMN_MISSING.split("(")[0].format(column="absent")), done.stderr
    )
    (tmp_path / "ids.csv").write_text("id\nP1\n")
    done = run_here(*base, "--participants", tmp_path / "ids.csv")
    assert done.returncode == 2
    assert PARTICIPANTS_FILE_COLUMN.format(path=tmp_path / "ids.csv", columns="id") in done.stderr
    assert "Traceback" not in done.stderr


def test_help_has_an_example():
    done = run_here("programme", "--help")
    assert done.returncode == 0
    assert "Example:" in done.stdout and "riskmodel programme --data" in done.stdout
    assert " ".join(MODEL_HELP.split()[:6]) in " ".join(done.stdout.split())

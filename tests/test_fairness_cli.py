"""``riskmodel fairness``: the command, its contract, COMPAS, and the rendered report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.fairness import _messages as const
from tests.commands import run_cli
from tests.hostile import drawn_scores, write_frame
from tests.html_text import page_text

COMPAS = Path("/work/shared/data/compas/compas-scores-two-years.csv")

#: ProPublica, "How we analyzed the COMPAS recidivism algorithm" (2016), all 7,214 rows,
#: flagged = Medium or High (decile >= 5).
PROPUBLICA = {
    "African-American": {"fpr": 0.449, "fnr": 0.280},
    "Caucasian": {"fpr": 0.235, "fnr": 0.477},
}


def _scores_file(tmp_path: Path, suffix: str = ".csv") -> Path:
    frame = drawn_scores(
        600,
        cohort=lambda rng, n: rng.choice(["young_male", "adult_male", "mature_male", "female"], n),
        ethnicity=lambda rng, n: rng.choice(
            ["Black", "White", "Asian", None], n, p=[0.3, 0.5, 0.1, 0.1]
        ),
    )
    frame.loc[:3, "probability_2y"] = np.nan
    return write_frame(frame, tmp_path / f"scores{suffix}")


def _columns(
    score: str = "probability_2y", outcome: str = "reoffended_2y", group: str = "cohort"
) -> list[str]:
    """The column options of a fairness run (those of :func:`_scores_file` by default)."""
    return ["--score-column", score, "--outcome-column", outcome, "--group-column", group]


def _run(path: Path, out: Path, *extra: str) -> int:
    options = ["--group-column", "ethnicity", "--n-resamples", "100", "--out", str(out)]
    return main(["fairness", "--scores", str(path), *_columns(), *options, *extra])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_writes_the_contract(tmp_path, capsys, suffix):
    path = _scores_file(tmp_path, suffix)
    out = tmp_path / "out"
    code = _run(path, out, "--nij-groups", "ethnicity=Black,White", "--reference", "cohort=female")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads((out / "fairness.json").read_text())
    assert data["threshold"] == 0.5 and data["score_kind"] == "probability"
    assert set(data["by_group"]) == {"cohort", "ethnicity"}
    assert "(missing)" in data["by_group"]["ethnicity"]
    for groups in data["by_group"].values():
        for entry in groups.values():
            assert set(const.GROUP_METRICS) <= set(entry)
    assert data["rows"]["missing_score"] == 4 and data["rows"]["rows_used"] == 596
    assert data["disparities"]["cohort"]["reference"] == "female"
    assert data["nij"]["group_a"] == "Black"
    assert "rows used 596 of 600" in captured.out
    html = (out / "report.html").read_text()
    assert "4 of 600 rows were left out" in " ".join(html.split())
    assert not list(out.glob(".*.tmp"))


def test_the_table_of_differences_gives_the_figures_of_the_verdicts(tmp_path, capsys):
    """Each group's difference in reoffending rate is printed in the table of differences as
    the verdict states it: the same figures, with the same minus sign."""
    out = tmp_path / "out"
    assert _run(_scores_file(tmp_path), out) == 0, capsys.readouterr().err
    data = json.loads((out / "fairness.json").read_text())
    text = page_text((out / "report.html").read_text())

    def signed(value: float) -> str:
        return f"{100 * value:+.1f}".replace("-", "\N{MINUS SIGN}")

    checked = 0
    for column in ("cohort", "ethnicity"):
        for comparison in data["tradeoff"][column]["base_rates"]["comparisons"]:
            low, high = comparison["interval"]
            figures = f"{signed(comparison['estimate'])} points (interval {signed(low)} to"
            cell = f"{signed(comparison['estimate'])} pts ({signed(low)} to {signed(high)})"
            assert figures in text and cell in text, (column, comparison["group"], cell)
            checked += 1
    assert checked == 3 + 3  # every group but the reference, in both columns
    assert "-" not in "".join(re.findall(r"[-+\N{MINUS SIGN}][0-9.]+ pts", text))


@pytest.mark.parametrize(
    "args, message",
    [
        (_columns(score="nope"), "error: column 'nope' (score) is not in the scores file"),
        (
            [*_columns(), "--score-kind", "ordinal"],
            "error: " + const.ORDINAL_NEEDS_THRESHOLD,
        ),
        (
            [*_columns(score="cohort", group="ethnicity"), "--threshold", "1"],
            "error: score column 'cohort' must be numeric",
        ),
        (
            [*_columns(), "--reference", "cohort"],
            "error: " + const.BAD_REFERENCE_SYNTAX.format(text="cohort"),
        ),
        (
            [*_columns(), "--nij-groups", "cohort=female"],
            "error: " + const.BAD_NIJ_SYNTAX.format(text="cohort=female"),
        ),
    ],
)
def test_cli_bad_input_exit_2_with_a_clear_message(tmp_path, capsys, args, message):
    path = _scores_file(tmp_path)
    code = main(["fairness", "--scores", str(path), *args, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(message)
    assert "Traceback" not in err
    assert not (tmp_path / "o" / "fairness.json").exists()


def test_cli_unknown_column_no_traceback_in_a_real_process(tmp_path):
    path = _scores_file(tmp_path)
    columns = _columns(group="region")
    result = run_cli("fairness", "--scores", path, *columns, "--out", tmp_path / "o", timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: column 'region' (group) is not in the scores file")
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not COMPAS.exists(), reason=f"{COMPAS} is not present")
def test_compas_decile_audit_by_race_matches_hand_computation(tmp_path, capsys):
    out = tmp_path / "compas"
    columns = _columns(score="decile_score", outcome="two_year_recid", group="race")
    options = ["--threshold", "5", "--n-resamples", "200", "--out", str(out)]
    code = main(["fairness", "--scores", str(COMPAS), *columns, *options])
    assert code == 0, capsys.readouterr().err
    data = json.loads((out / "fairness.json").read_text())
    assert data["score_kind"] == "ordinal" and data["threshold"] == 5
    assert data["rows"]["rows_used"] == 7214
    raw = pd.read_csv(COMPAS, usecols=["race", "decile_score", "two_year_recid"])
    flagged = raw["decile_score"] >= 5
    reoffended = raw["two_year_recid"] == 1
    for race, entry in data["by_group"]["race"].items():
        member = raw["race"] == race
        fp = (member & flagged & ~reoffended).sum()
        tn = (member & ~flagged & ~reoffended).sum()
        fn = (member & ~flagged & reoffended).sum()
        tp = (member & flagged & reoffended).sum()
        assert entry["n"] == fp + tn + fn + tp
        assert entry["fpr"] == pytest.approx(fp / (fp + tn), abs=1e-12), race
        assert entry["fnr"] == pytest.approx(fn / (fn + tp), abs=1e-12), race
        assert entry["ppv"] == pytest.approx(tp / (tp + fp), abs=1e-12), race
        assert entry["brier"] is None and entry["observed_expected"] is None
    for race, published in PROPUBLICA.items():
        for metric, value in published.items():
            assert data["by_group"]["race"][race][metric] == pytest.approx(value, abs=0.001)
    assert data["small_groups"]["race"] == ["Asian", "Native American"]


@pytest.mark.browser
def test_report_renders_in_chromium(tmp_path, render_html, capsys):
    path = _scores_file(tmp_path)
    out = tmp_path / "out"
    assert _run(path, out, "--nij-groups", "ethnicity=Black,White") == 0
    capsys.readouterr()
    page = render_html(out / "report.html")
    assert page.console_errors == []
    assert page.page_errors == []
    assert page.broken_images == 0
    assert "How to read this report" in page.text
    assert "By ethnicity" in page.text and "NIJ fairness-penalised score" in page.text
    assert "cannot all hold together" in page.text or "not in conflict" in page.text
    html = (out / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') == 4
    assert "<script" not in html


def test_cli_proxy_columns_reach_json_and_report(tmp_path, capsys):
    path = _scores_file(tmp_path)
    frame = pd.read_csv(path)
    codes = {"young_male": 1, "adult_male": 2, "mature_male": 3, "female": 4}
    frame["area"] = frame["cohort"].map(codes)  # a perfect stand-in for cohort
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    code = _run(path, out, "--proxy-column", "area", "--proxy-column", "probability_2y")
    assert code == 0, capsys.readouterr().err
    proxies = json.loads((out / "fairness.json").read_text())["proxies"]
    cohort = [row for row in proxies if row["group_column"] == "cohort"]
    assert cohort[0]["feature"] == "area" and cohort[0]["auc"] == 1.0
    html = (out / "report.html").read_text()
    assert "Features that stand in for a group" in html
    text = page_text(html)
    for column in ("cohort", "ethnicity"):
        strongest = [row for row in proxies if row["group_column"] == column][:2]
        named = " and ".join(f"{row['feature']} (AUC {row['auc']:.2f})" for row in strongest)
        sentence = f"{column}: on their own, the features that tell its groups apart best are"
        assert f"{sentence} {named}." in text, (column, named)
    assert "apart best are area (AUC 1.00) and probability_2y (AUC" in text
    short = html[
        html.index('<table id="proxy-table">') : html.index(
            "</table>", html.index('<table id="proxy-table">')
        )
    ]
    full = html[html.index('<table id="proxy-table-all">') :]
    full = full[: full.index("</table>")]
    assert short.count("<tr>") == 1 + 2 * 2  # a header, then two features per group column
    assert full.count("<tr>") == 1 + len(proxies) == 1 + 2 * 2
    assert "<summary>Every feature against every group column (4 pairs)</summary>" in html
    code = _run(path, tmp_path / "o2", "--proxy-column", "postcode")
    assert code == 2
    assert "column 'postcode' (proxy) is not in the scores file" in capsys.readouterr().err


def test_proxy_sentences_name_the_strongest_features_whatever_their_order():
    from riskmodel.reports._fairness_report import PROXY_NAMED, PROXY_SHOWN, proxy_groups

    rng = np.random.default_rng(3)
    aucs = {f"f{i}": 0.5 + i / 40 for i in range(12)} | {"area": 0.99, "sex": 1.0}
    rows = [
        {"group_column": "sex", "feature": f, "auc": a, "nmi": 0.1}
        for f, a in rng.permutation(list(aucs.items())).tolist()
    ]
    for row in rows:
        row["auc"] = float(row["auc"])
    (group,) = proxy_groups(rows)
    strongest = sorted(aucs, key=aucs.get, reverse=True)
    named = [f for f in strongest if f != "sex"][:PROXY_NAMED]
    assert named == ["area", "f11", "f10"]
    assert group["sentence"] == (
        "sex: on their own, the features that tell its groups apart best are area (AUC 0.99),"
        " f11 (AUC 0.78) and f10 (AUC 0.75). The column is itself a feature (AUC 1.00)."
    )
    assert [row["feature"] for row in group["rows"]] == strongest[:PROXY_SHOWN]


DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "default"


def test_model_features_checked_as_proxies_of_the_data_group_columns(tmp_path, capsys):
    from riskmodel.synthetic import generate_population, write_population

    data = write_population(generate_population(1500, seed=5), tmp_path / "data")
    scored = tmp_path / "scores.csv"
    assert main(["score", "--model", str(DEFAULT_MODEL), "--data", str(data), "--out",
                 str(scored)]) == 0  # fmt: skip
    scores = pd.read_csv(scored)
    scores["outcome"] = (scores["probability_2y"] > 0.45).astype(int)  # any 0/1 column will do
    scores.to_csv(scored, index=False)
    out = tmp_path / "fairness"
    code = main(["fairness", "--scores", str(scored), *_columns(outcome="outcome"),
                 "--n-resamples", "50", "--model", str(DEFAULT_MODEL), "--data", str(data),
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    proxies = pd.DataFrame(json.loads((out / "fairness.json").read_text())["proxies"])
    auc = proxies.set_index(["group_column", "feature"])["auc"]
    # Cohorts are cut from age and sex: age at index stands in for cohort almost perfectly.
    assert auc[("cohort", "age_at_index")] > 0.8
    # Ethnicity has no causal part in the synthetic population: no feature stands in for it.
    assert auc.loc["ethnicity"].max() < 0.65
    assert "ethnicity" not in set(proxies["feature"])
    assert "Features that stand in for a group" in (out / "report.html").read_text()


@pytest.mark.parametrize("extra", [["--model", "models/default"], ["--data", "somewhere"]])
def test_model_proxies_need_model_and_data_together(tmp_path, capsys, extra):
    scores = tmp_path / "s.csv"
    pd.DataFrame({"p": [0.2, 0.8], "y": [0, 1], "g": ["a", "b"]}).to_csv(scores, index=False)
    code = main(["fairness", "--scores", str(scores), *_columns("p", "y", "g"), *extra,
                 "--out", str(tmp_path / "o")])  # fmt: skip
    assert code == 2
    assert const.MODEL_PROXIES_NEED_BOTH in capsys.readouterr().err

"""Verdicts from intervals, what the model reads, and fairness at the operating point."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._errors import ConfigError
from riskmodel.cli import main
from riskmodel.config import GROUP_IS_FEATURE
from riskmodel.fairness import _messages as const
from riskmodel.fairness import (
    bootstrap_group_metrics,
    disparities,
    fairness_summary,
    fairness_verdicts,
    group_metrics,
    interval_verdict,
    model_reads,
    operating_points,
    read_threshold,
)
from tests.commands import run_main

METRICS = ["base_rate", "selection_rate", "fpr", "fnr", "ppv", "observed_expected"]


def _verdicts(frame: pd.DataFrame, threshold: float = 0.5, **options) -> dict:
    """:func:`fairness_verdicts` of ``frame`` (columns p, y, g) with 300 resamples."""
    labels = frame["g"].rename("g")
    y, p = frame["y"].to_numpy(), frame["p"].to_numpy()
    table, _ = group_metrics(
        y_true=y, y_score=p, groups=labels, threshold=threshold, score_kind="probability"
    )
    reps = bootstrap_group_metrics(
        y_true=y, y_score=p, groups=labels, threshold=threshold, metrics=METRICS,
        n_resamples=300,
    )  # fmt: skip
    reference = options.pop("reference", "a")
    d = disparities(table, reps, metrics=METRICS, reference=reference)
    return fairness_verdicts(
        table, d, column="g", score_kind="probability", threshold=threshold, **options
    )


def _groups(n_a: int, n_b: int, *, fpr_b: float, seed: int = 0) -> pd.DataFrame:
    """Two groups with the same reoffending rate (35%), false negative rate (40%) and false
    positive rate 20% in a and ``fpr_b`` in b; flagged means p >= 0.5."""
    rng = np.random.default_rng(seed)
    parts = []
    for g, n, fpr in (("a", n_a, 0.20), ("b", n_b, fpr_b)):
        y = (rng.uniform(size=n) < 0.35).astype(int)
        flag = np.where(y == 1, rng.uniform(size=n) < 0.60, rng.uniform(size=n) < fpr)
        p = np.where(flag, rng.uniform(0.5, 0.9, n), rng.uniform(0.1, 0.5, n))
        parts.append(pd.DataFrame({"g": g, "y": y, "p": p}))
    return pd.concat(parts, ignore_index=True)


def _criterion(result: dict, metric: str) -> dict:
    return next(c for c in result["criteria"] if c["metric"] == metric)


# --- the rule --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(-1, 1, allow_nan=False),
    width=st.floats(0, 1, allow_nan=False),
    tolerance=st.floats(0.001, 0.5, allow_nan=False),
)
def test_interval_verdict_is_the_stated_rule(low, width, tolerance):
    high = low + width
    verdict = interval_verdict(low, high, center=0.0, tolerance=tolerance)
    inside = -tolerance <= low and high <= tolerance
    outside = low > tolerance or high < -tolerance
    assert verdict == (
        const.HOLDS if inside else const.DOES_NOT_HOLD if outside else const.CANNOT_TELL
    )
    # Mirrored, the verdict is the same; a wider interval never turns "cannot tell" into "holds".
    assert interval_verdict(-high, -low, center=0.0, tolerance=tolerance) == verdict
    wider = interval_verdict(low - 0.1, high + 0.1, center=0.0, tolerance=tolerance)
    assert not (verdict != const.HOLDS and wider == const.HOLDS)


def test_the_issue_interval_cannot_tell_instead_of_does_not_hold():
    # "Predictive parity does not hold ... a gap of 7.4 points" beside -33.3 to +18.6.
    assert interval_verdict(-0.333, 0.186, center=0.0, tolerance=0.05) == const.CANNOT_TELL


def test_a_true_gap_does_not_hold_and_the_sentence_gives_its_figures():
    result = _verdicts(_groups(3000, 3000, fpr_b=0.40))
    fpr = _criterion(result, "fpr")
    assert fpr["verdict"] == const.DOES_NOT_HOLD
    (comparison,) = fpr["comparisons"]
    low, high = comparison["interval"]
    assert low > 0.05 and comparison["against"] == "a" and comparison["group"] == "b"
    figures = (
        f"{100 * comparison['value']:.1f}% against {100 * comparison['reference_value']:.1f}%,"
        f" a difference of +{100 * comparison['estimate']:.1f} points (interval"
        f" +{100 * low:.1f} to +{100 * high:.1f}), entirely outside ±5 points"
    )
    assert fpr["sentence"] == (
        f"Equal false positive rates do not hold (b against a: does not hold, {figures})."
    )
    assert fpr["sentence"] in result["paragraph"]


def test_no_difference_in_large_groups_holds():
    result = _verdicts(_groups(6000, 6000, fpr_b=0.20, seed=1))
    for metric in ("fpr", "fnr"):
        c = _criterion(result, metric)
        assert c["verdict"] == const.HOLDS, c["sentence"]
        assert "within ±5 points" in c["sentence"]
    assert result["base_rates_differ"] is False
    assert "not in conflict" in result["conclusion"]


def _rates(n: int, rate_a: float, rate_b: float, seed: int) -> pd.DataFrame:
    """Groups a and b of ``n`` people each, reoffending at ``rate_a`` and ``rate_b``, with a
    score that knows nothing."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "g": np.repeat(["a", "b"], n),
            "y": np.r_[rng.uniform(size=n) < rate_a, rng.uniform(size=n) < rate_b].astype(int),
            "p": rng.uniform(0.05, 0.95, 2 * n),
        }
    )


@pytest.mark.parametrize(
    ("n", "rate_b", "verdict", "opening"),
    [
        (3000, 0.60, const.DOES_NOT_HOLD,
         "The reoffending rates differ by more than 5 percentage points for b against a (b"),
        (1500, 0.42, const.CANNOT_TELL,
         "The reoffending rates differ for b against a, but whether by more than 5 percentage"),
        (6000, 0.35, const.HOLDS,
         "Every group's reoffending rate is within 5 percentage points of the rate of a, the"),
        (120, 0.35, const.CANNOT_TELL,
         "Whether the reoffending rates differ by more than 5 percentage points cannot be told"),
    ],
)  # fmt: skip
def test_the_conclusion_on_the_rates_says_what_their_interval_shows(n, rate_b, verdict, opening):
    """A difference whose interval excludes 0 is said to exist, even when whether it passes
    the tolerance cannot be told; "cannot be told whether they differ" only when the interval
    includes 0."""
    result = _verdicts(_rates(n, 0.35, rate_b, seed=4))
    (comparison,) = result["base_rates"]["comparisons"]
    low, high = comparison["interval"]
    assert comparison["verdict"] == verdict, comparison
    apart = low > 0 or high < 0
    assert apart == opening.startswith(
        ("The reoffending rates differ for", "The reoffending rates differ by more than")
    )
    assert (
        "the interval excludes 0, which points to a real difference" in comparison["reason"]
    ) == (apart and verdict == const.CANNOT_TELL)
    assert result["conclusion"].startswith(opening), result["conclusion"]
    assert result["conclusion"] in result["paragraph"]


def test_the_conclusion_names_only_the_groups_whose_rates_are_beyond_the_tolerance():
    rng = np.random.default_rng(5)
    sizes, rates = {"a": 3000, "b": 3000, "c": 600}, {"a": 0.35, "b": 0.60, "c": 0.38}
    frame = pd.concat(
        pd.DataFrame(
            {"g": g, "y": (rng.uniform(size=n) < rates[g]).astype(int), "p": rng.uniform(size=n)}
        )
        for g, n in sizes.items()
    )
    result = _verdicts(frame)
    verdicts = {c["group"]: c["verdict"] for c in result["base_rates"]["comparisons"]}
    assert verdicts == {"b": const.DOES_NOT_HOLD, "c": const.CANNOT_TELL}
    assert result["conclusion"].startswith(
        "The reoffending rates differ by more than 5 percentage points for b against a (b"
    )
    assert "; c against a: cannot tell, " in result["conclusion"]


def test_a_group_that_holds_or_is_too_small_is_never_said_to_differ():
    """Only a comparison that cannot be told from its own interval, which excludes 0, is
    named as differing; one within the tolerance (whose interval may exclude 0 too) and one
    with too few people are not."""
    rng = np.random.default_rng(7)
    sizes, rates = (
        {"a": 8000, "b": 8000, "c": 1500, "d": 30},
        {"a": 0.35, "b": 0.38, "c": 0.42, "d": 0.9},
    )
    frame = pd.concat(
        pd.DataFrame(
            {"g": g, "y": (rng.uniform(size=n) < rates[g]).astype(int), "p": rng.uniform(size=n)}
        )
        for g, n in sizes.items()
    )
    result = _verdicts(frame)
    base = {c["group"]: c for c in result["base_rates"]["comparisons"]}
    assert base["b"]["verdict"] == const.HOLDS and base["b"]["interval"][0] > 0
    assert base["c"]["verdict"] == const.CANNOT_TELL and base["c"]["apart"]
    assert base["d"]["verdict"] == const.CANNOT_TELL and not base["d"]["apart"]
    assert base["d"]["reason"].startswith("too few to tell")
    assert result["conclusion"].startswith(
        "The reoffending rates differ for c against a, but whether by more than 5 percentage"
        " points cannot be told (b against a: holds"
    )


def test_a_bound_is_never_printed_on_a_limit_it_is_not_on():
    from riskmodel.fairness._verdicts import VerdictRule, _comparison

    def reason(metric, interval, **figures):
        entry = _comparison(
            metric=metric, group="b", reference="a", too_few=[], rule=VerdictRule(),
            interval=interval, **figures,
        )  # fmt: skip
        return entry["verdict"], entry["reason"]

    rates = {"value": 0.30, "reference_value": 0.28, "estimate": 0.02}
    verdict, text = reason("fpr", [0.0004, 0.06], **rates)
    assert (
        verdict == const.CANNOT_TELL
        and "(interval +0.04 to +6.0); the interval excludes 0" in text
    )
    verdict, text = reason("fpr", [0.0504, 0.09], **rates)
    assert verdict == const.DOES_NOT_HOLD and "(interval +5.04 to +9.0), entirely outside" in text
    verdict, text = reason("fpr", [-0.0004, 0.03], **rates)
    assert verdict == const.HOLDS and "(interval −0.04 to +3.0), within ±5 points" in text
    # floating-point noise is neither printed nor judged: 0.55 - 0.50 is on the limit
    verdict, text = reason("fpr", [0.0, 0.55 - 0.50], **rates)
    assert verdict == const.HOLDS and "(interval 0.0 to +5.0), within ±5 points" in text
    verdict, text = reason("fpr", [-0.2, 0.55 - 0.50], **rates)
    assert verdict == const.CANNOT_TELL and "(interval −20.0 to +5.0), reaching across" in text
    verdict, text = reason(
        "observed_expected", [0.85, 0.996], value=0.92, reference_value=None, estimate=0.92
    )
    assert (
        verdict == const.CANNOT_TELL
        and "(interval 0.85 to 0.996); the interval excludes 1" in text
    )


def test_small_samples_cannot_tell_and_state_the_minimums():
    result = _verdicts(_groups(60, 40, fpr_b=0.20, seed=2))
    for c in result["criteria"]:
        assert c["verdict"] in (const.CANNOT_TELL, const.UNDEFINED)
    (comparison,) = _criterion(result, "fpr")["comparisons"]
    assert comparison["reason"] == "too few to tell: b has 40 people, fewer than 50"
    assert "fewer than 50 people, fewer than 5 who reoffended" in result["paragraph"]


def test_nobody_flagged_is_undefined_never_holds():
    # "Equal false positive rates hold (from 0.0% (black) to 0.0% (black)...)" at 0.99.
    result = _verdicts(_groups(500, 500, fpr_b=0.2, seed=3), threshold=0.99)
    ppv = _criterion(result, "ppv")
    assert ppv["verdict"] == const.UNDEFINED
    assert ppv["comparisons"][0]["reason"] == "nobody in b is flagged"
    for metric in ("fpr", "fnr"):
        c = _criterion(result, metric)
        assert c["verdict"] == const.UNDEFINED
        assert c["sentence"].endswith(
            "rates are undefined (b against a: undefined, nobody in b or a is flagged at this "
            "threshold)."
        )
    assert ppv["sentence"].startswith("Predictive parity (equal PPV) is undefined (")


def test_the_reference_is_stated_and_can_be_chosen():
    frame = _groups(900, 300, fpr_b=0.2, seed=4)
    result = _verdicts(frame, reference="b")
    assert result["reference"] == "b"
    assert "with b as the reference" in result["opening"]
    assert "with a, the largest group, as the reference" in _verdicts(frame)["opening"]


def test_the_audit_and_the_summary_give_the_same_verdicts():
    frame = _groups(800, 700, fpr_b=0.35, seed=5)
    summary = fairness_summary(
        y_true=frame["y"], y_score=frame["p"], groups={"g": frame["g"]}, threshold=0.5,
        n_resamples=300,
    )  # fmt: skip
    from riskmodel.fairness import fairness_audit

    audit = fairness_audit(
        frame, score_column="p", outcome_column="y", group_columns=["g"], threshold=0.5,
        n_resamples=300,
    ).to_dict()  # fmt: skip
    mine = summary["points"][0]["verdicts"]["g"]
    theirs = audit["tradeoff"]["g"]
    assert [c["verdict"] for c in mine["criteria"]] == [c["verdict"] for c in theirs["criteria"]]
    assert _criterion(theirs, "fpr")["verdict"] == const.DOES_NOT_HOLD


# --- operating points ------------------------------------------------------------------------


def test_operating_points_are_the_base_rate_and_the_top_tenth():
    rng = np.random.default_rng(6)
    p = rng.beta(2, 5, 1000)
    y = (rng.uniform(size=1000) < p).astype(int)
    base, top = operating_points(y, p)
    assert base["threshold"] == pytest.approx(y.mean())
    assert base["flagged"] == int((p >= y.mean()).sum())
    assert top["flagged"] == 100 and top["threshold"] == np.sort(p)[-100]
    assert f"{100 * y.mean():.1f}% or more" in base["description"]
    assert top["description"].startswith("the highest-scoring 10% flagged")
    summary = fairness_summary(
        y_true=y, y_score=p, groups={"sex": rng.choice(["f", "m"], 1000)}, n_resamples=50
    )
    assert [pt["threshold"] for pt in summary["points"]] == [base["threshold"], top["threshold"]]
    assert all(pt["threshold"] != 0.5 for pt in summary["points"])


# --- the threshold of an allocation ----------------------------------------------------------


def test_read_threshold_from_a_number_or_threshold_json(tmp_path):
    assert read_threshold("0.3") == (0.3, None)
    path = tmp_path / "threshold.json"
    path.write_text(json.dumps({"policy": "capacity", "threshold": 0.831, "allocated": 134,
                                "allocated_fraction": 0.1,
                                "ties": {"n_tied": 3, "n_tied_allocated": 1}}))  # fmt: skip
    value, source = read_threshold(str(path))
    assert value == 0.831
    assert source == (
        "the threshold chosen by riskmodel threshold, read from threshold.json: policy capacity,"
        " 134 people allocated (10.0%); 3 people share the score at the last place and 1 of"
        " them got a place: this audit counts all of them as flagged"
    )
    with pytest.raises(ConfigError) as error:
        read_threshold(str(tmp_path / "nowhere.json"))
    expected = const.THRESHOLD_NOT_A_NUMBER_OR_FILE.format(text=str(tmp_path / "nowhere.json"))
    assert str(error.value) == expected
    path.write_text(json.dumps({"threshold": None}))
    with pytest.raises(ConfigError) as error:
        read_threshold(str(path))
    reason = "its 'threshold' is None, not a finite number"
    assert str(error.value) == const.THRESHOLD_FILE_UNREADABLE.format(path=path, reason=reason)


def test_fairness_cli_audits_at_the_threshold_json(tmp_path, capsys):
    frame = _groups(300, 300, fpr_b=0.3, seed=7)
    scores = tmp_path / "scores.csv"
    frame.to_csv(scores, index=False)
    code, _, err = run_main(["threshold", "--scores", scores, "--score-column", "p",
                             "--capacity", "0.2", "--n-bootstrap", "20",
                             "--out", tmp_path / "iom"], capsys)  # fmt: skip
    assert code == 0, err
    chosen = json.loads((tmp_path / "iom" / "threshold.json").read_text())
    out = tmp_path / "fairness"
    code, printed, err = run_main(["fairness", "--scores", scores, "--score-column", "p",
                                   "--outcome-column", "y", "--group-column", "g",
                                   "--threshold", tmp_path / "iom" / "threshold.json",
                                   "--n-resamples", "50", "--out", out], capsys)  # fmt: skip
    assert code == 0, err
    data = json.loads((out / "fairness.json").read_text())
    assert data["threshold"] == chosen["threshold"] != 0.5
    assert data["tradeoff"]["g"]["threshold"] == chosen["threshold"]
    assert "read from threshold.json: policy capacity" in data["settings"]["threshold_source"]
    assert "threshold: the threshold chosen by riskmodel threshold" in printed
    html = " ".join(unescape((out / "report.html").read_text()).split())
    assert data["settings"]["threshold_source"] in html
    code, _, err = run_main(["fairness", "--scores", scores, "--score-column", "p",
                             "--outcome-column", "y", "--group-column", "g",
                             "--threshold", "high", "--out", tmp_path / "o"], capsys)  # fmt: skip
    assert code == 2
    assert const.THRESHOLD_NOT_A_NUMBER_OR_FILE.format(text="high") in err


# --- what the model reads --------------------------------------------------------------------


def test_model_reads_is_generated_from_the_lists():
    assert model_reads(["age", "sex"], ["sex", "race"]).startswith(
        "Of the characteristics these data carry for fairness reports, sex is a model feature;"
        " race is not: the model is never given it"
    )
    both = model_reads(["age", "sex", "region"], ["sex", "region", "race", "ethnicity"])
    assert "sex and region are model features; race and ethnicity are not: " in both
    assert "ethnicity is not a model feature: " in model_reads(["age"], ["ethnicity"])
    assert model_reads(["sex"], ["SEX "]).endswith("reports, SEX is a model feature.")


TABLE_CONFIG = """\
[table]
id = "id"
label = "label"
numeric = ["age", "priors"]
categorical = ["sex"]
groups = ["race"]

[model]
family = "logistic"
seed = 0
"""


def _table(n: int = 400, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, n).astype(float)
    priors = rng.poisson(2, n).astype(float)
    sex = rng.choice(["female", "male"], n, p=[0.3, 0.7])
    logit = -0.5 - 0.03 * (age - 35) + 0.3 * priors + 0.4 * (sex == "male")
    return pd.DataFrame({
        "id": [f"T{i:04d}" for i in range(n)], "age": age, "priors": priors, "sex": sex,
        "race": rng.choice(["Black", "White", "Other"], n, p=[0.3, 0.6, 0.1]),
        "label": (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int),
    })  # fmt: skip


SEX_AND_RACE = "sex is a model feature; race is not"


def _text(path: Path) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", path.read_text())).split())


@pytest.mark.slow
def test_sex_feature_and_race_group_said_on_explanation_fairness_and_card(tmp_path, capsys):
    table = tmp_path / "people.csv"
    _table().to_csv(table, index=False)
    config = tmp_path / "config.toml"
    config.write_text(TABLE_CONFIG)
    model = tmp_path / "model"
    code, _, err = run_main(["train", "--table", table, "--config", config, "--out", model,
                             "--no-mlflow", "--n-resamples", "50"], capsys)  # fmt: skip
    assert code == 0, err
    card = (model / "MODEL_CARD.md").read_text()
    assert SEX_AND_RACE in card
    assert "Ethnicity is not in the model" not in card
    # The training report and the card audit at the base rate and a capacity, not at 0.5.
    assert "**at the base rate**: flagged at a predicted probability of" in card
    assert "**top 10%**: the highest-scoring 10% flagged" in card
    assert "threshold 0.5" not in card
    report = _text(model / "report.html")
    assert SEX_AND_RACE in report
    assert "at the base rate : flagged at a predicted probability of" in report
    assert "top 10% : the highest-scoring 10% flagged" in report

    code, _, err = run_main(["explain", "--model", model, "--table", table, "--ids", "T0001",
                             "--out", tmp_path / "explain"], capsys)  # fmt: skip
    assert code == 0, err
    explained = _text(tmp_path / "explain" / "report.html")
    assert SEX_AND_RACE in explained
    assert "Ethnicity is not in the model" not in explained

    scores = tmp_path / "scores.csv"
    code, _, err = run_main(["score", "--model", model, "--table", table, "--out", scores,
                             "--carry", "race,label,sex"], capsys)  # fmt: skip
    assert code == 0, err
    code, _, err = run_main(["fairness", "--scores", scores, "--score-column", "probability_2y",
                             "--outcome-column", "label", "--group-column", "sex",
                             "--group-column", "race", "--n-resamples", "50",
                             "--model", model, "--table", table,
                             "--out", tmp_path / "fairness"], capsys)  # fmt: skip
    assert code == 0, err
    audited = json.loads((tmp_path / "fairness" / "fairness.json").read_text())
    assert audited["model_reads"].startswith(
        "Of the characteristics these data carry for fairness reports, " + SEX_AND_RACE
    )
    assert SEX_AND_RACE in _text(tmp_path / "fairness" / "report.html")


def test_a_column_both_group_and_feature_is_refused_by_crossval_too(tmp_path, capsys):
    table = tmp_path / "people.csv"
    _table(60).to_csv(table, index=False)
    config = tmp_path / "config.toml"
    config.write_text(TABLE_CONFIG.replace('groups = ["race"]', 'groups = ["race", "sex"]'))
    code, _, err = run_main(["crossval", "--table", table, "--config", config, "--folds", "2",
                             "--out", tmp_path / "cv"], capsys)  # fmt: skip
    assert code == 2
    assert err.strip() == "error: " + GROUP_IS_FEATURE.format(columns="'sex'")
    assert not (tmp_path / "cv").exists()


def test_fairness_without_a_model_does_not_claim_what_it_reads(tmp_path, capsys):
    frame = _groups(200, 200, fpr_b=0.2, seed=9)
    scores = tmp_path / "s.csv"
    frame.to_csv(scores, index=False)
    assert main(["fairness", "--scores", str(scores), "--score-column", "p", "--outcome-column",
                 "y", "--group-column", "g", "--n-resamples", "20", "--out",
                 str(tmp_path / "o")]) == 0  # fmt: skip
    capsys.readouterr()
    assert json.loads((tmp_path / "o" / "fairness.json").read_text())["model_reads"] is None
    assert "does not say which features the score was computed from" in _text(
        tmp_path / "o" / "report.html"
    )

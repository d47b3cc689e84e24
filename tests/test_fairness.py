"""Fairness metrics, disparities, trade-off, proxies and displays against direct computations."""

from __future__ import annotations

import json
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._errors import ConfigError, DataError
from riskmodel.fairness import (
    ErrorRateDisplay,
    GroupCalibrationDisplay,
    fairness_audit,
    fairness_summary,
    group_metrics,
    nij_fairness_score,
    proxy_table,
    summary_markdown,
)
from riskmodel.fairness import _messages as const
from riskmodel.reports._fairness_report import write_fairness_outputs


def _auc_pairs(y: np.ndarray, s: np.ndarray) -> float:
    """AUC as the share of (reoffended, not) pairs ranked right, ties counting half."""
    pos, neg = s[y == 1], s[y == 0]
    if pos.size == 0 or neg.size == 0:
        return math.nan
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def _direct(y: np.ndarray, s: np.ndarray, t: float, kind: str) -> dict:
    """Every group metric by plain numpy boolean arithmetic."""
    flagged = s >= t
    nan = math.nan
    neg, pos = (y == 0).sum(), (y == 1).sum()
    return {
        "n": y.size,
        "base_rate": y.mean(),
        "mean_score": s.mean(),
        "selection_rate": flagged.mean(),
        "fpr": (flagged & (y == 0)).sum() / neg if neg else nan,
        "fnr": (~flagged & (y == 1)).sum() / pos if pos else nan,
        "ppv": (flagged & (y == 1)).sum() / flagged.sum() if flagged.any() else nan,
        "auc": _auc_pairs(y, s),
        "brier": ((s - y) ** 2).mean() if kind == "probability" else nan,
        "observed_expected": y.mean() / s.mean() if kind == "probability" else nan,
    }


def _awkward_frame(seed: int = 3) -> pd.DataFrame:
    """Groups of every awkward kind: no positives, a single row, missing values."""
    rng = np.random.default_rng(seed)
    n = 400
    p = rng.uniform(0.02, 0.98, n)
    y = (rng.uniform(size=n) < p).astype(int)
    group = rng.choice(["a", "b"], n).astype(object)
    group[:12] = "no_pos"
    y[:12] = 0
    group[12] = "single"
    group[13:25] = None
    group[25:30] = np.nan
    return pd.DataFrame({"p": p, "y": y, "g": group})


def _audit(frame: pd.DataFrame, score: str = "p", **options):
    """:func:`fairness_audit` of ``frame``: the ``score`` column against the outcome ``y``, by
    the group column ``g``."""
    return fairness_audit(
        frame, score_column=score, outcome_column="y", group_columns=["g"], **options
    )


def _assert_close(got, want, context: str) -> None:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        assert got is None or (isinstance(got, float) and math.isnan(got)), context
    else:
        assert got == pytest.approx(float(want), abs=1e-12), context


@pytest.mark.parametrize("kind, threshold", [("probability", 0.5), ("ordinal", 0.3)])
def test_group_metrics_match_numpy_including_awkward_groups(kind, threshold):
    frame = _awkward_frame()
    audit = _audit(frame, threshold=threshold, score_kind=kind, n_resamples=50)
    result = audit.to_dict()["by_group"]["g"]
    labels = frame["g"].where(frame["g"].notna(), "(missing)").to_numpy()
    assert set(result) == {"a", "b", "no_pos", "single", "(missing)"}
    assert result["(missing)"]["n"] == 17
    for group in result:
        mask = labels == group
        want = _direct(frame["y"].to_numpy()[mask], frame["p"].to_numpy()[mask], threshold, kind)
        for metric in const.GROUP_METRICS:
            _assert_close(result[group][metric], want[metric], f"{group} {metric}")
    assert result["no_pos"]["fnr"] is None and result["no_pos"]["auc"] is None
    assert result["single"]["n"] == 1 and result["single"]["small"]
    assert not result["a"]["small"]
    overall = _direct(frame["y"].to_numpy(), frame["p"].to_numpy(), threshold, kind)
    for metric in const.GROUP_METRICS:
        _assert_close(audit.to_dict()["overall"][metric], overall[metric], metric)


def test_ppv_undefined_when_nobody_flagged_and_json_has_no_nan(tmp_path):
    frame = pd.DataFrame(
        {
            "p": [0.1, 0.2, 0.3, 0.9, 0.8, 0.7],
            "y": [0, 1, 0, 1, 0, 1],
            "g": ["low", "low", "low", "high", "high", "high"],
        }
    )
    audit = _audit(frame, n_resamples=20)
    paths = write_fairness_outputs(audit, tmp_path)

    def refuse(constant):
        raise AssertionError(f"{constant} in fairness.json")

    data = json.loads(paths["json"].read_text(), parse_constant=refuse)
    assert data["by_group"]["g"]["low"]["ppv"] is None
    assert data["by_group"]["g"]["high"]["ppv"] == pytest.approx(2 / 3)
    assert data["threshold"] == 0.5 and data["score_kind"] == "probability"
    for entry in data["by_group"]["g"].values():
        assert set(const.GROUP_METRICS) <= set(entry)
    assert paths["html"].read_text().startswith("<!DOCTYPE html>")


def test_rows_without_score_or_outcome_are_counted_not_used():
    frame = _awkward_frame()
    frame.loc[[40, 41, 42], "p"] = np.nan
    frame["y"] = frame["y"].astype(float)
    frame.loc[[42, 43], "y"] = np.nan
    audit = _audit(frame, n_resamples=20)
    assert audit.data.counts == {
        "rows_read": 400,
        "rows_used": 396,
        "rows_excluded": 4,
        "missing_score": 3,
        "missing_outcome": 2,
        "missing_score_and_outcome": 1,
    }
    assert audit.to_dict()["overall"]["n"] == 396


def test_score_kind_is_inferred_and_ordinal_needs_a_threshold():
    frame = pd.DataFrame({"s": [1, 4, 7, 10], "y": [0, 0, 1, 1], "g": ["a", "a", "b", "b"]})
    with pytest.raises(ConfigError, match="give --threshold"):
        _audit(frame, score="s")
    assert const.ORDINAL_NEEDS_THRESHOLD.startswith("the scores are ordinal")
    audit = _audit(frame, score="s", threshold=5, n_resamples=20)
    out = audit.to_dict()
    assert out["score_kind"] == "ordinal"
    assert out["by_group"]["g"]["b"]["mean_score"] == 8.5
    assert out["by_group"]["g"]["b"]["brier"] is None
    assert out["by_group"]["g"]["b"]["observed_expected"] is None
    with pytest.raises(ConfigError, match=r"needs every score in \[0, 1\]"):
        _audit(frame, score="s", score_kind="probability")


@pytest.mark.parametrize(
    "change, error, pattern",
    [
        ({"score_column": "nope"}, DataError, "column 'nope' \\(score\\) is not in"),
        ({"group_columns": ["y"]}, ConfigError, "also the score or the outcome"),
        ({"group_columns": []}, ConfigError, "at least one group column"),
    ],
)
def test_bad_columns(change, error, pattern):
    frame = _awkward_frame()
    kwargs = {"score_column": "p", "outcome_column": "y", "group_columns": ["g"]}
    kwargs.update(change)
    with pytest.raises(error, match=pattern):
        fairness_audit(frame, **kwargs)


def test_non_numeric_scores_and_non_binary_outcomes_are_refused():
    frame = pd.DataFrame({"s": ["0.2", "high", "0.4"], "y": [0, 1, 2], "g": ["a", "a", "b"]})
    with pytest.raises(DataError, match="must be numeric; 1 value\\(s\\) are not numbers"):
        _audit(frame, score="s")
    frame["s"] = [0.2, 0.3, 0.4]
    with pytest.raises(DataError, match="must hold 0/1"):
        _audit(frame, score="s")
    frame["y"] = ["true", "False", ""]
    audit = _audit(frame, score="s", n_resamples=10)
    assert audit.data.y_true.tolist() == [1, 0]


def _two_groups(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.choice(["big", "other"], n, p=[0.6, 0.4])
    p = np.clip(rng.beta(2, 3, n) + np.where(g == "other", 0.1, 0.0), 0, 1)
    y = (rng.uniform(size=n) < p).astype(int)
    return pd.DataFrame({"p": p, "y": y, "g": g})


def test_disparities_point_values_reference_and_interval_width():
    frame = _two_groups()
    audit = _audit(frame, n_resamples=1000)
    disp = audit.to_dict()["disparities"]["g"]
    assert disp["reference"] == "big"  # the largest group by default
    by = audit.to_dict()["by_group"]["g"]
    fpr = disp["metrics"]["fpr"]["by_group"]["other"]
    assert fpr["difference"] == pytest.approx(by["other"]["fpr"] - by["big"]["fpr"])
    assert fpr["ratio"] == pytest.approx(by["other"]["fpr"] / by["big"]["fpr"])
    low, high = fpr["difference_ci"]
    assert low < fpr["difference"] < high
    # The width agrees with the normal approximation of a difference of two proportions.
    se = math.sqrt(
        sum(by[g]["fpr"] * (1 - by[g]["fpr"]) / by[g]["n_negative"] for g in ("big", "other"))
    )
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.15)
    spread = disp["metrics"]["fpr"]
    assert spread["max_min"] == pytest.approx(abs(fpr["difference"]))
    again = _audit(frame, n_resamples=1000).to_dict()["disparities"]
    assert again["g"]["metrics"]["fpr"] == disp["metrics"]["fpr"]  # seeded


def test_auc_replicates_match_direct_auc_on_the_sample_itself():
    from riskmodel.fairness._disparities import _vectorised_metrics

    rng = np.random.default_rng(5)
    s = rng.integers(1, 11, size=(3, 60)).astype(float)  # ties, as in a decile score
    y = rng.integers(0, 2, size=(3, 60))
    got = _vectorised_metrics(s, y, 5, ["auc", "fpr", "ppv"])
    for i in range(3):
        want = _direct(y[i], s[i], 5, "ordinal")
        assert got[i, 0] == pytest.approx(want["auc"])
        assert got[i, 1] == pytest.approx(want["fpr"])
        assert got[i, 2] == pytest.approx(want["ppv"])


def test_explicit_reference_and_unknown_reference():
    frame = _two_groups(500)
    audit = _audit(frame, references={"g": "other"}, n_resamples=20)
    assert audit.to_dict()["disparities"]["g"]["reference"] == "other"
    with pytest.raises(ConfigError, match="does not occur in group column 'g'"):
        _audit(frame, references={"g": "nobody"})
    with pytest.raises(ConfigError, match="not a group column"):
        _audit(frame, references={"h": "x"})


def test_small_groups_are_flagged_and_left_out_of_max_min():
    frame = _two_groups(1000)
    frame.loc[:29, "g"] = "tiny"
    audit = _audit(frame, n_resamples=20)
    out = audit.to_dict()
    assert out["small_groups"]["g"] == ["tiny"]
    assert out["by_group"]["g"]["tiny"]["small"] is True
    assert out["disparities"]["g"]["max_min_groups"] == ["big", "other"]
    for criterion in out["tradeoff"]["g"]["criteria"]:
        tiny = next(c for c in criterion["comparisons"] if c["group"] == "tiny")
        assert tiny["verdict"] in ("cannot tell", "undefined")
        if tiny["verdict"] == "cannot tell":
            assert tiny["reason"].startswith("too few to tell: tiny has 30 people, fewer than 50")


def test_nij_score_matches_direct_formula():
    frame = _two_groups(800, seed=2)
    s, y, g = frame["p"].to_numpy(), frame["y"].to_numpy(), frame["g"].to_numpy()
    out = nij_fairness_score(
        y_true=y, y_prob=s, groups=frame["g"], column="g", group_a="big", group_b="other"
    )
    fpr = {
        k: ((s >= 0.5) & (y == 0) & (g == k)).sum() / ((y == 0) & (g == k)).sum()
        for k in ("big", "other")
    }
    brier = ((s - y) ** 2).mean()
    assert out["score"] == pytest.approx((1 - brier) * (1 - abs(fpr["big"] - fpr["other"])))
    audit = _audit(frame, nij_groups=("g", "big", "other"), n_resamples=10)
    assert audit.to_dict()["nij"]["score"] == pytest.approx(out["score"])
    ordinal = frame.assign(p=frame["p"] * 10)
    with pytest.raises(ConfigError, match="needs probability scores"):
        _audit(ordinal, threshold=5, nij_groups=("g", "big", "other"))
    with pytest.raises(ConfigError, match="value 'x' does not occur"):
        _audit(frame, nij_groups=("g", "big", "x"))


def test_group_metrics_is_a_metricframe_view_with_counts():
    frame = _awkward_frame()
    labels = frame["g"].where(frame["g"].notna(), "(missing)").rename("g")
    table, overall = group_metrics(
        y_true=frame["y"].to_numpy(),
        y_score=frame["p"].to_numpy(),
        groups=labels,
        threshold=0.5,
        score_kind="probability",
    )
    assert table["n"].sum() == len(frame) == overall["n"]
    assert (table["n_positive"] + table["n_negative"] == table["n"]).all()
    assert table.loc["no_pos", "n_positive"] == 0


def test_fairness_summary_is_small_and_markdown_renders():
    frame = _awkward_frame()
    summary = fairness_summary(
        y_true=frame["y"], y_score=frame["p"], groups={"g": frame["g"]}, n_resamples=50
    )
    assert set(summary) == {
        "score_kind", "rows", "rule", "by_group", "points", "model_features", "model_reads"
    }  # fmt: skip
    assert summary["by_group"]["g"]["(missing)"]["n"] == 17
    assert [p["name"] for p in summary["points"]] == ["base_rate", "capacity"]
    json.dumps(summary, allow_nan=False)
    text = summary_markdown(summary)
    assert "| no_pos (small) |" in text
    assert text.splitlines()[0] == "Operating points:"


def test_proxy_table_finds_a_proxy_and_ignores_noise():
    rng = np.random.default_rng(0)
    n = 2000
    eth = pd.Series(rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]), dtype=object)
    area = eth.map({"a": "north", "b": "south", "c": "east"})
    flip = rng.uniform(size=n) < 0.1
    area[flip] = rng.choice(["north", "south", "east"], flip.sum())
    X = pd.DataFrame(
        {
            "noise": rng.normal(size=n),
            "area": area,
            "age": rng.integers(18, 70, n).astype(float),
        }
    )
    X.loc[:50, "age"] = np.nan
    sex = pd.Series(rng.choice(["f", "m"], n), dtype=object)
    sex[:30] = None
    table = proxy_table(X, pd.DataFrame({"ethnicity": eth, "sex": sex}))
    assert list(table.columns) == ["group_column", "feature", "group_levels", "auc", "nmi"]
    assert len(table) == 6
    eth_rows = table[table["group_column"] == "ethnicity"]
    assert eth_rows["feature"].iloc[0] == "area"
    assert eth_rows["auc"].iloc[0] > 0.85 and eth_rows["nmi"].iloc[0] > 0.5
    noise = eth_rows.set_index("feature").loc["noise"]
    assert noise["auc"] < 0.6 and noise["nmi"] < 0.02
    assert table.loc[table["group_column"] == "sex", "group_levels"].iloc[0] == 3  # missing
    for _, part in table.groupby("group_column"):
        assert part["auc"].is_monotonic_decreasing


def test_proxy_table_binary_auc_matches_sklearn_on_a_two_level_feature():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    group = pd.Series(rng.choice(["x", "y"], 500), dtype=object)
    feature = np.where(rng.uniform(size=500) < np.where(group == "y", 0.7, 0.3), "u", "v")
    table = proxy_table(pd.DataFrame({"f": feature}), pd.DataFrame({"g": group}))
    member = (group == "y").to_numpy()
    rate = pd.Series(member.astype(float)).groupby(feature).transform("mean")
    assert table["auc"].iloc[0] == pytest.approx(roc_auc_score(member, rate))


def test_displays_draw_one_line_per_group_and_dash_small_ones():
    frame = _awkward_frame()
    labels = frame["g"].where(frame["g"].notna(), "(missing)").rename("g")
    fig, ax = plt.subplots()
    display = GroupCalibrationDisplay.from_predictions(
        frame["y"], frame["p"], labels, small_groups=["single"]
    ).plot(ax=ax)
    assert display.ax_ is ax
    assert len(display.lines_) == 5
    styles = {line.get_label().split(" ")[0]: line.get_linestyle() for line in display.lines_}
    assert styles["single"] == "--" and styles["a"] == "-"
    rates = pd.DataFrame({"fpr": [0.2, np.nan], "fnr": [0.5, 0.3]}, index=["a", "b"])
    bars = ErrorRateDisplay(rates, intervals={"a": {"fpr": [0.1, 0.3]}}).plot(ax=ax)
    assert len(bars.bars_) == 2
    plt.close(fig)


def test_report_escapes_group_values():
    from riskmodel.reports._fairness_report import fairness_report_html

    frame = _two_groups(300)
    frame.loc[frame["g"] == "other", "g"] = "<script>alert(1)</script>"
    audit = _audit(frame, n_resamples=20)
    html = fairness_report_html(audit)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@settings(max_examples=150, deadline=None)
@given(
    codes=st.lists(st.integers(0, 5), min_size=2, max_size=60),
    draws=st.lists(st.booleans(), min_size=60, max_size=60),
    groups=st.lists(st.integers(0, 3), min_size=60, max_size=60),
)
def test_proxy_auc_and_nmi_are_sklearns_from_counts(codes, draws, groups):
    from sklearn.metrics import normalized_mutual_info_score, roc_auc_score

    from riskmodel.fairness._proxies import _normalised_mutual_information, _rate_auc

    levels = pd.factorize(np.asarray(codes))[0]
    member = np.asarray(draws[: len(levels)])
    group = pd.factorize(np.asarray(groups[: len(levels)]))[0]
    contingency = np.zeros((group.max() + 1, levels.max() + 1))
    np.add.at(contingency, (group, levels), 1.0)
    assert _normalised_mutual_information(contingency) == pytest.approx(
        normalized_mutual_info_score(group, levels), abs=1e-12
    )
    if member.all() or not member.any():
        assert math.isnan(_rate_auc(levels, member))
        return
    rates = pd.Series(member.astype(float)).groupby(levels).transform("mean").to_numpy()
    assert _rate_auc(levels, member) == pytest.approx(roc_auc_score(member, rates), abs=1e-12)

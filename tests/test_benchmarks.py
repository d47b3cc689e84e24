"""The accuracy benchmark's smoke run (``--quick``) and the RESULTS.md it renders into."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_accuracy() -> ModuleType:
    return _load("bench_accuracy")


@pytest.fixture(scope="module")
def report() -> ModuleType:
    return _load("_report")


def _rows(accuracy: dict) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (dataset, name, model)
        for dataset, data in accuracy["datasets"].items()
        for name, model in data["models"].items()
    ]


def _contains(interval: list[float], value: float) -> bool:
    low, high = interval
    return low - 1e-12 <= value <= high + 1e-12


def check_quick_run_has_every_model_on_each_dataset(
    accuracy: dict, bench_accuracy: ModuleType
) -> None:
    """The result names its machine and has every model on each dataset."""
    assert accuracy["benchmark"] == "accuracy" and accuracy["quick"] is True
    assert {"platform", "cpu_count", "python"} <= set(accuracy["machine"])
    datasets = accuracy["datasets"]
    expected = {"synthetic", "synthetic_1y"}
    expected |= {"compas"} if bench_accuracy.COMPAS.exists() else set()
    assert set(datasets) == expected
    synthetic = set(datasets["synthetic"]["models"])
    assert {"default", "logistic", "gbm", "base_rate", "plain_logistic", "plain_hgb"} <= synthetic
    assert {"ogrs3", "oracle"} <= synthetic
    one_year = set(datasets["synthetic_1y"]["models"])
    assert {"default", "base_rate", "plain_logistic", "plain_hgb", "ogrs3", "oracle"} == one_year
    assert datasets["synthetic_1y"]["horizon_months"] == 12
    if "compas" in datasets:
        compas = set(datasets["compas"]["models"])
        assert {"base_rate", "plain_logistic", "plain_hgb"} <= compas
        assert {"compas_decile", "age_priors_logistic"} <= compas
        assert set(bench_accuracy.QUICK_COMPAS_FAMILIES) <= compas


def check_every_model_row_is_sane(accuracy: dict) -> None:
    """AUC above chance (but the base rate's), Brier in range, intervals around estimates."""
    for dataset, name, model in _rows(accuracy):
        where = f"{dataset}/{name}"
        assert model["kind"] in {"ours", "baseline", "oracle"}, where
        if name == "base_rate":  # one probability per fold: no ranking to speak of
            assert 0 <= model["auc"] <= 1, where
        else:
            assert 0.5 < model["auc"] <= 1, where
        assert 0 < model["brier"] <= 0.3, where
        assert _contains(model["auc_ci"], model["auc"]), where
        assert _contains(model["brier_ci"], model["brier"]), where
        low, high = model["ece_ci"]  # ECE is biased upward in resamples: its interval may
        assert 0 <= low <= high and model["ece"] >= 0, where  # lie above the estimate


def check_every_model_is_scored_on_the_same_rows(accuracy: dict) -> None:
    """Every model of a dataset scored on the same people; COMPAS on crossval's folds."""
    for dataset, data in accuracy["datasets"].items():
        sizes = {model["n"] for model in data["models"].values()}
        assert sizes == {data["n"]}, dataset
    if "compas" in accuracy["datasets"]:
        compas = accuracy["datasets"]["compas"]
        assert compas["same_folds_as_crossval"] is True
        assert sum(compas["fold_sizes"]) == compas["n"]
        assert len(compas["fold_sizes"]) == compas["folds"]


def check_brier_ratios_and_checks_follow_from_the_rows(accuracy: dict) -> None:
    """Ratios, differences and the "done means" checks agree with the model rows."""
    synthetic = accuracy["datasets"]["synthetic"]["models"]
    oracle = synthetic["oracle"]["brier"]
    for name, model in synthetic.items():
        if name != "oracle":
            ratio = model["brier_vs_oracle"]
            assert ratio["ratio"] == pytest.approx(model["brier"] / oracle), name
            assert _contains(ratio["ratio_ci"], ratio["ratio"]), name
        if name != "default":
            difference = model["brier_vs_default"]["difference"]
            assert difference == pytest.approx(model["brier"] - synthetic["default"]["brier"])
    checks = accuracy["checks"]
    near = checks["default_near_oracle_synthetic"]
    assert near["ratio"] == pytest.approx(synthetic["default"]["brier"] / oracle)
    assert near["met"] == (near["ratio"] <= near["target"])
    ahead = checks["default_ahead_synthetic"]
    baselines = [m["brier"] for m in synthetic.values() if m["kind"] == "baseline"]
    assert ahead["best_baseline_brier"] == min(baselines)
    assert ahead["met"] == (synthetic["default"]["brier"] < min(baselines))


def check_results_markdown_renders_every_model_row(accuracy: dict, report: ModuleType) -> None:
    """RESULTS.md has one row per model with its three intervals, and the checks."""
    markdown = report.render_markdown({"accuracy": accuracy}, command="run_all.py --quick")
    lines = markdown.splitlines()
    assert "## Accuracy" in lines and "### Done means" in lines
    for dataset, name, model in _rows(accuracy):
        auc = report.fmt_interval(model["auc"], model["auc_ci"], 3)
        brier = report.fmt_interval(model["brier"], model["brier_ci"], 4)
        ece = report.fmt_interval(model["ece"], model["ece_ci"], 3)
        start = lines.index(f"### {report.DATASET_TITLES[dataset]}")  # its own table
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("### "))
        section = lines[start:end]
        matching = [line for line in section if model["label"] in line and auc in line]
        assert matching, f"{dataset}/{name} has no row"
        assert brier in matching[0] and ece in matching[0], f"{dataset}/{name}"
    assert markdown.count("| model | AUC | Brier | ECE |") == len(accuracy["datasets"])
    assert "Quick (smoke-test) sizes" in markdown
    for name, title in (("synthetic", "- Synthetic:"), ("synthetic_1y", "- Synthetic, one year:")):
        near = accuracy["checks"][f"default_near_oracle_{name}"]
        verdict = "**met**" if near["met"] else "**not met**"
        assert any(line.startswith(title) and verdict in line for line in lines), name
    assert "### Synthetic population, one-year horizon (12-month labels)" in lines


def check_skipped_peers_are_said_so(accuracy: dict, report: ModuleType) -> None:
    """Without the open peers, the JSON and RESULTS.md say why instead of failing."""
    reason = "not requested (--no-peers)"
    assert accuracy["peers_skipped"] == reason
    for name, data in accuracy["datasets"].items():
        assert data["peers"] == {
            "skipped": reason,
            "models": [],
            "calibration": data["peers"]["calibration"],
        }, name
        assert not [m for m in data["models"].values() if m["kind"] == "peer"], name
        check = accuracy["checks"][f"default_near_peers_{name}"]
        assert check == {"met": None, "margin": 0.0005, "why_not": f"peers skipped: {reason}"}
    markdown = report.render_markdown({"accuracy": accuracy}, command="run_all.py --quick")
    assert markdown.count(f"Open peers (EBM, LightGBM) skipped: {reason}.") == len(
        accuracy["datasets"]
    )
    assert f"open peer's: not evaluated (peers skipped: {reason})." in markdown


@pytest.mark.slow
def test_quick_accuracy_benchmark(
    bench_accuracy: ModuleType, report: ModuleType, tmp_path: Path
) -> None:
    """One run of ``bench_accuracy.py --quick`` (one test, so parallel workers do not each
    run it), checked for structure, sanity, identical rows and its RESULTS.md rows."""
    args = ["--quick", "--out", str(tmp_path), "--no-peers", "--n-people", "1000"]
    assert bench_accuracy.main(args) == 0
    accuracy = json.loads((tmp_path / "accuracy.json").read_text())
    check_skipped_peers_are_said_so(accuracy, report)
    check_quick_run_has_every_model_on_each_dataset(accuracy, bench_accuracy)
    check_every_model_row_is_sane(accuracy)
    check_every_model_is_scored_on_the_same_rows(accuracy)
    check_brier_ratios_and_checks_follow_from_the_rows(accuracy)
    check_results_markdown_renders_every_model_row(accuracy, report)


@pytest.mark.slow
def test_one_year_synthetic_benchmark(bench_accuracy: ModuleType, tmp_path: Path) -> None:
    """At 12 months: one-year labels, the one-year oracle and OGRS3's one-year scale."""
    from riskmodel.baselines import OGRS3Classifier
    from riskmodel.training._inputs import labelled_arrays, load_inputs

    populations = bench_accuracy.synthetic_populations(tmp_path, 1_500)
    result = bench_accuracy.synthetic_benchmark(
        1_500,
        families=("logistic",),
        n_resamples=20,
        peers_skipped=bench_accuracy.ONE_YEAR_PEERS_SKIPPED,
        horizon_months=12,
        populations=populations,
    )
    assert result["horizon_months"] == 12
    assert "`--horizon-months 12`" in result["design"]
    assert "`true_probability_1y`, OGRS3 on its one-year scale" in result["design"]
    test = load_inputs(table_path=None, data_dir=populations[1], config_path=None,
                       horizon_months=12)  # fmt: skip
    table, y, _ = labelled_arrays(test)
    assert result["n"] == len(y) and result["base_rate"] == pytest.approx(y.mean())
    truth = pd.read_csv(populations[1] / "truth.csv", dtype={"person_id": str})
    oracle = truth.set_index("person_id")["true_probability_1y"].reindex(table.ids)
    models = result["models"]
    assert models["oracle"]["brier"] == pytest.approx(((oracle.to_numpy() - y) ** 2).mean())
    ogrs3 = OGRS3Classifier(horizon="1y").fit(table.X).predict_proba(table.X)[:, 1]
    assert models["ogrs3"]["brier"] == pytest.approx(((ogrs3 - y) ** 2).mean())
    assert models["logistic"]["brier_vs_oracle"]["ratio"] < 1.1
    assert result["peers"]["skipped"] == bench_accuracy.ONE_YEAR_PEERS_SKIPPED


def test_plain_baselines_take_any_feature_columns(bench_accuracy: ModuleType) -> None:
    """Nullable integers, missing and unseen levels, and columns that are not features."""
    rng = np.random.default_rng(0)
    n = 400
    priors = np.where(rng.random(n) < 0.1, None, rng.poisson(2, n))
    X = pd.DataFrame(
        {
            "age": rng.integers(18, 70, n).astype(float),
            "priors": pd.array(priors, dtype="Int64"),
            "sex": pd.Series(rng.choice(["male", "female", None], n), dtype="str"),
            "extra": rng.random(n),
        }
    )
    y = (rng.random(n) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    X = bench_accuracy.numeric_as_float(X, ["age", "priors"])
    unseen = X.head(3).assign(sex=pd.Series(["unknown"] * 3, dtype="str"))
    for make in (bench_accuracy.plain_logistic, bench_accuracy.plain_hgb):
        model = make(["age", "priors"], ["sex"]).fit(X, y)
        p = model.predict_proba(unseen)[:, 1]
        assert ((p > 0) & (p < 1)).all(), make.__name__


# -- the open peers and the done-means lines of issue 21 ----------------------------------------
@pytest.fixture(scope="module")
def bench_explain() -> ModuleType:
    return _load("bench_explain")


def _model(kind: str, brier: float, default_brier: float, label: str) -> dict[str, Any]:
    """A hand-made model row: its Brier score and the paired difference from the default's."""
    row: dict[str, Any] = {"kind": kind, "brier": brier, "label": label, "n": 100}
    if kind != "ours":
        gap = brier - default_brier
        row["brier_vs_default"] = {"difference": gap, "difference_ci": [gap - 0.001, gap + 0.001]}
    return row


def _hand_made_accuracy(compas_default: float, synthetic_default: float) -> dict[str, Any]:
    """Two datasets with the default, plain logistic regression and two open peers."""
    datasets = {}
    for name, default, ebm, lightgbm, plain in (
        ("compas", compas_default, 0.2020, 0.2034, 0.2084),
        ("synthetic", synthetic_default, 0.1641, 0.1650, 0.1660),
    ):
        datasets[name] = {
            "n": 100,
            "peers": {"skipped": None, "models": ["ebm", "lightgbm"], "calibration": "sigmoid"},
            "models": {
                "default": _model("ours", default, default, "riskmodel default"),
                "ebm": _model("peer", ebm, default, "EBM"),
                "lightgbm": _model("peer", lightgbm, default, "LightGBM"),
                "plain_logistic": _model("baseline", plain, default, "plain logistic"),
            },
        }
    return {"datasets": datasets}


def test_done_means_lines_when_met(bench_accuracy: ModuleType, report: ModuleType) -> None:
    """Peers within 0.0005, the Brier ceilings and plain logistic: figures and verdicts."""
    accuracy = _hand_made_accuracy(compas_default=0.2024, synthetic_default=0.1645)
    checks = bench_accuracy.done_means(accuracy["datasets"])
    accuracy["checks"] = checks
    compas = checks["default_near_peers_compas"]
    assert compas["met"] is True and compas["best_peer"] == "ebm"
    assert compas["gap"] == pytest.approx(0.0004)
    assert compas["gap_ci"] == pytest.approx([-0.0006, 0.0014])
    synthetic_ceiling = checks["default_brier_ceiling_synthetic"]
    assert synthetic_ceiling["ceiling"] == pytest.approx(0.1643 * 1.003)
    assert synthetic_ceiling["met"] is True
    assert checks["default_brier_ceiling_compas"]["met"] is True
    assert checks["default_vs_plain_logistic"]["met"] is True
    lines = report.check_lines(accuracy)
    assert (
        "- COMPAS: the default's Brier score within 0.0005 of the best open peer's (of those "
        "run; not run: `ebm_no_interactions`): **met**. "
        "Default 0.2024, best peer (EBM) 0.2020; default minus peer 0.0004 (−0.0006 to 0.0014)."
    ) in lines
    assert (
        "- Synthetic population: the default's Brier score within 0.0005 of the best open "
        "peer's (of those run; not run: `ebm_no_interactions`): **met**. Default 0.1645, best "
        "peer (EBM) 0.1641; default minus peer 0.0004 "
        "(−0.0006 to 0.0014)."
    ) in lines
    assert (
        "- Synthetic population: the default's Brier score at most 0.3% above 0.1643 "
        "(≤ 0.16479): **met**. Default 0.1645."
    ) in lines
    assert "- COMPAS: the default's Brier score at most 0.2030: **met**. Default 0.2024." in lines
    assert (
        "- Every dataset: the default's Brier score at most plain logistic regression's: "
        "**met**. COMPAS: default 0.2024, plain logistic 0.2084, difference 0.0060 "
        "(0.0050–0.0070); Synthetic population: default 0.1645, plain logistic 0.1660, difference "
        "0.0015 (0.0005–0.0025)."
    ) in lines


def test_done_means_lines_when_not_met(bench_accuracy: ModuleType, report: ModuleType) -> None:
    """A default behind the best peer by more than 0.0005, above its ceilings and behind plain
    logistic regression on one dataset reads "not met" on each line."""
    accuracy = _hand_made_accuracy(compas_default=0.2090, synthetic_default=0.1649)
    checks = bench_accuracy.done_means(accuracy["datasets"])
    accuracy["checks"] = checks
    assert checks["default_near_peers_compas"]["met"] is False
    assert checks["default_near_peers_synthetic"]["met"] is False  # 0.0008 behind
    assert checks["default_brier_ceiling_compas"]["met"] is False
    assert checks["default_brier_ceiling_synthetic"]["met"] is False  # 0.1649 > 0.16479
    assert checks["default_vs_plain_logistic"]["met"] is False
    lines = report.check_lines(accuracy)
    assert (
        "- COMPAS: the default's Brier score within 0.0005 of the best open peer's (of those "
        "run; not run: `ebm_no_interactions`): "
        "**not met**. Default 0.2090, best peer (EBM) 0.2020; default minus peer 0.0070 "
        "(0.0060–0.0080)."
    ) in lines
    assert "- COMPAS: the default's Brier score at most 0.2030: **not met**. Default 0.2090." in (
        lines
    )
    assert any(line.startswith("- Every dataset:") and "**not met**" in line for line in lines)


def test_peers_unavailable_names_the_missing_extra(
    bench_accuracy: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without lightgbm, the reason names the bench extra (and the benchmark skips peers)."""
    monkeypatch.setitem(__import__("sys").modules, "lightgbm", None)
    reason = bench_accuracy.peers_unavailable()
    assert reason is not None
    assert reason.startswith("the bench extra is not installed (")
    assert reason.endswith("pip install -e '.[bench]'")


def test_calibrated_peer_tunes_on_training_rows_then_calibrates(
    bench_accuracy: ModuleType,
) -> None:
    """The grid point with the best inner-CV log loss is refitted under sigmoid calibration
    on shuffled stratified folds (a plain logistic regression stands in for a peer)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (rng.random(300) < 1 / (1 + np.exp(-2 * X["a"]))).astype(int)
    peer = bench_accuracy.CalibratedPeer(LogisticRegression(), grid={"C": [1e-4, 1.0]}, seed=3)
    peer.fit(X, y)
    assert peer.params_ == {"C": 1.0}
    assert 0 < peer.inner_log_loss_ < np.log(2)
    assert bench_accuracy.chosen_params(peer) == {"C": 1.0}
    calibrated = peer.calibrated_
    assert calibrated.method == "sigmoid" and calibrated.cv.shuffle
    assert calibrated.cv.n_splits == 5 and calibrated.cv.random_state == 3
    assert calibrated.estimator.C == 1.0
    p = peer.predict_proba(X)[:, 1]
    assert ((p > 0) & (p < 1)).all()
    assert set(peer.predict(X)) <= {0, 1}


@pytest.mark.slow
def test_open_peers_fit_any_feature_columns(bench_accuracy: ModuleType) -> None:
    """EBM (with and without interactions) and tuned LightGBM, with the bench extra: missing
    values, unseen levels and columns that are not features."""
    pytest.importorskip("lightgbm", reason="the bench extra is not installed")
    pytest.importorskip("interpret", reason="the bench extra is not installed")
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame(
        {
            "age": rng.integers(18, 70, n).astype(float),
            "priors": np.where(rng.random(n) < 0.1, np.nan, rng.poisson(2, n)),
            "sex": pd.Series(rng.choice(["male", "female", None], n), dtype="str"),
            "extra": rng.random(n),
        }
    )
    y = (rng.random(n) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    unseen = X.head(3).assign(sex=pd.Series(["unknown"] * 3, dtype="str"))
    makers = bench_accuracy.peer_makers(["age", "priors"], ["sex"], 0)
    assert list(makers) == list(bench_accuracy.PEERS)
    ebm = makers["ebm"]().estimator.steps[-1][1]
    assert (ebm.n_jobs, ebm.interactions) == (1, type(ebm)().interactions)  # default settings
    assert makers["ebm_no_interactions"]().estimator.steps[-1][1].interactions == 0
    for name in ("ebm_no_interactions", "lightgbm"):  # the EBM with interactions is slower
        model = makers[name]().fit(X, y)
        p = model.predict_proba(unseen)[:, 1]
        assert ((p > 0) & (p < 1)).all(), name
    assert set(bench_accuracy.chosen_params(model)) == set(bench_accuracy.LIGHTGBM_GRID)
    assert model.calibrated_.estimator.steps[-1][1].n_jobs == 1


def test_need_figure_counts_told_and_negative_need_areas(bench_explain: ModuleType) -> None:
    """The benchmark's figure is the package's count of need-area concepts: "told it lowers"
    below the reason threshold, "negative" below 0; only latest scores of 2 count."""
    from types import SimpleNamespace

    from riskmodel.explain import NEGLIGIBLE

    X = pd.DataFrame(
        {
            "need_drugs": [2.0, 2.0, 2.0, 1.0],
            "need_alcohol": [2.0, 0.0, 2.0, 2.0],
        }
    )
    small = -NEGLIGIBLE / 2
    concepts = pd.DataFrame(
        {
            "need_area_drugs": [-0.3, small, 0.2, -1.0],
            "need_area_alcohol": [0.1, -1.0, small, -0.2],
        }
    )
    figure = bench_explain.need_contradictions(
        SimpleNamespace(X=X, concept_contributions=concepts)
    )
    assert figure["people"] == 4
    assert figure["by_area"]["drugs"] == {"significant": 3, "told_it_lowers": 1, "negative": 2}
    assert figure["by_area"]["alcohol"] == {"significant": 3, "told_it_lowers": 1, "negative": 2}
    assert figure["people_with_significant_need"] == 4
    assert figure["people_told_it_lowers"] == 2  # persons 0 (drugs) and 3 (alcohol)
    assert figure["people_negative"] == 4
    assert (figure["significant_needs"], figure["needs_told_it_lowers"]) == (6, 2)
    assert figure["needs_negative"] == 4


def test_explanations_section_says_the_need_figure(report: ModuleType) -> None:
    """RESULTS.md's explanation lines come from explain.json's figure."""
    figure = {
        "people": 50_000,
        "population": "riskmodel synth --n-people 50000 --seed 2",
        "bundle": "models/default",
        "family": "ensemble",
        "people_with_significant_need": 20_000,
        "people_told_it_lowers": 7_000,
        "significant_needs": 50_000,
        "needs_told_it_lowers": 9_000,
        "meets_target": False,
        "by_area": {
            "drugs": {"significant": 3_000, "told_it_lowers": 1_000},
            "alcohol": {"significant": 0, "told_it_lowers": 0},
        },
    }
    lines = report.explanations_section({"need_contradictions": figure})
    assert lines[0] == "## Explanations"
    assert (
        "- Nobody told that a need area scored 2 in their latest assessment lowers their "
        "risk: **not met**. 7,000 of 20,000 people with such a need (9,000 of 50,000 needs), "
        "among 50,000 people (`riskmodel synth --n-people 50000 --seed 2`) explained by "
        "`models/default` (ensemble)."
    ) in lines
    assert "- By need area (told it lowers of scored 2): drugs 1,000 of 3,000." in lines
    assert report.explanations_section({"families": {}}) == []


def test_train_command_oracle_check_and_its_line(
    bench_accuracy: ModuleType, report: ModuleType
) -> None:
    """The check on the model `riskmodel train` ships reads its own row, and RESULTS.md says
    whose ratio it is."""
    rows = {
        "default": {"brier_vs_oracle": {"ratio": 1.004, "ratio_ci": [1.001, 1.008]}},
        bench_accuracy.TRAIN_COMMAND: {
            "brier_vs_oracle": {"ratio": 1.0123, "ratio_ci": [1.009, 1.016]}
        },
    }
    check = bench_accuracy.oracle_check({"models": rows}, bench_accuracy.TRAIN_COMMAND)
    assert check == {"met": False, "ratio": 1.0123, "ratio_ci": [1.009, 1.016], "target": 1.01}
    assert bench_accuracy.oracle_check({"models": rows})["met"] is True
    line = report.oracle_line(
        check, whose="the shipped `riskmodel train` model's (refitted on every row)"
    )
    assert line.startswith(
        "- Synthetic: the shipped `riskmodel train` model's (refitted on every row) Brier score "
        "within 1% of the oracle's (ratio ≤ 1.01): **not met**. Ratio 1.0123"
    )


def test_crossval_table_is_shaped_like_a_release_table_with_a_signal() -> None:
    bench_crossval = _load("bench_crossval")
    table = bench_crossval.generate_table(4000)
    assert len(bench_crossval.CATEGORICAL) == 9
    assert all(pd.api.types.is_string_dtype(table[c]) for c in bench_crossval.CATEGORICAL)
    pd.testing.assert_frame_equal(table, bench_crossval.generate_table(4000))  # seeded
    rate = table.groupby("age_at_release")["returned"].mean()
    assert rate["Under 25"] - rate["55 and Older"] > 0.15  # the risk falls with age
    release = table.groupby("release_type")["returned"].mean()
    assert release["Parole"] > release["Discharged - End of Sentence"]


def test_speed_rows_say_which_bundle_and_the_crossval(report: ModuleType) -> None:
    bundle = {"model_id": "ensemble-x", "family": "default", "family_fitted": "ensemble"}
    assert report._bundle_words(bundle) == (
        " with the default bundle (`ensemble-x`, family default, fitted as ensemble)"
    )
    assert report._bundle_words(None) == ""
    crossval = {
        "family": "default", "rows": 26000, "categorical": ["c"] * 9, "folds": 5, "threads": 1,
        "default_fold_loop_seconds": 40.0, "fold_loop_ratio": 8.0, "command_seconds": 60.0,
        "baseline_seconds": 5.0, "ratio": 12.0, "peak_rss_gib": 0.5, "target_ratio": 30.0,
        "meets_target": True,
    }  # fmt: skip
    row = report.speed_crossval(crossval)
    assert row[0].startswith("`riskmodel crossval` of the default family: 26,000-row")
    assert "9 categorical columns" in row[0] and "fold loop 40.0 s, 8×" in row[0]
    assert row[1:4] == ["60.0 s", "plain HistGradientBoosting, same folds: 5.0 s", "12×"]
    assert row[5:] == ["ratio ≤ 30", "yes"]
    scoring = {
        "people": 1000, "workers": 2,
        "families": {"default": {"bundle": bundle, "score_seconds": 9.0,
                                 "ratio_to_read_parquet": 4.5, "peak_rss_gib": 1.0}},
        "profile": {"chunk_people": 100, "chunk_offence_rows": 900, "score_chunk_seconds": 2.0,
                    "stage_seconds": {"validation": 0.25, "gbm: boosting": 1.5}},
        "startup": {"import_riskmodel_cli_seconds": 0.1, "score_help_seconds": 0.5},
    }  # fmt: skip
    text = "\n".join(report.scoring_details(scoring))
    assert "| default | ensemble | 9.0 s | 4.5× | 1.00 GiB |" in text
    assert "| gbm: boosting | 1.500 |" in text and "the whole chunk scored: 2.0 s" in text
    assert "`riskmodel score --help` 0.5 s" in text


@pytest.mark.parametrize("ran", [("ebm", "ebm_no_interactions", "lightgbm"), ("lightgbm",)])
def test_the_peer_check_names_the_peers_that_did_not_run(bench_accuracy, report, ran):
    versus = {"difference": 0.0001, "difference_ci": [-0.0002, 0.0004]}
    models = {"default": {"kind": "ours", "brier": 0.2020}}
    for i, name in enumerate(ran):
        models[name] = {"kind": "peer", "brier": 0.2025 + i / 1000, "brier_vs_default": versus}
    check = bench_accuracy.peer_check({"models": models})
    missing = [p for p in bench_accuracy.PEERS if p not in ran]
    assert check["peers_run"] == sorted(ran) and check["peers_not_run"] == missing
    line = report.peer_line("compas", check, {"ebm": "EBM"})
    assert ("of those run; not run: EBM, `ebm_no_interactions`" in line) == bool(missing)
    assert line.endswith(".") and "**met**" in line

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
    expected = {"synthetic"} | ({"compas"} if bench_accuracy.COMPAS.exists() else set())
    assert set(datasets) == expected
    synthetic = set(datasets["synthetic"]["models"])
    assert {"default", "logistic", "gbm", "base_rate", "plain_logistic", "plain_hgb"} <= synthetic
    assert {"ogrs3", "oracle"} <= synthetic
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
        matching = [line for line in lines if model["label"] in line and auc in line]
        assert matching, f"{dataset}/{name} has no row"
        assert brier in matching[0] and ece in matching[0], f"{dataset}/{name}"
    assert markdown.count("| model | AUC | Brier | ECE |") == len(accuracy["datasets"])
    assert "Quick (smoke-test) sizes" in markdown
    near = accuracy["checks"]["default_near_oracle_synthetic"]
    verdict = "**met**" if near["met"] else "**not met**"
    assert any("oracle's" in line and verdict in line for line in lines)


@pytest.mark.slow
def test_quick_accuracy_benchmark(
    bench_accuracy: ModuleType, report: ModuleType, tmp_path: Path
) -> None:
    """One run of ``bench_accuracy.py --quick`` (one test, so parallel workers do not each
    run it), checked for structure, sanity, identical rows and its RESULTS.md rows."""
    assert bench_accuracy.main(["--quick", "--out", str(tmp_path)]) == 0
    accuracy = json.loads((tmp_path / "accuracy.json").read_text())
    check_quick_run_has_every_model_on_each_dataset(accuracy, bench_accuracy)
    check_every_model_row_is_sane(accuracy)
    check_every_model_is_scored_on_the_same_rows(accuracy)
    check_brier_ratios_and_checks_follow_from_the_rows(accuracy)
    check_results_markdown_renders_every_model_row(accuracy, report)


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

"""Benchmark: accuracy of our models against the alternatives, every one on identical rows.

Two datasets, every model scored on exactly the same people:

1. COMPAS (ProPublica's two-year file with ``training/compas.toml``'s filters): pooled
   out-of-fold predictions on the stratified folds of ``riskmodel crossval --folds 5 --seed 0``.
   Our models (the default and each family) are cross-validated by the very function behind
   ``riskmodel crossval`` (which also gives the base-rate baseline); the other baselines are
   fitted on the same training folds, and the folds are checked to be the same.
2. Synthetic population: trained on ``riskmodel synth --n-people N --seed 1``, evaluated on
   ``--seed 2`` (labelled people only), with the oracle (``truth.csv``'s
   ``true_probability_2y``) as an extra row and each model's Brier score over the oracle's.

Models: our ``default`` and each other family of ``riskmodel.models.FAMILIES`` (``logistic``,
``gbm``, ...); the base rate (training mean); OGRS3 where the data allow; a plain logistic
regression and a plain ``HistGradientBoostingClassifier`` as an analyst would write them by
hand; on COMPAS, the COMPAS decile score (a one-feature logistic regression on the decile,
fitted in each training fold) and a logistic regression on age and ``priors_count``.

Metrics: AUC, Brier score and ECE with 95% percentile bootstrap intervals
(``riskmodel.evaluation.evaluate_predictions``), and for every model its Brier score minus the
default's and over the oracle's, with paired bootstrap intervals (the same resampled people
for both). Writes ``results/accuracy.json``.

Usage::

    python benchmarks/bench_accuracy.py [--quick] [--out DIR] [--n-resamples N]

Targets ("done means"): the default's Brier score below every baseline's on both datasets,
and within 1% of the oracle's on the synthetic population.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_gib, write_result

ROOT = Path(__file__).resolve().parents[1]
COMPAS = ROOT.parent / "shared" / "data" / "compas" / "compas-scores-two-years.csv"
COMPAS_CONFIG = ROOT / "training" / "compas.toml"

#: Families small enough for a smoke run on COMPAS.
QUICK_COMPAS_FAMILIES: tuple[str, ...] = ("logistic",)
#: The default's Brier score may be at most this multiple of the oracle's (synthetic data).
TARGET_BRIER_OVER_ORACLE = 1.01
#: The COMPAS column the decile-score baseline reads (never a model feature).
DECILE_COLUMN = "decile_score"
#: The two columns of the published two-feature logistic regression on COMPAS.
AGE_PRIORS = ("age", "priors_count")

OURS, BASELINE, ORACLE = "ours", "baseline", "oracle"

LABELS: dict[str, str] = {
    "default": "riskmodel default",
    "base_rate": "base rate (training mean)",
    "ogrs3": "OGRS3 (published weights)",
    "plain_logistic": "plain logistic regression",
    "plain_hgb": "plain HistGradientBoosting",
    "compas_decile": "COMPAS decile score",
    "age_priors_logistic": "logistic on age and priors_count",
    "oracle": "oracle (the truth)",
}
DESCRIPTIONS: dict[str, str] = {
    "default": "RiskModel(family='default'), the recommended default: the candidate chosen by "
    "inner cross-validation on the training rows, calibrated as configured",
    "base_rate": "everyone gets the training rows' reoffending rate",
    "ogrs3": "the published OGRS3 two-year scale, not refitted",
    "plain_logistic": "median impute + StandardScaler on numeric columns, OneHotEncoder"
    "(handle_unknown='ignore') on categorical ones, LogisticRegression with default C; "
    "no splines, no calibration",
    "plain_hgb": "HistGradientBoostingClassifier with default parameters (early stopping as "
    "default) and native categorical splits on ordinal codes (at most 255 levels); "
    "no calibration",
    "compas_decile": "one-feature logistic regression on COMPAS's decile_score, fitted on each "
    "training fold",
    "age_priors_logistic": "logistic regression on age and priors_count (standardised), "
    "fitted on each training fold",
    "oracle": "true_probability_2y from the generator's truth.csv",
}


def model_families() -> tuple[str, ...]:
    """Every family ``RiskModel`` accepts, the default first.

    Examples
    --------
    >>> model_families()[0]
    'default'
    """
    from riskmodel.models import FAMILIES

    return ("default", *(family for family in FAMILIES if family != "default"))


def label(name: str) -> str:
    """How a model is named in RESULTS.md (any family without a label is ``riskmodel NAME``)."""
    return LABELS.get(name, f"riskmodel {name} family")


def description(name: str) -> str:
    """What a model is, for RESULTS.md's list of models."""
    return DESCRIPTIONS.get(name, f"RiskModel(family={name!r}), calibrated as configured")


# -- hand-written baselines -------------------------------------------------------------------
def plain_logistic(numeric: list[str], categorical: list[str]) -> Pipeline:
    """A logistic regression as a careful analyst writes it by hand.

    Parameters
    ----------
    numeric, categorical : list of str
        Feature columns; any other column of ``X`` is dropped.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Median imputation and standardisation of numeric columns, one-hot encoding of
        categorical ones (missing as its own level, unseen levels ignored), and
        ``LogisticRegression`` with its default ``C``.
    """
    numeric_steps = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical_steps = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    columns = ColumnTransformer(
        [("numeric", numeric_steps, numeric), ("categorical", categorical_steps, categorical)]
    )
    return make_pipeline(columns, LogisticRegression(max_iter=5000))


def plain_hgb(numeric: list[str], categorical: list[str], seed: int = 0) -> Pipeline:
    """A ``HistGradientBoostingClassifier`` as a careful analyst writes it by hand.

    Categorical columns become ordinal codes (missing and unseen levels as missing; beyond
    255 levels the rarest are grouped, the native-categorical limit) split natively;
    numeric columns pass through. Default parameters, early stopping as default.

    Parameters
    ----------
    numeric, categorical : list of str
        Feature columns; any other column of ``X`` is dropped.
    seed : int
        ``random_state`` (early stopping's validation split).

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    codes = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        max_categories=255,
    )
    columns = ColumnTransformer(
        [("categorical", codes, categorical), ("numeric", "passthrough", numeric)]
    )
    model = HistGradientBoostingClassifier(
        categorical_features=list(range(len(categorical))), random_state=seed
    )
    return make_pipeline(columns, model)


def column_logistic(columns: Iterable[str]) -> Pipeline:
    """A logistic regression on a few numeric columns (standardised), e.g. COMPAS's decile.

    Examples
    --------
    >>> column_logistic(["age", "priors_count"]).steps[-1][0]
    'logisticregression'
    """
    selected = ColumnTransformer([("scaled", StandardScaler(), list(columns))])
    return make_pipeline(selected, LogisticRegression())


def numeric_as_float(X: pd.DataFrame, numeric: Iterable[str]) -> pd.DataFrame:
    """``X`` with its numeric feature columns as float64 (missing as NaN), as ``RiskModel``
    sees them, so the hand-written baselines take any numeric or boolean feature column.

    Examples
    --------
    >>> X = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "s": ["a", "b"]})
    >>> numeric_as_float(X, ["n"]).dtypes["n"]
    dtype('float64')
    """
    return X.astype(dict.fromkeys(numeric, "float64"))


# -- fitting and scoring ------------------------------------------------------------------------
def fold_splits(y: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The stratified, shuffled folds of ``riskmodel crossval --folds F --seed S``."""
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def out_of_fold(
    make: Callable[[], Any], X: pd.DataFrame, y: np.ndarray, splits: list
) -> tuple[np.ndarray, float]:
    """Pooled out-of-fold probabilities of a fresh ``make()`` per fold, and the seconds taken."""
    p = np.empty(len(y))
    start = time.perf_counter()
    for train, test in splits:
        model = make().fit(X.iloc[train], y[train])
        p[test] = model.predict_proba(X.iloc[test])[:, 1]
    return p, time.perf_counter() - start


def _clock(record: dict[str, float]) -> Callable[[Iterable[Any], str, int], Iterator[Any]]:
    """A ``wrap`` for :func:`cross_validate` that times its fold loop into ``record``."""

    def wrap(items: Iterable[Any], _label: str, _total: int) -> Iterator[Any]:
        start = time.perf_counter()
        yield from items
        record["seconds"] = time.perf_counter() - start

    return wrap


def crossval_family(inputs: Any, family: str, folds: int, seed: int, n_resamples: int) -> dict:
    """``riskmodel crossval`` of one family: its and the base rate's out-of-fold predictions."""
    from riskmodel.training._crossval import cross_validate

    spec = dataclasses.replace(inputs.config.model, family=family)
    configured = dataclasses.replace(inputs, config=dataclasses.replace(inputs.config, model=spec))
    clock: dict[str, float] = {}
    result = cross_validate(
        configured, folds=folds, seed=seed, n_resamples=n_resamples, wrap=_clock(clock)
    )
    return {
        "p": result.oof[f"p_{family}"].to_numpy(),
        "p_base_rate": result.oof["p_base_rate"].to_numpy(),
        "fold": result.oof["fold"].to_numpy(),
        "families_fitted": list(result.fitted_families),
        "seconds": clock["seconds"],
    }


def _finite(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None, recursively."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def score_row(
    name: str, kind: str, y: np.ndarray, p: np.ndarray, *, n_resamples: int, seed: int
) -> dict[str, Any]:
    """Every metric of :func:`riskmodel.evaluation.evaluate_predictions` for one model."""
    from riskmodel.evaluation import evaluate_predictions

    metrics = evaluate_predictions(y_true=y, y_prob=p, n_resamples=n_resamples, seed=seed)
    return {"label": label(name), "kind": kind, "description": description(name), **metrics}


def paired_brier(
    y: np.ndarray, p: np.ndarray, reference: np.ndarray, *, n_resamples: int, seed: int
) -> dict[str, Any]:
    """Brier score of ``p`` minus and over that of ``reference``, with paired bootstrap
    intervals (both scored on the same resamples)."""
    from riskmodel._bootstrap import bootstrap_ci

    def statistics(yy: np.ndarray, pp: np.ndarray, rr: np.ndarray) -> np.ndarray:
        a, b = ((pp - yy) ** 2).mean(axis=1), ((rr - yy) ** 2).mean(axis=1)
        return np.column_stack([a - b, a / b])

    a, b = float(((p - y) ** 2).mean()), float(((reference - y) ** 2).mean())
    ci = bootstrap_ci(statistics, y, p, reference, n_resamples=n_resamples, seed=seed)
    return {
        "difference": a - b,
        "difference_ci": ci[0].tolist(),
        "ratio": a / b,
        "ratio_ci": ci[1].tolist(),
    }


def score_models(
    y: np.ndarray,
    predictions: dict[str, tuple[str, np.ndarray]],
    *,
    n_resamples: int,
    seed: int,
) -> dict[str, dict[str, Any]]:
    """Score every model on the same rows; add each one's Brier score against the default's
    (and the oracle's, when there is one)."""
    rows = {
        name: score_row(name, kind, y, p, n_resamples=n_resamples, seed=seed)
        for name, (kind, p) in predictions.items()
    }
    for reference, key in (("default", "brier_vs_default"), ("oracle", "brier_vs_oracle")):
        if reference not in predictions:
            continue
        for name, (_kind, p) in predictions.items():
            if name != reference:
                rows[name][key] = paired_brier(
                    y, p, predictions[reference][1], n_resamples=n_resamples, seed=seed
                )
    return rows


def add_fit_details(
    models: dict[str, dict[str, Any]], seconds: dict[str, float], fitted: dict[str, Any], key: str
) -> None:
    """Add to each model's row its fitting time and, for ours, what it fitted (under ``key``)."""
    for name, row in models.items():
        row["fit_seconds"] = seconds.get(name)
        if name in fitted:
            row[key] = fitted[name]


# -- COMPAS -----------------------------------------------------------------------------------
def compas_decile(table_path: Path, inputs: Any) -> pd.Series:
    """COMPAS's decile score of every person of ``inputs`` (same filter, same row order)."""
    from riskmodel.flat_table import load_flat_table

    spec = dataclasses.replace(inputs.config.table, numeric=(DECILE_COLUMN,), categorical=())
    deciles = load_flat_table(table_path, spec)
    if not deciles.ids.equals(inputs.table.ids):
        raise RuntimeError("the decile score's rows differ from the feature table's")
    return deciles.X[DECILE_COLUMN]


def compas_benchmark(
    table_path: Path, *, folds: int, seed: int, families: Iterable[str], n_resamples: int
) -> dict[str, Any]:
    """Every model out of fold on COMPAS, on the folds of ``riskmodel crossval``."""
    from riskmodel.training._inputs import feature_lists, labelled_arrays, load_inputs

    inputs = load_inputs(table_path=table_path, data_dir=None, config_path=COMPAS_CONFIG)
    table, y, _ = labelled_arrays(inputs)
    numeric, categorical = feature_lists(inputs)
    splits = fold_splits(y, folds, seed)
    fold_of = np.empty(len(y), dtype=int)
    for k, (_train, test) in enumerate(splits):
        fold_of[test] = k
    predictions: dict[str, tuple[str, np.ndarray]] = {}
    seconds: dict[str, float] = {}
    fitted: dict[str, list[str]] = {}
    same_folds = True
    for family in families:
        run = crossval_family(inputs, family, folds, seed, n_resamples)
        same_folds &= bool(np.array_equal(run["fold"], fold_of))
        predictions[family] = (OURS, run["p"])
        predictions["base_rate"] = (BASELINE, run["p_base_rate"])
        seconds[family], fitted[family] = run["seconds"], run["families_fitted"]
        print(f"COMPAS {family}: {run['seconds']:.1f} s", file=sys.stderr, flush=True)
    X = numeric_as_float(table.X, numeric)
    X[DECILE_COLUMN] = compas_decile(table_path, inputs).to_numpy()
    baselines: dict[str, Callable[[], Any]] = {
        "plain_logistic": lambda: plain_logistic(numeric, categorical),
        "plain_hgb": lambda: plain_hgb(numeric, categorical, seed),
        "compas_decile": lambda: column_logistic([DECILE_COLUMN]),
        "age_priors_logistic": lambda: column_logistic(AGE_PRIORS),
    }
    for name, make in baselines.items():
        p, seconds[name] = out_of_fold(make, X, y, splits)
        predictions[name] = (BASELINE, p)
    models = score_models(y, predictions, n_resamples=n_resamples, seed=seed)
    add_fit_details(models, seconds, fitted, "families_fitted")
    return {
        "source": str(table_path),
        "config": str(COMPAS_CONFIG.relative_to(ROOT)),
        "design": f"pooled out-of-fold predictions, {folds} stratified folds (shuffled, seed "
        f"{seed}), the folds of `riskmodel crossval --folds {folds} --seed {seed}`",
        "n": len(y),
        "base_rate": float(y.mean()),
        "folds": folds,
        "seed": seed,
        "fold_sizes": np.bincount(fold_of).tolist(),
        "same_folds_as_crossval": same_folds,
        "n_resamples": n_resamples,
        "models": models,
    }


# -- synthetic population -------------------------------------------------------------------
def synthesise(directory: Path, n_people: int, seed: int) -> Path:
    """``riskmodel synth --n-people N --seed S --out directory``."""
    from riskmodel.cli import main

    code = main(
        ["synth", "--n-people", str(n_people), "--seed", str(seed), "--out", str(directory)]
    )
    if code != 0:
        raise SystemExit(code)
    return directory


def synthetic_benchmark(
    n_people: int, *, families: Iterable[str], n_resamples: int, seed: int = 0
) -> dict[str, Any]:
    """Train on one synthetic population, evaluate every model and the oracle on another."""
    from riskmodel.baselines import OGRS3Classifier
    from riskmodel.models import BaseRateModel, make_model
    from riskmodel.training._crossval import ogrs3_available
    from riskmodel.training._inputs import feature_lists, labelled_arrays, load_inputs

    with tempfile.TemporaryDirectory(prefix="bench_accuracy_") as tmp:
        train_dir = synthesise(Path(tmp) / "train", n_people, 1)
        test_dir = synthesise(Path(tmp) / "test", n_people, 2)
        train = load_inputs(table_path=None, data_dir=train_dir, config_path=None)
        test = load_inputs(table_path=None, data_dir=test_dir, config_path=None)
        truth = pd.read_csv(test_dir / "truth.csv", dtype={"person_id": str})
    ta, ya, _ = labelled_arrays(train)
    tb, yb, _ = labelled_arrays(test)
    numeric, categorical = feature_lists(train)
    oracle = truth.set_index("person_id")["true_probability_2y"].reindex(tb.ids.astype(str))
    if oracle.isna().any():
        raise RuntimeError("truth.csv lacks some evaluated people")

    makers: dict[str, tuple[str, Callable[[], Any]]] = {
        family: (
            OURS,
            lambda family=family: make_model(
                dataclasses.replace(train.config.model, family=family),
                numeric=numeric,
                categorical=categorical,
            ),
        )
        for family in families
    }
    makers["base_rate"] = (BASELINE, BaseRateModel)
    makers["plain_logistic"] = (BASELINE, lambda: plain_logistic(numeric, categorical))
    makers["plain_hgb"] = (BASELINE, lambda: plain_hgb(numeric, categorical, seed))
    X_train, X_test = numeric_as_float(ta.X, numeric), numeric_as_float(tb.X, numeric)
    predictions: dict[str, tuple[str, np.ndarray]] = {}
    seconds: dict[str, float] = {}
    fitted: dict[str, str] = {}
    for name, (kind, make) in makers.items():
        start = time.perf_counter()
        model = make().fit(X_train, ya)
        seconds[name] = time.perf_counter() - start
        predictions[name] = (kind, model.predict_proba(X_test)[:, 1])
        if hasattr(model, "family_"):
            fitted[name] = model.family_
        print(f"synthetic {name}: {seconds[name]:.1f} s", file=sys.stderr, flush=True)
    if ogrs3_available(tb.X):
        predictions["ogrs3"] = (BASELINE, OGRS3Classifier().fit(tb.X).predict_proba(tb.X)[:, 1])
    predictions["oracle"] = (ORACLE, oracle.to_numpy(dtype=float))
    models = score_models(yb, predictions, n_resamples=n_resamples, seed=seed)
    add_fit_details(models, seconds, fitted, "family_fitted")
    return {
        "design": f"trained on `riskmodel synth --n-people {n_people} --seed 1`, evaluated "
        f"on `--seed 2`; labelled people only",
        "n_people_each": n_people,
        "n_train": len(ya),
        "n": len(yb),
        "base_rate": float(yb.mean()),
        "n_features": len(numeric) + len(categorical),
        "n_resamples": n_resamples,
        "models": models,
    }


# -- what "done" means ------------------------------------------------------------------------
def default_ahead_check(dataset: dict[str, Any]) -> dict[str, Any]:
    """Is the default's Brier score below every baseline's? (None when not run.)"""
    models = dataset["models"]
    baselines = {k: m for k, m in models.items() if m["kind"] == BASELINE}
    if "default" not in models or not baselines:
        return {"met": None}
    best = min(baselines, key=lambda k: baselines[k]["brier"])
    return {
        "met": bool(all(models["default"]["brier"] < m["brier"] for m in baselines.values())),
        "default_brier": models["default"]["brier"],
        "best_baseline": best,
        "best_baseline_brier": baselines[best]["brier"],
        "difference": baselines[best]["brier_vs_default"]["difference"],
        "difference_ci": baselines[best]["brier_vs_default"]["difference_ci"],
    }


def oracle_check(dataset: dict[str, Any]) -> dict[str, Any]:
    """Is the default's Brier score within the target of the oracle's? (None when not run.)"""
    default = dataset["models"].get("default")
    if default is None or "brier_vs_oracle" not in default:
        return {"met": None, "target": TARGET_BRIER_OVER_ORACLE}
    ratio = default["brier_vs_oracle"]
    return {
        "met": bool(ratio["ratio"] <= TARGET_BRIER_OVER_ORACLE),
        "ratio": ratio["ratio"],
        "ratio_ci": ratio["ratio_ci"],
        "target": TARGET_BRIER_OVER_ORACLE,
    }


def done_means(datasets: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The checks RESULTS.md lists under the accuracy tables."""
    checks = {f"default_ahead_{name}": default_ahead_check(d) for name, d in datasets.items()}
    if "synthetic" in datasets:
        checks["default_near_oracle_synthetic"] = oracle_check(datasets["synthetic"])
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: COMPAS on 2 folds with the logistic family, 2,000 synthetic people",
    )
    parser.add_argument("--out", type=Path, default=None, help="folder of accuracy.json")
    parser.add_argument("--n-resamples", type=int, default=None, help="bootstrap resamples")
    parser.add_argument("--compas", type=Path, default=COMPAS, help="COMPAS two-year CSV")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="native threads (OpenMP, BLAS); the figures do not depend on it, and one thread "
        "avoids OpenMP contention on a shared machine",
    )
    args = parser.parse_args(argv)
    with threadpool_limits(args.threads):
        return run(args)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark as parsed by :func:`main`; write ``accuracy.json``."""
    n_resamples = args.n_resamples or (200 if args.quick else 1000)
    started = time.perf_counter()
    datasets: dict[str, dict[str, Any]] = {}
    if args.compas.exists():
        datasets["compas"] = compas_benchmark(
            args.compas,
            folds=2 if args.quick else 5,
            seed=0,
            families=QUICK_COMPAS_FAMILIES if args.quick else model_families(),
            n_resamples=n_resamples,
        )
    else:
        print(f"no COMPAS data at {args.compas}: skipped", file=sys.stderr)
    datasets["synthetic"] = synthetic_benchmark(
        2_000 if args.quick else 50_000, families=model_families(), n_resamples=n_resamples
    )
    data = {
        "threads": args.threads,
        "datasets": datasets,
        "checks": done_means(datasets),
        "seconds": time.perf_counter() - started,
        "peak_rss_gib": peak_rss_gib(),
    }
    write_result("accuracy", _finite(data), quick=args.quick, folder=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

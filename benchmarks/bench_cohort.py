"""Benchmark: does the interval of observed/expected cover 1 when a programme does nothing?

Simulation. One synthetic population (``riskmodel synth --n-people 30000 --seed 11``; its
labelled people and their outcomes are the population). At each training size (200, 1,000
and 5,000 people) a model is trained on people drawn at random, then applied to cohorts of
100 other people drawn from the same population, with no programme effect: their outcomes
are their own. Each run asks whether the 95% interval of observed/expected covers 1, by

- today's method: the exact interval that treats the predictions as known
  (``cohort`` without ``--model``);
- the new method: the interval that includes the model's own uncertainty
  (``cohort --model``: :func:`riskmodel.cohort.with_model_uncertainty` with
  :meth:`~riskmodel.cohort.CalibrationUncertainty.from_reference` at the deciles of the
  model's training scores, as a bundle's manifest records them, and the training size).

The model is a plain calibrated logistic regression (the hand-written logistic regression of
``bench_accuracy.py``, standardised numeric and one-hot categorical features, inside
``CalibratedClassifierCV(method="sigmoid", cv=5, ensemble=False)``, the package's own
calibration design); the package's ``logistic`` family takes 3 to 9 s a fit, too slow for
1,200 fits. Every run has its own training sample and cohort, disjoint from each other;
at 5,000 training people each model serves 4 disjoint cohorts (100 models), since there the
model's error is small against the cohorts' own chance variation and the runs stay close to
independent; at 200 and 1,000 each run trains its own model.

Target ("done means"): coverage within 93–97% at every training size with the new method.
Writes ``results/cohort.json``.

Usage::

    python benchmarks/bench_cohort.py [--quick] [--out DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import run_costs, run_parsed, simulation_parser, write_result
from bench_accuracy import numeric_as_float, plain_logistic, synthesise

#: Training sizes of the simulation.
TRAINING_SIZES: tuple[int, ...] = (200, 1_000, 5_000)
#: Runs (cohorts) at each training size.
RUNS = 400
#: People per cohort.
COHORT_SIZE = 100
#: Cohorts per trained model, by training size (the rest: 1).
COHORTS_PER_MODEL: dict[int, int] = {5_000: 4}
#: Coverage the new method must reach at every training size.
TARGET = (0.93, 0.97)
CONFIDENCE = 0.95
#: Quick (smoke) sizes.
QUICK_PEOPLE, QUICK_SIZES, QUICK_RUNS = 3_000, (200,), 8
POPULATION_PEOPLE, POPULATION_SEED = 30_000, 11
#: Quantiles of the training scores a manifest records (drift_reference.score.edges).
DECILES = np.linspace(0.1, 0.9, 9)


def calibrated_logistic(numeric: list[str], categorical: list[str]) -> CalibratedClassifierCV:
    """The simulation's model: ``bench_accuracy.plain_logistic`` with sigmoid calibration on
    5-fold cross-validated decision values, refitted on every training row."""
    return CalibratedClassifierCV(
        plain_logistic(numeric, categorical), method="sigmoid", cv=5, ensemble=False
    )


def population(n_people: int, seed: int) -> tuple[Any, np.ndarray, list[str], list[str]]:
    """Features and outcomes of the labelled people of a synthetic population."""
    from riskmodel.training._inputs import feature_lists, labelled_arrays, load_inputs

    with tempfile.TemporaryDirectory(prefix="bench_cohort_") as tmp:
        directory = synthesise(Path(tmp) / "population", n_people, seed)
        inputs = load_inputs(table_path=None, data_dir=directory, config_path=None)
        table, y, _ = labelled_arrays(inputs)
    numeric, categorical = feature_lists(inputs)
    return numeric_as_float(table.X, numeric), y, numeric, categorical


def covers(interval: list[float], value: float = 1.0) -> bool:
    """Whether ``interval`` contains ``value`` (an undefined interval does not).

    Examples
    --------
    >>> covers([0.8, 1.1]), covers([1.05, 1.3]), covers([float("nan"), 1.2])
    (True, False, False)
    """
    low, high = interval
    return bool(low <= value <= high)


def run_size(
    X: Any,
    y: np.ndarray,
    numeric: list[str],
    categorical: list[str],
    *,
    n_train: int,
    runs: int,
    cohorts_per_model: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Coverage of both methods over ``runs`` cohorts at one training size."""
    from riskmodel.cohort import (
        CalibrationUncertainty,
        decile_points,
        observed_expected_summary,
    )

    known_hits = new_hits = 0
    ratios, widths_known, widths_new = [], [], []
    started = time.perf_counter()
    n_models = int(np.ceil(runs / cohorts_per_model))
    done = 0
    for _ in range(n_models):
        take = min(cohorts_per_model, runs - done)
        order = rng.permutation(len(y))
        train = order[:n_train]
        model = calibrated_logistic(numeric, categorical).fit(X.iloc[train], y[train])
        edges = np.quantile(model.predict_proba(X.iloc[train])[:, 1], DECILES)
        uncertainty = CalibrationUncertainty.from_reference(decile_points(edges), n_train)
        for c in range(take):
            cohort = order[n_train + c * COHORT_SIZE : n_train + (c + 1) * COHORT_SIZE]
            p = model.predict_proba(X.iloc[cohort])[:, 1]
            summary = observed_expected_summary(
                y_true=y[cohort], y_prob=p, confidence=CONFIDENCE, uncertainty=uncertainty
            )
            combined = summary["with_model_uncertainty"]
            known_hits += covers(summary["observed_expected_ci"])
            new_hits += covers(combined["observed_expected_ci"])
            ratios.append(summary["observed_expected"])
            widths_known.append(float(np.diff(summary["observed_expected_ci"])[0]))
            widths_new.append(float(np.diff(combined["observed_expected_ci"])[0]))
        done += take
    low, high = TARGET
    new = new_hits / runs
    return {
        "n_train": n_train,
        "runs": runs,
        "models": n_models,
        "cohorts_per_model": cohorts_per_model,
        "coverage_known": known_hits / runs,
        "coverage_new": new,
        "coverage_new_se": float(np.sqrt(new * (1 - new) / runs)),
        "median_width_known": float(np.median(widths_known)),
        "median_width_new": float(np.median(widths_new)),
        "mean_observed_expected": float(np.mean(ratios)),
        "sd_observed_expected": float(np.std(ratios)),
        "meets_target": bool(low <= new <= high),
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = simulation_parser(
        __doc__.splitlines()[0], result="cohort.json", runs="runs per training size"
    )
    return run_parsed(parser, run, argv)


def run(args: argparse.Namespace) -> int:
    """Run the simulation as parsed by :func:`main`; write ``cohort.json``."""
    started = time.perf_counter()
    people = QUICK_PEOPLE if args.quick else POPULATION_PEOPLE
    sizes = QUICK_SIZES if args.quick else TRAINING_SIZES
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    X, y, numeric, categorical = population(people, POPULATION_SEED)
    rng = np.random.default_rng(args.seed)
    results = []
    for n_train in sizes:
        per_model = 1 if args.quick else COHORTS_PER_MODEL.get(n_train, 1)
        result = run_size(
            X, y, numeric, categorical,
            n_train=n_train, runs=runs, cohorts_per_model=per_model, rng=rng,
        )  # fmt: skip
        print(
            f"trained on {n_train:,}: coverage today {result['coverage_known']:.1%}, "
            f"new {result['coverage_new']:.1%} ({result['seconds']:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        results.append(result)
    data = {
        "design": (
            f"labelled people of `riskmodel synth --n-people {people:,} --seed "
            f"{POPULATION_SEED}` as the population ({len(y):,} people, {y.mean():.1%} "
            f"reoffended); cohorts of {COHORT_SIZE} with no programme effect; plain "
            "calibrated logistic regression"
        ),
        "population": len(y),
        "base_rate": float(y.mean()),
        "cohort_size": COHORT_SIZE,
        "confidence": CONFIDENCE,
        "target": list(TARGET),
        "sizes": results,
        "meets_target": all(r["meets_target"] for r in results),
        **run_costs(started),
    }
    write_result("cohort", data, quick=args.quick, folder=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

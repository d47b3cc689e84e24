"""Benchmark: how close a model that honours the declared directions can come to the truth.

Every family is monotone in the catalogue's directions (:data:`riskmodel.features.DIRECTIONS`:
more offences of any group, more needs, never a lower risk). The synthetic generator's truth
need not be: it is the probability of reoffending given the record, averaged over hidden
offending profiles, and one more offence of a group can move a person towards a profile that
reoffends less. This benchmark measures what the directions themselves cost on the synthetic
benchmark, apart from the noise of the labels and the size of a training set:

* gradient boosting (``HistGradientBoostingRegressor``, the default's preprocessing and
  ``monotonic_cst``) fitted by least squares to the *true* probabilities of a large synthetic
  population (``--n-people``, seed 21), early-stopped on a tenth of it;
* the same without directions (the free model, with the offending profiles);
* both evaluated on the labelled people of the accuracy benchmark's test population
  (50,000 people, seed 2), beside the oracle (``true_probability_2y``).

The monotone fit's Brier score is what monotone boosting of this capacity reaches with the
truth itself as its target and a large sample: an estimate, not a proof, of how close a model
that honours the directions can come to the truth here (a fit with other settings could come
closer; one trained on labels and fewer people is held back further). Its ratio to the
oracle's is compared with the 1.01 target of the ``riskmodel train`` oracle check and with the
accuracy benchmark's synthetic ceiling (0.3% above 0.1643). The free fit may stop at its cap of
iterations (``iterations`` in the JSON), which only understates how close it comes. Writes
``results/monotone_bound.json``.

Usage::

    python benchmarks/bench_monotone_bound.py [--quick] [--n-people N] [--threads N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
from _common import run_costs, write_result
from bench_accuracy import BRIER_CEILINGS, TARGET_BRIER_OVER_ORACLE, numeric_as_float, synthesise
from threadpoolctl import threadpool_limits

#: People of the population whose true probabilities the bound is fitted to.
N_PEOPLE = 200_000
QUICK_PEOPLE = 3_000
#: The accuracy benchmark's evaluation population (its size and seed).
TEST_PEOPLE, TEST_SEED = 50_000, 2
TRAIN_SEED = 21


def labelled_with_truth(directory: Path) -> tuple[Any, np.ndarray, np.ndarray, Any]:
    """The labelled feature table of a synthetic data directory, its labels, every labelled
    person's true two-year probability, and the inputs."""
    from riskmodel.training._inputs import labelled_arrays, load_inputs

    inputs = load_inputs(table_path=None, data_dir=directory, config_path=None)
    table, y, _ = labelled_arrays(inputs)
    truth = pd.read_csv(directory / "truth.csv", dtype={"person_id": str})
    truth = truth.set_index("person_id")["true_probability_2y"]
    return table, y, truth.reindex(table.ids.astype(str)).to_numpy(dtype=float), inputs


def bound_fit(
    numeric: list[str],
    categorical: list[str],
    directions: dict[str, int],
    Xa: pd.DataFrame,
    pa: np.ndarray,
    Xb: pd.DataFrame,
    max_iter: int = 2000,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Gradient boosting with the default's preprocessing and ``directions`` fitted to the true
    probabilities ``pa``; its predictions for ``Xb`` (held in [1e-4, 1 - 1e-4]) and what was
    fitted."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    from riskmodel.models import build_pipeline
    from riskmodel.models._model import uses_profiles

    pipeline = build_pipeline("gbm", {}, numeric, categorical, 0, directions)
    preprocess = pipeline[:-1]
    regressor = HistGradientBoostingRegressor(
        max_iter=max_iter,
        learning_rate=0.05,
        max_leaf_nodes=31,
        min_samples_leaf=50,
        monotonic_cst=pipeline[-1].get_params().get("monotonic_cst"),
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=50,
        random_state=0,
    )
    started = time.perf_counter()
    regressor.fit(preprocess.fit_transform(Xa), pa)
    predicted = np.clip(regressor.predict(preprocess.transform(Xb)), 1e-4, 1 - 1e-4)
    return predicted, {
        "iterations": int(regressor.n_iter_),
        "seconds": time.perf_counter() - started,
        "directions": len(directions),
        "profiles": bool(uses_profiles(numeric, directions)),
    }


def measure(train_dir: Path, test_dir: Path, max_iter: int = 2000) -> dict[str, Any]:
    """The bound and the free fit on ``train_dir``'s truth (at most ``max_iter`` boosting
    iterations each), scored on ``test_dir``."""
    from riskmodel.features import directions_for
    from riskmodel.training._inputs import feature_lists

    ta, _, pa, inputs = labelled_with_truth(train_dir)
    tb, yb, pb, _ = labelled_with_truth(test_dir)
    numeric, categorical = feature_lists(inputs)
    Xa, Xb = numeric_as_float(ta.X, numeric), numeric_as_float(tb.X, numeric)
    oracle = float(np.mean((pb - yb) ** 2))
    out: dict[str, Any] = {"train_rows": len(pa), "test_rows": len(yb), "oracle_brier": oracle}
    for name, directions in (("monotone", directions_for(numeric)), ("free", {})):
        predicted, details = bound_fit(numeric, categorical, directions, Xa, pa, Xb, max_iter)
        brier = float(np.mean((predicted - yb) ** 2))
        out[name] = {
            **details,
            "brier": brier,
            "brier_over_oracle": brier / oracle,
            "mean_squared_gap_to_truth": float(np.mean((predicted - pb) ** 2)),
        }
        print(f"{name}: Brier {brier:.5f} ({brier / oracle:.4f} x oracle)", file=sys.stderr)
    monotone = out["monotone"]
    out["directions_cost"] = monotone["brier"] - out["free"]["brier"]
    reference, excess = BRIER_CEILINGS["synthetic"]
    ceiling = reference * (1 + excess)
    out["oracle_ratio_target"] = TARGET_BRIER_OVER_ORACLE
    out["monotone_within_oracle_ratio"] = monotone["brier_over_oracle"] <= TARGET_BRIER_OVER_ORACLE
    out["synthetic_ceiling"] = ceiling
    out["monotone_within_synthetic_ceiling"] = monotone["brier"] <= ceiling
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny populations")
    parser.add_argument("--n-people", type=int, default=None, help="people of the fitted truth")
    parser.add_argument("--threads", type=int, default=2, help="native threads of the fits")
    parser.add_argument("--out", type=Path, default=None, help="folder of monotone_bound.json")
    args = parser.parse_args(argv)
    n_people = args.n_people or (QUICK_PEOPLE if args.quick else N_PEOPLE)
    n_test = QUICK_PEOPLE if args.quick else TEST_PEOPLE
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_bound_") as tmp:
        train_dir = synthesise(Path(tmp) / "train", n_people, TRAIN_SEED)
        test_dir = synthesise(Path(tmp) / "test", n_test, TEST_SEED)
        with threadpool_limits(args.threads):
            figures = measure(train_dir, test_dir, 100 if args.quick else 2000)
    result = {
        "n_people": n_people,
        "train_seed": TRAIN_SEED,
        "test_people": n_test,
        "test_seed": TEST_SEED,
        **figures,
        "threads": args.threads,
        **run_costs(started),
    }
    write_result("monotone_bound", result, quick=args.quick, folder=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

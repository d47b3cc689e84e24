"""Benchmark: ``riskmodel crossval`` of the default family on a prison-release-shaped table.

Generates (seeded) a flat table of 26,000 people released from prison (``--quick``: 3,000):
nine categorical features (release year, age at release, sex, offence class, type and subtype,
release type, supervising district, target population), an ethnicity group column and a
three-year return-to-prison label drawn from a logistic model of the features (a real
signal: age, release type, offence type and subtype, target population and district move the
risk), written as CSV with its ``[table]`` config. Then measures, with one native thread:

* ``riskmodel crossval --folds 5 --seed 0 --no-mlflow`` of the default family (no
  ``[model]`` section: the configuration ``models/default`` was trained with), in a
  subprocess: the wall time the researcher waits for, start-up, report and files included,
  and the console's estimate of the whole run's length, said after the first fold;
* in this process, on the same folds: the fold loop of :func:`cross_validate` for the
  default family and, beside it, the ``logistic``, ``gbm`` and ``ensemble`` families (each
  fold's fit and prediction), and a plain ``HistGradientBoostingClassifier``
  (``bench_accuracy.plain_hgb``, native categorical splits) fitted and predicted on the
  same folds: the baseline.

The figure judged is the command's wall time over the baseline's (target: at most 30); the
fold loop's ratio is beside it. Writes ``results/crossval.json`` (``results/quick/`` with
``--quick``).

Usage::

    python benchmarks/bench_crossval.py [--quick] [--families NAME ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import add_families_option, against_baseline, peak_rss_gib, write_result
from bench_accuracy import crossval_family, fold_splits, out_of_fold, plain_hgb
from threadpoolctl import threadpool_limits

N_ROWS = 26_000
QUICK_ROWS = 3_000
SEED = 11
FOLDS = 5
#: Issue target: the default's crossval at most 30 times a plain gradient boosting crossval.
TARGET_RATIO = 30.0
#: Families measured beside the default (fold loop only).
OTHER_FAMILIES = ("logistic", "gbm", "ensemble")

#: The nine categorical features: (column, levels, log-odds effect of each level).
_AGES = ["Under 25", "25-34", "35-44", "45-54", "55 and Older"]
_RELEASES = [
    "Parole",
    "Parole Granted",
    "Discharged - End of Sentence",
    "Released to Special Sentence",
    "Paroled to Detainer",
    "Paroled w/Immediate Discharge",
    "Discharged - Expiration of Sentence",
    "Special Sentence",
    "Interstate Compact",
]
_TYPES = ["Drug", "Property", "Violent", "Public Order", "Other"]
_CLASSES = [
    "A Felony",
    "B Felony",
    "C Felony",
    "D Felony",
    "Aggravated Misdemeanor",
    "Serious Misdemeanor",
    "Simple Misdemeanor",
    "Other Felony",
]
_DISTRICTS = ["1JD", "2JD", "3JD", "4JD", "5JD", "6JD", "7JD", "8JD", "ISC", "none"]
_ETHNICITIES = ["White", "Black", "Hispanic", "American Indian", "Asian", "Unknown"]


def _levels(rng: np.random.Generator, levels: list[str], n: int, skew: float) -> np.ndarray:
    """``n`` draws of ``levels`` with geometrically falling shares (``skew`` per level)."""
    shares = skew ** np.arange(len(levels))
    return rng.choice(len(levels), size=n, p=shares / shares.sum())


def generate_table(n_rows: int, seed: int = SEED) -> pd.DataFrame:
    """A seeded table shaped like a prison-release table, with a real signal.

    Examples
    --------
    >>> table = generate_table(500)
    >>> table.shape, int(table["returned"].sum()) > 100
    ((500, 12), True)
    """
    rng = np.random.default_rng(seed)
    age = _levels(rng, _AGES, n_rows, 0.75)
    release = _levels(rng, _RELEASES, n_rows, 0.6)
    kind = _levels(rng, _TYPES, n_rows, 0.8)
    subtype = kind * 6 + rng.integers(0, 6, n_rows)  # six subtypes inside each type
    offence_class = _levels(rng, _CLASSES, n_rows, 0.8)
    district = _levels(rng, _DISTRICTS, n_rows, 0.85)
    target = rng.random(n_rows) < 0.3
    sex = rng.random(n_rows) < 0.13
    year = rng.integers(2010, 2016, n_rows)
    ethnicity = _levels(rng, _ETHNICITIES, n_rows, 0.45)
    subtype_effect = rng.normal(0.0, 0.35, 5 * 6)
    district_effect = rng.normal(0.0, 0.2, len(_DISTRICTS))
    logit = (
        -0.3
        + np.array([0.7, 0.35, 0.0, -0.35, -0.9])[age]
        + np.linspace(0.4, -0.6, len(_RELEASES))[release]
        + np.array([0.2, 0.35, -0.1, 0.1, 0.0])[kind]
        + subtype_effect[subtype]
        + np.linspace(-0.3, 0.25, len(_CLASSES))[offence_class]
        + district_effect[district]
        + 0.45 * target
        - 0.3 * sex
        + 0.04 * (year - 2010)
        + 0.3 * ((age == 0) & (kind == 2))  # an interaction: young and violent
    )
    returned = rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))
    return pd.DataFrame(
        {
            "offender_id": np.char.add("R", np.arange(n_rows).astype(str)),
            "release_year": year.astype(str),
            "age_at_release": np.asarray(_AGES)[age],
            "sex": np.where(sex, "Female", "Male"),
            "offense_class": np.asarray(_CLASSES)[offence_class],
            "offense_type": np.asarray(_TYPES)[kind],
            "offense_subtype": [
                f"{_TYPES[k]} {s % 6 + 1}" for k, s in zip(kind, subtype, strict=True)
            ],
            "release_type": np.asarray(_RELEASES)[release],
            "supervising_district": np.asarray(_DISTRICTS)[district],
            "target_population": np.where(target, "Yes", "No"),
            "race_ethnicity": np.asarray(_ETHNICITIES)[ethnicity],
            "returned": returned.astype(int),
        }
    )


#: The nine categorical features of :func:`generate_table`.
CATEGORICAL = [
    "release_year",
    "age_at_release",
    "sex",
    "offense_class",
    "offense_type",
    "offense_subtype",
    "release_type",
    "supervising_district",
    "target_population",
]

CONFIG = """[table]
id = "offender_id"
label = "returned"
categorical = [{categorical}]
groups = ["race_ethnicity"]
outcome = "return to prison within three years of release (synthetic)"
follow_up_months = 36
"""


def write_inputs(directory: Path, n_rows: int) -> tuple[Path, Path]:
    """The table (CSV) and its config (no ``[model]``: the default) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    table, config = directory / "releases.csv", directory / "releases.toml"
    generate_table(n_rows).to_csv(table, index=False)
    config.write_text(CONFIG.format(categorical=", ".join(f'"{c}"' for c in CATEGORICAL)))
    return table, config


#: The console line ``riskmodel crossval`` prints after its first fold (seconds in total).
_ESTIMATE = re.compile(r"about ([0-9.,]+) s in all")


def run_command(table: Path, config: Path, out: Path) -> dict[str, Any]:
    """``riskmodel crossval`` in a subprocess with one native thread: wall time and the
    estimate it printed after its first fold."""
    command = [sys.executable, "-m", "riskmodel.cli", "crossval", "--table", str(table)]
    command += ["--config", str(config), "--folds", str(FOLDS), "--seed", "0"]
    command += ["--out", str(out), "--no-mlflow", "--force"]
    env = os.environ | {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(run.returncode)
    console = run.stdout + run.stderr
    found = _ESTIMATE.search(console)
    estimate = float(found.group(1).replace(",", "")) if found else None
    return {
        "seconds": seconds,
        "estimate_after_first_fold_seconds": estimate,
        "estimate_line": next(
            (line for line in console.splitlines() if _ESTIMATE.search(line)), None
        ),
    }


def measure_folds(table: Path, config: Path, families: list[str]) -> dict[str, Any]:
    """Fold loops of each family and of the plain baseline on the same folds, one thread."""
    from riskmodel.training._inputs import feature_lists, labelled_arrays, load_inputs

    inputs = load_inputs(table_path=table, data_dir=None, config_path=config)
    frame, y, _ = labelled_arrays(inputs)
    numeric, categorical = feature_lists(inputs)
    splits = fold_splits(y, FOLDS, 0)
    loops: dict[str, Any] = {}
    with threadpool_limits(1):
        _, baseline = out_of_fold(lambda: plain_hgb(numeric, categorical), frame.X, y, splits)
        for family in ["default", *families]:
            run = crossval_family(inputs, family, FOLDS, 0, n_resamples=10)
            loops[family] = {"seconds": run["seconds"], "families_fitted": run["families_fitted"]}
    spec = dataclasses.asdict(inputs.config.model)
    return {
        "labelled_rows": len(y),
        "categorical": categorical,
        "numeric": numeric,
        "model_spec": spec,
        "baseline_seconds": baseline,
        "families": loops,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows")
    add_families_option(parser, OTHER_FAMILIES)
    args = parser.parse_args(argv)
    n_rows = QUICK_ROWS if args.quick else N_ROWS
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_crossval_") as tmp:
        table, config = write_inputs(Path(tmp), n_rows)
        command = run_command(table, config, Path(tmp) / "cv")
        print(f"riskmodel crossval: {command['seconds']:.1f} s", file=sys.stderr, flush=True)
        folds = measure_folds(table, config, list(args.families))
    baseline = folds["baseline_seconds"]
    default_loop = folds["families"]["default"]["seconds"]
    ratio = command["seconds"] / baseline
    estimate = command["estimate_after_first_fold_seconds"]
    result = {
        "rows": n_rows,
        "seed": SEED,
        "folds": FOLDS,
        "threads": 1,
        "family": "default",
        "measured": (
            "riskmodel crossval of the default family (no [model] section, the configuration "
            "models/default was trained with), the whole command in a subprocess"
        ),
        "command_seconds": command["seconds"],
        "estimate_after_first_fold_seconds": estimate,
        "estimate_line": command["estimate_line"],
        "estimate_error": None if estimate is None else estimate / command["seconds"] - 1.0,
        **folds,
        "default_fold_loop_seconds": default_loop,
        "ratio": ratio,
        "fold_loop_ratio": default_loop / baseline,
        "baseline": "plain HistGradientBoostingClassifier (bench_accuracy.plain_hgb), same folds",
        "peak_rss_gib": peak_rss_gib(),
        "load_average_at_start": load_before,
        "load_average_at_end": os.getloadavg()[0],
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
    }
    summary = f"crossval of the default on {n_rows:,} rows: " + against_baseline(
        command["seconds"], baseline
    )
    write_result("crossval", result, quick=args.quick, summary=summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

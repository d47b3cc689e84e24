"""Benchmark: the time to train the default model on 100,000 synthetic people.

Setup (not timed): ``riskmodel synth --n-people 100000 --seed 3`` (``--quick``: 4,000) in a
subprocess, then its features and labels. Timed, in this process and in the same run, on the
same labelled rows:

* the default model as shipped, through the function ``riskmodel train`` calls to fit and
  evaluate (:func:`riskmodel.training.train_model`: the split by index date, the model built
  from the ``[model]`` spec of ``training/synthetic.toml`` (none: the default family, chosen
  by inner cross-validation, then calibrated), its held-out evaluation and drift reference),
  so whatever that function comes to include (a refit on all rows) is timed too;
* beside it, the same function with the ``logistic`` and ``gbm`` families (``families`` in
  the JSON; ``--families`` to choose);
* the baseline: a plain ``HistGradientBoostingClassifier`` written by hand
  (``bench_accuracy.plain_hgb``), fitted ``--repeats`` times (median kept) on the training
  rows of the same split.

All run with one native thread by default (``--threads``): on a shared 2-core machine,
OpenMP and BLAS threads competing with other jobs can slow a fit tenfold, which would swamp
the comparison. Writes ``results/training.json``: wall and CPU times, their ratio and the
peak resident memory of this process (features and fits; the generator runs in its own
process).

Usage::

    python benchmarks/bench_training.py [--quick] [--repeats N] [--threads N] [--families ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import add_families_option, against_baseline, peak_rss_gib, write_result
from bench_accuracy import numeric_as_float, plain_hgb
from threadpoolctl import threadpool_limits

N_PEOPLE = 100_000
#: Issue target: the default model on 100,000 synthetic people in under 60 s.
TARGET_SECONDS = 60.0
QUICK_PEOPLE = 4_000
SEED = 3


def synthesise(directory: Path, n_people: int, seed: int) -> None:
    """``riskmodel synth`` in a subprocess, so its memory is not this process's peak."""
    command = [sys.executable, "-m", "riskmodel.cli", "synth", "--n-people", str(n_people)]
    command += ["--seed", str(seed), "--out", str(directory)]
    subprocess.run(command, check=True, capture_output=True, text=True)


def _seconds(fit: Any) -> tuple[float, float]:
    """Wall and CPU seconds of ``fit()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    fit()
    return time.perf_counter() - wall, time.process_time() - cpu


#: Families timed beside the default.
OTHER_FAMILIES = ("logistic", "gbm")
#: The config ``make model`` trains ``models/default`` with.
CONFIG = Path(__file__).resolve().parents[1] / "training" / "synthetic.toml"


def measure(data_dir: Path, repeats: int, families: list[str] | None = None) -> dict[str, Any]:
    """Train the default model (and each of ``families``) once through ``train_model`` and
    fit the plain baseline ``repeats`` times on the training rows of the same split; the
    timings and what was fitted."""
    import dataclasses

    from riskmodel.training._inputs import feature_lists, labelled_arrays, load_inputs
    from riskmodel.training._train import split_rows, train_model

    inputs = load_inputs(table_path=None, data_dir=data_dir, config_path=CONFIG)
    table, y, dates = labelled_arrays(inputs)
    numeric, categorical = feature_lists(inputs)
    train, _, _ = split_rows(y, dates, test_fraction=0.2, seed=inputs.config.model.seed)
    X = numeric_as_float(table.X, numeric).iloc[train]
    baseline = [
        _seconds(lambda: plain_hgb(numeric, categorical).fit(X, y[train])) for _ in range(repeats)
    ]
    runs: dict[str, Any] = {}
    for family in [inputs.config.model.family, *(families or [])]:
        spec = dataclasses.replace(inputs.config.model, family=family)
        chosen = dataclasses.replace(inputs, config=dataclasses.replace(inputs.config, model=spec))
        result: dict[str, Any] = {}

        def fit(chosen: Any = chosen, result: dict[str, Any] = result) -> None:
            result["trained"] = train_model(chosen)

        wall, cpu = _seconds(fit)
        model = result["trained"].model
        runs[family] = {
            "family_fitted": model.family_,
            "train_seconds": wall,
            "train_cpu_seconds": cpu,
            "test_auc": result["trained"].metrics.get("auc"),
        }
    default = runs[inputs.config.model.family]
    baseline_seconds = statistics.median(wall for wall, _ in baseline)
    baseline_cpu_seconds = statistics.median(cpu for _, cpu in baseline)
    return {
        "train_labelled_rows": len(y),
        "train_rows": len(train),
        "n_features": len(numeric) + len(categorical),
        "config": str(CONFIG.relative_to(CONFIG.parents[1])),
        "function": "riskmodel.training.train_model (what riskmodel train calls)",
        "family": inputs.config.model.family,
        "family_fitted": default["family_fitted"],
        "train_seconds": default["train_seconds"],
        "train_cpu_seconds": default["train_cpu_seconds"],
        "families": runs,
        "baseline": "plain HistGradientBoostingClassifier (bench_accuracy.plain_hgb), same rows",
        "baseline_seconds": baseline_seconds,
        "baseline_cpu_seconds": baseline_cpu_seconds,
        "baseline_runs": [wall for wall, _ in baseline],
        "ratio": default["train_seconds"] / baseline_seconds,
        "cpu_ratio": default["train_cpu_seconds"] / baseline_cpu_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PEOPLE:,} people")
    parser.add_argument("--repeats", type=int, default=3, help="baseline fits (median kept)")
    parser.add_argument(
        "--threads", type=int, default=1, help="native threads (OpenMP, BLAS) of both fits"
    )
    add_families_option(parser, OTHER_FAMILIES)
    args = parser.parse_args(argv)
    n_people = QUICK_PEOPLE if args.quick else N_PEOPLE
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_training_") as tmp:
        started = time.perf_counter()
        synthesise(Path(tmp), n_people, SEED)
        generate_seconds = time.perf_counter() - started
        with threadpool_limits(args.threads):
            figures = measure(Path(tmp), args.repeats, list(args.families))
    result = {
        "train_seconds_people": n_people,
        "seed": SEED,
        **figures,
        "generate_seconds": generate_seconds,
        "threads": args.threads,
        "peak_rss_gib": peak_rss_gib(),
        "load_average_at_start": load_before,
        "load_average_at_end": os.getloadavg()[0],
        "target_seconds": TARGET_SECONDS,
        "meets_target": figures["train_seconds"] < TARGET_SECONDS,
    }
    summary = (
        f"default model on {n_people:,} people ({figures['train_labelled_rows']:,} rows): "
        + against_baseline(figures["train_seconds"], figures["baseline_seconds"])
    )
    write_result("training", result, quick=args.quick, summary=summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

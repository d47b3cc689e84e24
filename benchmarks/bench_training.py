"""Benchmark: the time to train the default model on 100,000 synthetic people.

Setup (not timed): ``riskmodel synth --n-people 100000 --seed 3`` (``--quick``: 4,000) in a
subprocess, then its features and labels. Timed, in this process and in the same run, on the
same labelled rows:

* the default model, ``RiskModel`` built from the default ``[model]`` spec as
  ``riskmodel train`` builds it (family chosen by inner cross-validation, then calibrated);
* the baseline: a plain ``HistGradientBoostingClassifier`` written by hand
  (``bench_accuracy.plain_hgb``), fitted ``--repeats`` times (median kept).

Both run with one native thread by default (``--threads``): on a shared 2-core machine,
OpenMP and BLAS threads competing with other jobs can slow a fit tenfold, which would swamp
the comparison. Writes ``results/training.json``: wall and CPU times, their ratio and the
peak resident memory of this process (features and fits; the generator runs in its own
process).

Usage::

    python benchmarks/bench_training.py [--quick] [--repeats N] [--threads N]
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

from _common import peak_rss_gib, write_result
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


def measure(data_dir: Path, repeats: int) -> dict[str, Any]:
    """Fit the default model once and the plain baseline ``repeats`` times on the labelled
    people of ``data_dir``; the timings and what was fitted."""
    from riskmodel.models import make_model
    from riskmodel.training._inputs import feature_lists, labelled_arrays, load_inputs

    inputs = load_inputs(table_path=None, data_dir=data_dir, config_path=None)
    table, y, _ = labelled_arrays(inputs)
    numeric, categorical = feature_lists(inputs)
    X = numeric_as_float(table.X, numeric)
    baseline = [
        _seconds(lambda: plain_hgb(numeric, categorical).fit(X, y)) for _ in range(repeats)
    ]
    model = make_model(inputs.config.model, numeric=numeric, categorical=categorical)
    train_seconds, train_cpu_seconds = _seconds(lambda: model.fit(table.X, y))
    baseline_seconds = statistics.median(wall for wall, _ in baseline)
    baseline_cpu_seconds = statistics.median(cpu for _, cpu in baseline)
    return {
        "train_labelled_rows": len(y),
        "n_features": len(numeric) + len(categorical),
        "family": model.family,
        "family_fitted": model.family_,
        "train_seconds": train_seconds,
        "train_cpu_seconds": train_cpu_seconds,
        "baseline": "plain HistGradientBoostingClassifier (bench_accuracy.plain_hgb), same rows",
        "baseline_seconds": baseline_seconds,
        "baseline_cpu_seconds": baseline_cpu_seconds,
        "baseline_runs": [wall for wall, _ in baseline],
        "ratio": train_seconds / baseline_seconds,
        "cpu_ratio": train_cpu_seconds / baseline_cpu_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PEOPLE:,} people")
    parser.add_argument("--repeats", type=int, default=3, help="baseline fits (median kept)")
    parser.add_argument(
        "--threads", type=int, default=1, help="native threads (OpenMP, BLAS) of both fits"
    )
    args = parser.parse_args(argv)
    n_people = QUICK_PEOPLE if args.quick else N_PEOPLE
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_training_") as tmp:
        started = time.perf_counter()
        synthesise(Path(tmp), n_people, SEED)
        generate_seconds = time.perf_counter() - started
        with threadpool_limits(args.threads):
            figures = measure(Path(tmp), args.repeats)
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
    write_result("training", result, quick=args.quick)
    print(
        f"default model on {n_people:,} people ({figures['train_labelled_rows']:,} rows): "
        f"{figures['train_seconds']:.1f} s, {figures['ratio']:.1f}x the plain baseline's "
        f"{figures['baseline_seconds']:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

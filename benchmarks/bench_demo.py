"""Benchmark: ``riskmodel demo`` on a quiet machine and beside a competing CPU-bound process.

The demo is run twice in fresh directories, as a user runs it (no thread settings in the
environment: the package chooses its native thread counts itself): once on a quiet machine,
once while another process keeps one core busy. Writes ``benchmarks/results/demo.json``.

Usage::

    python benchmarks/bench_demo.py [--quick]

Target: beside the competing process, under 1.5 times the quiet time and under 5 minutes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_result

TARGET_RATIO = 1.5
TARGET_SECONDS = 300.0
#: Environment variables a user would not have set: removed so the shipped defaults are measured.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "RISKMODEL_THREADS",
)


def _spin(stop: multiprocessing.Event) -> None:  # type: ignore[valid-type]
    """A CPU-bound competitor: busy arithmetic until told to stop."""
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x = (x * 1_103_515_245 + 12_345) % 2_147_483_648


def run_demo(extra: list[str]) -> float:
    """Wall time of one ``riskmodel demo`` in a fresh directory."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    with tempfile.TemporaryDirectory() as folder:
        env["MLFLOW_TRACKING_URI"] = f"sqlite:///{Path(folder) / 'mlflow.db'}"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "riskmodel.cli", "demo", "--out", str(Path(folder) / "demo"),
             *extra],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small demo population")
    args = parser.parse_args(argv)
    extra = ["--n-people", "2000", "--n-batch", "500"] if args.quick else []

    quiet = run_demo(extra)
    stop = multiprocessing.Event()
    competitor = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    competitor.start()
    try:
        loaded = run_demo(extra)
    finally:
        stop.set()
        competitor.join(timeout=10)
    ratio = loaded / quiet
    result = {
        "quiet_seconds": round(quiet, 2),
        "loaded_seconds": round(loaded, 2),
        "ratio": round(ratio, 3),
        "competing_processes": 1,
        "cores": os.cpu_count(),
        "target_ratio": TARGET_RATIO,
        "target_seconds": TARGET_SECONDS,
        "meets_target": None
        if args.quick
        else bool(ratio < TARGET_RATIO and loaded < TARGET_SECONDS),
    }
    write_result("demo", result, quick=args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

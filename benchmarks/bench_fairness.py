"""Benchmark: how often the fairness verdicts are wrong, on simulated datasets with known truth.

Each dataset has two groups of ``--group-size`` people (default 300) with the same reoffending
rate (35%) and the same false negative rate (40%); flagged means a score of 0.5 or more. The
false positive rate is 20% in both groups ("no difference") or 20% and 30% ("a 10-point gap").
Every dataset is judged by :func:`riskmodel.fairness.fairness_summary` at the threshold 0.5,
the function behind the model card and the training report (and, through
:func:`riskmodel.fairness.fairness_verdicts`, the fairness report), with its default stratified
bootstrap of 1,000 resamples.

Targets: with no difference, "does not hold" for equal false positive rates in at most 5% of
the datasets; with a 10-point gap, "holds" in at most 5%. Also reported: every verdict's share,
and, with no difference, how often any pairwise criterion (PPV, false positive and false
negative rates) says "does not hold". Calibration within groups is left out: the simulated
scores are not probabilities. Writes ``benchmarks/results/fairness.json``.

Usage::

    python benchmarks/bench_fairness.py [--quick] [--datasets N] [--group-size N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result

#: At most this share of wrong verdicts in each scenario.
TARGET_SHARE = 0.05
SCENARIOS = {"no_difference": 0.20, "gap_10_points": 0.30}
PAIRWISE = ("ppv", "fpr", "fnr")


def simulate(n: int, fpr_b: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Outcomes, scores and groups of two groups of ``n`` people (see the module docstring)."""
    y, s, g = [], [], []
    for name, fpr in (("a", 0.20), ("b", fpr_b)):
        outcome = (rng.uniform(size=n) < 0.35).astype(int)
        flagged = np.where(outcome == 1, rng.uniform(size=n) < 0.60, rng.uniform(size=n) < fpr)
        y.append(outcome)
        s.append(np.where(flagged, rng.uniform(0.5, 0.9, n), rng.uniform(0.1, 0.5, n)))
        g.append(np.full(n, name, dtype=object))
    return np.concatenate(y), np.concatenate(s), np.concatenate(g)


def run_scenario(
    fpr_b: float, *, datasets: int, group_size: int, n_resamples: int, seed: int
) -> dict:
    """Verdict counts over ``datasets`` simulated datasets of one scenario."""
    from riskmodel.fairness import fairness_summary

    rng = np.random.default_rng(seed)
    counts = {m: Counter() for m in PAIRWISE}
    any_not = 0
    for i in range(datasets):
        y, s, g = simulate(group_size, fpr_b, rng)
        summary = fairness_summary(
            y_true=y, y_score=s, groups={"g": g}, threshold=0.5, n_resamples=n_resamples, seed=i
        )
        criteria = {c["metric"]: c for c in summary["points"][0]["verdicts"]["g"]["criteria"]}
        for m in PAIRWISE:
            counts[m][criteria[m]["verdict"]] += 1
        any_not += any(criteria[m]["verdict"] == "does not hold" for m in PAIRWISE)
    verdicts = ("holds", "does not hold", "cannot tell", "undefined")
    return {
        "true_fpr": {"a": 0.20, "b": fpr_b},
        "datasets": datasets,
        "share": {m: {v: counts[m][v] / datasets for v in verdicts} for m in PAIRWISE},
        "share_any_pairwise_does_not_hold": any_not / datasets,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 datasets per scenario")
    parser.add_argument("--datasets", type=int, default=None, help="datasets per scenario")
    parser.add_argument("--group-size", type=int, default=300, help="people per group")
    parser.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples")
    args = parser.parse_args(argv)
    datasets = args.datasets or (20 if args.quick else 200)
    started, cpu_started = time.perf_counter(), time.process_time()
    scenarios = {
        name: run_scenario(
            fpr_b,
            datasets=datasets,
            group_size=args.group_size,
            n_resamples=args.n_resamples,
            seed=1000 * k,
        )
        for k, (name, fpr_b) in enumerate(SCENARIOS.items())
    }
    false_alarm = scenarios["no_difference"]["share"]["fpr"]["does not hold"]
    false_comfort = scenarios["gap_10_points"]["share"]["fpr"]["holds"]
    checks = {
        "no_difference_does_not_hold": {
            "share": false_alarm,
            "target": TARGET_SHARE,
            "met": false_alarm <= TARGET_SHARE,
        },
        "gap_holds": {
            "share": false_comfort,
            "target": TARGET_SHARE,
            "met": false_comfort <= TARGET_SHARE,
        },
    }
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    write_result(
        "fairness",
        {
            "group_size": args.group_size,
            "n_resamples": args.n_resamples,
            "tolerance": 0.05,
            "scenarios": scenarios,
            "checks": checks,
            "meets_targets": all(c["met"] for c in checks.values()),
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
        },
        quick=args.quick,
    )
    for name, scenario in scenarios.items():
        shares = ", ".join(f"{v} {100 * p:.1f}%" for v, p in scenario["share"]["fpr"].items())
        print(f"{name}: equal false positive rates: {shares}")
    print(f"{seconds:.1f} s ({cpu_seconds:.1f} s of CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ``riskmodel explain`` against ``riskmodel score`` for the same people.

Setup (not timed): a synthetic population of 10,000 people (``--quick``: 2,000) written as
CSV, and one model bundle per family (``logistic``, ``gbm``, ``ensemble``; sigmoid
calibration) trained on a different synthetic population. Timed, each as a fresh
``riskmodel`` subprocess (start-up, imports, reading and validating the files, features,
model: end to end), in the same run:

* ``riskmodel score --model B --data D --out scores.csv``
* ``riskmodel explain --model B --data D --out DIR`` (explanations.json for everyone, the
  global report and the default sample of 5 person pages)

Each command runs ``--repeats`` times (default 3); the median wall time is kept. Also checks
that the two commands give the same probabilities.

Then, in this process, the committed default bundle (``models/default``) explains a synthetic
population of 50,000 people (``--quick``: 2,000; ``riskmodel synth --seed 2``, read as
``riskmodel explain`` reads it), and :func:`need_contradictions` counts the people told that a
need area scored 2 in their latest assessment lowers their risk. Writes
``benchmarks/results/explain.json``.

Usage::

    python benchmarks/bench_explain.py [--quick] [--repeats N]

Targets: explain / score wall-time ratio ≤ 10; nobody told that a need area scored 2 lowers
their risk.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result

TARGET_RATIO = 10.0
RISKMODEL = [sys.executable, "-m", "riskmodel.cli"]
ROOT = Path(__file__).resolve().parents[1]
#: The bundle whose explanations are checked for needs that "lower" the risk.
DEFAULT_BUNDLE = ROOT / "models" / "default"
#: Seed of the synthetic population it explains (the accuracy benchmark's evaluation seed).
NEEDS_SEED = 2


def need_contradictions(explanation: Any) -> dict[str, Any]:
    """How many people are told that a need area scored 2 in their latest assessment lowers
    their risk, from the package's own count (:func:`riskmodel.explain.need_contradictions`,
    over the need-area concepts the reasons are given for).

    "Told it lowers" counts area contributions below ``-NEGLIGIBLE`` (the reason reads "lowers
    the risk"); ``needs_negative`` and ``people_negative`` count every contribution below 0
    (read as "makes little difference" when small).
    """
    from riskmodel.explain import NEGLIGIBLE
    from riskmodel.explain import need_contradictions as count

    told, strict = count(explanation, threshold=NEGLIGIBLE), count(explanation)
    return {
        "people": len(explanation.X),
        "people_with_significant_need": told["people"],
        "people_told_it_lowers": told["people_negative"],
        "significant_needs": told["significant_needs"],
        "needs_told_it_lowers": told["negative"],
        "people_negative": strict["people_negative"],
        "needs_negative": strict["negative"],
        "threshold": told["threshold"],
        "by_area": {
            area: {
                "significant": figures["n"],
                "told_it_lowers": figures["negative"],
                "negative": strict["by_area"][area]["negative"],
            }
            for area, figures in told["by_area"].items()
        },
    }


def needs_figure(root: Path, n_people: int, bundle: Path = DEFAULT_BUNDLE) -> dict[str, Any]:
    """:func:`need_contradictions` of ``bundle``'s explanations of a synthetic population
    (written under ``root`` and read as ``riskmodel explain --data`` reads it)."""
    from riskmodel.explain import explain
    from riskmodel.explain._people import load_model
    from riskmodel.synthetic import generate_population, write_population
    from riskmodel.training import inputs_for_bundle

    data_dir = write_population(generate_population(n_people, seed=NEEDS_SEED), root / "needs")
    model, manifest = load_model(bundle)
    inputs = inputs_for_bundle(
        manifest, table_path=None, data_dir=data_dir, config_path=None, labels=False
    )
    start = time.perf_counter()
    explanation = explain(model, inputs.table.X, ids=inputs.table.ids)
    seconds = time.perf_counter() - start
    figure = need_contradictions(explanation)
    return {
        "bundle": str(bundle.relative_to(ROOT)) if bundle.is_relative_to(ROOT) else str(bundle),
        "model_id": manifest.get("model_id"),
        "family": explanation.family,
        "population": f"riskmodel synth --n-people {n_people} --seed {NEEDS_SEED}",
        "explain_seconds": seconds,
        **figure,
        "target_people_told_it_lowers": 0,
        "meets_target": figure["people_told_it_lowers"] == 0,
    }


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(RISKMODEL + args, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def _setup(root: Path, n_people: int, quick: bool) -> tuple[Path, dict[str, Path]]:
    from riskmodel.bundle import save_bundle
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import build_feature_table
    from riskmodel.models import RiskModel
    from riskmodel.synthetic import generate_population, write_population

    data_dir = root / "caseload"
    write_population(generate_population(n_people, seed=101), data_dir)
    train_dir = root / "training"
    write_population(generate_population(2_000 if quick else 10_000, seed=102), train_dir)
    table = build_feature_table(validate_tables(read_tables(train_dir)), labels=True)
    labelled = table.labelled()
    bundles = {}
    for family in ("logistic", "gbm", "ensemble"):
        model = RiskModel(family=family).fit(labelled.X, labelled.label)
        bundles[family] = root / f"bundle-{family}"
        save_bundle(bundles[family], model, manifest={"benchmark": True}, family=family)
    return data_dir, bundles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 people (smoke run)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n_people = 2_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory(prefix="bench-explain-needs-") as tmp:
        needs = needs_figure(Path(tmp), 2_000 if args.quick else 50_000)
    print(
        f"needs: {needs['people_told_it_lowers']:,} of {needs['people']:,} people told that a "
        "need scored 2 lowers their risk",
        file=sys.stderr,
    )

    with tempfile.TemporaryDirectory(prefix="bench-explain-") as tmp:
        root = Path(tmp)
        data_dir, bundles = _setup(root, n_people, args.quick)
        families = {}
        for family, bundle in bundles.items():
            scores = root / f"scores-{family}.csv"
            out = root / f"explain-{family}"
            score_args = ["score", "--model", str(bundle), "--data", str(data_dir)]
            score_args += ["--out", str(scores)]
            explain_args = ["explain", "--model", str(bundle), "--data", str(data_dir)]
            explain_args += ["--out", str(out), "--force"]  # replaced on each repeat
            score_times, explain_times = [], []
            for _ in range(args.repeats):  # interleaved, so load on the machine hits both
                score_times.append(_timed(score_args))
                explain_times.append(_timed(explain_args))
            scored = pd.read_csv(scores)
            payload = json.loads((out / "explanations.json").read_text())
            explained = np.array([p["probability_2y"] for p in payload["people"]])
            same_people = scored["person_id"].astype(str).tolist() == [
                p["person_id"] for p in payload["people"]
            ]
            gaps = [
                abs(p["base_value"] + sum(p["contributions"].values())
                    - np.log(p["probability_2y"] / (1 - p["probability_2y"])))
                for p in payload["people"]
            ]  # fmt: skip
            score_s = statistics.median(score_times)
            explain_s = statistics.median(explain_times)
            families[family] = {
                "score_seconds": score_s,
                "explain_seconds": explain_s,
                "ratio": explain_s / score_s,
                "score_runs": score_times,
                "explain_runs": explain_times,
                "same_people": same_people,
                "max_probability_difference": float(
                    np.abs(scored["probability_2y"].to_numpy() - explained).max()
                ),
                "max_additivity_error": float(max(gaps)),
                "explanations_json_mib": (out / "explanations.json").stat().st_size / 2**20,
                "report_html_mib": (out / "report.html").stat().st_size / 2**20,
            }
            print(
                f"{family}: score {score_s:.2f} s, explain {explain_s:.2f} s, "
                f"ratio {explain_s / score_s:.2f}",
                file=sys.stderr,
            )
    worst = max(f["ratio"] for f in families.values())
    write_result(
        "explain",
        {
            "n_people": n_people,
            "repeats": args.repeats,
            "baseline": "riskmodel score (subprocess, same files, same run)",
            "families": families,
            "worst_ratio": worst,
            "target_ratio": TARGET_RATIO,
            "meets_target": worst <= TARGET_RATIO,
            "need_contradictions": needs,
        },
        quick=args.quick,
    )


if __name__ == "__main__":
    main()

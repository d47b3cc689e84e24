"""Benchmark: batch scoring from Parquet, streaming in chunks of people.

Generates populations with the generator of ``bench_features.py`` (1,000,000 people with about
10,000,000 offence rows, and 2,000,000 people; ``--quick``: 20,000 and 40,000), trains a small
logistic model bundle on a separate 10,000-person population, then measures, each in a fresh
subprocess:

* ``riskmodel.scoring.score_files`` on the 1M population (Parquet in, Parquet out): wall
  time, CPU time and peak resident memory (``VmHWM`` of that subprocess);
* ``pandas.read_parquet`` (pyarrow engine) of the same three files, in the same run, and the
  ratio of scoring time to that reading time;
* scoring the 2M population: peak memory, which should stay flat (at most 10% above 1M).

Writes ``benchmarks/results/scoring.json`` (``results/quick/`` with ``--quick``).
Targets: ratio at most 8 (aim 5), peak at most 3 GiB, 2M peak at most 1.10 x 1M peak.

Usage::

    python benchmarks/bench_scoring.py [--quick] [--chunk-size N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import peak_rss_gib, write_result  # noqa: E402
from bench_features import generate  # noqa: E402

TARGET_RATIO = 8.0
TARGET_PEAK_GIB = 3.0
TARGET_GROWTH = 1.10
TRAIN_PEOPLE = 10_000


def train_bundle(directory: Path, bundle: Path) -> dict[str, float]:
    """Fit a logistic model on a small generated population and save it with a drift
    reference (the bundle a real run would load)."""
    from riskmodel.bundle import save_bundle
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import build_feature_table
    from riskmodel.models import RiskModel
    from riskmodel.scoring import drift_reference

    t0 = time.perf_counter()
    generate(directory, TRAIN_PEOPLE, seed=99)
    table = build_feature_table(validate_tables(read_tables(directory)), labels=True).labelled()
    model = RiskModel(family="logistic", cv=3, inner_cv=2).fit(table.X, table.label)
    p = model.predict_proba(table.X)[:, 1]
    save_bundle(
        bundle,
        model,
        manifest={
            "feature_spec": {
                "numeric": list(model.numeric_),
                "categorical": list(model.categorical_),
                "source": "data",
            },
            "drift_reference": drift_reference(table.X[list(model.feature_names_in_)], p),
        },
        family="logistic",
    )
    return {"train_seconds": time.perf_counter() - t0, "train_people": len(table)}


def measure_score(data: Path, bundle: Path, out: Path, chunk_size: int) -> dict[str, object]:
    """Score in this (fresh) process; timings and peak RSS."""
    from riskmodel.scoring import score_files

    c0, t0 = time.process_time(), time.perf_counter()
    summary = score_files(model_dir=bundle, data_dir=data, out=out, chunk_size=chunk_size)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - c0,
        "peak_rss_gib": peak_rss_gib(),
        "people_read": summary["people_read"],
        "people_scored": summary["people_scored"],
        "people_rejected": summary["people_rejected"],
        "chunks": summary["chunks"],
        "chunk_size": summary["chunk_size"],
        "score_psi": summary["drift"].get("score_psi"),
        "output_bytes": out.stat().st_size,
    }


def measure_read(data: Path) -> dict[str, object]:
    """``pandas.read_parquet`` (pyarrow) of the three files, in this (fresh) process."""
    import pandas as pd

    t0 = time.perf_counter()
    rows = {
        name: len(pd.read_parquet(data / f"{name}.parquet", engine="pyarrow"))
        for name in ("people", "offences", "needs")
    }
    return {"seconds": time.perf_counter() - t0, "rows": rows, "peak_rss_gib": peak_rss_gib()}


def _child(*args: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        raise SystemExit(run.returncode)
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 and 40,000 people")
    parser.add_argument("--chunk-size", type=int, default=None, help="people per chunk")
    parser.add_argument("--keep", type=Path, default=None, help="keep generated data here")
    parser.add_argument("--measure-score", nargs=4, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--measure-read", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure_score is not None:
        data, bundle, out, chunk = args.measure_score
        print(json.dumps(measure_score(Path(data), Path(bundle), Path(out), int(chunk))))
        return 0
    if args.measure_read is not None:
        print(json.dumps(measure_read(args.measure_read)))
        return 0

    from riskmodel.scoring import DEFAULT_CHUNK_SIZE

    chunk_size = args.chunk_size or DEFAULT_CHUNK_SIZE
    sizes = (20_000, 40_000) if args.quick else (1_000_000, 2_000_000)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_scoring_"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        training = train_bundle(root / "train", root / "bundle")
        print(f"trained in {training['train_seconds']:.1f} s", file=sys.stderr, flush=True)
        runs = {}
        for n in sizes:
            data = root / f"data-{n}"
            t0 = time.perf_counter()
            rows = generate(data, n)
            print(f"generated {rows} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            read = _child("--measure-read", str(data))
            score = _child(
                "--measure-score",
                str(data),
                str(root / "bundle"),
                str(root / f"scores-{n}.parquet"),
                str(chunk_size),
            )
            runs[n] = {"rows": rows, "read_parquet": read, "score": score}
            print(
                f"{n:,} people: score {score['seconds']:.1f} s, peak "
                f"{score['peak_rss_gib']:.2f} GiB; read_parquet {read['seconds']:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            if args.keep is None:
                shutil.rmtree(data, ignore_errors=True)
                (root / f"scores-{n}.parquet").unlink(missing_ok=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    small, large = (runs[n] for n in sizes)
    ratio = small["score"]["seconds"] / small["read_parquet"]["seconds"]
    growth = large["score"]["peak_rss_gib"] / small["score"]["peak_rss_gib"]
    result = {
        "people": sizes[0],
        "offence_rows": small["rows"]["offences"],
        "needs_rows": small["rows"]["needs"],
        "chunk_size": small["score"]["chunk_size"],
        "engine": "local",
        "score_seconds": small["score"]["seconds"],
        "score_cpu_seconds": small["score"]["cpu_seconds"],
        "read_parquet_seconds": small["read_parquet"]["seconds"],
        "ratio_to_read_parquet": ratio,
        "peak_rss_gib": small["score"]["peak_rss_gib"],
        "people_per_second": sizes[0] / small["score"]["seconds"],
        "offence_rows_per_second": small["rows"]["offences"] / small["score"]["seconds"],
        "large": {
            "people": sizes[1],
            "offence_rows": large["rows"]["offences"],
            "score_seconds": large["score"]["seconds"],
            "read_parquet_seconds": large["read_parquet"]["seconds"],
            "peak_rss_gib": large["score"]["peak_rss_gib"],
        },
        "peak_growth_large_over_small": growth,
        "read_parquet_peak_rss_gib": small["read_parquet"]["peak_rss_gib"],
        "training": training,
        "runs": {str(k): v for k, v in runs.items()},
        "targets": {
            "ratio_to_read_parquet": TARGET_RATIO,
            "peak_rss_gib": TARGET_PEAK_GIB,
            "peak_growth_large_over_small": TARGET_GROWTH,
        },
        "meets_targets": bool(
            ratio <= TARGET_RATIO
            and small["score"]["peak_rss_gib"] <= TARGET_PEAK_GIB
            and growth <= TARGET_GROWTH
        ),
        "load_average_at_end": os.getloadavg()[0],
    }
    write_result("scoring", result, quick=args.quick)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

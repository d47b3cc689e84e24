"""Benchmark: point-in-time features and labels from Parquet, validation included.

Generates a population with a fast vectorised generator (1,000,000 people, about 10,000,000
offence rows and 700,000 needs assessments; ``--quick``: 20,000 people), writes it as Parquet,
then measures in a fresh subprocess ``read_tables`` + ``validate_tables`` +
``build_feature_table(labels=True)``: throughput in offence rows per second over the whole
run and peak resident memory (``VmHWM`` of the subprocess). Writes
``benchmarks/results/features.json``.

Usage::

    python benchmarks/bench_features.py [--quick] [--data-dir DIR] [--keep]

Targets: at least 500,000 offence rows per second (aim 1,000,000), under 6 GiB peak.
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
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from _common import peak_rss_gib, write_result

from riskmodel.contract import DISPOSALS, NEED_AREAS, OFFENCE_GROUPS

TARGET_ROWS_PER_SECOND = 500_000
TARGET_PEAK_GIB = 6.0


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.int32()).cast(pa.date32())


def _choice(rng: np.random.Generator, values: Sequence[str], n: int) -> pa.Array:
    codes = pa.array(rng.integers(0, len(values), n).astype(np.int32))
    return pa.DictionaryArray.from_arrays(codes, pa.array(values)).cast(pa.string())


#: The extract date of the generated data: no event after it.
EXTRACT_DATE = "2024-12-31"


def generate(directory: Path, n_people: int, seed: int = 0) -> dict[str, int]:
    """Write people, offences and needs Parquet files and metadata.json; return row counts."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    epoch_2015 = 16436  # 2015-01-01 as days since 1970-01-01
    index = epoch_2015 + rng.integers(0, 8 * 365, n_people)
    age_days = rng.integers(18 * 366, 70 * 365, n_people)
    born = index - age_days
    custody_release = rng.random(n_people) < 0.3
    current = np.where(custody_release, index - rng.integers(30, 700, n_people), index)
    ids = pa.array(np.char.add("P", np.arange(n_people).astype("U8")).astype(object))
    people = pa.table(
        {
            "person_id": ids,
            "date_of_birth": _dates(born),
            "sex": _choice(rng, ["male", "female"], n_people),
            "index_date": _dates(index),
            "index_offence": _choice(rng, OFFENCE_GROUPS, n_people),
            "index_sanction_date": _dates(current),
            "index_disposal": _choice(rng, DISPOSALS, n_people),
            "ethnicity": _choice(rng, ["white", "black", "asian", "mixed", "other"], n_people),
        }
    )
    pq.write_table(people, directory / "people.parquet")

    # Offences: about 10 rows per person; the current sanction row for 85% of people; history
    # back to age 16, outcomes up to four years after the index date.
    counts = rng.poisson(9.0, n_people)
    person = np.repeat(np.arange(n_people), counts)
    n_rows = len(person)
    career = np.maximum(age_days[person] - 16 * 365, 1)
    sanction = index[person] + 1500 - (rng.random(n_rows) * (career + 1500)).astype(np.int64)
    with_current = np.flatnonzero(rng.random(n_people) < 0.85)
    person = np.concatenate([person, with_current])
    sanction = np.concatenate([sanction, current[with_current]])
    sanction = np.maximum(sanction, born[person] + 16 * 365)
    # nothing is proven after the extract date (validation rejects such a person)
    sanction = np.minimum(sanction, np.datetime64(EXTRACT_DATE, "D").astype(np.int64))
    n_rows = len(person)
    offence = sanction - rng.integers(0, 200, n_rows)
    custody_days = np.where(rng.random(n_rows) < 0.1, rng.integers(1, 900, n_rows), np.nan)
    offences = pa.table(
        {
            "person_id": ids.take(pa.array(person)),
            "offence_date": _dates(offence),
            "sanction_date": _dates(sanction),
            "offence_group": _choice(rng, OFFENCE_GROUPS, n_rows),
            "disposal": _choice(rng, DISPOSALS, n_rows),
            "custody_days": pa.array(custody_days, from_pandas=True),
        }
    )
    pq.write_table(offences, directory / "offences.parquet")

    n_needs = round(0.7 * n_people)
    who = rng.integers(0, n_people, n_needs)
    needs = {
        "person_id": ids.take(pa.array(who)),
        "assessment_date": _dates(index[who] + rng.integers(-500, 200, n_needs)),
    }
    for area in NEED_AREAS:
        scores = rng.integers(0, 3, n_needs).astype(np.float64)
        scores[rng.random(n_needs) < 0.05] = np.nan
        needs[area] = pa.array(scores, from_pandas=True)
    pq.write_table(pa.table(needs), directory / "needs.parquet")
    (directory / "metadata.json").write_text(json.dumps({"extract_date": EXTRACT_DATE}))
    return {"people": n_people, "offences": n_rows, "needs": n_needs}


def measure(directory: Path) -> dict[str, float]:
    """Run read, validate and features once in this process; timings and peak RSS."""
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import build_feature_table

    c0, t0 = time.process_time(), time.perf_counter()
    raw = read_tables(directory)
    c1, t1 = time.process_time(), time.perf_counter()
    data = validate_tables(raw)
    c2, t2 = time.process_time(), time.perf_counter()
    table = build_feature_table(data, labels=True)
    c3, t3 = time.process_time(), time.perf_counter()
    return {
        "read_seconds": t1 - t0,
        "validate_seconds": t2 - t1,
        "features_seconds": t3 - t2,
        "total_seconds": t3 - t0,
        "read_cpu_seconds": c1 - c0,
        "validate_cpu_seconds": c2 - c1,
        "features_cpu_seconds": c3 - c2,
        "total_cpu_seconds": c3 - c0,
        "offence_rows_read": len(raw.offences),
        "people_kept": len(table),
        "n_features": table.X.shape[1],
        "censored": table.meta["censored"],
        "current_sanction_from_people": table.meta["current_sanction_from_people"],
        "peak_rss_gib": peak_rss_gib(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 people instead of 1e6")
    parser.add_argument("--data-dir", type=Path, default=None, help="where to write the data")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure is not None:  # the measured subprocess
        print(json.dumps(measure(args.measure)))
        return 0

    n_people = 20_000 if args.quick else 1_000_000
    directory = args.data_dir or Path(tempfile.mkdtemp(prefix="bench_features_"))
    try:
        t0 = time.perf_counter()
        rows = generate(directory, n_people)
        generate_seconds = time.perf_counter() - t0
        print(f"generated {rows} in {generate_seconds:.1f} s", flush=True)
        run = subprocess.run(
            [sys.executable, __file__, "--measure", str(directory)],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            sys.stderr.write(run.stderr)
            return run.returncode
        figures = json.loads(run.stdout.strip().splitlines()[-1])
    finally:
        if args.data_dir is None and not args.keep:
            shutil.rmtree(directory, ignore_errors=True)

    throughput = figures["offence_rows_read"] / figures["total_seconds"]
    result = {
        "people": rows["people"],
        "offence_rows": rows["offences"],
        "needs_rows": rows["needs"],
        "offence_rows_per_second": throughput,
        "offence_rows_per_second_features_only": figures["offence_rows_read"]
        / figures["features_seconds"],
        "peak_rss_gib": figures["peak_rss_gib"],
        "seconds": {
            "read": figures["read_seconds"],
            "validate": figures["validate_seconds"],
            "features_and_labels": figures["features_seconds"],
            "total": figures["total_seconds"],
        },
        # CPU time of the measured process: less sensitive to other load on a shared machine
        "cpu_seconds": {
            "read": figures["read_cpu_seconds"],
            "validate": figures["validate_cpu_seconds"],
            "features_and_labels": figures["features_cpu_seconds"],
            "total": figures["total_cpu_seconds"],
        },
        "offence_rows_per_cpu_second": figures["offence_rows_read"] / figures["total_cpu_seconds"],
        "load_average_at_end": os.getloadavg()[0],
        "people_kept": figures["people_kept"],
        "n_features": figures["n_features"],
        "censored": figures["censored"],
        "current_sanction_from_people": figures["current_sanction_from_people"],
        "targets": {
            "offence_rows_per_second": TARGET_ROWS_PER_SECOND,
            "peak_rss_gib": TARGET_PEAK_GIB,
        },
        "meets_targets": bool(
            throughput >= TARGET_ROWS_PER_SECOND and figures["peak_rss_gib"] < TARGET_PEAK_GIB
        ),
        "generate_seconds": generate_seconds,
    }
    write_result("features", result, quick=args.quick)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: drawing and writing a synthetic population (``riskmodel synth``).

Measures ``generate_population`` and ``write_population`` for 100,000 people (``--quick``:
2,000), wall-clock and CPU time, rows written and peak resident memory, and writes
``benchmarks/results/synth.json``.

Usage::

    python benchmarks/bench_synth.py [--quick] [--seed S]

Target: 100,000 people generated and written in under 30 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_gib, write_result

from riskmodel.synthetic import generate_population, write_population

TARGET_SECONDS = 30.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 people instead of 100,000")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    n_people = 2_000 if args.quick else 100_000

    wall0, cpu0 = time.perf_counter(), time.process_time()
    population = generate_population(n_people, seed=args.seed)
    wall1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        write_population(population, directory)
        wall2, cpu2 = time.perf_counter(), time.process_time()
        size = sum(p.stat().st_size for p in Path(directory).iterdir())

    total = wall2 - wall0
    result = {
        "n_people": n_people,
        "seed": args.seed,
        "offence_rows": len(population.offences),
        "needs_rows": len(population.needs),
        "generate_seconds": round(wall1 - wall0, 3),
        "write_seconds": round(wall2 - wall1, 3),
        "total_seconds": round(total, 3),
        "total_cpu_seconds": round(cpu2 - cpu0, 3),
        "people_per_second": round(n_people / total),
        "bytes_written": size,
        "peak_rss_gib": round(peak_rss_gib(), 3),
        "target_seconds": TARGET_SECONDS,
        "meets_target": bool(total < TARGET_SECONDS) if not args.quick else None,
    }
    write_result("synth", result, quick=args.quick)
    print(
        f"{n_people:,} people, {result['offence_rows']:,} offence rows: generated in "
        f"{result['generate_seconds']:.1f} s, written in {result['write_seconds']:.1f} s "
        f"(total {total:.1f} s, target < {TARGET_SECONDS:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

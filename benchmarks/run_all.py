"""Run every benchmark and write ``benchmarks/RESULTS.md`` from ``benchmarks/results/*.json``.

Each ``bench_<name>.py`` runs in its own process (so peak memory is its own), one at a time,
and writes ``results/<name>.json``; RESULTS.md is then generated from those files only
(accuracy tables, one speed-and-memory table, the checks, the machine). ``--quick`` runs
smoke-test sizes into ``results/quick/`` and writes ``results/quick/RESULTS.md`` (both
git-ignored), leaving the committed files alone.

Usage: ``python benchmarks/run_all.py [--quick] [--only NAME ...] [--render]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import results_folder  # noqa: E402
from _report import render_markdown  # noqa: E402


def load_results(folder: Path) -> dict[str, dict]:
    """Every ``<name>.json`` of ``folder``, by name."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def results_markdown_path(*, quick: bool) -> Path:
    """``RESULTS.md`` beside the README's link, or ``results/quick/RESULTS.md``."""
    return results_folder(quick=True) / "RESULTS.md" if quick else HERE / "RESULTS.md"


def write_markdown(*, quick: bool) -> Path:
    """Render the results of the (quick) results folder into its RESULTS.md."""
    command = "python benchmarks/run_all.py" + (" --quick" if quick else "")
    target = results_markdown_path(quick=quick)
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = results_folder(quick=quick)
    source = str(folder.relative_to(HERE.parent))
    target.write_text(render_markdown(load_results(folder), command=command, source=source))
    return target


def run_benchmarks(names: list[str] | None, *, quick: bool) -> list[str]:
    """Run the ``bench_*.py`` scripts (all, or those named) one after another; the failures."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    failed = []
    for script in scripts:
        started = time.perf_counter()
        command = [sys.executable, str(script), *(["--quick"] if quick else [])]
        print(f"running {script.name} ...", flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(script.name)
        print(f"  {script.name}: {time.perf_counter() - started:.1f} s", flush=True)
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    parser.add_argument(
        "--render", action="store_true", help="only regenerate RESULTS.md from the JSON files"
    )
    args = parser.parse_args(argv)
    failed = [] if args.render else run_benchmarks(args.only, quick=args.quick)
    print(f"wrote {write_markdown(quick=args.quick)}")
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What every benchmark shares: the machine description, where results go, peak memory."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def machine() -> dict[str, Any]:
    """The machine a benchmark ran on."""
    try:
        import psutil

        memory_gib = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # pragma: no cover
        memory_gib = None
    return {
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpu_count": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
    }


def results_folder(*, quick: bool) -> Path:
    """``results/``, or ``results/quick/`` for a smoke run (git-ignored)."""
    return HERE / "results" / ("quick" if quick else "")


def results_path(name: str, *, quick: bool, folder: Path | None = None) -> Path:
    """``<folder>/<name>.json``; the folder defaults to :func:`results_folder`."""
    folder = results_folder(quick=quick) if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.json"


def simulation_parser(description: str, *, result: str, runs: str) -> argparse.ArgumentParser:
    """The options every simulation benchmark takes: ``--quick``, ``--out`` (the folder of
    ``result``), ``--runs`` (``runs`` says what a run is), ``--seed`` and ``--threads``; a
    benchmark adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes")
    parser.add_argument("--out", type=Path, default=None, help=f"folder of {result}")
    parser.add_argument("--runs", type=int, default=None, help=runs)
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws")
    parser.add_argument("--threads", type=int, default=1, help="native threads")
    return parser


def add_families_option(parser: argparse.ArgumentParser, default: tuple[str, ...]) -> None:
    """``--families``: the model families a benchmark measures beside the default (``default``
    unless told)."""
    parser.add_argument(
        "--families", nargs="*", default=list(default), help="families beside the default"
    )


def run_parsed(
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace], int],
    argv: list[str] | None = None,
) -> int:
    """Parse ``argv`` and return ``run(args)``, with at most ``--threads`` native threads."""
    from threadpoolctl import threadpool_limits

    args = parser.parse_args(argv)
    with threadpool_limits(args.threads):
        return run(args)


def write_result(
    name: str,
    data: dict[str, Any],
    *,
    quick: bool,
    folder: Path | None = None,
    summary: str | None = None,
) -> Path:
    """Write a benchmark result with the machine description and the time it finished;
    print where, then the one-line ``summary`` when given."""
    path = results_path(name, quick=quick, folder=folder)
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    payload = {
        "benchmark": name,
        "quick": quick,
        "machine": machine(),
        "finished_utc": finished,
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n")
    print(f"wrote {path}", file=sys.stderr)
    if summary is not None:
        print(summary, file=sys.stderr)
    return path


def against_baseline(seconds: float, baseline_seconds: float) -> str:
    """A time and its ratio to the plain baseline's, as the one-line summaries say them.

    Examples
    --------
    >>> against_baseline(12.0, 3.0)
    "12.0 s, 4.0x the plain baseline's 3.0 s"
    """
    return (
        f"{seconds:.1f} s, {seconds / baseline_seconds:.1f}x the plain baseline's "
        f"{baseline_seconds:.1f} s"
    )


def run_costs(started: float) -> dict[str, float]:
    """What a run cost, as results record it: ``seconds`` of wall time since ``started`` (a
    :func:`time.perf_counter` reading) and ``peak_rss_gib`` (:func:`peak_rss_gib`)."""
    return {"seconds": time.perf_counter() - started, "peak_rss_gib": peak_rss_gib()}


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far, in GiB: ``VmHWM`` of /proc/self/status.

    Not ``ru_maxrss``: Linux carries a parent's maximum RSS over fork and exec into the child,
    so a child started by a large generating process would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

"""What a command prints: progress bars on a terminal (silence otherwise) and run summaries."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from rich.progress import Progress

from riskmodel._io import write_json, write_text
from riskmodel.cli._signals import raise_if_stopped

T = TypeVar("T")


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a progress bar on standard error when it is a terminal.

    Before each item, a stopping signal already received ends the command (see
    :func:`~riskmodel.cli._signals.raise_if_stopped`).
    """
    if not sys.stderr.isatty():
        for item in items:
            raise_if_stopped()
            yield item
        return
    with Progress(transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            raise_if_stopped()
            yield item
            bar.advance(task)


def echo(message: str) -> None:
    """Print a line of the run summary to standard output."""
    print(message, flush=True)


def metrics_line(m: dict) -> str:
    """AUC with its interval, Brier, ECE and observed/expected of a metrics dict, on one line."""
    if m["auc"] is None or m["auc"] != m["auc"]:  # one outcome class: undefined
        auc = "AUC undefined"
    else:
        auc = f"AUC {m['auc']:.3f} [{m['auc_ci'][0]:.3f}, {m['auc_ci'][1]:.3f}]"
    return f"{auc}  Brier {m['brier']:.4f}  ECE {m['ece']:.4f}  O/E {m['observed_expected']:.3f}"


def echo_mlflow_run(run_id: str, register: str | None = None) -> None:
    """Print where a run was logged to MLflow (and the registered model's URI)."""
    from riskmodel.tracking import DEFAULT_ALIAS, tracking_uri

    echo(f"MLflow run {run_id} ({tracking_uri()})")
    if register:
        uri = f"models:/{register}@{DEFAULT_ALIAS}"
        echo(f"registered as {register}, alias {DEFAULT_ALIAS}: {uri}")


def write_json_and_report(out_dir: Path, json_name: str, payload: Any, html: str) -> str:
    """Write ``OUT/json_name`` and ``OUT/report.html``; return the line that says so."""
    write_json(payload, out_dir / json_name)
    write_text(html, out_dir / "report.html")
    return f"wrote {out_dir / json_name} and {out_dir / 'report.html'}"

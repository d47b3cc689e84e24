"""The harness of the hostile-input tests: play a case through the command line and check
every promise at once.

:func:`play` runs ``riskmodel ARGS`` through the command line's entry point and asserts: no
traceback, the exit code (0 or 2), the message (when given) on standard error or standard
output, every input file byte for byte as it was, and, for a scoring run that wrote its summary,
people read = people scored + people rejected.

By default the command runs in this process (``riskmodel.cli.main``, the function the console
script calls, which turns every expected error into a message and an exit code: anything else
escapes as an exception and fails the test, as a traceback would); ``process=True`` runs it in
a new process, for what only a process shows (signals, interpreter start-up).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from riskmodel.cli import main
from tests.commands import run_cli


def write_frame(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as Parquet (``.parquet``) or CSV (anything else); the path."""
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def drawn_scores(n: int, **columns: Callable[[np.random.Generator, int], object]) -> pd.DataFrame:
    """``n`` people (``P0000``, ...) with a ``probability_2y`` drawn uniformly in [0.05, 0.95]
    and a ``reoffended_2y`` drawn from it (seed 7); then each of ``columns``, in order, drawn
    by ``draw(rng, n)`` from the same generator."""
    rng = np.random.default_rng(7)
    p = rng.uniform(0.05, 0.95, n)
    frame = pd.DataFrame(
        {
            "person_id": [f"P{i:04d}" for i in range(n)],
            "probability_2y": p,
            "reoffended_2y": (rng.uniform(size=n) < p).astype(int),
        }
    )
    for name, draw in columns.items():
        frame[name] = draw(rng, n)
    return frame


def fingerprint(*paths: Path) -> dict[str, str]:
    """sha256 of every file under ``paths`` (files or directories)."""
    out = {}
    for path in paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            out[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return out


@dataclass
class Played:
    code: int
    out: str
    err: str


def play(
    *args: object,
    inputs: tuple[Path, ...],
    code: int,
    message: str | None = None,
    summary: Path | None = None,
    timeout: float = 300,
    process: bool = False,
) -> Played:
    """Run ``riskmodel ARGS`` and check every promise (see the module docstring).

    ``inputs`` are the files and directories the command reads (checked unchanged);
    ``summary`` is a scoring run summary whose counts must reconcile when the run succeeded.
    """
    before = fingerprint(*inputs)
    if process:
        result = run_cli(*map(str, args), timeout=timeout)
        played = Played(result.returncode, result.stdout, result.stderr)
    else:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            returned = main([str(a) for a in args])
        played = Played(returned, out.getvalue(), err.getvalue())
    text = played.out + played.err
    assert "Traceback" not in text, text
    assert played.code == code, text
    if message is not None:
        assert message in text, text
    assert fingerprint(*inputs) == before, "an input file changed"
    if summary is not None and code == 0:
        counts = json.loads(summary.read_text())
        assert counts["people_read"] == counts["people_scored"] + counts["people_rejected"]
    return played

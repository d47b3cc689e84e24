"""Running ``riskmodel`` commands from tests: in this process, or in a real one."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd

from riskmodel.cli import main


def run_main(args: list, capsys) -> tuple[int, str, str]:
    """``riskmodel ARGS`` in this process: exit code, standard output and standard error."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_cli(*args: str | Path, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``python -m riskmodel.cli ARGS`` in a new process: what a user's shell would show."""
    return subprocess.run(
        [sys.executable, "-m", "riskmodel.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def run_here(*args: str | Path) -> subprocess.CompletedProcess:
    """``riskmodel ARGS`` in this process, answered as :func:`run_cli` answers (exit code,
    standard output and standard error) without the second or two a new interpreter takes.

    ``main`` turns every expected error into a message and an exit code; anything else escapes
    as an exception and fails the test, as the traceback a user would see. Keep :func:`run_cli`
    for what only a process shows (signals, interpreter start-up, the entry point).
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return subprocess.CompletedProcess(
        ["riskmodel", *map(str, args)], code, out.getvalue(), err.getvalue()
    )


def on_flat_table(command: str, directory: Path, out: Path, *extra: str) -> int:
    """``riskmodel COMMAND`` on ``directory``'s ``people.csv`` with its ``config.toml``,
    writing ``out``, in this process; the exit code."""
    return main(
        [
            command,
            "--table",
            str(directory / "people.csv"),
            "--config",
            str(directory / "config.toml"),
            "--out",
            str(out),
            *extra,
        ]
    )


def write_flat_inputs(directory: Path, frame: pd.DataFrame, config: str) -> Path:
    """Write ``frame`` as ``people.csv`` and ``config`` as ``config.toml`` in ``directory``,
    the inputs :func:`on_flat_table` reads; the directory."""
    frame.to_csv(directory / "people.csv", index=False)
    (directory / "config.toml").write_text(config)
    return directory

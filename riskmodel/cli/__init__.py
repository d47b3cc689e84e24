"""The ``riskmodel`` command line: one entry point, one module per subcommand.

Every subcommand module defines a click command named ``command``; it is registered here.
A command parses its options (those several commands share are declared once, in
``_options``), calls the core and prints. Errors of type :class:`riskmodel.RiskmodelError`
become one line on standard error and exit code 2, never a traceback, and so do operating-system
errors (a path that cannot be read or written, a full disk: the path and the system's reason);
the command line's own messages are in ``_messages``. SIGTERM and SIGHUP stop a command cleanly
(its temporary files removed, its worker processes stopped): one line on standard error and
exit code 143 (SIGTERM) or 129 (SIGHUP), see ``_signals``.
"""

from __future__ import annotations

import importlib
import sys

import click

from riskmodel._errors import RiskmodelError
from riskmodel.cli._messages import ABORTED, ERROR, OS_ERROR, OS_ERROR_NO_PATH, TERMINATED
from riskmodel.cli._signals import Terminated, stop_cleanly_on_signals

#: Subcommand modules, in the order ``riskmodel --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "synth",
    "validate",
    "features",
    "ogrs3",
    "threshold",
    "cohort",
    "programme",
    "fairness",
    "crossval",
    "train",
    "evaluate",
    "recalibrate",
    "explain",
    "score",
)


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name.replace("_", "-") for name in COMMAND_MODULES if _load(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = cmd_name.replace("-", "_")
        if name not in COMMAND_MODULES:
            return None
        return _load(name)


def _load(name: str) -> click.Command | None:
    try:
        module = importlib.import_module(f"riskmodel.cli._{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"riskmodel.cli._{name}":
            return None
        raise
    return module.command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskmodel")
def cli() -> None:
    """Calibrated, explainable models of two-year proven reoffending.

    \b
    Example:
      riskmodel synth --n-people 5000 --seed 1 --out data/synthetic
      riskmodel validate --data data/synthetic
    """


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (2 for bad input, 128 + the signal number
    when stopped by SIGTERM or SIGHUP, never a traceback)."""
    try:
        with stop_cleanly_on_signals():
            cli.main(args=argv, prog_name="riskmodel", standalone_mode=False)
    except Terminated as stop:
        click.echo(TERMINATED.format(signal=stop.name), err=True)
        return stop.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo(ABORTED, err=True)
        return 1
    except RiskmodelError as exc:
        click.echo(ERROR.format(error=exc), err=True)
        return 2
    except OSError as exc:
        click.echo(os_error_line(exc), err=True)
        return 2
    return 0


def os_error_line(exc: OSError) -> str:
    """The one line an operating-system error becomes: the path and what the system said.

    Examples
    --------
    >>> import errno
    >>> os_error_line(OSError(errno.ENOSPC, "No space left on device", "out/scores.csv"))
    'error: out/scores.csv: No space left on device'
    """
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return OS_ERROR_NO_PATH.format(reason=reason)
    return OS_ERROR.format(path=exc.filename, reason=reason)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())

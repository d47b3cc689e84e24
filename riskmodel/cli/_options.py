"""Options that several subcommands take, declared once.

Each function returns a click decorator; a command module declares only the options that are
its own. Path checks are the strictest any command used: a directory option refuses a file and
a file option refuses a directory; existence is left to the readers, whose messages say which
file is missing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from riskmodel.cli._messages import EMPTY_PATH


class _Path(click.Path):
    """A path option that refuses an empty value (which would otherwise mean ``.``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(EMPTY_PATH, param, ctx)
        return super().convert(value, param, ctx)


#: A directory given on the command line (an existing file, or an empty path, is refused).
DIRECTORY = _Path(file_okay=False, path_type=Path)
#: A file given on the command line (an existing directory, or an empty path, is refused).
FILE = _Path(dir_okay=False, path_type=Path)

DATA_HELP = (
    "Directory with people.*, offences.*, needs.* (CSV or Parquet) and optionally "
    "metadata.json (the event tables)."
)
TABLE_HELP = "Flat person-level table (CSV or Parquet) described by --config's [table]."
CONFIG_HELP = "TOML config ([table], [model]); required with --table."
BUNDLE_CONFIG_HELP = (
    "TOML config with the [table] section (default with --table: the bundle's own)."
)
EXTRACT_DATE_HELP = "The data's extract date (YYYY-MM-DD); default: metadata.json's extract_date."
MODEL_HELP = "Model bundle directory (made by `riskmodel train`)."
REJECTS_HELP = "Rejects CSV (default: beside --out, as NAME.rejects.csv)."
OUT_TABLE_HELP = "Output table: .parquet for Parquet, anything else CSV."
RESAMPLES_HELP = "Bootstrap resamples for the 95% intervals."
#: The help of ``--horizon-months`` and ``--proof-months``; ``{model}`` says what a command
#: that takes ``--model`` uses when they are not given (:data:`FROM_MODEL`), and is empty in
#: one that does not.
HORIZON_HELP = (
    "Follow-up of event-data labels: an offence within this many calendar months after the "
    "index date counts [default: 24{model}]. Names the outputs: _1y for 12, _2y for 24, "
    "_{{N}}m otherwise."
)
PROOF_HELP = (
    "Further calendar months in which an offence of the follow-up must be proven "
    "[default: 6{model}]."
)
FROM_MODEL = "; with --model, the model's own"
SCORE_FOUND_HELP = "default: the scores file's one probability_* column, whatever its horizon"

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _required(required: bool) -> dict[str, Any]:
    """``required=True``, or a default of None (click takes an explicit None as given)."""
    return {"required": True} if required else {"default": None}


def stack(*decorators: Decorator) -> Decorator:
    """Apply ``decorators`` as if written one above the other, in this order."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return decorate


def out_dir(*files: str, help: str | None = None) -> Decorator:
    """``--out DIR`` (required); the help names the ``files`` written there."""
    text = help or f"Directory for {', '.join(files[:-1])} and {files[-1]}."
    return click.option("--out", "out_dir", required=True, type=DIRECTORY, help=text)


def out_file(help: str = OUT_TABLE_HELP) -> Decorator:
    """``--out FILE`` (required): one output table."""
    return click.option("--out", "out", required=True, type=FILE, help=help)


def seed(of: str = "", *, default: int | None = 0, help: str | None = None) -> Decorator:
    """``--seed`` (an int; required when ``default`` is None), the seed ``of`` something."""
    text = help or f"Seed of {of}."
    if default is None:
        return click.option("--seed", type=int, required=True, help=text)
    return click.option("--seed", type=int, default=default, show_default=True, help=text)


def data(*, required: bool = False, help: str = DATA_HELP) -> Decorator:
    """``--data DIR``: the event tables."""
    return click.option("--data", "data_dir", type=DIRECTORY, help=help, **_required(required))


def extract_date(help: str = EXTRACT_DATE_HELP, default: str | None = None) -> Decorator:
    """``--extract-date YYYY-MM-DD``."""
    return click.option("--extract-date", default=default, show_default=bool(default), help=help)


def model(*, required: bool = True, help: str = MODEL_HELP) -> Decorator:
    """``--model DIR``: a model bundle."""
    return click.option("--model", "model_dir", type=DIRECTORY, help=help, **_required(required))


def rejects(help: str = REJECTS_HELP) -> Decorator:
    """``--rejects FILE``: one line per problem."""
    return click.option("--rejects", "rejects_path", type=FILE, default=None, help=help)


def n_resamples(default: int = 1000) -> Decorator:
    """``--n-resamples``: bootstrap resamples of every interval."""
    kind = click.IntRange(10, 100_000)
    return click.option(
        "--n-resamples", default=default, show_default=True, type=kind, help=RESAMPLES_HELP
    )


def n_bootstrap(default: int, help: str) -> Decorator:
    """``--n-bootstrap`` (0 allowed)."""
    kind = click.IntRange(min=0)
    return click.option("--n-bootstrap", type=kind, default=default, show_default=True, help=help)


no_mlflow = click.option("--no-mlflow", is_flag=True, help="Do not log the run to MLflow.")


#: ``score_column`` of :func:`scores`: found in the scores file when not given.
FIND_PROBABILITY = "probability_*"


def scores(help: str, *, score_column: str | None, score_help: str) -> Decorator:
    """``--scores FILE`` and ``--score-column`` (required when it has no default; with
    :data:`FIND_PROBABILITY`, None when not given: the command finds the file's one
    probability column, :func:`riskmodel._horizon.find_probability_column`)."""
    if score_column == FIND_PROBABILITY:
        column = click.option(
            "--score-column", default=None, help=f"{score_help.rstrip('.')} ({SCORE_FOUND_HELP})."
        )
    elif score_column is None:
        column = click.option("--score-column", required=True, help=score_help)
    else:
        column = click.option(
            "--score-column", default=score_column, show_default=True, help=score_help
        )
    return stack(
        click.option("--scores", "scores_path", required=True, type=FILE, help=help), column
    )


def outcome_column(help: str, *, required: bool) -> Decorator:
    """``--outcome-column``: observed 0/1 outcomes."""
    return click.option("--outcome-column", help=help, **_required(required))


def group_columns(help: str, *, required: bool = False) -> Decorator:
    """``--group-column`` (repeatable), as ``group_columns``."""
    return click.option(
        "--group-column", "group_columns", required=required, multiple=True, help=help
    )


def horizon(*, from_model: bool) -> Decorator:
    """``--horizon-months`` and ``--proof-months`` (None when not given: 24 and 6, or, in a
    command that takes ``--model`` (``from_model``), the bundle's own), as ``horizon_months``
    and ``proof_months``."""
    months = click.IntRange(min=1)
    model = FROM_MODEL if from_model else ""
    return stack(
        click.option(
            "--horizon-months", type=months, default=None, help=HORIZON_HELP.format(model=model)
        ),
        click.option(
            "--proof-months", type=months, default=None, help=PROOF_HELP.format(model=model)
        ),
    )


def label_rule(*, from_model: bool) -> Decorator:
    """``--extract-date`` and :func:`horizon`'s options: what the labels of event data are
    built from (``from_model``: the command takes ``--model``)."""
    return stack(extract_date(), horizon(from_model=from_model))


def temporal_split() -> Decorator:
    """``--test-from DATE`` (event data) and ``--test-periods A,B`` (a flat table's
    ``[table] period``): a held-out part forward in time, as the field validates."""
    return stack(
        click.option(
            "--test-from",
            default=None,
            metavar="YYYY-MM-DD",
            help="Hold out the index events on or after this date (event data, --data); "
            "the model is fitted on those before it. A person with events on both sides is "
            "held out whole.",
        ),
        click.option(
            "--test-periods",
            default=None,
            metavar="A,B",
            help="Hold out the rows of these periods of a --table (its [table] period "
            "column); the model is fitted on the other periods.",
        ),
    )


def model_seed() -> Decorator:
    """``--seed`` of a model and its random split, defaulting to the config's."""
    return click.option(
        "--seed",
        type=int,
        default=None,
        help="Seed of the random held-out split and of the model [default: the config's "
        "[model] seed, 0 without one].",
    )


refit = click.option(
    "--refit/--no-refit",
    default=True,
    show_default=True,
    help="After the held-out evaluation, refit the model (same family and settings) on every "
    "labelled row "
    "and ship that (--no-refit ships the model fitted without the held-out part).",
)


def first_per_person() -> Decorator:
    """``--first-per-person`` with ``--from`` and ``--to``: the MoJ cohort rule."""
    return stack(
        click.option(
            "--first-per-person",
            is_flag=True,
            help="Keep each person's first index event in the period --from to --to (the "
            "Ministry of Justice cohort rule): one row per person.",
        ),
        click.option("--from", "period_from", default=None, metavar="YYYY-MM-DD",
                     help="First day of the cohort period (with --first-per-person)."),
        click.option("--to", "period_to", default=None, metavar="YYYY-MM-DD",
                     help="Last day of the cohort period (with --first-per-person)."),
    )  # fmt: skip


#: The keyword arguments the input options give a command, in one ``source`` mapping.
SOURCE_KEYS = (
    "table_path",
    "data_dir",
    "config_path",
    "extract_date",
    "horizon_months",
    "proof_months",
)


def inputs(
    *, bundle: bool, with_extract_date: bool = True, with_horizon: bool = False
) -> Decorator:
    """``--table``, ``--data``, ``--config`` (and ``--extract-date``, and with
    ``with_horizon`` :func:`horizon`'s options), passed to the command as one mapping,
    ``source``, whose keys are the keyword arguments of
    :func:`riskmodel.training.load_inputs` and :func:`riskmodel.training.inputs_for_bundle`.

    With ``bundle=True`` the ``--config`` defaults to the bundle's own.
    """
    options = [
        click.option("--table", "table_path", type=FILE, default=None, help=TABLE_HELP),
        data(),
        click.option(
            "--config",
            "config_path",
            type=FILE,
            default=None,
            help=BUNDLE_CONFIG_HELP if bundle else CONFIG_HELP,
        ),
    ]
    if with_extract_date:
        options.append(extract_date())
    if with_horizon:
        options.append(horizon(from_model=bundle))

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def command(**kwargs: Any) -> Any:
            source = {key: kwargs.pop(key) for key in SOURCE_KEYS if key in kwargs}
            return function(source=source, **kwargs)

        return stack(*options)(command)

    return decorate


force = click.option(
    "--force",
    is_flag=True,
    help="Write into --out although it holds an earlier output of the same kind (its files are "
    "replaced as the new ones are written; nothing else is touched).",
)


def protect_outputs(
    outputs: dict[str, Path | None],
    *,
    source: dict[str, Any] | None = None,
    files: tuple[Path | None, ...] = (),
    dirs: tuple[Path | None, ...] = (),
    kind: str | None = None,
    force: bool = False,
) -> None:
    """Refuse, before any work, outputs that would destroy an input or another output
    (:func:`riskmodel._outputs.check_outputs`); ``kind`` names the kind of directory
    ``--out`` is, which is then marked as such (bundles are recognised by their manifest).
    With ``force``, an earlier output of the same kind is replaced file by file as the
    command writes its files (atomically, each on success); nothing is deleted beforehand, so a
    command that fails leaves the earlier output as it was (a bundle is replaced as a whole).

    ``source`` is the mapping of the input options (``--table``, ``--data``, ``--config``).
    """
    from riskmodel._outputs import check_outputs, mark_output

    source = source or {}
    check_outputs(
        outputs,
        input_files=(source.get("table_path"), source.get("config_path"), *files),
        input_dirs=(source.get("data_dir"), *dirs),
        directories={"--out": kind} if kind else None,
        force=force,
    )
    out = outputs.get("--out")
    if kind and kind != "bundle" and out is not None:

        def mark_if_written() -> None:  # a command that stopped before writing marks nothing
            if Path(out).is_dir() and any(Path(out).iterdir()):
                mark_output(out, kind)

        click.get_current_context().call_on_close(mark_if_written)

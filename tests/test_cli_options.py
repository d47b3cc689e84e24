"""The command line's shared options, its messages, and the core functions its commands call
(explain's people, threshold's policy, the data-directory summary lines)."""

from __future__ import annotations

import ast
import doctest
import importlib
import re
from pathlib import Path

import click
import pytest

import riskmodel.cli as cli_module
from riskmodel._errors import ConfigError, DataError, RiskmodelError
from riskmodel.allocation import Capacity, ExpectedCost, PPVTarget
from riskmodel.allocation import _messages as allocation_msg
from riskmodel.allocation._policy_options import policy_from_options
from riskmodel.bundle import save_bundle
from riskmodel.cli import COMMAND_MODULES, cli, main
from riskmodel.cli import _messages as messages
from riskmodel.cli._demo_steps import _run as run_step
from riskmodel.cli._messages import ABORTED, ERROR, STEP_FAILED
from riskmodel.cli._options import FROM_MODEL, SOURCE_KEYS
from riskmodel.contract._summary import reconcile_lines
from riskmodel.explain._messages import (
    EMPTY_IDS,
    IDS_NOTE,
    NO_PAGES_NOTE,
    NOT_EXPLAINABLE,
    UNKNOWN_IDS,
)
from riskmodel.explain._people import choose_people, load_model
from riskmodel.models import BaseRateModel

TESTS = Path(__file__).resolve().parent


def _command(name: str) -> click.Command:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


def _option(command: str, flag: str) -> click.Option:
    (found,) = [p for p in _command(command).params if flag in p.opts]
    assert isinstance(found, click.Option)
    return found


# -- options declared once ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in COMMAND_MODULES if n != "validate"])
def test_out_is_required_everywhere_and_file_or_directory_by_what_is_written(name):
    out = _option(name, "--out")
    assert out.required
    table_out = name in {"features", "ogrs3", "score"}
    assert out.type.dir_okay is not table_out
    assert out.type.file_okay is table_out
    assert out.help


@pytest.mark.parametrize(
    "name", ["validate", "features", "ogrs3", "crossval", "train", "evaluate", "recalibrate",
             "explain", "score", "fairness"],
)  # fmt: skip
def test_data_is_one_directory_option_everywhere(name, tmp_path):
    data = _option(name, "--data")
    assert (data.type.file_okay, data.type.dir_okay, data.type.exists) == (False, True, False)
    assert data.required is (name in {"validate", "features", "ogrs3"})
    a_file = tmp_path / "people.csv"
    a_file.write_text("person_id\n")
    code = main([name, "--data", str(a_file), "--out", str(tmp_path / "out")])
    assert code == 2
    assert not (tmp_path / "out").exists()


def test_a_file_given_as_data_is_a_usage_error_naming_the_option(tmp_path, capsys):
    a_file = tmp_path / "people.csv"
    a_file.write_text("person_id\n")
    assert main(["validate", "--data", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert "--data" in err
    assert "is a file" in err


@pytest.mark.parametrize(
    ("name", "default", "text"),
    [
        ("crossval", 0, "Seed of the folds."),
        ("evaluate", 0, "Seed of the bootstrap."),
        ("fairness", 0, "Seed of the bootstrap."),
        ("cohort", 0, "Seed of the bootstrap."),
        ("threshold", 0, "Seed of ties and bootstrap."),
        ("explain", 0, "Seed of that sample."),
        ("demo", 7, "Seed of the population."),
    ],
)
def test_seed_defaults_and_help(name, default, text):
    seed = _option(name, "--seed")
    assert (seed.default, seed.help, seed.required) == (default, text, False)
    assert _option("synth", "--seed").required


@pytest.mark.parametrize("name", ["crossval", "train", "evaluate", "recalibrate", "fairness"])
def test_n_resamples_is_one_option(name):
    option = _option(name, "--n-resamples")
    assert option.default == 1000
    assert (option.type.min, option.type.max) == (10, 100_000)
    assert option.help == "Bootstrap resamples for the 95% intervals."


def test_input_group_reaches_the_command_as_one_source(tmp_path, monkeypatch):
    seen = {}

    def fake_train_bundle(out_dir, **kwargs):
        seen.update(kwargs, out_dir=out_dir)
        raise ConfigError("stop here")

    monkeypatch.setattr("riskmodel.training.train_bundle", fake_train_bundle)
    table = tmp_path / "t.csv"
    code = main(["train", "--table", str(table), "--config", str(tmp_path / "c.toml"),
                 "--extract-date", "2024-01-31", "--out", str(tmp_path / "m")])  # fmt: skip
    assert code == 2
    assert {k: seen[k] for k in SOURCE_KEYS} == {
        "table_path": table,
        "data_dir": None,
        "config_path": tmp_path / "c.toml",
        "extract_date": "2024-01-31",
        "horizon_months": None,
        "proof_months": None,
    }
    assert (seen["test_fraction"], seen["n_resamples"]) == (0.2, 1000)


@pytest.mark.parametrize(
    ("name", "bundle"),
    [("train", False), ("crossval", False), ("evaluate", True), ("recalibrate", True),
     ("explain", True), ("score", True), ("fairness", True)],
)  # fmt: skip
def test_config_help_says_where_the_default_comes_from(name, bundle):
    text = _option(name, "--config").help
    assert ("the bundle's own" in text) is bundle
    assert ("required with --table" in text) is not bundle
    has_extract_date = name in {"train", "crossval", "evaluate", "recalibrate"}
    assert any("--extract-date" in p.opts for p in _command(name).params) is has_extract_date


def _takes(name: str, flag: str) -> bool:
    return any(flag in p.opts for p in _command(name).params)


@pytest.mark.parametrize("name", [n for n in COMMAND_MODULES if _takes(n, "--horizon-months")])
def test_horizon_help_names_the_models_own_only_where_there_is_a_model(name):
    """A command's help says "with --model, the model's own" exactly when it takes --model."""
    has_model = _takes(name, "--model")
    for flag, default in (("--horizon-months", "24"), ("--proof-months", "6")):
        text = _option(name, flag).help
        assert f"[default: {default}" in text
        assert (FROM_MODEL in text) is has_model, (name, flag)
        assert ("--model" in text) is has_model
    assert "_{N}m otherwise" in _option(name, "--horizon-months").help


# -- messages of the command line --------------------------------------------------------------


def test_a_riskmodel_error_is_one_error_line(tmp_path, capsys):
    missing = tmp_path / "none"
    assert main(["validate", "--data", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == ERROR.format(error=f"data directory {missing} does not exist") + "\n"


def test_an_interrupted_command_says_aborted(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise click.exceptions.Abort()

    monkeypatch.setattr(cli_module.cli, "main", interrupted)
    assert main(["validate", "--data", "x"]) == 1
    assert capsys.readouterr().err == ABORTED + "\n"


def test_a_failed_demo_step_names_the_step_and_exit_code(tmp_path, capsys):
    with pytest.raises(RiskmodelError, match=re.escape(STEP_FAILED.format(step="check", code=2))):
        run_step("check", ["validate", "--data", str(tmp_path / "none")])
    assert "== check: riskmodel validate --data" in capsys.readouterr().out


def test_every_cli_message_is_matched_by_a_test():
    """Each constant of ``riskmodel.cli._messages`` is named (not only imported) in a test."""
    names = {n for n in vars(messages) if n.isupper()}
    assert names
    used = {
        node.id if isinstance(node, ast.Name) else node.attr
        for path in TESTS.glob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Name | ast.Attribute)
    }
    assert sorted(names - used) == []


# -- the core functions the commands call ------------------------------------------------------


def test_choose_people_notes_and_errors():
    assert choose_people(["a", "b"], None, 0, 0) == ([], NO_PAGES_NOTE)
    assert choose_people(["a", "b", "c"], "c, a,c", 5, 0) == ([2, 0], IDS_NOTE.format(k=2))
    with pytest.raises(ConfigError, match=re.escape(EMPTY_IDS)):
        choose_people(["a"], " , ", 5, 0)
    with pytest.raises(DataError, match=re.escape(UNKNOWN_IDS.format(count=2, ids="x, y"))):
        choose_people(["a"], "a,x,y", 5, 0)


def test_a_bundle_without_explanations_is_refused(tmp_path):
    save_bundle(tmp_path / "b", BaseRateModel().fit([[0], [1]], [0, 1]), manifest={})
    expected = NOT_EXPLAINABLE.format(path=tmp_path / "b", kind="BaseRateModel")
    with pytest.raises(DataError, match=re.escape(expected)):
        load_model(tmp_path / "b")


def test_explain_refuses_a_bundle_without_explanations(tmp_path, capsys):
    save_bundle(tmp_path / "b", BaseRateModel().fit([[0], [1]], [0, 1]), manifest={})
    (tmp_path / "data").mkdir()
    code = main(["explain", "--model", str(tmp_path / "b"), "--data", str(tmp_path / "data"),
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    expected = NOT_EXPLAINABLE.format(path=tmp_path / "b", kind="BaseRateModel")
    assert capsys.readouterr().err == ERROR.format(error=expected) + "\n"


def test_policy_from_options():
    assert policy_from_options(ppv=0.4) == PPVTarget(0.4)
    capacity = policy_from_options(capacity="10%", tie_break="input-order", seed=3)
    assert isinstance(capacity, Capacity)
    assert (capacity.tie_break, capacity.seed) == ("input_order", 3)
    cost = policy_from_options(cost_reoffence=100.0, cost_intervention=10.0, effect=0.2)
    assert cost == ExpectedCost(cost_reoffence=100.0, cost_intervention=10.0, effect=0.2)
    with pytest.raises(ConfigError, match=re.escape(allocation_msg.ONE_POLICY)):
        policy_from_options()
    with pytest.raises(ConfigError, match=re.escape(allocation_msg.ONE_POLICY)):
        policy_from_options(ppv=0.4, cost_reoffence=1.0)
    missing = allocation_msg.COST_INCOMPLETE.format(missing="--cost-intervention, --effect")
    with pytest.raises(ConfigError, match=re.escape(missing)):
        policy_from_options(cost_reoffence=1.0)


def test_reconcile_lines_name_what_was_done():
    summary = {"people_read": 1200, "people_rejected": 7}
    assert reconcile_lines(summary, 1193, "r.csv", 9, verb="scored") == [
        "people read: 1,200 = scored 1,193 + rejected 7",
        "rejects: r.csv (9 lines)",
    ]
    assert reconcile_lines(summary, 1193, "r.csv", 9)[0].startswith("people read: 1,200 = written")


@pytest.mark.parametrize(
    "module", ["riskmodel.explain._people", "riskmodel.allocation._policy_options"]
)
def test_docstring_examples_of_the_moved_code_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_demo_forces_exactly_the_commands_that_write_directories():
    """A second ``make demo`` writes into its own earlier output: every step that writes a
    directory is given ``--force``, and only those steps."""
    from riskmodel.cli._demo_steps import DIRECTORY_COMMANDS, demo_args

    with_force = {
        name
        for name in COMMAND_MODULES
        if name != "demo" and any(p.name == "force" for p in _command(name).params)
    }
    assert with_force == DIRECTORY_COMMANDS
    assert demo_args(["cohort", "--out", "c"])[-1] == "--force"
    assert "--force" not in demo_args(["features", "--out", "f.csv"])

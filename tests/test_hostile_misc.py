"""Hostile inputs, the remaining classes: labels matplotlib would read as mathtext, manifests
of the wrong types, undefined figures (every probability 0 or 1, every person censored, one
outcome class, a reliability bin of 0% or 100%), outputs the system refuses (``/proc``,
``/sys``, an empty path, a read-only directory, a full disk), unreadable bundles, values
written into Markdown, and group columns listed as features.

Each case runs through the command line: no traceback, exit 0 or 2, its message, inputs byte
for byte unchanged (see :mod:`tests.hostile`).
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskmodel.bundle
from riskmodel._markdown import markdown_text
from riskmodel.bundle import MANIFEST_FIELD_TYPE
from riskmodel.cli import main, os_error_line
from riskmodel.cli._messages import EMPTY_PATH, OS_ERROR, OS_ERROR_NO_PATH
from riskmodel.cohort._messages import INTERVAL_UNDEFINED, RATIO_UNDEFINED
from riskmodel.config import GROUP_IS_FEATURE, load_config
from riskmodel.evaluation import ReliabilityDisplay
from riskmodel.fairness import fairness_summary, summary_markdown
from riskmodel.reports._messages import ONE_OUTCOME_CLASS
from riskmodel.training._messages import NO_KNOWN_OUTCOMES, RECALIBRATION_FAILED
from tests.contract_data import valid_tables, write_data_dir
from tests.hostile import drawn_scores, play, write_frame

ROOT = Path(__file__).resolve().parents[1]
#: Labels that matplotlib would read as mathtext (an unbalanced ``$``, a bad command).
MATH_LABELS = ["a$b", "x\\y", "$\\frac{1}{0}$", "$x^{$"]
SCRIPT = "<script>alert(1)</script>"
FLAT_CONFIG = """\
[table]
id = "id"
label = "label"
numeric = ["x$1"]
categorical = ["kind", "sex"]
groups = ["grp"]
outcome = "a new charge"
follow_up_months = 24

[model]
family = "logistic"
calibration = "sigmoid"
seed = 0
"""


def _evaluate(bundle: Path, table: Path, out: Path):
    """``riskmodel evaluate`` of ``bundle`` on a flat ``table``, played (exit 0 expected)."""
    return play("evaluate", "--model", bundle, "--table", table, "--out", out,
                "--n-resamples", "20", inputs=(table, bundle), code=0)  # fmt: skip


def _cohort(scores: Path, out: object, *, code: int):
    """``riskmodel cohort`` on ``scores`` (outcome column reoffended_2y), played."""
    return play("cohort", "--scores", scores, "--outcome-column", "reoffended_2y",
                "--n-bootstrap", "5", "--out", out, inputs=(scores,), code=code)  # fmt: skip


def _fairness(scores: Path, out: Path, *, code: int):
    """``riskmodel fairness`` of probability_2y against reoffended_2y by cohort, played."""
    return play("fairness", "--scores", scores, "--score-column", "probability_2y",
                "--outcome-column", "reoffended_2y", "--group-column", "cohort",
                "--n-resamples", "10", "--out", out, inputs=(scores,), code=code)  # fmt: skip


def _flat_frame(n: int = 600, seed: int = 3) -> pd.DataFrame:
    """A flat table with mathtext in a feature name and category values, a hostile group value
    and sex as a feature."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    kind = rng.choice(MATH_LABELS, n)
    logit = x + (kind == "a$b")
    return pd.DataFrame(
        {
            "id": [f"F{i:04d}" for i in range(n)],
            "x$1": x,
            "kind": kind,
            "sex": rng.choice(["male", "female"], n),
            "grp": rng.choice([SCRIPT, "$g\\1"], n),
            "label": (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int),
        }
    )


@pytest.fixture(scope="module")
def flat(tmp_path_factory) -> dict[str, Path]:
    """A flat table in a folder whose name holds ``|`` and ``*``, and a bundle trained on it."""
    root = tmp_path_factory.mktemp("flat")
    folder = root / "data|x*y"
    folder.mkdir()
    table = write_frame(_flat_frame(), folder / "people.csv")
    config = folder / "config.toml"
    config.write_text(FLAT_CONFIG)
    bundle = root / "bundle"
    code = main(
        [
            "train",
            "--table",
            str(table),
            "--config",
            str(config),
            "--out",
            str(bundle),
            "--no-mlflow",
            "--n-resamples",
            "50",
        ]
    )
    assert code == 0
    return {"root": root, "folder": folder, "table": table, "config": config, "bundle": bundle}


def _scores(tmp_path: Path, suffix: str, **columns) -> Path:
    frame = drawn_scores(
        400,
        cohort=lambda rng, n: rng.choice(MATH_LABELS, n),
        risk_band=lambda rng, n: rng.choice(["Low", "$Hi\\gh"], n),
    )
    for name, values in columns.items():
        frame[name] = values(frame) if callable(values) else values
    return write_frame(frame, tmp_path / f"scores{suffix}")


# --- labels read as mathtext -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_fairness_with_mathtext_group_labels(tmp_path, suffix):
    scores = _scores(tmp_path, suffix)
    out = tmp_path / "fairness"
    _fairness(scores, out, code=0)
    data = json.loads((out / "fairness.json").read_text())
    assert set(data["by_group"]["cohort"]) == set(MATH_LABELS)
    assert "$\\frac{1}{0}$" in (out / "report.html").read_text()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cohort_with_mathtext_band_labels(tmp_path, suffix):
    scores = _scores(tmp_path, suffix)
    out = tmp_path / "cohort"
    play(
        "cohort",
        "--scores",
        scores,
        "--outcome-column",
        "reoffended_2y",
        "--band-column",
        "risk_band",
        "--n-bootstrap",
        "20",
        "--out",
        out,
        inputs=(scores,),
        code=0,
    )
    bands = [b["band"] for b in json.loads((out / "cohort.json").read_text())["by_band"]]
    assert sorted(bands) == ["$Hi\\gh", "Low"]


def test_explain_with_mathtext_feature_and_category(flat, tmp_path):
    out = tmp_path / "explain"
    play(
        "explain",
        "--model",
        flat["bundle"],
        "--table",
        flat["table"],
        "--ids",
        "F0000,F0001,F0002",
        "--out",
        out,
        inputs=(flat["folder"], flat["bundle"]),
        code=0,
    )
    html = (out / "report.html").read_text()
    assert "x$1" in html and "$\\frac{1}{0}$" in html


def test_report_figures_draw_titles_as_plain_text():
    """A title a report sets after the Display has drawn is plain text too."""
    from riskmodel.reports._render import figure_to_data_uri, new_axes

    fig, ax = new_axes(figsize=(3, 2))
    ax.bar([0, 1], [1, 2])
    ax.set_xticks([0, 1], MATH_LABELS[2:])
    ax.set_title("$x^{$ by group")
    assert figure_to_data_uri(fig).startswith("data:image/png;base64,")
    assert not ax.title.get_parse_math()


# --- manifests of the wrong types ------------------------------------------------------------


def _resealed_copy(bundle: Path, where: Path, change) -> Path:
    copy = where / "bundle"
    shutil.copytree(bundle, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    change(manifest)
    manifest["manifest_sha256"] = riskmodel.bundle.manifest_sha256(manifest)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


def _set_lookback(value):
    return lambda m: m["feature_spec"].__setitem__("needs_lookback_months", value)


@pytest.mark.parametrize(
    "change, field, found",
    [
        (lambda m: m.__setitem__("versions", ["1.0"]), "versions", "list ['1.0']"),
        (lambda m: m.__setitem__("versions", {"numpy": 2}), "versions", "dict {'numpy': 2}"),
        (lambda m: m.__setitem__("drift_reference", "none"), "drift_reference", "str 'none'"),
        (
            lambda m: m["drift_reference"]["score"].__setitem__("shares", [1.0]),
            "drift_reference.score.shares",
            "list [1.0]",
        ),
        (_set_lookback("12"), "feature_spec.needs_lookback_months", "str '12'"),
        (_set_lookback([12]), "feature_spec.needs_lookback_months", "list [12]"),
    ],
    ids=[
        "versions-list",
        "versions-number",
        "drift-text",
        "drift-shares",
        "lookback-text",
        "lookback-list",
    ],
)
def test_a_resealed_manifest_of_the_wrong_type_is_refused(flat, tmp_path, change, field, found):
    bundle = _resealed_copy(flat["bundle"], tmp_path, change)
    played = play(
        "score",
        "--model",
        bundle,
        "--table",
        flat["table"],
        "--out",
        tmp_path / "scores.csv",
        inputs=(bundle, flat["folder"]),
        code=2,
    )
    expected = MANIFEST_FIELD_TYPE.format(path=bundle, field=field, expected="", found="")
    assert expected.split(" must be ")[0] in played.err
    assert f"found {found}" in played.err
    assert not (tmp_path / "scores.csv").exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_lookback_of_the_wrong_type_stops_event_scoring(tmp_path, suffix):
    data = write_data_dir(tmp_path / "data", valid_tables(6), fmt=suffix[1:])
    bundle = _resealed_copy(ROOT / "models" / "default", tmp_path, _set_lookback("twelve"))
    expected = MANIFEST_FIELD_TYPE.format(
        path=bundle,
        field="feature_spec.needs_lookback_months",
        expected="a whole number of months",
        found="str 'twelve'",
    )
    played = play(
        "score",
        "--model",
        bundle,
        "--data",
        data,
        "--out",
        tmp_path / "s.csv",
        inputs=(data, bundle),
        code=2,
        message=expected,
    )
    assert expected in played.err


# --- figures that are undefined ----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cohort_when_every_probability_is_0_or_1(tmp_path, suffix):
    scores = _scores(tmp_path, suffix, probability_2y=lambda f: (f["reoffended_2y"] == 1) * 1.0)
    (tmp_path / "zero").mkdir()
    scores_zero = _scores(tmp_path / "zero", suffix, probability_2y=0.0)
    exact = play(
        "cohort",
        "--scores",
        scores,
        "--outcome-column",
        "reoffended_2y",
        "--n-bootstrap",
        "20",
        "--out",
        tmp_path / "exact",
        inputs=(scores,),
        code=0,
    )
    # the predictions held exactly: the interval is a point; only the band of zeros has no O/E
    assert INTERVAL_UNDEFINED.format(where="cohort") not in exact.out
    assert RATIO_UNDEFINED.format(where="band Low") in exact.out
    result = json.loads((tmp_path / "exact" / "cohort.json").read_text())
    assert result["rate_ci"][0] == pytest.approx(result["observed_rate"])
    zero = play(
        "cohort",
        "--scores",
        scores_zero,
        "--outcome-column",
        "reoffended_2y",
        "--n-bootstrap",
        "20",
        "--out",
        tmp_path / "zero-out",
        inputs=(scores_zero,),
        code=0,
    )
    interval = INTERVAL_UNDEFINED.format(where="cohort")
    ratio = RATIO_UNDEFINED.format(where="cohort")
    assert interval in zero.out and ratio in zero.out and "O/E undefined" in zero.out
    data = json.loads((tmp_path / "zero-out" / "cohort.json").read_text())
    assert data["rate_ci"] == [None, None] and data["observed_expected"] is None
    assert data["p_value_upper"] == 0.0 and interval in data["notes"]
    assert interval in (tmp_path / "zero-out" / "report.html").read_text()


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
@pytest.mark.parametrize("command", ["evaluate", "recalibrate"])
def test_every_person_censored(tmp_path, suffix, command):
    data = write_data_dir(
        tmp_path / "data", valid_tables(6), fmt=suffix, extract_date="2021-09-01"
    )
    expected = NO_KNOWN_OUTCOMES.format(n=6)
    played = play(
        command,
        "--model",
        ROOT / "models" / "default",
        "--data",
        data,
        "--out",
        tmp_path / "out",
        inputs=(data,),
        code=2,
        message=expected,
    )
    assert expected in played.err
    assert not (tmp_path / "out").exists()


def test_one_outcome_class(flat, tmp_path):
    frame = pd.read_csv(flat["table"])
    frame["label"] = 0
    table = write_frame(frame, tmp_path / "people.csv")
    evaluated = _evaluate(flat["bundle"], table, tmp_path / "evaluate")
    note = ONE_OUTCOME_CLASS.format(n="600", had="did not have")
    assert note in evaluated.out and "AUC undefined" in evaluated.out
    metrics = json.loads((tmp_path / "evaluate" / "metrics.json").read_text())
    assert metrics["auc"] is None and metrics["notes"] == [note]
    assert note.replace("—", "&mdash;")[:60] in (tmp_path / "evaluate" / "report.html").read_text()
    recalibrated = play(
        "recalibrate",
        "--model",
        flat["bundle"],
        "--table",
        table,
        "--out",
        tmp_path / "recalibrated",
        inputs=(table, flat["bundle"]),
        code=2,
        message=RECALIBRATION_FAILED,
    )
    assert RECALIBRATION_FAILED in recalibrated.err


@pytest.mark.parametrize("n, observed", [(11, 0.0), (6, 1.0), (22, 0.0), (21, 1.0)])
def test_reliability_bins_of_0_or_100_percent(n, observed):
    display = ReliabilityDisplay(
        predicted=np.array([0.2, 0.8]), observed=np.array([observed, 0.5]), n=np.array([n, n])
    ).plot()
    low, high = display.ax_.get_ylim()
    assert (low, high) == (0, 1)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_evaluate_and_crossval_on_a_strong_feature(flat, tmp_path, suffix):
    """110 people: bins of 11, the lowest all without the outcome (a negative error bar)."""
    frame = _flat_frame(110, seed=5)
    frame["label"] = (frame["x$1"] > frame["x$1"].median()).astype(int)
    table = write_frame(frame, tmp_path / f"people{suffix}")
    _evaluate(flat["bundle"], table, tmp_path / "evaluate")
    played = play(
        "crossval",
        "--table",
        table,
        "--config",
        flat["config"],
        "--folds",
        "2",
        "--n-resamples",
        "20",
        "--no-mlflow",
        "--out",
        tmp_path / "cv",
        inputs=(table, flat["config"]),
        code=0,
    )
    metrics = json.loads((tmp_path / "cv" / "metrics.json").read_text())
    assert metrics["models"][metrics["configured"]]["auc"] > 0.9, played.out


# --- outputs the system refuses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "out, reason",
    [
        ("/proc/riskmodel-out", "No such file or directory"),
        ("/sys/riskmodel-out", None),
    ],
)
def test_out_under_proc_or_sys(tmp_path, out, reason):
    """``/sys`` refuses even root; the reason is then the system's own (EPERM or EACCES)."""
    scores = _scores(tmp_path, ".csv")
    played = _cohort(scores, out, code=2)
    prefix = OS_ERROR.format(path=out, reason=reason or "")
    assert prefix in played.err
    assert not Path(out).exists()
    scored = play(
        "score",
        "--model",
        ROOT / "models" / "default",
        "--data",
        write_data_dir(tmp_path / "data", valid_tables(6)),
        "--out",
        f"{out}/s.csv",
        inputs=(tmp_path / "data",),
        code=2,
    )
    assert OS_ERROR.format(path=out, reason="") in scored.err


@pytest.mark.parametrize("command", ["cohort", "score"])
def test_an_empty_out(tmp_path, command):
    scores = _scores(tmp_path, ".csv")
    before = sorted(Path.cwd().iterdir())
    if command == "cohort":
        args = ["cohort", "--scores", scores, "--outcome-column", "reoffended_2y"]
    else:
        args = ["score", "--model", ROOT / "models" / "default", "--table", scores]
    played = play(*args, "--out", "", inputs=(scores,), code=2, message=EMPTY_PATH)
    assert EMPTY_PATH in played.err
    assert sorted(Path.cwd().iterdir()) == before


def _refuse_temporary_files(monkeypatch, error: int) -> None:
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if str(kwargs.get("dir", "")).endswith("out"):
            name = f"{kwargs['prefix']}x1y2{kwargs['suffix']}"
            raise PermissionError(error, os.strerror(error), f"{kwargs['dir']}/{name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_a_read_only_output_directory(tmp_path, monkeypatch):
    """Simulated (the tests run as root, where a directory's mode does not bite)."""
    scores = _scores(tmp_path, ".csv")
    out = tmp_path / "out"
    out.mkdir()
    _refuse_temporary_files(monkeypatch, errno.EACCES)
    played = _cohort(scores, out, code=2)
    assert played.err.strip() == OS_ERROR.format(
        path=out / "cohort.json", reason="Permission denied"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_read_only_output_directory_for_real(tmp_path):
    scores = _scores(tmp_path, ".csv")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        played = _cohort(scores, out, code=2)
    finally:
        out.chmod(0o755)
    assert OS_ERROR.format(path=out / "cohort.json", reason="Permission denied") in played.err


def test_an_unreadable_bundle(flat, tmp_path, monkeypatch, capsys):
    """Simulated (root reads a file of mode 000): opening model.skops is refused."""
    bundle = tmp_path / "bundle"
    shutil.copytree(flat["bundle"], bundle)
    real = builtins.open

    def unreadable(file, *args, **kwargs):
        if str(file).endswith("model.skops"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", unreadable)
    code = main(
        [
            "score",
            "--model",
            str(bundle),
            "--table",
            str(flat["table"]),
            "--out",
            str(tmp_path / "s.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == OS_ERROR.format(path=bundle / "model.skops", reason="Permission denied")
    assert not (tmp_path / "s.csv").exists()


def test_a_full_disk_while_writing_a_report(tmp_path, monkeypatch):
    scores = _scores(tmp_path, ".csv")
    out = tmp_path / "fairness"

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    played = _fairness(scores, out, code=2)
    expected = OS_ERROR.format(path=out / "fairness.json", reason="No space left on device")
    assert played.err.strip() == expected
    assert not [p for p in out.rglob("*.tmp")] if out.exists() else True


def test_an_os_error_without_a_path():
    line = os_error_line(OSError(errno.ENOSPC, "No space left on device"))
    assert line == OS_ERROR_NO_PATH.format(reason="No space left on device")


# --- Markdown outputs escape values ----------------------------------------------------------


def test_model_card_escapes_group_values_and_paths(flat):
    card = (flat["bundle"] / "MODEL_CARD.md").read_text()
    assert "<script" not in card and "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "data\\|x\\*y" in card  # the source path, with | and * escaped
    assert "x\\$1" in card and "$g\\1" not in card
    table_rows = [line for line in card.splitlines() if line.startswith("| &lt;script")]
    # One row in the group's table (six cells), one at each operating point (five cells).
    assert [row.count(" | ") for row in table_rows] == [5, 4, 4]


def test_markdown_text_renders_as_its_text():
    markdown_it = pytest.importorskip("markdown_it", reason="no CommonMark renderer installed")

    values = [SCRIPT, "a|b*c", "- item", "1. item", "`code`", "[x](http://e)", "$x$", "a\\b"]
    for value in [*values, "_x_", "age_band", "a__b__c", "# heading", "> quote", "![i](u)"]:
        html = markdown_it.MarkdownIt().renderInline(markdown_text(value))
        assert html == markdown_it.common.utils.escapeHtml(value), value


def test_summary_markdown_escapes_group_names():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=200)
    y = (rng.uniform(size=200) < p).astype(int)
    summary = fairness_summary(
        y_true=y, y_score=p, groups={"<b>g|x": rng.choice([SCRIPT, "ok"], 200)}
    )
    text = summary_markdown(summary)
    assert "<script" not in text and "<b>" not in text
    assert "**&lt;b&gt;g\\|x**" in text


# --- group columns are never features --------------------------------------------------------


def test_a_group_column_listed_as_a_feature_is_refused(tmp_path):
    table = write_frame(_flat_frame(100), tmp_path / "people.csv")
    config = tmp_path / "config.toml"
    config.write_text(FLAT_CONFIG.replace('groups = ["grp"]', 'groups = ["grp", "sex"]'))
    expected = GROUP_IS_FEATURE.format(columns="'sex'")
    played = play(
        "train",
        "--table",
        table,
        "--config",
        config,
        "--out",
        tmp_path / "model",
        "--no-mlflow",
        inputs=(table, config),
        code=2,
        message=expected,
    )
    assert expected in played.err
    assert not (tmp_path / "model").exists()


def test_compas_configs_keep_sex_a_feature_and_race_a_group():
    for path in sorted((ROOT / "training").glob("compas*.toml")):
        table = load_config(path).table
        assert "sex" in table.categorical and "sex" not in table.groups, path
        assert "race" in table.groups and "race" not in table.features, path


def test_the_summary_reports_sex_when_it_is_a_feature(flat):
    manifest = json.loads((flat["bundle"] / "manifest.json").read_text())
    assert set(manifest["group_summary"]["by_group"]) == {"grp", "sex"}
    assert "sex" in manifest["model"]["categorical"]
    assert "**sex**" in (flat["bundle"] / "MODEL_CARD.md").read_text()

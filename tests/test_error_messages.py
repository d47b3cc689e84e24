"""Each error or warning the package gives, triggered through a public function or the CLI and
matched against its message constant (see tests/test_messages.py for the rule)."""

from __future__ import annotations

import copy
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import FunctionTransformer

from riskmodel import ConfigError, DataError
from riskmodel import bundle as bundle_module
from riskmodel import config as config_module
from riskmodel import flat_table as flat
from riskmodel._tables import _messages as tables
from riskmodel.allocation import Capacity, ExpectedCost, choose_threshold
from riskmodel.allocation import _messages as alloc
from riskmodel.bands import BAD_BAND_NAMES, Bands
from riskmodel.baselines import _messages as baselines
from riskmodel.baselines import ogrs3_logit
from riskmodel.cli import main
from riskmodel.cohort import _messages as cohort
from riskmodel.contract import _messages as contract
from riskmodel.contract import read_tables
from riskmodel.evaluation import _messages as evaluation
from riskmodel.evaluation import evaluate_predictions
from riskmodel.explain import ExplanationError, explain
from riskmodel.explain import _messages as explaining
from riskmodel.fairness import _messages as fairness
from riskmodel.fairness import fairness_audit
from riskmodel.features import _messages as features
from riskmodel.features import build_feature_table
from riskmodel.models import RiskModel
from riskmodel.models import _messages as models
from riskmodel.scoring import (
    SCHEDULER_TIMEOUT,
    drift_counts,
    drift_reference,
    drift_report,
    make_engine,
    score_files,
)
from riskmodel.scoring import _messages as scoring
from riskmodel.synthetic import _messages as synthetic
from riskmodel.synthetic import generate_population
from riskmodel.training import _messages as training
from riskmodel.training import recalibrate_model


def pattern(template: str) -> str:
    """A regular expression matching ``template`` with any value in each ``{field}``."""
    parts = re.split(r"\{[^{}]*\}", template)
    return ".*".join(re.escape(part) for part in parts)


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def scores_frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, n).round(3)
    return pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "probability_2y": p,
            "reoffended": (rng.random(n) < p).astype(int),
            "cohort": rng.choice(["a", "b"], n),
        }
    )


@pytest.fixture
def scores_csv(tmp_path):
    path = tmp_path / "scores.csv"
    scores_frame().to_csv(path, index=False)
    return path


# --- allocation ---------------------------------------------------------------------------


def test_capacity_needs_exactly_one_of_count_and_fraction():
    with pytest.raises(ConfigError, match=re.escape(alloc.CAPACITY_BOTH)):
        Capacity(count=3, fraction=0.1)
    with pytest.raises(ConfigError, match=re.escape(alloc.CAPACITY_BOTH)):
        Capacity()


def test_capacity_tie_break_is_checked():
    expected = alloc.BAD_TIE_BREAK.format(value="alphabetical")
    with pytest.raises(ConfigError, match=re.escape(expected)):
        Capacity(count=3, tie_break="alphabetical")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--cost-reoffence", "0", "--cost-intervention", "1", "--effect", "0.2"],
            alloc.BAD_COST.format(reoffence=0.0, intervention=1.0),
        ),
        (
            ["--cost-reoffence", "10", "--cost-intervention", "1", "--effect", "2"],
            alloc.BAD_EFFECT.format(value=2.0),
        ),
    ],
)
def test_bad_costs_exit_2(scores_csv, tmp_path, capsys, args, message):
    code, _, err = cli(
        ["threshold", "--scores", scores_csv, *args, "--out", tmp_path / "o"], capsys
    )
    assert code == 2
    assert err.strip() == f"error: {message}"


def test_expected_cost_checks_its_figures():
    with pytest.raises(ConfigError, match=re.escape(alloc.BAD_EFFECT.format(value=0.0))):
        ExpectedCost(cost_reoffence=10, cost_intervention=1, effect=0)


def test_empty_scores_file_exit_2(tmp_path, capsys):
    path = tmp_path / "scores.csv"
    path.write_text("person_id,probability_2y\n")
    code, _, err = cli(
        ["threshold", "--scores", path, "--capacity", "1", "--out", tmp_path / "o"], capsys
    )
    assert code == 2
    assert err.strip() == f"error: {tables.EMPTY_TABLE.format(file='scores.csv')}"


def test_basis_is_checked():
    scores = np.array([0.1, 0.5, 0.9])
    with pytest.raises(ConfigError, match=re.escape(alloc.BAD_BASIS.format(value="guess"))):
        choose_threshold(scores, Capacity(count=1), basis="guess", n_resamples=10)
    with pytest.raises(ConfigError, match=re.escape(alloc.NO_OUTCOMES_FOR_OBSERVED)):
        choose_threshold(scores, Capacity(count=1), basis="observed", n_resamples=10)


def test_groups_of_another_length_are_refused():
    expected = alloc.LENGTH_MISMATCH.format(what="cohort", got=2, expected=3)
    with pytest.raises(DataError, match=re.escape(expected)):
        choose_threshold(
            np.array([0.1, 0.5, 0.9]),
            Capacity(count=1),
            groups={"cohort": ["a", "b"]},
            n_resamples=10,
        )


# --- cohort -------------------------------------------------------------------------------


def cohort_cli(frame: pd.DataFrame, tmp_path, capsys, *extra: str) -> tuple[int, str]:
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    code, _, err = cli(
        ["cohort", "--scores", path, "--outcome-column", "reoffended", *extra,
         "--out", tmp_path / "o"],
        capsys,
    )  # fmt: skip
    return code, err.strip()


def test_cohort_counts_must_be_whole_numbers(tmp_path, capsys):
    frame = scores_frame(40)
    frame["reoffences"] = frame["reoffended"].astype(object)
    frame.loc[3, "reoffences"] = "two"
    expected = alloc.BAD_COUNT.format(column="reoffences", count=1, example="two", row=4)
    assert cohort_cli(frame, tmp_path, capsys, "--count-column", "reoffences") == (
        2,
        f"error: {expected}",
    )


def test_cohort_count_missing_for_a_known_outcome(tmp_path, capsys):
    frame = scores_frame(40)
    frame["reoffences"] = frame["reoffended"].astype(float)
    frame.loc[5, "reoffences"] = np.nan
    code, err = cohort_cli(frame, tmp_path, capsys, "--count-column", "reoffences")
    assert code == 2
    assert re.fullmatch(f"error: {pattern(cohort.COUNT_MISSING)}", err)


def test_cohort_with_no_known_outcome(tmp_path, capsys):
    frame = scores_frame(20)
    frame["reoffended"] = ""
    assert cohort_cli(frame, tmp_path, capsys) == (2, f"error: {cohort.NO_PEOPLE}")


def test_cohort_json_names_its_interval_method(tmp_path, capsys):
    path = tmp_path / "cohort.csv"
    scores_frame(60).to_csv(path, index=False)
    out = tmp_path / "o"
    code, _, _ = cli(
        ["cohort", "--scores", path, "--outcome-column", "reoffended", "--n-bootstrap", "50",
         "--out", out],
        capsys,
    )  # fmt: skip
    assert code == 0
    data = json.loads((out / "cohort.json").read_text())
    assert cohort.INTERVAL_METHOD in json.dumps(data)


# --- fairness -----------------------------------------------------------------------------


def fairness_cli(path, out, capsys, *extra, group="cohort"):
    return cli(
        [
            "fairness", "--scores", path, "--score-column", "probability_2y",
            "--outcome-column", "reoffended", "--group-column", group,
            "--n-resamples", "10", "--out", out, *extra,
        ],
        capsys,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "extra", "group", "message"),
    [
        (None, [], "nope", fairness.UNKNOWN_COLUMN),
        (None, [], "probability_2y", fairness.GROUP_IS_SCORE_OR_OUTCOME),
        ("text_score", [], "cohort", fairness.NON_NUMERIC_SCORES),
        ("outcome_2", [], "cohort", fairness.NON_BINARY_OUTCOME),
        ("no_outcomes", [], "cohort", fairness.NO_USABLE_ROWS),
        ("decile", ["--score-kind", "probability"], "cohort", fairness.PROBABILITY_OUT_OF_RANGE),
        (None, ["--reference", "nope=a"], "cohort", fairness.REFERENCE_UNKNOWN_COLUMN),
        (None, ["--reference", "cohort=zzz"], "cohort", fairness.REFERENCE_UNKNOWN_VALUE),
        (None, ["--nij-groups", "cohort=a,zzz"], "cohort", fairness.NIJ_UNKNOWN_VALUE),
        (
            "decile",
            ["--threshold", "5", "--nij-groups", "cohort=a,b"],
            "cohort",
            fairness.NIJ_NEEDS_PROBABILITY,
        ),
    ],
)
def test_fairness_bad_input_exits_2(tmp_path, capsys, change, extra, group, message):
    frame = scores_frame()
    if change == "text_score":
        frame["probability_2y"] = frame["probability_2y"].astype(object)
        frame.loc[2, "probability_2y"] = "high"
    elif change == "outcome_2":
        frame.loc[4, "reoffended"] = 2
    elif change == "no_outcomes":
        frame["reoffended"] = ""
    elif change == "decile":
        frame["probability_2y"] = np.ceil(frame["probability_2y"] * 10)
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    code, _, err = fairness_cli(path, tmp_path / "o", capsys, *extra, group=group)
    assert code == 2
    assert re.fullmatch(f"error: {pattern(message)}", err.strip(), flags=re.S)


def test_fairness_reads_only_csv_and_parquet(tmp_path, capsys):
    text = tmp_path / "scores.txt"
    text.write_text("x")
    code, _, err = fairness_cli(text, tmp_path / "o", capsys)
    assert code == 2
    assert tables.UNREADABLE_FILE.format(file=text.name, detail=tables.NOT_CSV_OR_PARQUET) in err
    broken = tmp_path / "scores.parquet"
    broken.write_bytes(b"not parquet")
    code, _, err = fairness_cli(broken, tmp_path / "o", capsys)
    assert code == 2
    assert re.search(pattern(tables.UNREADABLE_FILE), err)


def test_fairness_audit_checks_its_arguments():
    frame = scores_frame()
    with pytest.raises(ConfigError, match=re.escape(fairness.NO_GROUP_COLUMNS)):
        fairness_audit(
            frame, score_column="probability_2y", outcome_column="reoffended", group_columns=[]
        )
    with pytest.raises(ConfigError, match=pattern(fairness.UNKNOWN_SCORE_KIND)):
        fairness_audit(
            frame,
            score_column="probability_2y",
            outcome_column="reoffended",
            group_columns=["cohort"],
            score_kind="rank",
        )


# --- bands, baselines, bundle, config -----------------------------------------------------


def test_band_names_must_match_the_cuts():
    expected = BAD_BAND_NAMES.format(cuts=2, bands=3, names=2)
    with pytest.raises(ConfigError, match=re.escape(expected)):
        Bands(cuts=(0.5, 0.75), names=("Low", "High"))


def test_ogrs3_horizon_is_checked():
    with pytest.raises(ValueError, match=re.escape(baselines.BAD_HORIZON.format(value="5y"))):
        ogrs3_logit(pd.DataFrame(), horizon="5y")


def test_load_bundle_refuses_a_directory_that_is_not_one(tmp_path):
    expected = bundle_module.NOT_A_BUNDLE.format(
        path=tmp_path, reason="manifest.json and model.skops expected"
    )
    with pytest.raises(DataError, match=re.escape(expected)):
        bundle_module.load_bundle(tmp_path)


def test_load_bundle_warns_when_versions_differ(tmp_path):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.uniform(18, 70, 200)})
    y = (rng.random(200) < 0.4).astype(int)
    model = RiskModel(family="logistic", cv=2, inner_cv=2).fit(X, y)
    bundle_module.save_bundle(tmp_path / "b", model, manifest={}, family="logistic")
    manifest_path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["versions"]["numpy"] = "0.0.1"
    manifest["manifest_sha256"] = bundle_module.manifest_sha256(manifest)  # as if built so
    manifest_path.write_text(json.dumps(manifest))
    with pytest.warns(
        bundle_module.BundleVersionWarning, match=pattern(bundle_module.VERSION_MISMATCH)
    ):
        bundle_module.load_bundle(tmp_path / "b")


def test_flat_table_without_rows_or_outcomes():
    spec = config_module.TableSpec(label="y", numeric=("age",), query="age > 100")
    frame = pd.DataFrame({"age": [30.0, 40.0], "y": [np.nan, np.nan]})
    with pytest.raises(DataError) as info:
        flat.build_flat_table(frame, spec)
    assert str(info.value) == flat.EMPTY_TABLE.format(after=" after the query")
    spec = config_module.TableSpec(label="y", numeric=("age",))
    with pytest.raises(DataError) as info:
        flat.build_flat_table(frame, spec)
    assert str(info.value) == flat.NO_LABELS.format(column="y")


def test_config_section_and_type_errors():
    with pytest.raises(
        ConfigError, match=re.escape(config_module.UNKNOWN_SECTION.format(section="tabel"))
    ):
        config_module.parse_config({"tabel": {}})
    with pytest.raises(ConfigError, match=pattern(config_module.BAD_TYPE)):
        config_module.parse_config({"table": {"id": "", "label": "y", "numeric": ["age"]}})


# --- contract -----------------------------------------------------------------------------


def test_reading_a_directory_lists_every_whole_table_problem(tmp_path):
    (tmp_path / "people.csv").write_text("person_id\n")
    (tmp_path / "people.parquet").write_bytes(b"")
    (tmp_path / "offences.parquet").write_bytes(b"not parquet")
    (tmp_path / "metadata.json").write_text("[1, 2]")
    with pytest.raises(DataError) as info:
        read_tables(tmp_path)
    text = str(info.value)
    assert text.startswith(contract.WHOLE_TABLE_HEADER)
    assert re.search(pattern(contract.AMBIGUOUS_TABLE), text)
    assert re.search(pattern(tables.UNREADABLE_FILE), text)
    assert contract.BAD_METADATA.format(detail="expected a JSON object") in text
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError) as info:
        read_tables(empty)
    assert contract.MISSING_TABLE.format(table="offences", path=empty) in str(info.value)


def test_bad_extract_date_is_refused(tmp_path, capsys):
    with pytest.raises(
        ConfigError, match=re.escape(contract.BAD_EXTRACT_DATE.format(value="soon"))
    ):
        build_feature_table({"people": pd.DataFrame()}, extract_date="soon", labels=True)


# --- evaluation, explain, features, models ------------------------------------------------


def test_evaluate_predictions_needs_equal_lengths_and_no_gaps():
    with pytest.raises(ValueError, match=pattern(evaluation.BAD_INPUT)):
        evaluate_predictions(
            y_true=np.array([0, 1, 1]), y_prob=np.array([0.2, 0.5]), n_resamples=10
        )
    expected = evaluation.BAD_INPUT.format(detail="missing values")
    with pytest.raises(ValueError, match=re.escape(expected)):
        evaluate_predictions(
            y_true=np.array([0, 1, np.nan]), y_prob=np.array([0.2, 0.5, 0.4]), n_resamples=10
        )


@pytest.fixture(scope="module")
def small_model():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.uniform(18, 70, 300), "sex": rng.choice(["male", "female"], 300)})
    y = (rng.random(300) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    return RiskModel(family="logistic", cv=2, inner_cv=2).fit(X, y), X, y


def test_explain_refuses_nobody(small_model):
    model, X, _ = small_model
    with pytest.raises(ExplanationError, match=re.escape(explaining.EMPTY_INPUT)):
        explain(model, X.iloc[:0])


def test_explain_refuses_preprocessing_it_cannot_map(small_model):
    model = copy.deepcopy(small_model[0])
    X = small_model[1]
    for _, _, pipeline in model.members():
        pipeline.steps.insert(-1, ("identity", FunctionTransformer()))
    with pytest.raises(ExplanationError, match=pattern(explaining.UNSUPPORTED_PREPROCESSING)):
        explain(model, X.iloc[:5])


def test_feature_builders_check_their_tables():
    people = pd.DataFrame({"person_id": ["a", "a"], "index_date": ["2020-01-01", "2020-02-01"]})
    with pytest.raises(DataError, match=pattern(features.MISSING_COLUMNS)):
        build_feature_table({"people": people.drop(columns="index_date")})
    full = generate_population(20, seed=1)
    tables = {name: getattr(full, name).copy() for name in ("people", "offences", "needs")}
    tables["people"] = pd.concat([tables["people"], tables["people"].iloc[:2]])
    with pytest.raises(DataError, match=re.escape(features.DUPLICATE_PEOPLE.format(n=2))):
        build_feature_table(tables)
    tables["people"] = full.people.copy()
    tables["people"].loc[0, "index_date"] = None
    with pytest.raises(DataError, match=pattern(features.MISSING_DATES)):
        build_feature_table(tables)


@pytest.mark.parametrize(
    ("kwargs", "y", "message"),
    [
        ({"family": "forest"}, None, config_module.UNKNOWN_FAMILY),
        ({"calibration": "beta"}, None, config_module.UNKNOWN_CALIBRATION),
        ({}, "one_class", models.ONE_CLASS.format(value=0)),
        ({}, "missing", models.BAD_TARGET),
    ],
)
def test_risk_model_checks_its_inputs(kwargs, y, message):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"age": rng.uniform(18, 70, 60)})
    target = pd.Series((rng.random(60) < 0.4).astype(float))
    if y == "one_class":
        target[:] = 0
    elif y == "missing":
        target[3] = np.nan
    with pytest.raises((ConfigError, DataError), match=pattern(message)):
        RiskModel(
            family=kwargs.get("family", "logistic"),
            cv=2,
            inner_cv=2,
            **{k: v for k, v in kwargs.items() if k != "family"},
        ).fit(X, target)


def test_risk_model_refuses_a_forbidden_feature():
    X = pd.DataFrame({"age": np.arange(40.0), "ethnicity": ["x", "y"] * 20})
    y = np.arange(40) % 2
    with pytest.raises(
        ConfigError, match=re.escape(config_module.FORBIDDEN_FEATURE.format(column="ethnicity"))
    ):
        RiskModel(family="logistic", cv=2, inner_cv=2).fit(X, y)


# --- scoring ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data_dir": ".", "table_path": "t.csv"}, scoring.BOTH_INPUTS),
        ({"data_dir": ".", "chunk_size": 0}, scoring.BAD_CHUNK_SIZE.format(value=0)),
        ({"data_dir": ".", "explain": 99}, scoring.BAD_EXPLAIN.format(limit=20, value=99)),
    ],
)
def test_score_files_checks_its_options(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        score_files(model_dir=tmp_path, out=tmp_path / "s.csv", **kwargs)


def test_engine_options_are_checked():
    with pytest.raises(ConfigError, match=re.escape(scoring.BAD_ENGINE.format(value="spark"))):
        make_engine("spark")
    with pytest.raises(ConfigError, match=re.escape(scoring.SCHEDULER_WITHOUT_DASK)):
        make_engine("local", scheduler="tcp://localhost:8786")
    with pytest.raises(ConfigError, match=re.escape(scoring.TIMEOUT_WITHOUT_SCHEDULER)):
        make_engine("dask", scheduler_timeout=3)
    for value in (0, -2.5, float("inf"), float("nan")):
        message = scoring.BAD_SCHEDULER_TIMEOUT.format(value=value)
        with pytest.raises(ConfigError, match=re.escape(message)):
            make_engine("dask", scheduler="tcp://localhost:8786", scheduler_timeout=value)
    dask = make_engine("dask", scheduler="tcp://localhost:8786", scheduler_timeout=0.5)
    assert dask.timeout == 0.5
    assert make_engine("dask", scheduler="tcp://localhost:8786").timeout == SCHEDULER_TIMEOUT


def test_no_dask_is_explained(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(ConfigError, match=re.escape(scoring.NO_DASK)), make_engine("dask"):
        pass


def test_drift_names_shifted_features_and_unseen_categories():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(
        {"age": rng.normal(35, 10, 3000), "offence": rng.choice(["theft", "fraud"], 3000)}
    )
    scores = rng.uniform(0, 1, 3000)
    reference = drift_reference(X, scores)
    batch = X.iloc[:500].copy()
    batch["age"] += 20
    batch.loc[batch.index[:9], "offence"] = "arson"
    report = drift_report(reference, drift_counts(batch, scores[:500], reference))
    joined = "\n".join(report["warnings"])
    assert re.search(pattern(scoring.FEATURE_DRIFT_WARNING), joined)
    assert re.search(pattern(scoring.UNSEEN_WARNING), joined)


# --- synthetic, training ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, synthetic.BAD_SEED.format(value=-1)),
        ({"ethnicity_bias": -0.5}, synthetic.BAD_ETHNICITY_BIAS.format(value=-0.5)),
    ],
)
def test_generate_population_checks_its_arguments(kwargs, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        generate_population(10, **{"seed": 0, **kwargs})


def test_recalibration_needs_both_outcomes(small_model):
    model, X, _ = small_model
    with pytest.raises(DataError, match=re.escape(training.RECALIBRATION_FAILED)):
        recalibrate_model(model, X, np.zeros(len(X)))


TABLE_CONFIG = """
[table]
id = "case"
label = "outcome"
numeric = ["age"]
"""


def test_train_and_crossval_need_enough_people(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"case": [f"c{i}" for i in range(30)], "age": rng.uniform(18, 70, 30), "outcome": 0}
    )
    frame.loc[:1, "outcome"] = 1
    frame.to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "c.toml").write_text(TABLE_CONFIG)
    inputs = ["--table", tmp_path / "t.csv", "--config", tmp_path / "c.toml"]
    code, _, err = cli(["crossval", *inputs, "--folds", "5", "--out", tmp_path / "cv"], capsys)
    assert code == 2
    expected = training.TOO_FEW_FOR_FOLDS.format(folds=5, positives=2, negatives=28)
    assert err.strip() == f"error: {expected}"
    frame.loc[2:, "outcome"] = np.nan
    frame.to_csv(tmp_path / "t.csv", index=False)
    code, _, err = cli(["train", *inputs, "--no-mlflow", "--out", tmp_path / "m"], capsys)
    assert code == 2
    assert re.search(pattern(training.TOO_FEW_TO_SPLIT), err)


def test_no_warning_leaks(small_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model, X, _ = small_model
        assert model.predict_proba(X).shape == (len(X), 2)

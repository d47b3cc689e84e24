"""``riskmodel cohort --model``: the model's own uncertainty on the console, in cohort.json
and on the page; what the page says without it; and ``score --programme-cohort``."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel._format import beside
from riskmodel.bundle import MANIFEST_FILE, MODEL_FILE, file_sha256, manifest_sha256
from riskmodel.cohort import CalibrationUncertainty, decile_points
from riskmodel.cohort._messages import (
    FEW_TRAINING_PEOPLE,
    NO_TRAINING_SIZE,
    PREDICTIONS_AS_KNOWN,
    WIDENING,
)
from riskmodel.reports._cohort_report import (
    AS_PREDICTED,
    COMBINED_NOTE,
    FEWER,
    FINDING,
    MORE,
    NO_INTERVAL,
    NOT_AN_EFFECT,
    _sentence,
    finding,
)
from riskmodel.scoring import PSI_WARN, drift_counts, drift_reference, drift_report
from riskmodel.scoring._messages import (
    DRIFT_WARNING,
    FEATURE_DRIFT_WARNING,
    PROGRAMME_DRIFT_WARNING,
    PROGRAMME_FEATURE_DRIFT_WARNING,
)
from tests.commands import run_main

EDGES = [0.08, 0.13, 0.21, 0.29, 0.39, 0.51, 0.63, 0.75, 0.85]


def fake_bundle(directory: Path, n_train: int | None, *, model_id: str = "m-test") -> Path:
    """A bundle directory with a sealed manifest (the model file is never read by cohort)."""
    directory.mkdir(parents=True)
    (directory / MODEL_FILE).write_bytes(b"not read by riskmodel cohort")
    manifest = {
        "model_id": model_id,
        "model_sha256": file_sha256(directory / MODEL_FILE),
        "split": {} if n_train is None else {"n_train": n_train},
        "drift_reference": {"n": n_train or 0, "score": {"edges": EDGES, "shares": [0.1] * 10}},
    }
    manifest["manifest_sha256"] = manifest_sha256(manifest)
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest))
    return directory


@pytest.fixture
def cohort_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    p = rng.uniform(0.1, 0.8, 120)
    frame = pd.DataFrame(
        {"probability_2y": p, "reoffended": (rng.random(p.size) < 0.8 * p).astype(int)}
    )
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    return path


def _cohort(capsys, cohort_csv: Path, out: Path, *extra) -> tuple[int, str, str]:
    return run_main(
        ["cohort", "--scores", cohort_csv, "--outcome-column", "reoffended",
         "--n-bootstrap", "0", "--out", out, *extra],
        capsys,
    )  # fmt: skip


def _text(path: Path) -> str:
    page = re.sub(r"<img[^>]*>", "", path.read_text())
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_few_training_people_widen_and_warn_everywhere(cohort_csv, tmp_path, capsys):
    bundle = fake_bundle(tmp_path / "bundle", 300)
    code, stdout, _ = _cohort(capsys, cohort_csv, tmp_path / "out", "--model", bundle)
    assert code == 0
    data = json.loads((tmp_path / "out" / "cohort.json").read_text())
    model = data["model_uncertainty"]
    assert model["n_train"] == 300 and model["model_id"] == "m-test"
    assert model["reference"] == "training deciles" and model["few_training_people"]
    combined = data["with_model_uncertainty"]
    known_width = np.diff(data["observed_expected_ci"])[0]
    width = np.diff(combined["observed_expected_ci"])[0]
    assert width > known_width
    warning = FEW_TRAINING_PEOPLE.format(
        n_train=300, limit=1000, effect=WIDENING.format(ratio=width / known_width)
    )
    assert data["warnings"] == [warning]
    assert f"warning: {warning}" in stdout
    low, high = combined["observed_expected_ci"]
    assert (
        f"with the model's own uncertainty (300 training people): O/E interval {low:.2f} to "
        f"{high:.2f}, P(<= observed) {combined['p_value_lower']:.3f}"
    ) in stdout
    assert PREDICTIONS_AS_KNOWN not in stdout
    page = _text(tmp_path / "out" / "report.html")
    assert f"Warning: {_sentence(warning)}" in page
    note = COMBINED_NOTE.format(model_id="m-test", n_train=300)
    assert note in page
    assert model["method"] in page  # said under the table
    assert NOT_AN_EFFECT in page
    assert page.index(NOT_AN_EFFECT) < page.index("The cohort ")  # first, before any figure
    assert f"observed/expected {data['observed_expected']:.2f} {low:.2f} to {high:.2f}" in page
    assert _sentence(PREDICTIONS_AS_KNOWN) not in page


def test_enough_training_people_no_warning(cohort_csv, tmp_path, capsys):
    bundle = fake_bundle(tmp_path / "bundle", 5000)
    code, stdout, _ = _cohort(capsys, cohort_csv, tmp_path / "out", "--model", bundle)
    assert code == 0
    data = json.loads((tmp_path / "out" / "cohort.json").read_text())
    assert data["warnings"] == [] and data["model_uncertainty"]["warning"] is None
    assert "warning:" not in stdout
    assert "Warning:" not in _text(tmp_path / "out" / "report.html")
    u = CalibrationUncertainty.from_reference(decile_points(EDGES), 5000)
    assert data["model_uncertainty"]["intercept_sd"] == pytest.approx(
        float(np.sqrt(u.covariance[0, 0]))
    )


def test_without_the_model_the_page_says_the_interval_is_too_narrow(cohort_csv, tmp_path, capsys):
    code, stdout, _ = _cohort(capsys, cohort_csv, tmp_path / "out")
    assert code == 0
    assert f"note: {PREDICTIONS_AS_KNOWN}" in stdout
    data = json.loads((tmp_path / "out" / "cohort.json").read_text())
    assert data["predictions_treated_as_known"] is True and data["model_uncertainty"] is None
    page = _text(tmp_path / "out" / "report.html")
    assert _sentence(PREDICTIONS_AS_KNOWN) in page
    assert NOT_AN_EFFECT in page
    low, high = data["observed_expected_ci"]
    assert f"observed/expected {data['observed_expected']:.2f} {low:.2f} to {high:.2f}" in page
    assert finding(data) in page and f"(95% interval {low:.2f} to {high:.2f})." in page


def test_the_finding_and_the_table_print_a_bound_near_1_alike(tmp_path):
    from riskmodel.cohort import cohort_evaluation
    from riskmodel.reports._cohort_report import cohort_report_html

    rng = np.random.default_rng(11)
    for seed in range(40):  # a cohort whose interval ends just short of 1
        p = rng.uniform(0.2, 0.6, 400)
        y = (rng.uniform(size=400) < 0.9 * p).astype(int)
        result = cohort_evaluation(y_true=y, y_prob=p, n_resamples=200, seed=seed)
        high = result.to_dict()["observed_expected_ci"][1]
        if 0.995 <= high < 1:
            break
    else:
        pytest.skip("no cohort of these draws ends within 0.005 of 1")
    (tmp_path / "report.html").write_text(cohort_report_html(result))
    page = _text(tmp_path / "report.html")
    assert f" to {beside(high, (1.0,), 2)}" in page
    assert page.count(f" to {beside(high, (1.0,), 2)}") >= 2  # the finding and the table
    assert " to 1.00" not in page


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [([0.81, 0.95], FEWER), ([1.02, 1.30], MORE), ([0.9, 1.1], AS_PREDICTED),
     ([0.99, 1.0], AS_PREDICTED)],
)  # fmt: skip
def test_the_finding_follows_from_the_interval_with_the_models_uncertainty(interval, verdict):
    known = [interval[0] + 0.005, interval[1] - 0.005]  # narrower: never the one judged on
    data = {"n": 1200, "observed": 500, "observed_rate": 500 / 1200, "expected": 520.0,
            "expected_rate": 520 / 1200, "observed_expected": 0.96, "confidence": 0.95,
            "observed_expected_ci": known,
            "with_model_uncertainty": {"observed_expected_ci": interval}}  # fmt: skip
    text = finding(data)
    assert text.endswith(verdict)
    assert f"(95% interval {interval[0]:.2f} to {interval[1]:.2f}, with the model's own" in text
    assert text.startswith("1,200 people: 500 reoffended (41.7%) against 520.0 expected")


def test_the_finding_never_prints_a_bound_on_1_that_is_not_there():
    data = {"n": 1, "observed": 0, "observed_rate": 0.0, "expected": 0.3, "expected_rate": 0.3,
            "observed_expected": 0.0, "confidence": 0.95, "observed_expected_ci": [0.0, 0.996],
            "with_model_uncertainty": None}  # fmt: skip
    assert finding(data) == (
        "1 person: 0 reoffended (0.0%) against 0.3 expected from the model's predictions (30.0%),"
        " observed/expected 0.00 (95% interval 0.00 to 0.996). " + FEWER
    )
    assert finding(data) == FINDING.format(
        n="1 person", observed="0", observed_rate="0.0%", expected="0.3", expected_rate="30.0%",
        oe="0.00", level="95%", low="0.00", high="0.996", uncertainty="", verdict=FEWER,
    )  # fmt: skip
    data["observed_expected_ci"] = [None, None]
    assert finding(data).endswith("(95% interval — to —). " + NO_INTERVAL)


def test_a_cohort_nobody_was_expected_to_reoffend_is_said_so(tmp_path):
    from riskmodel.cohort import cohort_evaluation
    from riskmodel.reports._cohort_report import NO_RATIO, cohort_report_html

    result = cohort_evaluation(
        y_true=np.r_[np.ones(3), np.zeros(37)], y_prob=np.zeros(40), n_resamples=50
    )
    (tmp_path / "report.html").write_text(cohort_report_html(result))
    html = _text(tmp_path / "report.html")
    assert (
        "40 people: 3 reoffended against 0.0 expected from the model's predictions; with nobody"
        " expected to reoffend, observed/expected is undefined."
    ) in html
    assert NO_RATIO.format(n="40 people", observed="3", expected="0.0") in html


def test_bundle_without_training_size_is_refused(cohort_csv, tmp_path, capsys):
    bundle = fake_bundle(tmp_path / "bundle", None)
    code, _, stderr = _cohort(capsys, cohort_csv, tmp_path / "out", "--model", bundle)
    assert code == 2
    assert NO_TRAINING_SIZE.format(path=bundle) in stderr
    assert not (tmp_path / "out" / "cohort.json").exists()


def test_output_inside_the_bundle_is_refused(cohort_csv, tmp_path, capsys):
    bundle = fake_bundle(tmp_path / "bundle", 5000)
    code, _, stderr = _cohort(capsys, cohort_csv, bundle / "cohort", "--model", bundle)
    assert code == 2 and str(bundle) in stderr


# -- score never suggests recalibrating a programme cohort -----------------------------------
def _drifted() -> tuple[dict, dict]:
    X = pd.DataFrame({"age": np.arange(100.0)})
    reference = drift_reference(X, np.linspace(0.01, 0.99, 100))
    counts = drift_counts(X + 60, np.full(100, 0.95), reference)
    return reference, counts


def test_drift_of_a_programme_cohort_never_suggests_recalibrating():
    reference, counts = _drifted()
    usual = drift_report(reference, counts)
    psi = usual["score_psi"]
    assert DRIFT_WARNING.format(psi=psi, limit=PSI_WARN) in usual["warnings"]
    assert any("riskmodel recalibrate" in w for w in usual["warnings"])
    programme = drift_report(reference, counts, programme_cohort=True)
    listed = f"age ({usual['feature_psi']['age']:.2f})"
    assert FEATURE_DRIFT_WARNING.format(n=1, limit=PSI_WARN, features=listed) in usual["warnings"]
    assert programme["warnings"][:2] == [
        PROGRAMME_DRIFT_WARNING.format(psi=psi, limit=PSI_WARN),
        PROGRAMME_FEATURE_DRIFT_WARNING.format(n=1, limit=PSI_WARN, features=listed),
    ]
    assert not any("riskmodel recalibrate" in w for w in programme["warnings"])
    assert all("do not recalibrate" in w for w in programme["warnings"][:2])


@pytest.mark.slow
def test_score_programme_cohort_flag_reaches_the_run_summary(tmp_path, capsys):
    from riskmodel.bundle import save_bundle
    from riskmodel.models import RiskModel
    from riskmodel.training._manifest import feature_spec
    from tests.contract_data import write_data_dir
    from tests.test_scoring import feature_table, make_population

    train = feature_table(write_data_dir(tmp_path / "train", make_population(300, seed=1)))
    # Outcomes that fall with age, as the model's declared direction expects: a model with no
    # signal would calibrate with a reversed slope, which training refuses.
    age = train.X["age_at_index"].to_numpy(dtype=float)
    chance = 1 / (1 + np.exp((age - age.mean()) / 5))
    y = (np.random.default_rng(0).random(len(train.X)) < chance).astype(int)
    model = RiskModel(family="logistic", cv=2, inner_cv=2).fit(train.X, y)
    X = train.X[list(model.feature_names_in_)]
    reference = drift_reference(X, model.predict_proba(train.X)[:, 1])
    bundle = tmp_path / "bundle"
    manifest = {"feature_spec": feature_spec(model, "data"), "drift_reference": reference}
    save_bundle(bundle, model, manifest=manifest, family="logistic")
    older = make_population(150, seed=8, age_shift=25, prefix="D")
    older["needs"] = older["needs"].iloc[:5]
    data = write_data_dir(tmp_path / "older", older)
    for flag, name in (([], "usual"), (["--programme-cohort"], "programme")):
        out = tmp_path / f"{name}.csv"
        code, stdout, _ = run_main(
            ["score", "--model", bundle, "--data", data, "--out", out, *flag], capsys
        )
        assert code == 0
        summary = json.loads((tmp_path / f"{name}.summary.json").read_text())
        assert summary["programme_cohort"] is bool(flag)
        assert summary["drift"]["shifted_features"]
        if flag:
            assert "recalibrate`" not in stdout and "do not recalibrate" in stdout
        else:
            assert "riskmodel recalibrate" in stdout

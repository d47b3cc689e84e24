"""``riskmodel score --explain K``: one reason per concept, in the explanation report's words,
the same whatever the chunks; ``[labels]`` words in the reasons and in the group names of the
threshold and fairness reports made with ``--model``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.bundle import save_bundle
from riskmodel.config import load_config
from riskmodel.explain import (
    ReferencePopulation,
    codes_in_words,
    explain,
    reasons_by_person,
    top_factors,
)
from riskmodel.explain._people import explain_people
from riskmodel.flat_table import build_flat_table
from riskmodel.models import RiskModel
from riskmodel.scoring import drift_reference
from riskmodel.training._manifest import feature_spec
from tests.commands import run_main
from tests.test_scoring import feature_table, make_population, write_data_dir

CONFIG = """
[table]
id = "id"
label = "two_year_recid"
numeric = ["age", "priors_count", "juv_fel_count", "fin"]
categorical = ["charge"]
groups = ["race"]

[explain.groups]
"Criminal record" = ["priors_count", "juv_fel_count"]

[labels]
fin = { 0 = "no financial aid", 1 = "financial aid" }
charge = { F = "felony", M = "misdemeanour" }
race = { a = "group A", b = "group B" }
"""


def flat_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "age": rng.integers(18, 70, n),
            "priors_count": rng.poisson(2, n),
            "juv_fel_count": rng.poisson(0.3, n),
            "fin": rng.integers(0, 2, n),
            "charge": rng.choice(["F", "M"], n),
            "race": rng.choice(["a", "b"], n),
        }
    )
    logit = -0.5 - 0.04 * (frame["age"] - 35) + 0.4 * np.log1p(frame["priors_count"])
    logit += 0.5 * (frame["charge"] == "F") - 0.4 * frame["fin"]
    frame["two_year_recid"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def with_positions(X: pd.DataFrame, model: RiskModel) -> dict:
    """A drift reference that stores where training people stand, as training does."""
    reference = drift_reference(X, model.predict_proba(X)[:, 1])
    reference["positions"] = ReferencePopulation.from_frame(X).to_dict()
    return reference


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    """A flat-table bundle recording [explain.groups] and [labels], and a batch to score."""
    where = tmp_path_factory.mktemp("flat")
    config = where / "flat.toml"
    config.write_text(CONFIG)
    spec = load_config(config)
    table = build_flat_table(flat_frame(600, seed=1), spec.table).labelled()
    model = RiskModel(family="logistic", cv=3, inner_cv=2).fit(table.X, table.label)
    bundle = where / "bundle"
    manifest = {
        "config": spec.to_dict(),
        "drift_reference": with_positions(table.X, model),
        # held-out calibration, as training records it (threshold --model reads it)
        "metrics": {
            "n": 200,
            "calibration_intercept": 0.0,
            "calibration_intercept_ci": [-0.2, 0.2],
            "calibration_slope": 1.0,
            "calibration_slope_ci": [0.8, 1.2],
        },
    }
    save_bundle(bundle, model, manifest=manifest, family="logistic")
    batch = flat_frame(200, seed=2)
    batch_path = where / "batch.csv"
    batch.to_csv(batch_path, index=False)
    return bundle, batch_path, model, spec


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    """An event-data bundle storing the training positions, and a batch to score."""
    where = tmp_path_factory.mktemp("events")
    table = feature_table(write_data_dir(where / "train", make_population(800, seed=1)))
    X = table.X
    rng = np.random.default_rng(2)
    logit = -0.3 - 0.04 * (X["age_at_index"] - 35) + 0.3 * np.log1p(X["sanction_occasions"])
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)
    model = RiskModel(family="logistic", cv=3, inner_cv=2).fit(X, y)
    bundle = where / "bundle"
    manifest = {
        "feature_spec": feature_spec(model, "data"),
        "drift_reference": with_positions(X[list(model.feature_names_in_)], model),
    }
    save_bundle(bundle, model, manifest=manifest, family="logistic")
    batch = write_data_dir(where / "batch", make_population(150, seed=5, prefix="B"))
    return bundle, batch, model, manifest


def score(capsys, *args) -> pd.DataFrame:
    out = Path(args[-1])
    code, _, stderr = run_main(["score", *map(str, args[:-1]), "--out", str(out)], capsys)
    assert code == 0, stderr
    return pd.read_csv(out, dtype={"person_id": str})


def reason_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("reason_")]


def test_event_reasons_are_the_reports_reasons_one_per_concept(events, tmp_path, capsys):
    bundle, batch, model, manifest = events
    scores = score(capsys, "--model", bundle, "--data", batch, "--explain", 3, tmp_path / "s.csv")
    assert reason_columns(scores) == ["reason_1", "reason_2", "reason_3"]
    table = feature_table(batch)
    population = ReferencePopulation.from_dict(manifest["drift_reference"]["positions"])
    explanation = explain(model, table.X, ids=table.ids, population=population)
    row_of = {str(i): r for r, i in enumerate(table.ids)}
    labels = {c.label for c in explanation.concepts.concepts}
    checked = 0
    for _, person in scores.iterrows():
        row = row_of[person["person_id"]]
        written = [r for r in person[reason_columns(scores)] if isinstance(r, str)]
        concepts = explanation.concept_contributions.iloc[row]
        # the largest concepts either way, largest absolute contribution first
        expected = concepts[concepts.abs() > 1e-9].abs().sort_values(ascending=False).index[:3]
        said = [r.split(": ", 1)[0] for r in written]
        assert said == [explanation.concepts.get(c).label for c in expected]
        assert set(said) <= labels and len(set(said)) == len(said)
        # the very sentences of the explanation report's person page
        raising, lowering = top_factors(explanation, row, 18, min_abs=1e-9)
        report = {f.label: f.reason for f in raising + lowering}
        assert written == [report[label] for label in said]
        assert all("_" not in r for r in written)
        checked += 1
    assert checked == len(table.ids)


def test_reasons_do_not_depend_on_the_chunks(events, tmp_path, capsys):
    bundle, batch, *_ = events
    small = score(capsys, "--model", bundle, "--data", batch, "--explain", 2,
                  "--chunk-size", 50, tmp_path / "a.csv")  # fmt: skip
    whole = score(capsys, "--model", bundle, "--data", batch, "--explain", 2, tmp_path / "b.csv")
    pd.testing.assert_frame_equal(small, whole)
    # positions among the training people are stated: they do not change with the chunk
    assert small["reason_1"].str.contains(" in 100 people").any()


def test_without_stored_positions_reasons_state_none(events, tmp_path, capsys):
    _, batch, model, manifest = events
    older = tmp_path / "older"
    reference = {k: v for k, v in manifest["drift_reference"].items() if k != "positions"}
    save_bundle(
        older,
        model,
        manifest={**manifest, "drift_reference": reference},
        family="logistic",
    )
    scores = score(capsys, "--model", older, "--data", batch, "--explain", 2,
                   "--chunk-size", 40, tmp_path / "s.csv")  # fmt: skip
    reasons = pd.concat([scores["reason_1"], scores["reason_2"]]).dropna()
    assert len(reasons) > 0
    assert not reasons.str.contains(" in 100 people").any()


def test_flat_reasons_use_groups_and_labels(flat, tmp_path, capsys):
    bundle, batch, model, spec = flat
    scores = score(capsys, "--model", bundle, "--table", batch, "--explain", 4, tmp_path / "s.csv")
    reasons = pd.concat([scores[c] for c in reason_columns(scores)]).dropna()
    assert len(reasons) > len(scores)
    heads = set(reasons.str.split(": ").str[0])
    assert "Criminal record" in heads
    assert not heads & {"Priors count", "Juv fel count"}  # grouped: one reason
    fin = reasons[reasons.str.startswith("Fin: ")]
    assert len(fin) and fin.str.contains("financial aid").all()
    charge = reasons[reasons.str.startswith("Charge: ")]
    assert len(charge) and charge.str.match(r"Charge: (felony|misdemeanour) ").all()
    # the same sentences as reasons_by_person on the same people
    frame = pd.read_csv(batch)
    table = build_flat_table(frame, spec.table, labels=False)
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["drift_reference"]["positions"]  # placed against the training people
    explanation = explain_people(model, manifest, table, spec)
    expected = reasons_by_person(explanation, 4)
    for person, factors in zip(scores.itertuples(), expected, strict=True):
        written = [getattr(person, f"reason_{j + 1}") for j in range(len(factors))]
        assert written == [f.reason for f in factors]


def test_codes_in_words_keeps_missing_and_unlabelled_values():
    frame = pd.DataFrame({"race": ["a", "b", None, "c"], "n": [1, 2, 3, 4]})
    out = codes_in_words(frame, {"race": {"a": "group A", "b": "group B"}})
    assert out["race"].tolist()[:2] == ["group A", "group B"]
    assert pd.isna(out["race"].iloc[2]) and out["race"].iloc[3] == "c"
    assert out["n"].tolist() == [1, 2, 3, 4]
    assert frame["race"].iloc[0] == "a"  # the input is left as it was
    assert codes_in_words(frame, {}) is frame


def test_threshold_and_fairness_name_labelled_groups_in_words(flat, tmp_path, capsys):
    bundle, batch, *_ = flat
    scores = tmp_path / "s.csv"
    code, _, stderr = run_main(
        ["score", "--model", str(bundle), "--table", str(batch), "--carry", "race,two_year_recid",
         "--out", str(scores)],
        capsys,
    )  # fmt: skip
    assert code == 0, stderr
    code, _, stderr = run_main(
        ["threshold", "--scores", str(scores), "--capacity", "20%", "--group-column", "race",
         "--model", str(bundle), "--n-bootstrap", "0", "--out", str(tmp_path / "iom")],
        capsys,
    )  # fmt: skip
    assert code == 0, stderr
    threshold = json.loads((tmp_path / "iom" / "threshold.json").read_text())
    assert set(threshold["by_group"]["race"]) == {"group A", "group B"}
    assert "group A" in (tmp_path / "iom" / "report.html").read_text()
    code, stdout, stderr = run_main(
        ["fairness", "--scores", str(scores), "--score-column", "probability_2y",
         "--outcome-column", "two_year_recid", "--group-column", "race", "--reference",
         "race=b", "--n-resamples", "50", "--model", str(bundle), "--table", str(batch),
         "--out", str(tmp_path / "fair")],
        capsys,
    )  # fmt: skip
    assert code == 0, stderr
    audit = json.loads((tmp_path / "fair" / "fairness.json").read_text())
    assert set(audit["by_group"]["race"]) == {"group A", "group B"}
    # --reference race=b, given as the code, names the same group
    assert '"reference": "group B"' in json.dumps(audit)
    assert "  group A: n=" in stdout

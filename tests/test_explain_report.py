"""The explanation report and ``riskmodel explain``: content in words, JSON contract,
person-page selection, errors, and a headless-browser render."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from riskmodel.bundle import save_bundle
from riskmodel.cli import main
from riskmodel.contract import read_tables, validate_tables
from riskmodel.explain import explain, top_factors
from riskmodel.explain._messages import DEFAULT_SAMPLE_NOTE, IDS_NOTE, UNKNOWN_IDS
from riskmodel.fairness import model_reads
from riskmodel.features import build_feature_table
from riskmodel.reports._explain_report import DECISION_NOTE
from riskmodel.synthetic import generate_population, write_population
from riskmodel.training._inputs import NO_TABLE_SECTION
from tests.commands import run_cli
from tests.test_explain import fit


class _Text(HTMLParser):
    """Visible text of each person section, and every image source."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[list[str]] = []
        self.depth = 0
        self.images: list[str] = []
        self.all: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "section" and "person" in (attrs.get("class") or ""):
            self.sections.append([])
            self.depth = 1
        elif tag == "section" and self.depth:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "section" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        self.all.append(data)
        if self.depth and self.sections:
            self.sections[-1].append(data)


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def words(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(parts))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("data")
    write_population(generate_population(2000, seed=5), data_dir)
    table = build_feature_table(validate_tables(read_tables(data_dir)), labels=True)
    labelled = table.labelled()
    model = fit("gbm", labelled.X, labelled.label)
    model_dir = tmp_path_factory.mktemp("bundle") / "gbm"
    save_bundle(model_dir, model, manifest={"outcome": "test"}, family=model.family_)
    return data_dir, model_dir, model, table


@pytest.fixture(scope="module")
def run(bundle, tmp_path_factory):
    data_dir, model_dir, _, table = bundle
    out = tmp_path_factory.mktemp("explain")
    ids = f"{table.ids.iloc[4]},{table.ids.iloc[9]}"
    code = main(
        ["explain", "--model", str(model_dir), "--data", str(data_dir), "--out", str(out),
         "--ids", ids]
    )  # fmt: skip
    assert code == 0
    return out


def test_json_covers_everyone_and_matches_scoring(bundle, run):
    _, _, model, table = bundle
    payload = json.loads((run / "explanations.json").read_text())
    assert set(payload) >= {"people", "global"}
    assert [p["person_id"] for p in payload["people"]] == table.ids.tolist()
    # Same feature code as scoring: the explained probability is predict_proba's, to 1e-12.
    expected = model.predict_proba(table.X)[:, 1]
    got = np.array([p["probability_2y"] for p in payload["people"]])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    for person in payload["people"][:200]:
        assert set(person) >= {"person_id", "probability_2y", "base_value", "contributions"}
        total = person["base_value"] + sum(person["contributions"].values())
        p = person["probability_2y"]
        assert abs(total - np.log(p / (1 - p))) < 1e-6
    assert "ethnicity" not in payload["global"]["mean_abs_contribution"]


def test_report_says_probability_and_top_factors_in_words(bundle, run):
    _, _, model, table = bundle
    page = parse((run / "report.html").read_text())
    text = words(page.all)
    assert DECISION_NOTE in text
    said = model_reads(model.feature_names_in_, list(table.groups.columns))
    assert "sex, index_disposal and index_offence are model features; ethnicity" in said
    assert said in text
    assert "How to read this report" in text
    assert IDS_NOTE.format(k=2) in text
    assert len(page.sections) == 2
    explanation = explain(model, table.X, ids=table.ids)
    for section, row in zip(page.sections, [4, 9], strict=True):
        content = words(section)
        assert f"Person {table.ids.iloc[row]}" in content
        assert f"{100 * explanation.probability[row]:.1f}%" in content
        raising, lowering = top_factors(explanation, row, 5, min_abs=0.005)
        assert raising or lowering
        for factor in raising[:2] + lowering[:2]:
            assert factor.reason in content
    assert all(src.startswith("data:image/png;base64,") for src in page.images)


def test_default_sample_is_small_and_said(bundle, tmp_path):
    data_dir, model_dir, _, table = bundle
    assert main(["explain", "--model", str(model_dir), "--data", str(data_dir),
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    page = parse((tmp_path / "report.html").read_text())
    assert len(page.sections) == 5
    note = DEFAULT_SAMPLE_NOTE.format(k=5, n=len(table), seed=0)
    assert note in words(page.all)


def test_unknown_ids_and_missing_config(bundle, tmp_path, capsys):
    data_dir, model_dir, _, _ = bundle
    code = main(["explain", "--model", str(model_dir), "--data", str(data_dir),
                 "--out", str(tmp_path), "--ids", "nobody-1"])  # fmt: skip
    assert code == 2
    assert UNKNOWN_IDS.format(count=1, ids="nobody-1") in capsys.readouterr().err
    assert not (tmp_path / "explanations.json").exists()
    code = main(["explain", "--model", str(model_dir), "--table", str(data_dir / "people.csv"),
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == 2
    assert NO_TABLE_SECTION in capsys.readouterr().err


def test_modified_bundle_refused_without_traceback(bundle, tmp_path):
    data_dir, model_dir, _, _ = bundle
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("manifest.json", "model.skops"):
        (broken / name).write_bytes((model_dir / name).read_bytes())
    raw = bytearray((broken / "model.skops").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (broken / "model.skops").write_bytes(bytes(raw))
    result = run_cli("explain", "--model", broken, "--data", data_dir, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: model bundle")


@pytest.mark.browser
def test_report_renders_in_a_browser(run, render_html):
    page = render_html(run / "report.html")
    assert page.console_errors == []
    assert page.page_errors == []
    assert page.broken_images == 0
    assert "Why people got their scores" in page.text

"""What every report page shares: the caveats in its first screen, a ``<main>`` landmark,
tables with captions and header scopes, p-values and numbers written one way, the synthetic
note on pages about invented people only, and the axe-core check itself.

The axe-core run over every page the demo writes is in ``tests/test_demo.py`` (it shares the
one demo run of the suite).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._format import p_value_text
from riskmodel._messages import DECISION_NOTE, PROVEN_REOFFENDING_NOTE, SYNTHETIC_NOTE
from riskmodel._provenance import GENERATOR, is_synthetic, record_source
from riskmodel.bundle import CARD_FILE, MANIFEST_FILE
from riskmodel.reports._model_card import CARD_PAGE, write_model_card_page
from riskmodel.reports._render import _fmt_num, render_template
from riskmodel.scoring import summary_path_for
from riskmodel.training._card import model_card_markdown
from tests.accessibility import PageStructure, axe_violations, require_axe

TEMPLATES = Path(__file__).resolve().parents[1] / "riskmodel" / "reports" / "templates"


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    """A data directory as ``riskmodel synth`` writes it (only its metadata matters here)."""
    from riskmodel.synthetic import generate_population, write_population

    return write_population(
        generate_population(200, seed=5), tmp_path_factory.mktemp("synthetic") / "data"
    )


def _index(**context) -> str:
    return render_template(
        "index.html", entries=[], n_people=1000, seed=1, mlflow_ui=None, **context
    )


def test_caveats_open_every_page_under_its_heading():
    page = PageStructure(render_template("base.html"))
    assert page.mains == 1
    # inside <main>, straight after the heading: before anything a template adds
    assert page.ids[:3] == ["<main>", "caveats", "decision-note"]
    html = render_template("base.html")
    caveats = html[html.index('id="caveats"') : html.index("</div>")]
    assert DECISION_NOTE in caveats and PROVEN_REOFFENDING_NOTE in caveats
    assert html.index("<h1>") < html.index('id="caveats"') < html.index('id="made-by"')


def test_every_template_builds_on_the_base_and_captions_its_tables():
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        if template.name == "base.html":
            continue
        assert text.startswith('{% extends "base.html" %}'), template.name
        assert "{% block heading %}" in text and "<h1" not in text, template.name
        tables = re.findall(r"<table[^>]*>\s*(<caption>)?", text)
        assert all(caption for caption in tables), template.name
        assert re.search(r"<th(?![^>]*scope=)[\s>]", text) is None, template.name
        assert re.search(r"p_value\w*\|num", text) is None, template.name


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
@settings(max_examples=200, deadline=None)
def test_p_values_never_read_zero(p):
    text = p_value_text(p)
    assert "0.000" not in text
    if p < 0.001:
        assert text == "p < 0.001"
        assert p_value_text(p, prefix=False) == "< 0.001"
    else:
        assert text.startswith("p = ")
        assert abs(float(text[4:]) - p) <= 0.0005 + 1e-12


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [(1234567, 3, "1,234,567"), (np.int64(12345), 3, "12,345"), (1278.34, 1, "1,278.3"),
     (0.25, 2, "0.25"), (None, 3, "—")],
)  # fmt: skip
def test_numbers_have_thousands_separators(value, digits, text):
    assert _fmt_num(value, digits) == text


def test_only_pages_about_generated_people_say_they_are_invented(synthetic_dir, tmp_path):
    assert is_synthetic(synthetic_dir)
    assert json.loads((synthetic_dir / "metadata.json").read_text())["generator"] == GENERATOR
    assert SYNTHETIC_NOTE in _index(source=str(synthetic_dir))
    # real data: a directory without the generator's metadata, a table without a summary
    real = tmp_path / "real"
    real.mkdir()
    (real / "metadata.json").write_text('{"extract_date": "2024-01-01", "seed": 3}')
    (tmp_path / "plain.csv").write_text("p\n0.1\n")
    for source in (real, tmp_path / "plain.csv", None, tmp_path / "missing.csv"):
        assert not is_synthetic(source)
        assert SYNTHETIC_NOTE not in _index(source=None if source is None else str(source))
    # a table points to its data through the summary beside it, as `riskmodel score` writes
    scores = tmp_path / "scores.csv"
    scores.write_text("p\n0.1\n")
    summary_path_for(scores).write_text(json.dumps({"input": {"source": str(synthetic_dir)}}))
    assert is_synthetic(scores)
    record_source(tmp_path / "audit.csv", scores)  # a table made from the scores
    assert is_synthetic(tmp_path / "audit.csv")
    summary_path_for(scores).write_text(json.dumps({"input": {"source": str(real)}}))
    assert not is_synthetic(scores) and not is_synthetic(tmp_path / "audit.csv")
    # summaries pointing at each other end somewhere: real people
    record_source(tmp_path / "a.csv", tmp_path / "b.csv")
    record_source(tmp_path / "b.csv", tmp_path / "a.csv")
    assert not is_synthetic(tmp_path / "a.csv")


def _bundle(folder: Path, sources: dict[str, str], *, report: bool) -> Path:
    """A directory with a model card and a manifest (all the card page reads)."""
    folder.mkdir()
    manifest = {
        "model_id": "m-1",
        "training_data": {"source": sources["train"], "kind": "data", "n_rows": 12345},
        "metrics": {"auc": 0.71, "auc_ci": [0.69, 0.73]},
        "group_summary": {},
    }
    if "recalibrate" in sources:
        manifest["recalibration"] = {"data": {"source": sources["recalibrate"]}}
    card = model_card_markdown(manifest).replace("{model_id}", "m-1 <b>")
    (folder / CARD_FILE).write_text(card)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest))
    if report:
        (folder / "report.html").write_text("<p>report</p>")
    return folder


def test_model_card_page(synthetic_dir, tmp_path):
    bundle = _bundle(tmp_path / "b1", {"train": str(synthetic_dir)}, report=True)
    html = write_model_card_page(bundle, report="training report").read_text()
    assert (bundle / CARD_PAGE).is_file()
    page = PageStructure(html)
    assert page.mains == 1 and page.ids[:3] == ["<main>", "caveats", "decision-note"]
    assert "<h1>Model card: m-1 &lt;b&gt;</h1>" in html  # the card's title, as text
    assert page.tables >= 1 and page.captions == page.tables
    assert set(page.header_scopes) == {"col", "row"}
    assert "<caption>Held-out performance (95% bootstrap intervals)</caption>" in html
    assert page.link_names == ["model card in Markdown", "training report"]
    assert SYNTHETIC_NOTE in html and PROVEN_REOFFENDING_NOTE in html
    assert "people: 12,345 read" in html  # counts with thousands separators
    # recalibrated on data that is not synthetic, and no report beside it
    bundle = _bundle(
        tmp_path / "b2", {"train": str(synthetic_dir), "recalibrate": str(tmp_path)}, report=False
    )
    html = write_model_card_page(bundle, report="recalibration report").read_text()
    assert SYNTHETIC_NOTE not in html
    assert PageStructure(html).link_names == ["model card in Markdown"]


def test_a_card_table_after_a_list_keeps_its_group_columns_name():
    from riskmodel.training._card import model_card_html

    table = "| group | rate |\n|---|---|\n| a | 1% |\n"
    card = (
        "# Model card: m\n\n## Fairness summary (held-out)\n\nsex\n\n"
        f"{table}\n- at the base rate: a verdict long enough to be taken for no name at all\n\n"
        f"{table}"
    )
    _, body = model_card_html(card)
    assert body.count("<caption>Fairness summary (held-out): sex</caption>") == 2


def test_demo_landing_page_names_its_links():
    from riskmodel.cli._demo_steps import Entry

    entries = [
        Entry("Fairness", "by sex", "fairness/report.html", "Fairness report"),
        Entry("OGRS3", "scored"),
        Entry("Train", "a model", "model/report.html"),
    ]
    html = render_template("index.html", entries=entries, n_people=12345, seed=1, mlflow_ui=None)
    assert PageStructure(html).link_names == ["Fairness report", "Train"]
    assert "12,345 people" in html


@pytest.mark.browser
def test_axe_finds_a_serious_violation_and_passes_a_clean_page(tmp_path, render_html):
    require_axe()
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
        '<h1>t</h1><img id="no-alt" src="data:image/png;base64,iVBORw0KGgo=">'
        "</main></body></html>"
    )
    good = tmp_path / "good.html"
    good.write_text(_index())
    found = axe_violations(render_html.browser, [bad, good])
    assert found[str(bad)] == ["image-alt (critical): #no-alt"]
    assert found[str(good)] == []

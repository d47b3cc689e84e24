"""The explanation report and ``riskmodel explain``: content in words, JSON contract,
person-page selection, errors, and a headless-browser render."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.bundle import save_bundle
from riskmodel.cli import main
from riskmodel.contract import read_tables, validate_tables
from riskmodel.explain import (
    LITTLE_DIFFERENCE,
    LOWERS,
    RAISES,
    DependenceDisplay,
    Factor,
    ImportanceDisplay,
    WaterfallDisplay,
    explain,
    feature_label,
    top_factors,
)
from riskmodel.explain._display import CALIBRATION_LABEL, OTHERS_LABEL
from riskmodel.explain._messages import DEFAULT_SAMPLE_NOTE, IDS_NOTE, UNKNOWN_IDS
from riskmodel.fairness import model_reads
from riskmodel.features import build_feature_table
from riskmodel.models import RiskModel
from riskmodel.reports._explain_report import (
    DECISION_NOTE,
    MIN_FACTOR,
    expected_of_100,
    explanation_summary,
    importance_sentence,
    model_summary,
    person_factors,
    standing,
)
from riskmodel.synthetic import generate_population, write_population
from riskmodel.training._inputs import NO_TABLE_SECTION
from tests.commands import run_here
from tests.test_explain import fit


class _Text(HTMLParser):
    """Visible text of each person section, every image, link and section id, the factor
    labels listed on each person page, and the cells of the importance table."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[list[str]] = []
        self.section_ids: list[str] = []
        self.factor_labels: list[list[str]] = []
        self.depth = 0
        self.images: list[str] = []
        self.alts: list[str] = []
        self.links: list[str] = []
        self.all: list[str] = []
        self.importance: list[list[str]] = []  # one list of cell tags ("th"/"td") per row
        self.in_importance = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
            self.alts.append(attrs.get("alt", ""))
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.links.append(attrs["href"][1:])
        if tag == "table":
            self.in_importance = attrs.get("id") == "importance"
        if self.in_importance and tag == "tr":
            self.importance.append([])
        if self.in_importance and tag in ("td", "th"):
            self.importance[-1].append(tag)
        if tag == "section" and "person" in (attrs.get("class") or ""):
            self.sections.append([])
            self.section_ids.append(attrs.get("id", ""))
            self.factor_labels.append([])
            self.depth = 1
        elif tag == "section" and self.depth:
            self.depth += 1
        if tag == "li" and self.depth and "data-label" in attrs:
            self.factor_labels[-1].append(attrs["data-label"])

    def handle_endtag(self, tag):
        if tag == "section" and self.depth:
            self.depth -= 1
        if tag == "table":
            self.in_importance = False

    def handle_data(self, data):
        self.all.append(data)
        if self.depth and self.sections:
            self.sections[-1].append(data)


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


#: Rows of the people given a page by the ``run`` fixture.
ROWS = (4, 9)


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
    ids = ",".join(table.ids.iloc[list(ROWS)])
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


def test_changes_are_signed_with_the_minus_sign_of_the_sentences(run):
    text = words(parse((run / "report.html").read_text()).all)
    lowered = re.findall(r"([-−+]?)\d+\.\d+ (?:percentage points|log-odds)\b", text)
    assert "−" in lowered and "+" in lowered  # reasons both ways, signed
    assert "-" not in lowered  # never a hyphen for a minus


def test_report_says_probability_and_top_factors_in_words(bundle, run):
    _, _, model, table = bundle
    page = parse((run / "report.html").read_text())
    text = words(page.all)
    assert DECISION_NOTE in text
    said = model_reads(model.feature_names_in_, list(table.groups.columns))
    assert "sex, index_disposal and index_offence are model features; ethnicity" in said
    # the report says the same in words: columns by their labels, never internal names
    plain = said.replace("index_disposal", "current disposal").replace(
        "index_offence", feature_label("index_offence").lower()
    )
    assert plain.replace("age_band", "age band") in text
    assert said not in text
    assert "How to read this report" in text
    assert IDS_NOTE.format(k=2) in text
    assert len(page.sections) == 2
    explanation = explain(model, table.X, ids=table.ids)
    for section, row in zip(page.sections, ROWS, strict=True):
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
    result = run_here("explain", "--model", broken, "--data", data_dir, "--out", tmp_path / "out")
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


@pytest.fixture(scope="module")
def explained(bundle):
    _, _, model, table = bundle
    return explain(model, table.X, ids=table.ids)


def test_importance_table_columns_line_up(run):
    rows = parse((run / "report.html").read_text()).importance
    assert len(rows) > 2
    header, body = rows[0], rows[1:]
    assert header == ["th"] * 4
    assert all(cells == ["td"] * len(header) for cells in body)


@pytest.mark.parametrize(
    ("scores", "row", "sentence"),
    [
        ([0.1, 0.2, 0.3], 2, "Higher than 2 of the 3 people explained: the highest score."),
        ([0.1, 0.2, 0.3], 0, "Lower than 2 of the 3 people explained: the lowest score."),
        ([0.1, 0.2, 0.3], 1, "Higher than 1 and lower than 1 of the 3 people explained."),
        (
            [0.1, 0.3, 0.3, 0.3],
            1,
            "Higher than 1 of the 4 people explained; 2 others have the same score.",
        ),
        (
            [0.1, 0.1, 0.3],
            0,
            "Lower than 1 of the 3 people explained; 1 other person has the same score.",
        ),
        ([0.2, 0.2, 0.2], 1, "The same score as the other 2 of the 3 people explained."),
        ([0.2], 0, "The only person explained."),
    ],
)
def test_standing_in_counts(scores, row, sentence):
    assert standing(np.array(scores), row)["sentence"] == sentence


def test_standing_of_the_top_person_is_never_100_percent():
    scores = np.linspace(0.01, 0.99, 432)
    top = standing(scores, 431)
    assert top["sentence"] == "Higher than 431 of the 432 people explained: the highest score."
    bottom = standing(scores, 0)
    assert bottom["sentence"] == "Lower than 431 of the 432 people explained: the lowest score."


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.9]), min_size=1, max_size=30), st.data())
def test_standing_counts_everyone_once(scores, data):
    scores = np.array(scores)
    row = data.draw(st.integers(0, len(scores) - 1))
    result = standing(scores, row)
    assert result["lower"] + result["higher"] + result["same"] + 1 == result["n"] == len(scores)
    assert result["lower"] == int((scores < scores[row]).sum())
    assert result["higher"] == int((scores > scores[row]).sum())
    assert "%" not in result["sentence"]
    if result["lower"]:
        assert f"Higher than {result['lower']:,} " in result["sentence"]
    if result["higher"]:
        assert f"ower than {result['higher']:,} " in result["sentence"]


def test_expected_of_100():
    assert [expected_of_100(p) for p in (0.0, 0.004, 0.05, 0.5, 0.818, 0.994, 0.996)] == [
        "fewer than 1",
        "fewer than 1",
        "about 5",
        "about 50",
        "about 82",
        "about 99",
        "more than 99",
    ]


def test_person_pages_say_position_in_counts(bundle, run, explained):
    page = parse((run / "report.html").read_text())
    for section, row in zip(page.sections, ROWS, strict=True):
        content = words(section)
        assert standing(explained.probability, row)["sentence"] in content
        assert f"of the {len(explained):,} people explained" in content
        assert not re.search(r"than \d+(\.\d+)?% of", content)
        of_100 = expected_of_100(explained.probability[row])
        assert f"Of 100 people with the same recorded characteristics, {of_100} would" in content


def test_waterfall_draws_the_listed_reasons(explained):
    for row in (0, 4, 9, 33):
        raising, lowering = top_factors(explained, row, 5, min_abs=MIN_FACTOR)
        display = WaterfallDisplay.from_explanation(explained, row, k=5, min_abs=MIN_FACTOR)
        listed = raising + lowering
        assert display.labels[: len(listed)] == [f.label for f in listed]
        assert display.labels[len(listed) :] == [OTHERS_LABEL]
        np.testing.assert_array_equal(
            display.values[: len(listed)], [f.contribution for f in listed]
        )
        probability = explained.probability[row]
        # the bars take the base exactly to the person's probability, the person's is marked
        assert display.probability == probability
        assert display.base_value + display.values.sum() == pytest.approx(
            np.log(probability / (1 - probability)), abs=1e-9
        )
        assert display.points.sum() == pytest.approx(
            100 * (probability - explained.base_probability), abs=1e-9
        )


def test_waterfall_follows_whatever_factors_it_is_given():
    # Reasons by concept (several features each) are drawn just as reasons by feature are.
    factors = [
        Factor("criminal_history", "criminal history", "12 court outcomes", 0.8, 15.0),
        Factor("age", "age", "aged 19", 0.3, 5.0),
        Factor("need_drugs", "drugs", "no drugs need", -0.2, -3.0),
    ]
    display = WaterfallDisplay.from_factors(
        factors, base_value=-0.5, end_value=0.6, probability=1 / (1 + np.exp(-0.6))
    )
    assert display.labels == ["criminal history", "age", "drugs", OTHERS_LABEL]
    assert display.values[-1] == pytest.approx(1.1 - 0.9)
    assert display.items[0] == {
        "label": "criminal history",
        "contribution": 0.8,
        "percentage_points": 15.0,
    }
    # an approximate explanation (isotonic calibration): a last bar reaches the probability
    approximate = WaterfallDisplay.from_factors(
        factors, base_value=-0.5, end_value=0.6, probability=0.7
    )
    assert approximate.labels[-1] == CALIBRATION_LABEL
    base_p = 1 / (1 + np.exp(0.5))
    assert approximate.points.sum() == pytest.approx(100 * (0.7 - base_p), abs=1e-9)
    assert approximate.probability == 0.7


def test_waterfall_marks_the_persons_probability(explained):
    display = WaterfallDisplay.from_explanation(explained, 4).plot()
    probability = 100 * explained.probability[4]
    texts = [t.get_text() for t in display.ax_.texts]
    assert f"this person {probability:.1f}%" in texts
    assert f"base {100 * explained.base_probability:.1f}%" in texts
    lines = [line.get_xdata()[0] for line in display.ax_.get_lines()]
    assert probability in lines
    plt.close(display.figure_)


def test_report_lists_and_draws_the_same_reasons(run, explained):
    page = parse((run / "report.html").read_text())
    waterfalls = [alt for alt in page.alts if alt.startswith("Waterfall chart for person")]
    assert len(waterfalls) == len(page.sections) == len(ROWS)
    for labels, alt, row in zip(page.factor_labels, waterfalls, ROWS, strict=True):
        raising, lowering, little = person_factors(explained, row, 5)
        assert labels == [f.label for f in raising + lowering + little]
        drawn = [f"; {label} " for label in [*labels, OTHERS_LABEL]]
        positions = [alt.index(item) for item in drawn]
        assert positions == sorted(positions)
        assert alt.endswith(f"to this person's {100 * explained.probability[row]:.1f}%")


def test_summary_draws_the_listed_reasons(explained):
    summary = explanation_summary(explained, person_rows=[3], n_dependence=0)
    person = summary["people"][0]
    listed = [f["label"] for f in person["raising"] + person["lowering"] + person["little"]]
    drawn = [item["label"] for item in person["waterfall_items"]]
    assert drawn == [*listed, OTHERS_LABEL]
    assert person["others_points"] == person["waterfall_items"][-1]["percentage_points"]
    assert person["waterfall_probability"] == explained.probability[3]


def test_a_heading_never_contradicts_its_reasons(explained):
    """Under "Raising the risk" every reason raises it and under "Lowering the risk" every
    reason lowers it, by 0.05 log-odds or more; what moves the score less is listed under
    "Making little difference"; together they are the person's top factors, none lost."""
    seen_little = []
    for row in range(0, len(explained), 25):
        raising, lowering, little = person_factors(explained, row)
        assert all(f.contribution >= 0.05 and f.reason.endswith(RAISES) for f in raising)
        assert all(f.contribution <= -0.05 and f.reason.endswith(LOWERS) for f in lowering)
        for factor in little:
            assert abs(factor.contribution) < 0.05 and factor.reason.endswith(LITTLE_DIFFERENCE)
        up, down = top_factors(explained, row, 5, min_abs=MIN_FACTOR)
        assert sorted(f.label for f in raising + lowering + little) == sorted(
            f.label for f in up + down
        )
        if little:
            seen_little.append(row)
    assert seen_little  # the check met reasons that make little difference
    # the page's lists are these, with its sentences for an empty list
    rows = seen_little[:2]
    summary = explanation_summary(explained, person_rows=rows, n_dependence=0)
    for row, person in zip(rows, summary["people"], strict=True):
        lists = [[f.label for f in part] for part in person_factors(explained, row)]
        assert lists == [
            [f["label"] for f in person[k]] for k in ("raising", "lowering", "little")
        ]
        assert person["no_raising"] == (
            "Nothing raises this person's score above the base by 0.05 log-odds or more."
        )
        assert person["no_lowering"] == (
            "Nothing lowers this person's score below the base by 0.05 log-odds or more."
        )


def test_a_reason_making_little_difference_never_prints_as_0_05(explained):
    """A contribution just under 0.05 log-odds is listed as making little difference and
    printed with the digits that show it (0.049), beside "by 0.05 log-odds or more"."""
    near = explained.concept_contributions.abs().apply(lambda c: c.between(0.045, 0.0499))
    rows = np.flatnonzero(near.any(axis=1).to_numpy())[:40]

    def close_to_the_line(r: int) -> bool:
        return any(abs(f.contribution) >= 0.045 for f in person_factors(explained, r)[2])

    row = next(r for r in rows if close_to_the_line(r))
    summary = explanation_summary(explained, person_rows=[row], n_dependence=0)
    (person,) = summary["people"]
    for factor in person["little"]:
        value = float(factor["log_odds_text"].replace("\N{MINUS SIGN}", "-"))
        assert abs(value) < 0.05, factor["log_odds_text"]
    for factor in person["raising"] + person["lowering"]:
        assert abs(float(factor["log_odds_text"].replace("\N{MINUS SIGN}", "-"))) >= 0.05


def test_the_page_lists_each_reason_under_the_heading_it_says(explained):
    from riskmodel.reports._explain_report import explain_report_html

    # a person with reasons raising the risk and reasons making little difference
    row = next(
        r for r in range(len(explained)) if all(map(bool, person_factors(explained, r)[::2]))
    )
    raising, lowering, little = person_factors(explained, row)
    html = explain_report_html(explained, person_rows=[row], n_dependence=0)
    lists = dict(re.findall(r'<ul class="factors (\w+)">(.*?)</ul>', html, flags=re.S))
    assert set(lists) == {"raising", "negligible"} | ({"lowering"} if lowering else set())
    assert '<h3 class="little">Making little difference</h3>' in html
    for kind, reasons, verb in (
        ("raising", raising, RAISES),
        ("negligible", little, LITTLE_DIFFERENCE),
    ):
        items = re.findall(r"<li [^>]*>(.*?)</li>", lists[kind], flags=re.S)
        assert len(items) == len(reasons) and all(verb in item for item in items), kind
    if not lowering:
        assert (
            "Nothing lowers this person's score below the base by 0.05 log-odds or more." in html
        )


def test_contents_links_every_person_page_once(run):
    page = parse((run / "report.html").read_text())
    assert page.section_ids == [f"person-{i}" for i in range(1, len(ROWS) + 1)]
    for section_id in page.section_ids:
        assert page.links.count(section_id) == 1
    assert {"how-to-read", "not-in-model", "model", "global", "dependence", "people"} <= set(
        page.links
    )


@pytest.mark.browser
def test_report_fits_a_phone_screen(run, render_html):
    # 390 px is a common phone width: nothing (text, tables, charts) may scroll sideways
    page = render_html(run / "report.html", width=390)
    assert page.page_errors == []
    assert page.broken_images == 0
    assert page.scroll_width <= 390


# -- factors (concepts) everywhere an explanation is shown -------------------------------------


def test_importance_ranks_the_factors_the_reasons_name(run, explained):
    summary = explanation_summary(explained, n_dependence=0)
    concepts = summary["concepts"]
    expected = explained.mean_abs_concept_contribution()
    assert [c["name"] for c in concepts] == list(expected.index)
    np.testing.assert_allclose([c["mean_abs"] for c in concepts], expected.to_numpy())
    shares = explained.concept_percentage_points().abs().mean(axis=0)
    np.testing.assert_allclose(
        [c["mean_abs_points"] for c in concepts], shares[list(expected.index)].to_numpy()
    )
    labels = {c.name: c.label for c in explained.concepts.concepts}
    assert [c["label"] for c in concepts] == [labels[c["name"]] for c in concepts]
    # a person's reasons use the very labels the table ranks
    raising, lowering = top_factors(explained, 4, 5, min_abs=MIN_FACTOR)
    assert {f.label for f in raising + lowering} <= {c["label"] for c in concepts}
    # the features one by one stay there for researchers, each with its factor
    assert len(summary["features"]) == len(explained.features)
    owner = {f: c.label for c in explained.concepts.concepts for f in c.features}
    for row in summary["features"]:
        assert row["concept"] == owner.get(row["name"], "")
    # the chart draws the first 15 factors, in order, under the same labels
    display = ImportanceDisplay.from_explanation(explained)
    assert display.labels == [c["label"] for c in concepts[:15]]


def test_report_tables_and_sentences_say_factors(run, explained):
    html = (run / "report.html").read_text()
    page = parse(html)
    text = words(page.all)
    concepts = explanation_summary(explained, n_dependence=0)["concepts"]
    assert importance_sentence(concepts, len(explained.features)) in text
    assert (
        f"The model's {len(explained.features)} features make up {len(concepts)} factors." in text
    )
    assert "Which factors matter most" in text and "Which features matter most" not in text
    rows = page.importance
    assert len(rows) == len(concepts) + 1
    assert f"By feature: the {len(explained.features)} features one by one" in text
    assert 'id="importance-features"' in html and "<details" in html
    assert f"is counted among {explained.reference_population.source}" in text
    assert "-0.0 percentage points" not in text and "+0.0 percentage points" not in text
    for concept in concepts[:15]:
        assert f"{concept['label']} {concept['mean_abs']:.2f}" in " ".join(page.alts)


def test_importance_sentence_counts_factors_and_features():
    rows = [{"label": "Prior offences", "mean_abs": 0.66, "mean_abs_points": 15.1}]
    assert importance_sentence(rows, 1) == (
        "The model's 1 features are its 1 factor. Prior offences moves a person's score most: "
        "by 0.66 log-odds (15.1 percentage points) on average, either way."
    )
    assert importance_sentence([], 3) == "The model has no factors to rank."


def test_metric_names_in_words():
    metrics = {"auc": 0.8, "n": 7020, "nij_score": 0.2, "base_rate": 0.4551,
               "mean_predicted": 0.46058}  # fmt: skip
    rows = model_summary({"metrics": metrics, "split": {"n_test": 7020}}, None)
    assert {"label": "held-out people: number of people", "value": "7,020"} in rows
    # shares of people read as the training outcome rate does, in percent
    assert {"label": "held-out people: observed outcome rate", "value": "45.5%"} in rows
    assert {"label": "held-out people: mean probability", "value": "46.1%"} in rows
    assert {"label": "held-out people: AUC (ranking: 0.5 is chance, 1 is perfect)",
            "value": "0.8"} in rows  # fmt: skip
    assert {"label": "held-out people: nij score", "value": "0.2"} in rows
    assert not any("_" in row["label"] for row in rows)


def test_flat_report_names_columns_in_words(tmp_path):
    rng = np.random.default_rng(4)
    n = 300
    X = pd.DataFrame(
        {
            "priors_count": rng.poisson(2.0, n).astype(float),
            "c_charge_degree": rng.choice(["F", "M"], n),
            "age": rng.integers(18, 70, n).astype(float),
        }
    )
    logit = -0.5 + 0.4 * X["priors_count"] - 0.04 * (X["age"] - 35)
    logit += 0.5 * (X["c_charge_degree"] == "F")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    model = RiskModel(family="logistic", cv=3).fit(X, y)
    explanation = explain(
        model,
        X,
        groups={"Prior offences": ["priors_count"], "Felony or misdemeanour": ["c_charge_degree"]},
        labels={"c_charge_degree": {"F": "felony", "M": "misdemeanour"}},
    )
    summary = explanation_summary(explanation, person_rows=[0, 1], n_dependence=3)
    assert {c["label"] for c in summary["concepts"]} == {
        "Prior offences",
        "Felony or misdemeanour",
        "Age",
    }
    by_name = {c["name"]: c for c in summary["concepts"]}
    assert by_name["Prior offences"]["columns"] == ["priors_count"]
    assert by_name["Prior offences"]["made_of"] == ""
    labels = {f["name"]: f["label"] for f in summary["features"]}
    assert labels["priors_count"] == "Prior offences"
    assert {d["label"] for d in summary["dependence"]} == {
        "Prior offences",
        "Felony or misdemeanour",
        "Age",
    }
    degree = DependenceDisplay.from_explanation(explanation, "c_charge_degree")
    assert set(degree.values) == {"felony", "misdemeanour"}
    for person in summary["people"]:
        for factor in person["raising"] + person["lowering"]:
            assert "_" not in factor["reason"]
            if factor["label"] == "Felony or misdemeanour":
                assert factor["value"] in ("felony", "misdemeanour")

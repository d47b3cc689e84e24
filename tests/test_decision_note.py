"""The note that a score informs a decision made by people is written once and used everywhere."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from riskmodel._messages import DECISION_NOTE
from riskmodel.reports._render import render_template
from riskmodel.training._card import model_card_markdown

PACKAGE = Path(__file__).resolve().parents[1] / "riskmodel"
#: Words of the note; no template or report module may spell them out again.
WORDING = re.compile(r"made by people|assessment of (the )?risk of serious harm", re.I)


@pytest.mark.parametrize(
    "module", ["_cohort_report", "_evaluation_report", "_explain_report", "_fairness_report",
               "_threshold_report"],
)  # fmt: skip
def test_reports_use_the_one_note(module):
    source = (PACKAGE / "reports" / f"{module}.py").read_text(encoding="utf-8")
    assert not WORDING.search(source)
    report = importlib.import_module(f"riskmodel.reports.{module}")
    assert getattr(report, "DECISION_NOTE", DECISION_NOTE) is DECISION_NOTE


def test_templates_never_spell_the_note_out():
    for template in sorted((PACKAGE / "reports" / "templates").glob("*.html")):
        assert not WORDING.search(template.read_text(encoding="utf-8")), template.name


def test_every_page_opens_with_the_note():
    page = render_template("base.html")
    # under the heading, in the first screen; the footer only says what made the page
    assert f'<p class="warning" id="decision-note"><strong>{DECISION_NOTE}</strong>' in page
    assert page.index("<h1>") < page.index(DECISION_NOTE) < page.index("<footer>")
    assert DECISION_NOTE not in page[page.index("<footer>") :]


def test_model_card_states_the_note():
    card = model_card_markdown({"model_id": "m", "created_at": "now", "model_sha256": "x"})
    assert DECISION_NOTE in card
    assert not WORDING.search(card.replace(DECISION_NOTE, ""))

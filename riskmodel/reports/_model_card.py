"""``model_card.html``: a bundle's ``MODEL_CARD.md`` as a page beside it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from markupsafe import Markup

from riskmodel._io import write_text
from riskmodel._provenance import is_synthetic
from riskmodel.bundle import CARD_FILE, MANIFEST_FILE
from riskmodel.reports._render import render_template
from riskmodel.training._card import model_card_html

__all__ = ["CARD_PAGE", "card_sources", "write_model_card_page"]

#: The page written beside ``MODEL_CARD.md``.
CARD_PAGE = "model_card.html"


def card_sources(manifest: dict[str, Any]) -> list[str]:
    """The data a bundle was fitted on: its training data, and its recalibration data if any.

    Examples
    --------
    >>> card_sources({"training_data": {"source": "data/a"},
    ...               "recalibration": {"data": {"source": "data/b"}}})
    ['data/a', 'data/b']
    """
    found = [
        (manifest.get("training_data") or {}).get("source"),
        ((manifest.get("recalibration") or {}).get("data") or {}).get("source"),
    ]
    return [str(s) for s in found if s]


def write_model_card_page(bundle_dir: str | os.PathLike, *, report: str | None = None) -> Path:
    """Render the bundle's model card as ``model_card.html`` in the bundle; return its path.

    ``report`` names the bundle's ``report.html`` (for example "training report"), which the
    page then links. The page says its people are invented only when every data set the
    bundle was fitted on was drawn by the synthetic generator.
    """
    bundle_dir = Path(bundle_dir)
    manifest = json.loads((bundle_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    title, body = model_card_html((bundle_dir / CARD_FILE).read_text(encoding="utf-8"))
    sources = card_sources(manifest)
    html = render_template(
        "model_card.html",
        title=title,
        body=Markup(body),  # rendered from escaped Markdown with raw HTML off
        report=report if report and (bundle_dir / "report.html").is_file() else None,
        synthetic=bool(sources) and all(is_synthetic(s) for s in sources),
    )
    path = bundle_dir / CARD_PAGE
    write_text(html, path)
    return path

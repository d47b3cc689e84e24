"""Rendering helpers shared by every report."""

from __future__ import annotations

import base64
import io
from typing import Any

import jinja2
from matplotlib.figure import Figure

from riskmodel._display import plain_text
from riskmodel._messages import DECISION_NOTE

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("riskmodel.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _fmt_pct(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{100 * float(value):.{digits}f}%"


def _fmt_num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):.{digits}f}"


_ENV.filters["pct"] = _fmt_pct
_ENV.filters["num"] = _fmt_num


def render_template(name: str, **context: Any) -> str:
    """Render the packaged template ``name`` with autoescaping.

    Templates extend ``base.html``, which carries the shared, printable style sheet.
    """
    from riskmodel import __version__

    context.setdefault("version", __version__)
    context.setdefault("decision_note", DECISION_NOTE)
    return _ENV.get_template(name).render(**context)


def new_axes(figsize: tuple[float, float]) -> tuple[Figure, Any]:
    """A figure and its axes drawn off-screen, without pyplot (no backend is selected)."""
    figure = Figure(figsize=figsize)
    return figure, figure.subplots()


def figure_to_data_uri(fig: Figure, *, dpi: int = 110) -> str:
    """Encode a matplotlib figure as an embedded PNG ``data:`` URI and close the figure.

    Every text of the figure is drawn as plain text (:func:`riskmodel._display.plain_text`),
    including titles a report sets after a Display has drawn: a ``$`` or ``\\`` in a group,
    band or feature name is never read as mathtext.
    """
    for ax in fig.axes:
        plain_text(ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    if fig.canvas.manager is not None:  # a pyplot figure: release it
        import matplotlib.pyplot as plt

        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

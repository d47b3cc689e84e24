"""Rendering helpers shared by every report."""

from __future__ import annotations

import base64
import io
import numbers
from typing import Any

import jinja2
from matplotlib.figure import Figure

from riskmodel._display import plain_text
from riskmodel._format import beside, p_value_text, signed
from riskmodel._messages import DECISION_NOTE, PROVEN_REOFFENDING_NOTE, SYNTHETIC_NOTE
from riskmodel._provenance import is_synthetic

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
    """A number with thousands separators: whole numbers as they are, others with ``digits``
    decimals.

    Examples
    --------
    >>> _fmt_num(12345), _fmt_num(1278.34, 1), _fmt_num(0.5), _fmt_num(None)
    ('12,345', '1,278.3', '0.500', '—')
    """
    if value is None:
        return "—"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    return f"{float(value):,.{digits}f}"


def _fmt_p(value: Any) -> str:
    return p_value_text(value, prefix=False)


_ENV.filters["pct"] = _fmt_pct
_ENV.filters["num"] = _fmt_num
_ENV.filters["pvalue"] = _fmt_p
_ENV.filters["signed"] = signed


def _fmt_bound(value: Any, limit: float, digits: int = 2) -> str:
    """A bound of an interval judged against ``limit``, never printed on it when it is not
    there (:func:`riskmodel._format.beside`); None as a dash."""
    return "—" if value is None else beside(value, (limit,), digits)


_ENV.filters["bound"] = _fmt_bound


def _source(context: dict[str, Any]) -> Any:
    """The data a page was made from: its ``source``, or its summary's (``s.source``)."""
    if context.get("source"):
        return context["source"]
    summary = context.get("s")
    return summary.get("source") if isinstance(summary, dict) else None


def render_template(name: str, **context: Any) -> str:
    """Render the packaged template ``name`` with autoescaping.

    Templates extend ``base.html``, which carries the shared, printable style sheet, the
    ``<main>`` landmark and, under the page's heading, the caveats every page states: the
    score is not an assessment of harm, proven reoffending records detection and proof, and,
    on a page about people the synthetic generator drew, that they are invented. Whether
    they are is decided from the data the page was made from (``synthetic``, else the
    ``source`` path: :func:`riskmodel._provenance.is_synthetic`).
    """
    from riskmodel import __version__

    context.setdefault("version", __version__)
    context.setdefault("decision_note", DECISION_NOTE)
    context.setdefault("outcome_note", PROVEN_REOFFENDING_NOTE)
    if "synthetic" not in context:
        context["synthetic"] = is_synthetic(_source(context))
    context["synthetic_note"] = SYNTHETIC_NOTE if context["synthetic"] else None
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

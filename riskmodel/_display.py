"""The base of the package's Display classes (scikit-learn's Display pattern).

A Display computes what it draws in ``from_*`` class methods; ``plot(ax=None)`` draws on
``ax``, or on a new pyplot figure when ``ax`` is None, and sets ``ax_`` and ``figure_``.
Nothing here selects a matplotlib backend or calls ``plt.show()``: pyplot is imported only when
a figure has to be created, so importing the package never changes a notebook's backend.

Text that comes from data or from the caller (titles, axis labels, legend entries, category
tick labels, annotations) is drawn as plain text: a ``$`` or a ``\\`` in a group or feature
name is never read as mathtext.
"""

from __future__ import annotations

from typing import Any, Self

__all__ = ["Display", "plain_text"]


def plain_text(ax: Any) -> None:
    """Draw the texts of ``ax`` as plain text, except numbers from a numeric tick formatter.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> _ = ax.set_title("cost in $ and $ per head")
    >>> plain_text(ax)
    >>> ax.title.get_parse_math()
    False
    """
    from matplotlib.ticker import LogFormatter, ScalarFormatter

    texts = [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        texts += [*legend.get_texts(), legend.get_title()]
    for axis in (ax.xaxis, ax.yaxis):
        # numbers may use mathtext (10^-2, a scientific offset); labels given as text never do
        if not isinstance(axis.get_major_formatter(), ScalarFormatter | LogFormatter):
            texts += axis.get_ticklabels()
    for text in texts:
        text.set_parse_math(False)


class Display:
    """Shared ``plot(ax=None)`` handling of the Display classes.

    Subclasses draw in ``plot`` between ``ax = self._axes(ax, figsize)`` and
    ``return self._finish()``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on (set by ``plot``).
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    """

    ax_: Any = None
    figure_: Any = None

    def _axes(self, ax: Any, figsize: tuple[float, float]) -> Any:
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=figsize)
        self.ax_, self.figure_ = ax, ax.figure
        return ax

    def _finish(self) -> Self:
        for ax in [self.ax_, *self.ax_.child_axes]:
            plain_text(ax)
        return self

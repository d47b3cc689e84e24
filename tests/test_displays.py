"""The Display classes: one base, pyplot only inside ``plot``, labels drawn as plain text."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import riskmodel
from riskmodel._display import Display
from riskmodel.evaluation import ReliabilityDisplay
from riskmodel.fairness import ErrorRateDisplay, GroupCalibrationDisplay

#: Labels that mathtext cannot parse: drawing them as mathtext raises.
AWKWARD = ["cost $x^$ per head", "back\\slash $", "a_b $\\frac$"]


def _display_classes() -> list[type]:
    found = {}
    for info in pkgutil.walk_packages(riskmodel.__path__, "riskmodel."):
        if ".cli" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                name.endswith("Display")
                and obj.__module__ == module.__name__
                and obj is not Display
            ):
                found[f"{obj.__module__}.{name}"] = obj
    return [found[k] for k in sorted(found)]


def test_every_display_derives_from_the_base():
    classes = _display_classes()
    assert len(classes) >= 10
    assert [c.__name__ for c in classes if not issubclass(c, Display)] == []


def test_importing_the_package_leaves_the_backend_alone():
    modules = sorted(
        info.name
        for info in pkgutil.walk_packages(riskmodel.__path__, "riskmodel.")
        if not info.name.endswith("__main__")
    )
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg')\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["svg", "False"]


def _draw(display: Display) -> list[str]:
    """Render the display's figure (raises if a text is parsed as bad mathtext)."""
    display.figure_.savefig(io.BytesIO(), format="png")
    texts = [t for t in display.figure_.findobj(lambda a: hasattr(a, "get_parse_math"))]
    return [t.get_text() for t in texts if t.get_text() and not t.get_parse_math()]


def test_group_names_and_titles_are_plain_text():
    y = np.array([0, 1, 0, 1, 1, 0])
    p = np.array([0.2, 0.8, 0.3, 0.6, 0.7, 0.4])
    display = GroupCalibrationDisplay.from_predictions(
        y, p, [AWKWARD[0]] * 3 + [AWKWARD[1]] * 3, group_name=AWKWARD[2]
    )
    ax = Figure().subplots()
    assert display.plot(ax=ax) is display
    assert display.ax_ is ax and display.figure_ is ax.figure
    plain = "\n".join(_draw(display))
    assert all(label in plain for label in AWKWARD)


def test_category_ticks_are_plain_text_and_numbers_are_not_touched():
    rates = pd.DataFrame({"fpr": [0.2, 0.4], "fnr": [0.5, 0.3]}, index=AWKWARD[:2])
    display = ErrorRateDisplay(rates, group_name=AWKWARD[2]).plot(ax=Figure().subplots())
    plain = "\n".join(_draw(display))
    assert all(label in plain for label in AWKWARD[:2])
    assert all(t.get_parse_math() for t in display.ax_.get_yticklabels())


def test_a_model_label_is_plain_text():
    p = np.linspace(0.05, 0.95, 100)
    y = (p > 0.5).astype(int)
    display = ReliabilityDisplay.from_predictions(y, p).plot(
        ax=Figure().subplots(), label=AWKWARD[0]
    )
    assert AWKWARD[0] in _draw(display)


def test_plot_without_axes_makes_a_pyplot_figure():
    plt = pytest.importorskip("matplotlib.pyplot")
    rates = pd.DataFrame({"fpr": [0.2], "fnr": [0.5]}, index=["a"])
    display = ErrorRateDisplay(rates).plot()
    try:
        assert display.figure_ is display.ax_.figure
        assert plt.fignum_exists(display.figure_.number)
    finally:
        plt.close(display.figure_)

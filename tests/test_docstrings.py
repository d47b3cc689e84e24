"""Every module's docstring examples run and pass."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "riskmodel.features._labels",
        "riskmodel.features._catalogue",
        "riskmodel.features._offence_history",
        "riskmodel.features._needs",
        "riskmodel.features._table",
        "riskmodel.features._build",
        "riskmodel.baselines._ogrs3",
        "riskmodel.models._profiles",
        "riskmodel.models._preprocess",
    ],
)
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0

"""Start-up stays small: a command's help loads none of the libraries only its work needs."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from riskmodel.cli import main
try:
    main(["score", "--help"])
except SystemExit:
    pass
print(sorted(m for m in ("skops", "sklearn", "scipy", "matplotlib") if m in sys.modules))
"""


def test_score_help_loads_no_model_library():
    run = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert "--workers" in run.stdout  # the help was printed
    assert run.stdout.strip().splitlines()[-1] == "[]"


#: Commands whose --help loads no model library (the others import packages that load scipy
#: or scikit-learn as they are imported: ogrs3, threshold, cohort, programme, fairness).
LIGHT_HELP = ("demo", "synth", "validate", "features", "train", "crossval", "evaluate",
              "recalibrate", "explain", "score")  # fmt: skip

CHECK_EACH = """
import contextlib, io, sys
from riskmodel.cli import main
HEAVY = ("skops", "sklearn", "scipy", "matplotlib", "mlflow", "shap")
for name in sys.argv[1:]:
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        main([name, "--help"])
    assert "Usage:" in printed.getvalue(), name
    print(name, sorted(m for m in HEAVY if m in sys.modules))
"""


def test_help_of_most_commands_loads_no_model_library():
    """One interpreter asks each command for its help in turn: after each, none of the model
    libraries is loaded (a command whose module imported one would show it from then on)."""
    run = subprocess.run(
        [sys.executable, "-c", CHECK_EACH, *LIGHT_HELP], capture_output=True, text=True, check=True
    )
    assert run.stdout.splitlines() == [f"{name} []" for name in LIGHT_HELP]

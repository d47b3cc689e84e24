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


CHECK_EACH = """
import contextlib, io, sys
from riskmodel.cli import COMMAND_MODULES, main
HEAVY = ("skops", "sklearn", "scipy", "matplotlib", "mlflow", "shap", "fairlearn")
for name in [*(m.replace("_", "-") for m in COMMAND_MODULES), ""]:
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        main([name, "--help"] if name else ["--help"])
    assert "Usage:" in printed.getvalue(), name
    print(name or "riskmodel", sorted(m for m in HEAVY if m in sys.modules))
"""


def test_no_help_loads_a_model_library():
    """One interpreter asks every command for its help in turn, then ``riskmodel`` itself
    (which lists them all): after each, none of the model libraries is loaded (a command whose
    module imported one, or imported a package that does, would show it from then on)."""
    from riskmodel.cli import COMMAND_MODULES

    run = subprocess.run([sys.executable, "-c", CHECK_EACH], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    names = [*(m.replace("_", "-") for m in COMMAND_MODULES), "riskmodel"]
    assert len(names) == 16
    assert run.stdout.splitlines() == [f"{name} []" for name in names]

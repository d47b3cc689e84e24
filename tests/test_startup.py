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

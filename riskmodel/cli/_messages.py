"""Messages of the command line; tests import and match them."""

from __future__ import annotations

#: A :class:`riskmodel.RiskmodelError` as the one line on standard error (exit code 2).
ERROR = "error: {error}"
#: Printed when the user interrupts a command (exit code 1).
ABORTED = "Aborted."
#: Printed when SIGTERM or SIGHUP stops a command (exit code 128 + the signal number).
TERMINATED = "stopped by {signal}: unfinished outputs and temporary files were removed"
#: A step of ``riskmodel demo`` whose command did not succeed.
STEP_FAILED = "demo step {step!r} failed (exit code {code}); see the messages above"

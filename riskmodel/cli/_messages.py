"""Messages of the command line; tests import and match them."""

from __future__ import annotations

#: A :class:`riskmodel.RiskmodelError` as the one line on standard error (exit code 2).
ERROR = "error: {error}"
#: An operating-system error (a path that cannot be written or read, a full disk) as the one
#: line on standard error (exit code 2): the path, then what the system said.
OS_ERROR = "error: {path}: {reason}"
#: The same without a path.
OS_ERROR_NO_PATH = "error: {reason}"
#: An option given an empty path (``--out ""``).
EMPTY_PATH = "the path is empty; give a file or directory name"
#: Printed when the user interrupts a command (exit code 1).
ABORTED = "Aborted."
#: Printed when SIGTERM or SIGHUP stops a command (exit code 128 + the signal number).
TERMINATED = "stopped by {signal}: unfinished outputs and temporary files were removed"
#: A step of ``riskmodel demo`` whose command did not succeed.
STEP_FAILED = "demo step {step!r} failed (exit code {code}); see the messages above"

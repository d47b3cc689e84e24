"""SIGTERM and SIGHUP as a clean stop of a command.

By default either signal ends Python at once: no ``finally`` block, no context manager's exit
runs, so temporary files (a scoring run's working folder holds copies of the input) stay on
disk and worker processes keep running. While :func:`stop_cleanly_on_signals` is active,
either signal raises :class:`Terminated` in the main thread instead, which unwinds the command
like an error: every cleanup runs, then the command line prints one line and exits with
``128 + signal number`` (143 for SIGTERM, 129 for SIGHUP), the shell's convention for a
process ended by a signal. Only the command line installs the handlers, and only for the
duration of a command; the previous handlers are restored afterwards, so a program using the
library keeps its own.

Python runs a handler between two steps of whatever the main thread is doing, and a few places
in Python and its libraries swallow any exception raised there (an attribute lookup made from C,
a callback called from C). So the signal is also recorded, and :func:`raise_if_stopped`, which
the command line's progress loop calls before each item, raises :class:`Terminated` again: in a
command that works through a progress loop (``score`` chunk by chunk, ``crossval`` fold by
fold), a stop that was swallowed ends the command at the next item. Elsewhere, or after the
last item, a swallowed stop is still lost and the command runs to its end; further signals are
ignored meanwhile, as they are while a stop unwinds.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Terminated", "raise_if_stopped", "stop_cleanly_on_signals"]

#: The signals that stop a command cleanly (SIGHUP where the platform has it).
SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

#: The signal received while :func:`stop_cleanly_on_signals` is active (empty otherwise).
_received: list[int] = []


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM or SIGHUP.

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that ``except Exception``
    blocks do not swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def name(self) -> str:
        """The signal's name, such as ``SIGTERM``."""
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"

    @property
    def exit_code(self) -> int:
        """``128 + signal number``: 143 for SIGTERM."""
        return 128 + self.signum


@contextmanager
def stop_cleanly_on_signals() -> Iterator[None]:
    """While active, SIGTERM and SIGHUP raise :class:`Terminated` (once: a second signal
    while the first unwinds is ignored, so the cleanups are not cut short). Does nothing
    outside the main thread, where Python cannot install handlers.

    Examples
    --------
    >>> import os, time
    >>> try:
    ...     with stop_cleanly_on_signals():
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         time.sleep(5)  # interrupted by the handler
    ... except Terminated as stop:
    ...     print(stop.name, stop.exit_code)
    SIGTERM 143
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if _received:
            return
        _received.append(signum)
        raise Terminated(signum)

    _received.clear()
    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
        _received.clear()


def raise_if_stopped() -> None:
    """Raise :class:`Terminated` if a stopping signal has been received, even where the
    handler's own exception was swallowed; does nothing otherwise.

    Examples
    --------
    >>> import os, time
    >>> with stop_cleanly_on_signals():
    ...     try:  # a library that swallows whatever is raised inside it
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         time.sleep(5)
    ...     except BaseException:
    ...         pass
    ...     try:
    ...         raise_if_stopped()
    ...     except Terminated as stop:
    ...         print(stop.name, stop.exit_code)
    SIGTERM 143
    >>> raise_if_stopped()  # outside: nothing
    """
    if _received:
        raise Terminated(_received[0])

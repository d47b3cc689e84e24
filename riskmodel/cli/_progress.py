"""Progress bars on a terminal, silence otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.progress import Progress

T = TypeVar("T")


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a progress bar on standard error when it is a terminal."""
    if not sys.stderr.isatty():
        yield from items
        return
    with Progress(transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


def echo(message: str) -> None:
    """Print a line of the run summary to standard output."""
    print(message, flush=True)

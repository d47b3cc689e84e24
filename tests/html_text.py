"""The visible text of an HTML page, for tests that read a report's sentences."""

from __future__ import annotations

from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(html: str) -> str:
    """Every text node of ``html``, white space folded to single spaces.

    Examples
    --------
    >>> page_text("<p>Median <b>days</b>\\n  free</p>")
    'Median days free'
    """
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())

"""Values written into Markdown as plain text.

A group value, a column name, a path or an outcome description comes from data or from a
config someone sent; written into ``MODEL_CARD.md`` as it is, ``<script>`` would run in a
viewer that renders HTML, ``|`` would break a table and ``*`` or ``[`` would restyle or link the
text. :func:`markdown_text` makes such a value inert: HTML's special characters become entities
and Markdown's inline control characters get a backslash (as CommonMark defines), so a viewer
shows the value exactly as it was.
"""

from __future__ import annotations

import re

__all__ = ["markdown_text"]

#: Characters Markdown reads anywhere in a line (emphasis, code, links, tables, math, strike);
#: an underscore only outside a word (``age_band`` never starts emphasis, ``_x_`` does).
_INLINE = re.compile(r"([\\`*\[\]{}|$~#!]|(?<![^\W_])_|_(?![^\W_]))")
#: Openings a line reads as a list item (``-``, ``+``, ``1.``, ``1)``).
_BLOCK = re.compile(r"^(\s*)([-+]|\d+[.)])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def markdown_text(value: object) -> str:
    """``value`` as Markdown that renders as exactly its text (one line).

    Parameters
    ----------
    value : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str
        The text with ``&``, ``<`` and ``>`` as HTML entities, Markdown's control characters
        escaped with a backslash, a leading list marker escaped and line breaks as spaces.

    Examples
    --------
    >>> markdown_text("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> markdown_text("/data/a|b*c.csv")
    '/data/a\\\\|b\\\\*c.csv'
    >>> markdown_text("age_band _x_")
    'age_band \\\\_x\\\\_'
    >>> markdown_text("- not a list")
    '\\\\- not a list'
    """
    text = " ".join(str(value).splitlines())
    text = _INLINE.sub(r"\\\1", text)
    text = "".join(_ENTITIES.get(char, char) for char in text)
    match = _BLOCK.match(text)
    if match:
        marker = match.group(2)
        text = match.group(1) + marker[:-1] + "\\" + marker[-1] + text[match.end() :]
    return text

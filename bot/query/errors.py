"""The one error the query parser raises, rendered for the person who typed the query."""

from __future__ import annotations

import unicodedata

_WINDOW = 72  # characters of the query shown around the error; Slack code blocks wrap


class QueryError(ValueError):
    """A query that can't be used, with where and what to do about it.

    ``str()`` gives the message, the query on one line with a caret under
    ``position`` on the next, and the hint. ``topic`` names the topic whose
    query it is, when known.
    """

    def __init__(self, message: str, position: int, hint: str, query: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint
        self.query = query
        self.topic: str | None = None

    def __str__(self) -> str:
        head = f'Topic "{self.topic}": {self.message}' if self.topic else self.message
        lines = [f"{head} (at character {self.position + 1})"]
        if self.query:
            shown, caret = _window(self.query, self.position)
            lines += ["  " + shown, "  " + " " * caret + "^"]
        lines.append(self.hint)
        return "\n".join(lines)


def _window(query: str, position: int) -> tuple[str, int]:
    """The part of the query shown, and the column of the caret in it."""
    start = max(0, min(position - _WINDOW // 2, len(query) - _WINDOW))
    end = start + _WINDOW
    shown = query[start:end]
    # Newlines and tabs would break the one-line picture; wide (CJK)
    # characters take two columns, so the caret counts columns, not characters.
    shown = "".join(" " if ch.isspace() else ch for ch in shown)
    column = sum(_width(ch) for ch in shown[: position - start])
    if start > 0:
        shown, column = "…" + shown, column + 1
    if end < len(query):
        shown += "…"
    return shown, column


def _width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1

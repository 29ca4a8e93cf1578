"""A command's answer as data: sections of Hark's own words (plain ``str``, mrkdwn, already
safe) and pieces that came from a person or a source (escaped and cut by bot/blocks/admin.py).

The /hark subcommands (bot/admin/) return an ``Answer``; handlers render it with
bot/blocks/admin.py. Imports nothing of Hark, so every layer may use it."""

from __future__ import annotations

from dataclasses import dataclass

# Hark's own words are plain ``str`` pieces (mrkdwn, already safe); whatever came from a person
# or a source is one of the pieces below, escaped and cut by bot/blocks/admin.py.


@dataclass(frozen=True)
class Untrusted:
    """Text from a person or a source: escaped, then cut so that the escaped form fits."""

    text: str | None
    limit: int
    one_line: bool = False


@dataclass(frozen=True)
class Quoted:
    """A person's own words quoted back, one line, in a code span."""

    text: str | None
    limit: int = 60


@dataclass(frozen=True)
class Link:
    """``<url|label>`` made safe; just the label when the URL is unusable."""

    url: str | None
    label: str | None
    limit: int = 300


@dataclass(frozen=True)
class User:
    """A Slack user, mentioned (``<@U…>``), or "someone" when the ID is not one."""

    user_id: str | None


@dataclass(frozen=True)
class Duration:
    """A length of time as people read it: ``45 s``, ``12 min``, ``3 h 5 min``."""

    seconds: float | None


Piece = str | Untrusted | Quoted | Link | User | Duration
Text = tuple[Piece, ...]


def say(*parts: Piece | Text) -> Text:
    """One text from pieces and texts, in order."""
    out: list[Piece] = []
    for part in parts:
        if isinstance(part, tuple):
            out.extend(part)
        else:
            out.append(part)
    return tuple(out)


@dataclass(frozen=True)
class Answer:
    """A command's answer as data: its sections (each a ``Text``), the notification text
    (``fallback``; the first section when None), whether it is an error, or the help."""

    sections: tuple[Text, ...] = ()
    fallback: Text | None = None
    error: bool = False
    help: bool = False


def reply(*parts: Piece | Text) -> Answer:
    """A one-section answer whose notification text is the section itself."""
    return Answer((say(*parts),))


def refusal(*parts: Piece | Text) -> Answer:
    """An error answer (marked :warning:): what went wrong and what to do."""
    return Answer((say(*parts),), error=True)


def joined(separator: str, texts: list[Text]) -> Text:
    """Texts one after another with Hark's own ``separator`` between them (``"\\n"``, ``", "``)."""
    out: list[Piece] = []
    for i, text in enumerate(texts):
        if i:
            out.append(separator)
        out.extend(text)
    return tuple(out)

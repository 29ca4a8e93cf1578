"""Command answers (bot/answer.py's ``Answer``) as Slack messages: Hark's own words as they
are, everything from a person or a source escaped and cut after escaping."""

from __future__ import annotations

from bot.answer import Answer, Duration, Link, Piece, Quoted, Text, Untrusted, User
from bot.blocks.answers import Message, error_message, help_message, section
from bot.blocks.text import duration, fit, link, quoted
from bot.grammar import mention


def piece_text(piece: Piece) -> str:
    if isinstance(piece, str):
        return piece
    if isinstance(piece, Untrusted):
        return fit(piece.text, piece.limit, one_line=piece.one_line)
    if isinstance(piece, Quoted):
        return quoted(piece.text, piece.limit)
    if isinstance(piece, Link):
        return link(piece.url, piece.label, piece.limit)
    if isinstance(piece, User):
        return mention(piece.user_id)
    if isinstance(piece, Duration):
        return duration(piece.seconds)
    raise TypeError(f"not a piece of an answer: {piece!r}")


def rendered(text: Text) -> str:
    return "".join(piece_text(piece) for piece in text)


def answer_message(answer: Answer) -> Message:
    """The message for ``respond()``: ``text`` (the notification) and ``blocks``."""
    if answer.help:
        return help_message()
    sections = [rendered(text) for text in answer.sections]
    if answer.error:
        return error_message(sections[0])
    fallback = rendered(answer.fallback) if answer.fallback is not None else sections[0]
    return {"text": fallback[:3000], "blocks": [section(s) for s in sections]}

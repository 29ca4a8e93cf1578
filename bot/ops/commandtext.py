"""Slash-command text as the person meant it, before any parser reads it.

Slack sends a command's text with its own markup when the manifest says
``should_escape: true``: a picked channel as ``<#C0K8S|devops>``, a person as
``<@U0SME1|sam>``, a link as ``<https://…>`` (``&`` inside it as ``&amp;``), and typed ``&``,
``<``, ``>`` as ``&amp;``, ``&lt;``, ``&gt;``. :func:`plain_command_text` turns that back
into plain words the commands' parsers accept — the channel's ID, the user's ID, the URL —
and drops control characters (a NUL reaching SQLite's full-text search fails the command).
handlers/middleware.py applies it to every slash command before a listener runs.
"""

from __future__ import annotations

import re
import unicodedata

# <#C…|name>, <@U…|name>, <!here>, <!subteam^S…|@team>, <https://…|label>, <mailto:…|label>
_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_ID = re.compile(r"[A-Z0-9]{2,}")
_KEEP = frozenset("\t\n\r")


def _strip_controls(text: str) -> str:
    return "".join(c for c in text if c in _KEEP or unicodedata.category(c) != "Cc")


def _unescape(text: str) -> str:
    """Slack's three entities, ``&amp;`` last so ``&amp;lt;`` stays ``&lt;``."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_token(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target[:1] in "#@" and _ID.fullmatch(target[1:]):
        return target[1:]  # a channel or a person: the ID the commands accept
    if target.startswith("!"):
        special = target[1:].split("^", 1)[0]
        return label if label else f"@{special}"  # <!here>, <!subteam^S…|@ops>, <!date^…|x>
    url = _unescape(target)
    if label is not None:
        typed = _unescape(label)
        scheme_less = url.split(":", 1)[1].lstrip("/") if ":" in url else url
        if url.startswith("mailto:") or typed == scheme_less:
            return typed  # text Slack linked on its own: keep what the person typed
    return url


def plain_command_text(text: str) -> str:
    """``text`` without control characters, Slack's tokens unwrapped, entities unescaped."""
    text = _strip_controls(text)
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        out.append(_unescape(text[last : match.start()]))
        out.append(_plain_token(match))
        last = match.end()
    out.append(_unescape(text[last:]))
    return "".join(out)

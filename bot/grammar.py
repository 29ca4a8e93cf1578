"""Counts with their plurals, "a" or "an", and how a sentence names a person: the one place
Hark decides English grammar.

Imports nothing of Hark, so every layer (domain code and the pure Block Kit builders) may use it.
"""

from __future__ import annotations

import re

# A Slack user ID as Slack sends it (U… or, on Enterprise Grid, W…).
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")

# Plurals that are not the word plus "s". Anything else: word + "s" (or "es" after s, x, ch, sh).
_IRREGULAR = {
    "try": "tries",
    "entry": "entries",
    "reply": "replies",
    "query": "queries",
    "person": "people",
    "thing to fix": "things to fix",
    "is": "are",
    "was": "were",
    "has": "have",
    "this": "these",
    "it": "they",
    "its": "their",
}


def plural(n: float, word: str, many: str | None = None) -> str:
    """``word`` as it reads beside the number ``n``: ``plural(1, "post")`` is "post", else "posts"."""
    if n == 1:
        return word
    if many is not None:
        return many
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def count(n: float, word: str, many: str | None = None, *, bold: bool = False) -> str:
    """The number and its noun, agreeing: "1 post", "2 posts", "1,204 posts"; ``bold`` puts
    the number in Slack's bold ("*2* posts")."""
    number = f"{n:,}" if isinstance(n, int) else f"{n:,.1f}".rstrip("0").rstrip(".")
    if bold:
        number = f"*{number}*"
    return f"{number} {plural(n, word, many)}"


_VOWEL_SOUND_LETTERS = set("aefhilmnorsx")  # letters read alone that start with a vowel sound


def article(phrase: str) -> str:
    """ "a" or "an" before ``phrase``, by how it sounds: "an X (Twitter) account", "a Reddit
    account", "an hour", "a user"."""
    word = phrase.strip().split(" ", 1)[0].strip("*_`\"'(")
    if not word:
        return "a"
    first = word[0]
    if len(word) == 1 or (word.isupper() and len(word) <= 4):  # letters read one by one
        return "an" if first.lower() in _VOWEL_SOUND_LETTERS else "a"
    lowered = word.lower()
    if lowered.startswith(("hour", "honest", "honour", "honor", "heir")):
        return "an"
    if lowered.startswith(("uni", "use", "usu", "uti", "eu", "one", "once")):
        return "a"
    return "an" if first.lower() in "aeiou" else "a"


def with_article(phrase: str) -> str:
    """``phrase`` with "a" or "an" before it."""
    return f"{article(phrase)} {phrase}"


def mention(user_id: str | None) -> str:
    """``<@U…>`` for a real Slack user id (from Slack, never from a feed), else "someone".

    Here rather than in bot/blocks so that domain refusals ("only <@U…> or an admin …") and
    the Block Kit builders name people the same way.
    """
    if user_id and _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return "someone"

"""Splitting a topic query into tokens: words, phrases, operators and fields.

Also where field values are checked, so that every message about a field and
its hints live in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.match.words import fold
from bot.query.errors import QueryError
from bot.query.tree import FieldMatch

MAX_NEAR = 100
TEXT_FIELDS = ("title", "author")  # restrict where a term is looked for
DOC_FIELDS = ("site", "source", "lang")  # compare a property of the post
FIELDS = TEXT_FIELDS + DOC_FIELDS
_KNOWN_FIELDS = ", ".join(f"{name}:" for name in FIELDS)

_DELIMITERS = frozenset('()"|')
_FIELD_RE = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_NEAR_RE = re.compile(r"NEAR/(\d+)", re.ASCII)
_LANG_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
_SOURCE_RE = re.compile(r"[a-z0-9_.-]+")
_HOST_RE = re.compile(r"[\w-]+(\.[\w-]+)*")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word phrase field ( ) OR AND NOT - NEAR
    text: str
    pos: int
    value: int = 0  # NEAR distance


def tokenize(query: str) -> list[Token]:
    """The tokens of ``query``, or QueryError for a quote or ``-`` left dangling."""
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch == "|":
            tokens.append(Token("OR", ch, i))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError(
                    "This quote is never closed", i, 'Close the quote: add " at the end'
                )
            tokens.append(Token("phrase", query[i + 1 : end], i))
            i = end + 1
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] in ")|":
                raise QueryError(
                    "`-` needs a term right after it",
                    i,
                    "Write -word with no space to exclude a word, or remove the -",
                )
            tokens.append(Token("-", ch, i))
            i += 1
        else:
            end = i
            while end < n and not query[end].isspace() and query[end] not in _DELIMITERS:
                end += 1
            _word_tokens(query, i, end, tokens)
            i = end
    return tokens


def _word_tokens(query: str, start: int, end: int, tokens: list[Token]) -> None:
    """Classify one bare word: keyword, ``NEAR/n``, ``field:`` or a plain word."""
    word = query[start:end]
    if word in ("OR", "AND", "NOT"):
        tokens.append(Token(word, word, start))
        return
    if word == "NEAR" or word.startswith("NEAR/"):
        near = _NEAR_RE.fullmatch(word)
        if near is None:
            raise QueryError(
                f"`{word}` is not a distance",
                start,
                'Write NEAR/ and a number of words, e.g. NEAR/5; or "near" in lowercase '
                "to look for the word",
            )
        distance = int(near.group(1))
        if not 1 <= distance <= MAX_NEAR:
            raise QueryError(
                f"NEAR/{near.group(1)} is out of range",
                start,
                f"Use a distance from 1 (next to each other) to {MAX_NEAR} words",
            )
        tokens.append(Token("NEAR", word, start, distance))
        return
    field = _FIELD_RE.fullmatch(word)
    if field is None:
        tokens.append(Token("word", word, start))
        return
    name, rest = field.group(1).lower(), field.group(2)
    if name not in FIELDS:
        raise QueryError(
            f"Unknown field `{field.group(1)}:`",
            start,
            f'Known fields are {_KNOWN_FIELDS}; to look for the text itself, quote it: "{word}"',
        )
    rest_pos = start + len(name) + 1
    if not rest and not (end < len(query) and query[end] in '"('):
        raise QueryError(
            f"`{name}:` needs a value right after it",
            rest_pos,
            f"Write {name}:value with no space, e.g. {_FIELD_EXAMPLES[name]}",
        )
    if rest.startswith("-"):
        raise QueryError(
            f"`{name}:-…` puts the exclusion inside the field",
            rest_pos,
            f"Put the minus before the field: -{name}:{rest[1:]}",
        )
    tokens.append(Token("field", name, start))
    if rest:
        _word_tokens_after_field(query, rest_pos, end, tokens)


def _word_tokens_after_field(query: str, start: int, end: int, tokens: list[Token]) -> None:
    rest = query[start:end]
    nested = _FIELD_RE.fullmatch(rest)
    if nested is not None and nested.group(1).lower() in FIELDS:
        raise QueryError(
            "A term can have only one field", start, "Remove one of the fields, e.g. title:word"
        )
    tokens.append(Token("word", rest, start))


_FIELD_HINTS = {
    "site": "Write a domain such as site:reddit.com (it matches old.reddit.com too); "
    "paths are not supported",
    "source": "Write a kind of source such as source:hn "
    "(reddit, hn, x, stackoverflow, mastodon, youtube, github, bluesky, feed…)",
    "lang": "Write a language code such as lang:en or lang:pt-br",
}
_FIELD_EXAMPLES = {
    "title": 'title:kubernetes or title:"rate limit"',
    "author": "author:dhh",
    "site": "site:reddit.com (matches old.reddit.com too)",
    "source": "source:hn (reddit, hn, x, stackoverflow, mastodon, youtube, github, feed…)",
    "lang": "lang:en",
}


def field_match(name: str, token: Token) -> FieldMatch:
    """``site:``, ``source:`` or ``lang:`` with its value checked and normalized."""
    value = fold(token.text.strip())
    if name == "site":
        value = value.rstrip(".")
        valid = _HOST_RE.fullmatch(value) is not None
    elif name == "lang":
        value = value.replace("_", "-")
        valid = _LANG_RE.fullmatch(value) is not None
    else:
        valid = _SOURCE_RE.fullmatch(value) is not None
    if not valid:
        raise QueryError(f"`{token.text}` is not a valid {name}:", token.pos, _FIELD_HINTS[name])
    return FieldMatch(name, value)

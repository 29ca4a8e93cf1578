"""The matching rules written the slow, obvious way: one regex per term, the tree walked directly.

Not used by the bot. It is the executable statement of what :mod:`bot.match.engine`
must answer (the property tests compare the two on random queries and texts),
and the "naive" contender of ``bench/match.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from bot.match.engine import Document
from bot.match.words import fold, spaced_word_chars, token_pattern, word_classes
from bot.query.parser import parse_query
from bot.query.tree import And, FieldMatch, Near, Node, Not, Or, Phrase, Term

_ZONES = {None: ("title", "body"), "title": ("title",), "author": ("author",)}


@cache
def _gap() -> str:
    """Regex for what may stand between the words of a phrase: no word character."""
    spaced, unspaced = word_classes()
    return f"(?:(?!{spaced}|{unspaced}).)*"


def _word_regex(word: str, prefix: bool) -> str:
    """A word on whole-word boundaries (see bot.match.words); the literal comes first so
    that ``re`` can scan for it quickly, as anyone tuning a regex matcher would."""
    spaced = word_classes()[0]
    folded, word_chars = fold(word), spaced_word_chars()
    literal = re.escape(folded)
    left = f"(?<!{spaced}{literal})" if folded[0] in word_chars else ""
    if folded[-1] not in word_chars:
        right = ""
    else:
        right = f"{spaced}*" if prefix else f"(?!{spaced})"
    return literal + left + right


@cache
def _regex(node: Term | Phrase) -> re.Pattern[str]:
    if isinstance(node, Term):
        return re.compile(_word_regex(node.text, node.prefix))
    return re.compile(_gap().join(_word_regex(word, False) for word in node.words), re.DOTALL)


def _spans(node: Term | Phrase, text: str) -> list[tuple[int, int]]:
    """All occurrences, overlapping ones included."""
    spans, found = [], _regex(node).search(text)
    while found:
        spans.append(found.span())
        found = _regex(node).search(text, found.start() + 1)
    return spans


def _near(node: Near, text: str) -> bool:
    for a_start, a_end in _spans(node.left, text):
        for b_start, b_end in _spans(node.right, text):
            if a_end <= b_start:
                between = text[a_end:b_start]
            elif b_end <= a_start:
                between = text[b_end:a_start]
            else:
                continue  # overlapping occurrences are one place, not two
            if len(token_pattern().findall(between)) + 1 <= node.distance:
                return True
    return False


def _site_matches(host: str, wanted: str) -> bool:
    return host == wanted or host.endswith("." + wanted)


def _lang_matches(lang: str, wanted: str) -> bool:
    return lang == wanted or lang.startswith(wanted + "-")


def evaluate(node: Node, doc: Document) -> bool:
    """Whether ``doc`` matches the query tree ``node``."""
    texts = {"title": fold(doc.title), "body": fold(doc.body), "author": fold(doc.author)}
    return _evaluate(node, doc, texts)


def _evaluate(node: Node, doc: Document, texts: dict[str, str]) -> bool:
    if isinstance(node, Not):
        return not _evaluate(node.child, doc, texts)
    if isinstance(node, And):
        return all(_evaluate(c, doc, texts) for c in node.children)
    if isinstance(node, Or):
        return any(_evaluate(c, doc, texts) for c in node.children)
    if isinstance(node, FieldMatch):
        if node.field == "site":
            return _site_matches(fold(doc.site).split(":")[0].rstrip("."), node.value)
        if node.field == "source":
            return fold(doc.source) == node.value
        return doc.lang is not None and _lang_matches(fold(doc.lang).replace("_", "-"), node.value)
    if isinstance(node, Near):
        return any(_near(node, texts[zone]) for zone in _ZONES[node.left.field])
    if isinstance(node, Term | Phrase):
        return any(_regex(node).search(texts[zone]) for zone in _ZONES[node.field])
    raise TypeError(f"not a query node: {node!r}")


class ReferenceMatcher:
    """Every topic tried on every post: the baseline :class:`bot.match.engine.Matcher` must equal."""

    def __init__(self, trees: Mapping[str, Node]) -> None:
        self.trees = dict(trees)

    @classmethod
    def compile(cls, queries: Mapping[str, str]) -> ReferenceMatcher:
        """Parse ``{topic name: query}``."""
        return cls({name: parse_query(query) for name, query in queries.items()})

    def match(self, doc: Document) -> list[str]:
        """Names of the topics ``doc`` matches, in the order given."""
        texts = {"title": fold(doc.title), "body": fold(doc.body), "author": fold(doc.author)}
        return [name for name, tree in self.trees.items() if _evaluate(tree, doc, texts)]

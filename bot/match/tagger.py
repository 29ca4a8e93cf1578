"""Which companies (yours, competitors) a post mentions, by their names and products."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.match.engine import Document, Matcher
from bot.match.words import fold, has_word_char
from bot.query.tree import Node, Or, Phrase


class Tagger:
    """Which companies (yours, competitors) a post mentions, by their names and products."""

    def __init__(self, names: Mapping[str, Iterable[str]]) -> None:
        trees: dict[str, Node] = {}
        for company, terms in names.items():
            phrases = [name_phrase(company, term) for term in terms]
            if phrases:
                trees[company] = phrases[0] if len(phrases) == 1 else Or(tuple(phrases))
        self._matcher = Matcher(trees)

    def tags(self, doc: Document) -> frozenset[str]:
        """Names of the companies ``doc`` mentions in its title or body, on whole words."""
        return frozenset(m.topic for m in self._matcher.match(doc))


def name_phrase(company: str, term: str) -> Phrase:
    words = tuple(w.lower() for w in term.split() if has_word_char(fold(w)))
    if not words:
        raise ValueError(f"{company}: {term!r} has no letters or digits to look for")
    return Phrase(words)

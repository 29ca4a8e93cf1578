"""Why a post matched: a topic's positive literals, as shown to people, and how the
engine tells each one is in a post."""

from __future__ import annotations

from dataclasses import dataclass

from bot.match.positions import Positions
from bot.query.tree import Phrase, Term


@dataclass(frozen=True)
class Literal:
    """A positive term, phrase or NEAR of a topic, for telling why a post matched."""

    shown: tuple[str, ...]
    field: str | None
    codes: tuple[int, ...]  # any of these seen: it is there
    # Unless one of each of these was seen, no need to look at positions (None: look).
    broken: tuple[tuple[int, ...], ...] | None = None
    spec: int = -1  # positions to look at

    def found(self, seen: set[int], x: Positions, zones: tuple[str, ...] | None) -> bool:
        if any(code in seen for code in self.codes):
            return True
        if self.spec < 0:
            return False
        if self.broken is not None and not all(
            any(code in seen for code in group) for group in self.broken
        ):
            return False
        return x.check(self.spec, zones)


def shown_text(node: Term | Phrase) -> str:
    """A term or phrase as a person reads it in "matched: …"."""
    if isinstance(node, Term):
        return node.text + ("*" if node.prefix else "")
    return " ".join(node.words)

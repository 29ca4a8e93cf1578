"""Where words are in a post, for phrases and ``NEAR/n``: computed only when asked.

The matcher's scan only records which strings occur. Positions matter for few
topics and few posts (every word of a phrase must be present first), so they
are looked up here on demand, in the spaced text the scan already made (see
:class:`bot.match.words.BoundarySpacer`): there a word is its spaced pattern, and a
phrase is its words with only spaces or kept punctuation between them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from bot.match.words import BoundarySpacer, token_pattern

Zone = str  # "title", "body" or "author"
Span = tuple[int, int]  # [start, end) in the spaced text of a zone, without padding


@dataclass(frozen=True)
class Side:
    """A phrase, or one side of a NEAR: words that follow each other."""

    first: str  # spaced pattern of the first word: found with str.find, fast
    pattern: str | None  # regex of the whole phrase, when several words
    prefix: bool  # a single word* : the span runs to the end of the word
    lead: int  # padding to trim from a match: 1 when the pattern starts with a space
    trail: int

    @classmethod
    def of(cls, words: list[tuple[str, bool]], spacer: BoundarySpacer) -> Side:
        """``words`` are (folded word, is prefix); only a lone word can be a prefix."""
        patterns = [spacer.term(word, not prefix) for word, prefix in words]
        regex = None
        if len(patterns) > 1:
            gap = f"[ {re.escape(spacer.kept)}]*"  # what remains of punctuation and spaces
            regex = gap.join(re.escape(p.rstrip(" ")) for p in patterns[:-1])
            regex += gap + re.escape(patterns[-1])
        prefix = words[0][1] and patterns[0][-1] != " "
        lead = 1 if patterns[0].startswith(" ") else 0
        trail = 0 if prefix or not patterns[-1].endswith(" ") else 1
        return cls(patterns[0], regex, prefix, lead, trail)


@dataclass(frozen=True)
class PositionSpec:
    """A phrase (one side) or a NEAR (two sides, at most ``distance`` tokens apart)."""

    zones: tuple[Zone, ...]
    sides: tuple[Side, ...]
    distance: int  # NEAR/n; 0 for a phrase


class Positions:
    """Lazy position checks for one post, cached for its other topics."""

    def __init__(self, specs: list[PositionSpec], texts: dict[Zone, str]) -> None:
        self._specs = specs
        self._texts = texts  # spaced texts
        self._spans: dict[tuple[Zone, Side], list[Span]] = {}
        self._results: dict[tuple[int, Zone], bool] = {}

    def check(self, spec_id: int, zones: tuple[Zone, ...] | None = None) -> bool:
        """Whether phrase or NEAR ``spec_id`` holds in one of its zones (or of ``zones``)."""
        spec = self._specs[spec_id]
        for zone in zones or spec.zones:
            result = self._results.get((spec_id, zone))
            if result is None:
                result = self._results[spec_id, zone] = self._holds(spec, zone)
            if result:
                return True
        return False

    def _holds(self, spec: PositionSpec, zone: Zone) -> bool:
        text = self._texts[zone]
        if len(spec.sides) == 1:
            side = spec.sides[0]
            if side.pattern is None:
                return side.first in text
            # str.find is several times faster than the regex's own scan for
            # its first word; the regex then only confirms each occurrence.
            start = text.find(side.first)
            while start >= 0:
                if _compiled(side.pattern).match(text, start):
                    return True
                start = text.find(side.first, start + 1)
            return False
        left, right = (self._find(zone, side) for side in spec.sides)
        return _near(text, left, right, spec.distance)

    def _find(self, zone: Zone, side: Side) -> list[Span]:
        """Every occurrence of ``side``, overlapping ones included, in text order."""
        spans = self._spans.get((zone, side))
        if spans is not None:
            return spans
        text, spans = self._texts[zone], []
        start = text.find(side.first)
        while start >= 0:
            if side.pattern is not None:
                found = _compiled(side.pattern).match(text, start)
                end = found.end() if found else -1
            elif side.prefix:
                end = text.find(" ", start + len(side.first))  # a word ends at a space
            else:
                end = start + len(side.first)
            if end >= 0:
                spans.append((start + side.lead, end - side.trail))
            start = text.find(side.first, start + 1)
        self._spans[zone, side] = spans
        return spans


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    # Compiled when first needed: most phrases are settled by the scan alone
    # (see Matcher._build_automaton), and compiling them all slows recompiles.
    return re.compile(pattern)


def _near(text: str, left: list[Span], right: list[Span], distance: int) -> bool:
    """Two spans, not overlapping, with fewer than ``distance`` tokens between them."""
    if not left or not right:
        return False
    right_starts = [start for start, _ in right]
    right_ends = sorted(end for _, end in right)
    for start, end in left:
        # The nearest span on each side has the fewest tokens in between.
        after = bisect_left(right_starts, end)
        if after < len(right) and _few_tokens(text, end, right_starts[after], distance):
            return True
        before = bisect_right(right_ends, start) - 1
        if before >= 0 and _few_tokens(text, right_ends[before], start, distance):
            return True
    return False


def _few_tokens(text: str, start: int, end: int, limit: int) -> bool:
    for count, _ in enumerate(token_pattern().finditer(text, start, end), 1):
        if count >= limit:
            return False
    return True

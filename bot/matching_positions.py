"""Where words are in a post, for phrases and ``NEAR/n``: computed only when asked.

The matcher's scan only records which strings occur. Positions are needed for
few topics and few posts (all words of a phrase must be present first), so they
are found here on demand with ``str.find`` and the same boundary rules as the
scan, and cached for the rest of the post.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Protocol

from bot.words import spaced_word_chars, token_pattern

Zone = str  # "title", "body" or "author"
Span = tuple[int, int]  # [start, end) in the padded, folded text of a zone


class _Key(Protocol):
    text: str
    left_free: bool
    right_free: bool


@dataclass(frozen=True)
class PositionSpec:
    """A phrase (one side) or a NEAR (two sides); each side is words that follow each other."""

    zones: tuple[Zone, ...]
    sides: tuple[tuple[tuple[_Key, bool], ...], ...]  # (key, is prefix) per word
    distance: int  # NEAR/n; 0 for a phrase


class Positions:
    """Lazy position checks for one post."""

    def __init__(self, specs: list[PositionSpec], texts: dict[Zone, str]) -> None:
        self._specs = specs
        self._texts = texts
        self._occurrences: dict[tuple[Zone, str, bool], list[Span]] = {}
        self._token_starts: dict[Zone, list[int]] = {}
        self._results: dict[tuple[int, Zone], bool] = {}

    def check(self, spec_id: int, zones: tuple[Zone, ...] | None = None) -> bool:
        """Whether the phrase or NEAR ``spec_id`` holds in one of its zones (or of ``zones``)."""
        spec = self._specs[spec_id]
        for zone in zones or spec.zones:
            result = self._results.get((spec_id, zone))
            if result is None:
                result = self._holds(spec, zone)
                self._results[spec_id, zone] = result
            if result:
                return True
        return False

    def _holds(self, spec: PositionSpec, zone: Zone) -> bool:
        if not self._texts[zone]:
            return False
        spans = [self._phrase_spans(zone, side) for side in spec.sides]
        if len(spans) == 1:
            return bool(spans[0])
        return self._near(zone, spans[0], spans[1], spec.distance)

    def _find(self, zone: Zone, key: _Key, prefix: bool) -> list[Span]:
        """Every occurrence of ``key``, by the scan's rules; a prefix spans its whole word."""
        cached = self._occurrences.get((zone, key.text, prefix))
        if cached is not None:
            return cached
        text, literal, spaced = self._texts[zone], key.text, spaced_word_chars()
        found = []
        start = text.find(literal)
        while start >= 0:
            end = start + len(literal)
            if key.left_free or text[start - 1] not in spaced:
                if key.right_free or text[end] not in spaced:
                    found.append((start, end))
                elif prefix:
                    while text[end] in spaced:  # the text ends with a space: this stops
                        end += 1
                    found.append((start, end))
            start = text.find(literal, start + 1)
        self._occurrences[zone, key.text, prefix] = found
        return found

    def _phrase_spans(self, zone: Zone, words: tuple[tuple[_Key, bool], ...]) -> list[Span]:
        """Spans where the words follow each other with only punctuation or spaces between."""
        occurrences = [self._find(zone, key, prefix) for key, prefix in words]
        if len(occurrences) == 1:
            return occurrences[0]
        text, tokens = self._texts[zone], token_pattern()
        following = [(occ, [s for s, _ in occ]) for occ in occurrences[1:]]
        spans = []
        for start, end in occurrences[0]:
            for occ, starts in following:
                # The nearest next word is the only candidate: any later one has
                # this one's letters in between.
                i = bisect_left(starts, end)
                if i == len(starts) or tokens.search(text, end, starts[i]):
                    break
                end = occ[i][1]
            else:
                spans.append((start, end))
        return spans

    def _near(self, zone: Zone, left: list[Span], right: list[Span], distance: int) -> bool:
        """Two spans, not overlapping, at most ``distance`` tokens apart (1: adjacent)."""
        if not left or not right:
            return False
        starts = self._token_starts.get(zone)
        if starts is None:
            starts = [m.start() for m in token_pattern().finditer(self._texts[zone])]
            self._token_starts[zone] = starts

        def tokens(span: Span) -> tuple[int, int]:  # first and last token of a span
            return bisect_left(starts, span[0]), bisect_left(starts, span[1]) - 1

        right_tokens = [tokens(span) for span in right]
        for first, last in map(tokens, left):
            for other_first, other_last in right_tokens:
                if 0 < other_first - last <= distance or 0 < first - other_last <= distance:
                    return True
        return False

"""Positions: phrases and NEAR/n checked on demand in the spaced text the matcher's scan made;
words in either order, punctuation between phrase words ignored, results cached per zone."""

from __future__ import annotations

from bot.match.positions import Positions, PositionSpec, Side
from bot.match.words import BoundarySpacer, fold

SPACER = BoundarySpacer("")


def side(*words: str, prefix: bool = False) -> Side:
    return Side.of([(fold(w), prefix) for w in words], SPACER)


def positions(specs: list[PositionSpec], **zones: str) -> Positions:
    # Padded with a space each side, as the matcher's scan spaces a zone.
    spaced = {zone: SPACER.text(" " + fold(text) + " ") for zone, text in zones.items()}
    return Positions(specs, spaced)


def phrase(*words: str, zones: tuple[str, ...] = ("title", "body")) -> PositionSpec:
    return PositionSpec(zones, (side(*words),), 0)


def near(left: Side, right: Side, distance: int) -> PositionSpec:
    return PositionSpec(("title", "body"), (left, right), distance)


def test_a_phrase_holds_where_its_words_follow_each_other() -> None:
    specs = [phrase("rate", "limit")]
    assert positions(specs, title="", body="We hit the Rate-Limit again").check(0)
    assert positions(specs, title="", body="rate, limit").check(0)  # punctuation between
    assert not positions(specs, title="", body="the limit on the rate").check(0)
    assert not positions(specs, title="", body="ratelimit").check(0)


def test_a_phrase_only_counts_in_its_zones_or_the_zones_asked() -> None:
    found = positions([phrase("rate", "limit", zones=("title",))], title="x", body="rate limit")
    assert not found.check(0)
    assert found.check(0, ("body",))


def test_near_holds_within_the_distance_in_either_order() -> None:
    text = "kubernetes pods keep restarting after the upgrade"
    specs = [
        near(side("kubernetes"), side("restarting"), 3),  # 3 words apart
        near(side("kubernetes"), side("restarting"), 2),
        near(side("upgrade"), side("pods"), 5),  # right before left
        near(side("upgrade"), side("kubernetes"), 5),
    ]
    found = positions(specs, title="", body=text)
    assert [found.check(i) for i in range(4)] == [True, False, True, False]


def test_near_with_a_phrase_and_a_prefix() -> None:
    specs = [near(side("rate", "limit"), side("kube", prefix=True), 2)]
    assert positions(specs, title="", body="rate limit on kubernetes").check(0)
    assert not positions(specs, title="", body="rate limit was hit on our kubernetes").check(0)


def test_a_word_never_meets_itself() -> None:
    specs = [near(side("pods"), side("pods"), 5)]
    assert not positions(specs, title="", body="pods restart").check(0)
    assert positions(specs, title="", body="pods restart pods").check(0)

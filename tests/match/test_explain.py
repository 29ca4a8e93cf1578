"""Why a post matched: literals shown as people read them, and Literal.found deciding from the
scan's codes first and from positions only when every word of a phrase was seen."""

from __future__ import annotations

from bot.match.explain import Literal, shown_text
from bot.match.positions import Positions, PositionSpec, Side
from bot.match.words import BoundarySpacer, fold
from bot.query.tree import Phrase, Term

SPACER = BoundarySpacer("")


def test_shown_text() -> None:
    assert shown_text(Term("kubernetes")) == "kubernetes"
    assert shown_text(Term("kube", prefix=True)) == "kube*"
    assert shown_text(Phrase(("rate", "limit"), field="title")) == "rate limit"


def rate_limit_positions(body: str) -> Positions:
    side = Side.of([(fold("rate"), False), (fold("limit"), False)], SPACER)
    spec = PositionSpec(("title", "body"), (side,), 0)
    spaced = {"title": SPACER.text("  "), "body": SPACER.text(" " + fold(body) + " ")}
    return Positions([spec], spaced)


def test_a_code_seen_is_enough() -> None:
    literal = Literal(("kubernetes",), None, codes=(3, 5))
    assert literal.found({5}, rate_limit_positions(""), None)
    assert not literal.found({4}, rate_limit_positions(""), None)  # and no positions to look at


def test_a_phrase_looks_at_positions_only_when_each_word_was_seen() -> None:
    phrase = Literal(("rate limit",), None, codes=(), broken=((1,), (2,)), spec=0)
    here = rate_limit_positions("we hit the rate limit")
    apart = rate_limit_positions("the limit on the rate")
    assert phrase.found({1, 2}, here, None)
    assert not phrase.found({1, 2}, apart, None)
    assert not phrase.found({1}, here, None)  # "limit" not seen: positions are not read
    assert not phrase.found({1, 2}, here, ("title",))  # only where it was asked for

"""/who-covers answers as pure Block Kit: people best first with what they did, away people
marked, mentions only for those who allowed them when shared, a Share button on the private
answer; nobody yet, no such topic, which topic: each says what to do next."""

from __future__ import annotations

from bot.blocks.who_covers import (
    SHARE_ACTION,
    topic_not_found,
    which_topic,
    who_covers_message,
)
from bot.people.who_covers import Coverer
from tests.support.blockkit import validate_blocks
from tests.support.mentions import find_mentions, text_leaves

SAM = Coverer(
    "U0SME1", "Sam Expert", "Staff Engineer", True, 3, 2, 1, 5400.0, None, True, {"github": "same"}
)
ADA = Coverer("U0SME2", "Ada <!here>", "", False, 1, 0, 0, None, "2026-04-01", False)


def said(message: dict) -> str:
    assert validate_blocks(message["blocks"]) == []
    return "\n".join(text_leaves(message["blocks"]))


def test_people_with_what_they_did_and_a_share_button() -> None:
    message = who_covers_message("kubernetes", [SAM, ADA], others=["k8s-ops"])
    text = said(message)
    assert message["text"] == "Who covers kubernetes"
    assert "• <@U0SME1> (Sam Expert), Staff Engineer" in text
    assert "2 replies (1 verified) · 3 claims · declared the topic · median reply" in text
    assert "Other topics with these words: `k8s-ops`." in text
    assert "_(away until 2026-04-01)_" in text and "Ada &lt;!here&gt;" in text
    [button] = message["blocks"][-1]["elements"]
    assert (button["action_id"], button["value"]) == (SHARE_ACTION, "kubernetes")


def test_the_shared_copy_mentions_only_people_who_allowed_it() -> None:
    message = who_covers_message("kubernetes", [SAM, ADA], shared=True)
    text = said(message)
    assert find_mentions(text) == ["<@U0SME1>"]
    assert "*Ada &lt;!here&gt;*" in text and "Shared from `/who-covers`." in text
    assert message["blocks"][-1]["type"] == "context"  # no button in the channel


def test_nobody_yet_says_how_to_show_up() -> None:
    message = who_covers_message("kubernetes", [], asked="k8s")
    assert message["text"] == "Nobody covers kubernetes yet"
    assert "run `/register` and pick this topic" in said(message)


def test_a_long_list_is_cut_with_a_count() -> None:
    many = [
        Coverer(f"U0P{i:03d}", "N" * 80, "T" * 100, True, 9, 9, 9, 60.0, None, True)
        for i in range(200)
    ]
    text = said(who_covers_message("kubernetes", many))
    shown = sum(line.startswith("• ") for line in text.splitlines())
    assert 0 < shown < 200
    assert f"…and {200 - shown} more." in text


def test_no_such_topic_suggests_and_names_tagged_people() -> None:
    tagged = [
        {"user_id": "U0SME2", "away_until": "2026-04-01"},
        {"user_id": "U0SME1", "away_until": None},
    ]
    text = said(topic_not_found("kubernets", ["kubernetes"], tagged))
    assert "There is no topic" in text and "Did you mean" in text and "kubernetes" in text
    assert "<@U0SME2> _(away until 2026-04-01)_, <@U0SME1>" in text
    assert "`/who-covers` alone lists the topics." in said(topic_not_found("zzz", [], []))


def test_which_topic_lists_the_topics() -> None:
    text = said(which_topic(["billing", "kubernetes"]))
    assert "Write `/who-covers kubernetes`" in text and "Topics: `billing`, `kubernetes`" in text
    assert "Topics: none yet" in said(which_topic([]))

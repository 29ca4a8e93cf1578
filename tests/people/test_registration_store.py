"""The registration functions /register's handlers call, straight on the store: prefill from
what was saved (a past away date left out), save all or nothing with Slack's name and title
filling gaps, show everything held, erase with open claims given back first."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.blocks.register import register_help
from bot.people.registration import registration_prefill, save_registration
from handlers.register import delete_registration, show_registration
from tests.support.blockkit import validate_blocks
from tests.support.harness import seed_conversation
from tests.support.mentions import text_leaves

MARCH_15 = datetime(2026, 3, 15, 12, tzinfo=UTC).timestamp()
SLACK = {"name": "Sam Expert", "title": "Staff Engineer"}


def said(message: dict) -> str:
    assert validate_blocks(message["blocks"]) == []
    return "\n".join(text_leaves(message["blocks"]))


def test_help_names_the_three_commands() -> None:
    text = said(register_help())
    for command in ("`/register`", "`/register show`", "`/register delete`"):
        assert command in text


def test_save_all_or_nothing_then_prefill_and_show(harness_factory) -> None:
    h = harness_factory()
    h.store.clock = lambda: MARCH_15
    bad = save_registration(
        h.store, "U0SME1", {"x": "not a handle!", "topics": ["kubernetes"]}, SLACK
    )
    assert set(bad.errors) == {"x"}
    assert registration_prefill(h.store, "U0SME1") == {}  # nothing was saved
    assert "Hark holds nothing about you. `/register` to start." in said(
        show_registration(h.store, "U0SME1")
    )

    good = save_registration(
        h.store,
        "U0SME1",
        {"x": "@Sam_Expert", "topics": ["kubernetes"], "away_until": "2026-03-20"},
        SLACK,
    )
    assert good.errors == {}
    prefill = registration_prefill(h.store, "U0SME1")
    assert (prefill["name"], prefill["title"]) == ("Sam Expert", "Staff Engineer")
    assert (prefill["x"], prefill["topics"], prefill["away_until"]) == (
        "@sam_expert",
        ["kubernetes"],
        "2026-03-20",
    )
    shown = said(show_registration(h.store, "U0SME1"))
    assert "• Name: Sam Expert" in shown and "• Topics: kubernetes" in shown
    assert "• Away until: 2026-03-20" in shown and "• Mentions: no" in shown

    h.store.clock = lambda: MARCH_15 + 10 * 86400  # back since the 20th
    assert "away_until" not in registration_prefill(h.store, "U0SME1")


def test_delete_gives_open_claims_back_first(harness_factory) -> None:
    h = harness_factory()
    save_registration(h.store, "U0SME1", {"topics": ["kubernetes"]}, SLACK)
    claimed = [
        seed_conversation(h, link=f"https://forum.example.com/t/{i}", title=f"k8s {i}", text=f"{i}")
        for i in range(2)
    ]
    for cid in claimed:
        assert h.services.engagement.claim(cid, "U0SME1").ok
    refreshed: list[int] = []
    answer = delete_registration(h.store, "U0SME1", h.services.engagement, refreshed.append)
    assert answer["text"] == (
        "Done: your profile, topics, accounts and recorded posts are erased. Engagement "
        "counts stay, no longer linked to you. 2 open claims went back to the team."
    )
    assert sorted(refreshed) == sorted(claimed)
    assert registration_prefill(h.store, "U0SME1") == {}
    again = delete_registration(h.store, "U0SME1", h.services.engagement)
    assert again["text"] == "Hark held no profile for you; nothing to erase."


def test_register_delete_asks_first_and_afterwards_no_card_names_the_person(harness_factory):
    """`/register delete` erased at once with no confirmation; the same step released the
    claim and re-rendered the card while the person was still there, so the card then
    suggested the person who had just erased themselves ("Who could answer: <@…>")."""
    from tests.support import slackreq
    from tests.support.harness import SECRET

    h = harness_factory()
    save_registration(h.store, "U0SME1", {"topics": ["kubernetes"]}, SLACK)
    cid = seed_conversation(h)
    assert h.services.engagement.claim(cid, "U0SME1").ok
    h.command("/register", "delete", user_id="U0SME1")
    answer = h.last_response()
    assert validate_blocks(answer["blocks"]) == []
    text = "\n".join(text_leaves(answer["blocks"]))
    assert "Nothing is erased until you confirm" in text
    assert "1 topic and 0 accounts" in text and "1 open claim: back to the team" in text
    assert "Your name on 1 conversation" in text
    button = answer["blocks"][-1]["elements"][0]
    assert button["style"] == "danger" and "confirm" in button
    assert h.store.person("U0SME1") is not None  # nothing erased yet

    row = h.store.conversation(cid)
    h.dispatch(
        slackreq.block_action(
            SECRET,
            button["action_id"],
            button["value"],
            user_id="U0SME1",
            response_url=h.fake.response_url("erase-U0SME1"),
        )
    )
    assert h.store.person("U0SME1") is None
    assert "Done: your profile" in h.last_response()["text"]
    assert h.last_response().get("replace_original") is True
    card = next(m for m in h.fake.messages[row.channel] if m["ts"] == row.ts)
    assert "U0SME1" not in json.dumps(card["blocks"])
    assert "Released by someone" in json.dumps(card["blocks"])


def test_the_digest_counts_an_erased_persons_claims_without_naming_them(harness_factory):
    """After an erasure the funnel said `claimed *1* → replied *1*` and the next section
    "_Nobody claimed a conversation in this period._"."""
    h = harness_factory()
    save_registration(h.store, "U0SME1", {"topics": ["kubernetes"]}, SLACK)
    cid = seed_conversation(h)
    assert h.services.engagement.claim(cid, "U0SME1").ok
    assert h.services.engagement.reply(cid, "U0SME1", "https://forum.example.com/r/1").ok
    delete_registration(h.store, "U0SME1", h.services.engagement)
    h.command("/digest", "7d", user_id="U0MARKETER")
    text = "\n".join(text_leaves(h.last_response()["blocks"]))
    assert "claimed *1* → replied *1*" in text
    assert "Nobody claimed" not in text and "U0SME1" not in text and "former-" not in text
    assert "someone who has since erased their data — 1 claimed, 1 replied" in text

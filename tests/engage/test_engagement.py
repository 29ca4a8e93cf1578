"""Engagement, the conversation state rules, called directly: one claimer, the owner or an
admin for the rest, reply links checked, admins reopen and reassign; every refusal says who
has it and what to do. And what an Ignore's mute would mute."""

from __future__ import annotations

import pytest

from bot.engage.transitions import Engagement, Outcome, last_actor
from bot.viewdata import mute_value
from tests.support.harness import seed_conversation

ADMIN = "U0MARKETER"


@pytest.fixture
def world(harness_factory):
    h = harness_factory()
    return h, Engagement(h.store, frozenset({ADMIN})), seed_conversation(h)


def test_one_claimer_and_the_second_learns_who(world) -> None:
    h, engagement, cid = world
    assert engagement.claim(cid, "U0SME1") == Outcome(True)
    assert engagement.claim(cid, "U0SME1") == Outcome(False, "You have already claimed this one.")
    assert engagement.claim(cid, "U0SME2").message == (
        "<@U0SME1> has claimed this conversation; ask them, or an admin, if you want to take "
        "it over."
    )
    assert last_actor(h.store, cid, "claim") == "U0SME1"
    assert last_actor(h.store, cid, "reply") is None


def test_only_the_owner_or_an_admin_releases(world) -> None:
    _, engagement, cid = world
    engagement.claim(cid, "U0SME1")
    assert engagement.release(cid, "U0SME2").message == (
        "<@U0SME1> has claimed this conversation, so only they or an admin can release it. "
        "Ask them if you want to take it over."
    )
    assert engagement.release(cid, ADMIN).ok
    assert engagement.claim(cid, "U0SME2").ok


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Paste the link to your reply to mark it replied."),
        ("  ", "Paste the link to your reply to mark it replied."),
        ("ftp://forum.example.com/r/1", "The reply link must be an http(s) URL, e.g. https://…"),
    ],
)
def test_a_reply_needs_an_http_link(world, url: str, message: str) -> None:
    _, engagement, cid = world
    assert engagement.reply(cid, "U0SME1", url) == Outcome(False, message, "reply_url")


def test_a_reply_makes_the_replier_the_owner_and_closes_it(world) -> None:
    h, engagement, cid = world
    assert engagement.reply(cid, "U0SME2", "https://forum.example.com/r/1").ok
    assert engagement.claim(cid, "U0SME1").message == (
        "<@U0SME2> has already replied to this conversation."
    )
    assert last_actor(h.store, cid, "reply") == "U0SME2"


def test_admins_reopen_and_reassign(world) -> None:
    _, engagement, cid = world
    assert engagement.reopen(cid, ADMIN) == Outcome(False, "This conversation is already open.")
    engagement.claim(cid, "U0SME1")
    refused = engagement.reopen(cid, "U0SME1")
    assert not refused.ok and "reopen a conversation" in refused.message
    assert engagement.reassign(cid, ADMIN, "") == Outcome(
        False, "Pick a person to give it to.", "new_owner"
    )
    assert engagement.reassign(cid, ADMIN, "U0SME1") == Outcome(
        False, "<@U0SME1> already owns it.", "new_owner"
    )
    assert engagement.reassign(cid, ADMIN, "U0SME2").ok
    assert engagement.claim(cid, "U0SME1").message.startswith("<@U0SME2> has claimed")
    assert engagement.reopen(cid, ADMIN).ok
    assert engagement.claim(cid, "U0SME1").ok


def test_a_conversation_that_is_gone(world) -> None:
    _, engagement, _ = world
    gone = Outcome(False, "That conversation no longer exists.")
    assert engagement.claim(9999, "U0SME1") == gone
    assert engagement.release(9999, ADMIN) == gone


def test_what_an_ignores_mute_would_mute(harness_factory) -> None:
    h = harness_factory()
    forum = seed_conversation(h, author=" alice ", link="https://Forum.Example.com/t/9")
    reddit = seed_conversation(
        h, title="k8s on reddit", text="pods", link="https://reddit.com/r/k8s/comments/abc/x/"
    )
    assert mute_value(h.store.conversation(forum), "author") == "alice"
    assert mute_value(h.store.conversation(forum), "site") == "forum.example.com"
    assert mute_value(h.store.conversation(reddit), "site") == ""  # never a whole platform
    assert mute_value(h.store.conversation(reddit), "author") == ""

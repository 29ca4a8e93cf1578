"""Conversations, what waits, search and people, each store on its own over a database the
app harness_and_alone: the compare-and-set every state change goes through, the reminder and App Home
queries, full-text search of stored posts, and erasing a person."""

from __future__ import annotations

import pytest

from bot.models import State
from bot.store.conversations import ConversationsStore
from bot.store.people import ANONYMOUS_PREFIX, PeopleStore
from bot.store.search import SearchStore
from bot.store.waiting import WaitingStore
from tests.support.harness import seed_conversation

NOW = 1_800_000_000.0


def test_change_state_is_a_compare_and_set_logged_only_when_won(harness_and_alone) -> None:
    h, alone = harness_and_alone
    cid = seed_conversation(h)
    conversations = alone(ConversationsStore)
    claim = {"state": State.CLAIMED, "owner": "U0SME1", "claimed_at": NOW}
    assert conversations.change_state(
        cid, user_id="U0SME1", action="claim", expect_states=(State.NEW,), **claim
    )
    assert not conversations.change_state(
        cid, user_id="U0SME2", action="claim", expect_states=(State.NEW,), **claim
    )
    assert not conversations.change_state(
        cid,
        user_id="U0SME2",
        action="release",
        expect_states=(State.CLAIMED,),
        expect_owner="U0SME2",
        state=State.NEW,
        owner=None,
    )
    assert [(e.user_id, e.action) for e in conversations.engagements(cid)] == [("U0SME1", "claim")]
    row = conversations.conversation(cid)
    assert (row.state, row.owner) == (State.CLAIMED, "U0SME1")
    with pytest.raises(ValueError, match="not settable"):
        conversations.change_state(
            cid, user_id="U0SME1", action="x", expect_states=(State.CLAIMED,), post_id=1
        )
    assert [c.id for c in conversations.conversations_for_owner("U0SME1", ("claimed",))] == [cid]


def test_what_waits_for_a_claim_and_for_a_reply(harness_and_alone) -> None:
    h, alone = harness_and_alone
    open_one = seed_conversation(h)
    claimed = seed_conversation(h, link="https://forum.example.com/t/2", title="k8s 2", text="2")
    assert h.services.engagement.claim(claimed, "U0SME1").ok
    waiting = alone(WaitingStore)
    assert [c.id for c in waiting.unclaimed_in_slack(since=NOW - 60)] == [open_one]
    assert waiting.unclaimed_in_slack(since=NOW + 1) == []
    assert [c.id for c in waiting.claimed_since_before(before=NOW + 1, since=NOW - 60)] == [claimed]
    assert [c.id for c in waiting.waiting_on_topics(["kubernetes"])] == [open_one]
    assert [c.id for c in waiting.waiting_on_topics(["Kubernetes"])] == [open_one]  # any case
    assert waiting.waiting_on_topics(["billing"]) == [] and waiting.waiting_on_topics([]) == []


def test_stored_posts_are_searched_and_listed_newest_first(harness_and_alone) -> None:
    h, alone = harness_and_alone
    seed_conversation(h, title="CrashLoopBackOff again", text="my pod restarts")
    seed_conversation(
        h, link="https://forum.example.com/t/2", title="Invoice question", text="billing portal"
    )
    search = alone(SearchStore)
    total, best = search.search_posts('"billing portal"')
    assert total == 1 and [p.title for p in best] == ["Invoice question"]
    assert search.search_posts("nothingmatches")[0] == 0
    recent = search.recent_posts(since=NOW - 60)
    assert {p.title for p in recent} == {"CrashLoopBackOff again", "Invoice question"}
    assert search.recent_posts(since=NOW + 1) == []


def test_erasing_a_person_keeps_their_counts_under_a_token(harness_and_alone) -> None:
    h, alone = harness_and_alone
    people = alone(PeopleStore)
    people.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {"github": "same"})
    cid = seed_conversation(h)
    assert h.services.engagement.reply(cid, "U0SME1", "https://forum.example.com/r/1").ok
    assert people.delete_person("U0SME1") is True
    assert people.person("U0SME1") is None and people.accounts("U0SME1") == {}
    assert people.person_topics("U0SME1") == []
    row = h.store.conversation(cid)
    assert row.owner.startswith(ANONYMOUS_PREFIX) and row.reply_url is None
    assert people.delete_person("U0SME1") is False

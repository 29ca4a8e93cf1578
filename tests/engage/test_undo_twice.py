"""Undo pressed twice (two tabs, a slow card): the second press says it is already undone,
not "Press *Claim* first"."""

from tests.support.harness import seed_conversation


def _ephemeral(h, user: str) -> str:
    call = h.fake.last("chat.postEphemeral").args
    assert call["user"] == user
    return call["text"]


def test_a_second_undo_says_it_is_already_undone(harness_factory):
    h = harness_factory()
    seed_conversation(h)
    assert h.services.engagement.ignore(1, "U0SME1", "spam").ok
    h.click("undo_ignore", 1, user_id="U0SME1")
    assert h.store.conversation(1).state == "new"
    h.click("undo_ignore", 1, user_id="U0SME1")
    said = _ephemeral(h, "U0SME1")
    assert said == "Already undone: this conversation is open again."
    assert "Press *Claim* first" not in said


def test_a_second_undo_of_a_claimed_one_names_the_owner(harness_factory):
    h = harness_factory()
    seed_conversation(h)
    h.click("claim", 1, user_id="U0SME1")
    assert h.services.engagement.ignore(1, "U0SME1", "spam").ok
    h.click("undo_ignore", 1, user_id="U0SME1")
    h.click("undo_ignore", 1, user_id="U0SME1")
    assert _ephemeral(h, "U0SME1") == "Already undone: <@U0SME1> has this conversation again."

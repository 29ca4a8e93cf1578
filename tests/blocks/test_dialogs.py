"""The Reply, Ignore and Reassign modals: within Block Kit's limits whatever the post says,
untrusted text escaped, the conversation carried in private_metadata and read back by
view_metadata, a draft kept, mutes offered only where they would mean something."""

from __future__ import annotations

import pytest

from bot.blocks.dialogs import ignore_modal, reassign_modal, reply_modal, view_metadata
from tests.support.blockkit import validate_view
from tests.support.harness import seed_conversation
from tests.support.mentions import find_mentions, text_leaves


@pytest.mark.parametrize(
    ("metadata", "read"),
    [
        ('{"conversation_id": 4, "channel": "C0K8S"}', {"conversation_id": 4, "channel": "C0K8S"}),
        ("[1, 2]", {}),  # JSON, but not an object
        ("not json", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_view_metadata(metadata, read) -> None:
    assert view_metadata({"private_metadata": metadata}) == read


@pytest.fixture
def hostile(harness_factory):
    h = harness_factory()
    cid = seed_conversation(
        h,
        title="<!channel> Free & easy " + "t" * 400,
        text="<@U0SME1> look " + "x" * 5000,
        author="spammer",
        link="https://forum.example.com/t/1",
    )
    return h.store.conversation(cid)


def test_the_reply_modal_carries_the_conversation_and_the_draft(hostile) -> None:
    view = reply_modal(hostile, "C0K8S", draft="d" * 5000, notice="Shared in the thread.")
    assert validate_view(view) == []
    assert view_metadata(view) == {"conversation_id": hostile.id, "channel": "C0K8S"}
    assert find_mentions(" ".join(text_leaves(view))) == []
    draft = next(b for b in view["blocks"] if b.get("block_id") == "draft")["element"]
    assert len(draft["initial_value"]) == draft["max_length"]
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        "draft",
        "reply_url",
    ]


def test_the_ignore_modal_offers_reasons_and_the_mutes_that_mean_something(hostile) -> None:
    view = ignore_modal(hostile, "C0K8S")
    assert validate_view(view) == []
    reason = next(b for b in view["blocks"] if b.get("block_id") == "reason")["element"]
    assert reason["initial_option"] == reason["options"][0]
    mute = next(b for b in view["blocks"] if b.get("block_id") == "mute")["element"]
    assert [o["value"] for o in mute["options"]] == ["author", "site"]
    assert mute["options"][1]["text"]["text"] == "Mute the site: forum.example.com"


def test_no_mutes_offered_for_a_post_without_author_on_a_platform(harness_factory) -> None:
    h = harness_factory()
    cid = seed_conversation(h, link="https://reddit.com/r/k8s/comments/abc/x/")
    view = ignore_modal(h.store.conversation(cid), "C0K8S")
    assert validate_view(view) == []
    assert "mute" not in [b.get("block_id") for b in view["blocks"]]


def test_the_reassign_modal_starts_from_the_owner(harness_factory) -> None:
    h = harness_factory()
    cid = seed_conversation(h)
    open_view = reassign_modal(h.store.conversation(cid), "C0K8S")
    assert validate_view(open_view) == []
    assert "Not claimed yet" in " ".join(text_leaves(open_view))
    picker = next(b for b in open_view["blocks"] if b.get("block_id") == "new_owner")["element"]
    assert "initial_user" not in picker
    assert h.services.engagement.claim(cid, "U0SME1").ok
    owned = reassign_modal(h.store.conversation(cid), "C0K8S")
    assert "Claimed by <@U0SME1>" in " ".join(text_leaves(owned))
    picker = next(b for b in owned["blocks"] if b.get("block_id") == "new_owner")["element"]
    assert picker["initial_user"] == "U0SME1"

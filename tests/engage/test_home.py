"""The App Home: my open conversations, what waits on my topics, my numbers this month."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support import slackreq
from tests.support.blockkit import validate_view
from tests.support.harness import SECRET, seed_conversation

MONTH = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
MIN = 60.0


def open_home(h, user: str = "U0SME1") -> dict:
    h.dispatch(slackreq.event_callback(SECRET, slackreq.app_home_opened(user)))
    call = h.fake.last("views.publish").args
    assert call["user_id"] == user
    assert validate_view(call["view"], "home") == []
    return call["view"]


def section_after(view: dict, header: str) -> str:
    """The text of the blocks between ``header`` and the next header."""
    blocks = view["blocks"]
    start = next(
        i for i, b in enumerate(blocks) if b["type"] == "header" and b["text"]["text"] == header
    )
    following = []
    for block in blocks[start + 1 :]:
        if block["type"] == "header":
            break
        following.append(json.dumps(block))
    return "\n".join(following)


def at(h, seconds: float) -> None:
    h.store.clock = lambda: MONTH + seconds


def test_home_shows_mine_waiting_and_numbers(harness_factory):
    h = harness_factory()
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {})
    at(h, -3 * 86400)  # last month: claimed then, so not in this month's numbers
    seed_conversation(h, link="https://e.example/old", title="Old k8s thread")
    h.click("claim", 1, user_id="U0SME1")
    h.submit(
        "reply_submit",
        {"reply_url": {"value": {"type": "plain_text_input", "value": "https://e.example/r0"}}},
        metadata={"conversation_id": 1, "channel": "C0K8S"},
    )
    at(h, 0)
    for n, title in enumerate(["Open k8s question", "Answered k8s question", "Waiting k8s one"]):
        seed_conversation(h, link=f"https://e.example/{n}", title=title)
    seed_conversation(h, topic="billing", link="https://e.example/bill", title="Invoice wrong")
    at(h, 10 * MIN)
    h.click("claim", 2, user_id="U0SME1")
    at(h, 20 * MIN)
    h.click("claim", 3, user_id="U0SME1")
    at(h, 2 * 3600)
    h.submit(
        "reply_submit",
        {"reply_url": {"value": {"type": "plain_text_input", "value": "https://e.example/r"}}},
        metadata={"conversation_id": 3, "channel": "C0K8S"},
    )
    at(h, 3 * 3600)

    view = open_home(h)

    assert "Your topics: *kubernetes*" in json.dumps(view)
    mine = section_after(view, "Waiting on your reply")
    assert "Open k8s question" in mine and "claimed 2 h 50 min ago" in mine
    assert "Answered" not in mine
    waiting = section_after(view, "Waiting on your topics")
    assert "Waiting k8s one" in waiting and "<#C0K8S>" in waiting
    assert '"action_id": "claim", "value": "4"' in waiting
    assert "Invoice" not in waiting  # not on my topics
    numbers = section_after(view, "Your numbers this month")
    assert "*Claims*\\n2" in numbers and "*Replies*\\n1" in numbers
    assert "*Median time to claim*\\n15 min" in numbers
    assert "*Median time to reply*\\n2 h" in numbers


def test_claim_from_the_home_updates_card_and_home(harness_factory):
    h = harness_factory()
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {})
    seed_conversation(h)
    home = open_home(h)
    request = slackreq.block_action(
        SECRET, "claim", "1", user_id="U0SME1", view=dict(home, type="home")
    )
    h.dispatch(request)
    assert h.store.conversation(1).owner == "U0SME1"
    assert "Claimed by <@U0SME1>" in json.dumps(h.fake.last("chat.update").args["blocks"])
    view = h.fake.last("views.publish").args["view"]
    assert "How do I debug" in section_after(view, "Waiting on your reply")
    assert "Nothing unclaimed on your topics." in section_after(view, "Waiting on your topics")


def test_home_for_someone_not_registered(harness_factory):
    h = harness_factory()
    view = open_home(h, "U0NEW")
    text = json.dumps(view)
    assert "You haven't registered yet" in text
    assert "Nothing claimed and unanswered." in text
    assert "Pick topics with `/register`" in text
    assert "*Median time to claim*\\n\\u2013" in text  # nothing to take a median of

"""The App Home's "Waiting on your reply": each conversation links to its card and has
Reply and Release, which work from the Home (the Home is published again after)."""

from __future__ import annotations

import json

from tests.support import slackreq
from tests.support.blockkit import validate_view
from tests.support.harness import SECRET, seed_conversation


def _open_home(h, user: str = "U0SME1") -> dict:
    h.dispatch(slackreq.event_callback(SECRET, slackreq.app_home_opened(user)))
    view = h.fake.last("views.publish").args["view"]
    assert validate_view(view, "home") == []
    return view


def _mine(view: dict) -> list[dict]:
    blocks = view["blocks"]
    start = next(
        i for i, b in enumerate(blocks) if b.get("text", {}).get("text") == "Waiting on your reply"
    )
    end = next(
        i for i, b in enumerate(blocks) if b.get("text", {}).get("text") == "Waiting on your topics"
    )
    return blocks[start + 1 : end]


def test_waiting_on_your_reply_has_reply_release_and_a_link_to_the_card(harness_factory):
    h = harness_factory()
    h.store.save_person("U0SME1", {"name": "Sam"}, ["kubernetes"], {})
    seed_conversation(h)
    h.click("claim", 1, user_id="U0SME1")
    mine = _mine(_open_home(h))
    text = json.dumps(mine)
    assert "Open the card in the channel" in text
    row = h.store.conversation(1)
    assert f"/archives/{row.channel}/p{row.ts.replace('.', '')}" in text
    (actions,) = [b for b in mine if b["type"] == "actions"]
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("Reply", "reply", "1"),
        ("Release", "release", "1"),
    ]

    home = dict(h.fake.last("views.publish").args["view"], type="home")
    h.dispatch(slackreq.block_action(SECRET, "release", "1", user_id="U0SME1", view=home))
    assert h.store.conversation(1).owner is None
    after = _mine(h.fake.last("views.publish").args["view"])
    assert "Nothing claimed and unanswered." in json.dumps(after)

    h.click("claim", 1, user_id="U0SME1")
    h.dispatch(slackreq.block_action(SECRET, "reply", "1", user_id="U0SME1", view=home,
                                     trigger_id="t-1"))  # fmt: skip
    assert h.fake.last("views.open").args["view"]["callback_id"] == "reply_submit"

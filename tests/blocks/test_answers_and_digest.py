"""Command answers' shared pieces (a section, help, an error) and the digest message: within
Block Kit's limits, the help naming every command, errors marked and capped, and the digest's
"Post to channel" button carrying the exact period and topic shown."""

from __future__ import annotations

import json

from bot.blocks.answers import error_message, help_message, section
from bot.blocks.digest import BLOCKS_JSON_LIMIT, POST_ACTION, digest_message, post_button_value
from bot.blocks.text import SECTION_TEXT
from tests.support.blockkit import blocks_json_chars, validate_blocks
from tests.support.digest_world import CONFIG, build_world, digest
from tests.support.mentions import text_leaves


def test_a_section_is_cut_to_slacks_limit() -> None:
    block = section("x" * (SECTION_TEXT + 50))
    assert block == {"type": "section", "text": {"type": "mrkdwn", "text": "x" * SECTION_TEXT}}
    assert validate_blocks([block]) == []


def test_help_names_every_command() -> None:
    message = help_message()
    assert validate_blocks(message["blocks"]) == [] and message["text"] == "Hark help"
    text = message["blocks"][0]["text"]["text"]
    for command in (
        "/register",
        "/who-covers",
        "/digest",
        "/hark topics",
        "/hark test",
        "/hark search",
        "/hark mutes",
        "/hark sources",
        "/hark status",
        "/hark help",
    ):
        assert f"`{command}" in text


def test_an_error_is_marked_and_its_fallback_capped() -> None:
    message = error_message("That topic doesn't exist. `/hark topics` lists them.")
    assert message["blocks"][0]["text"]["text"].startswith(":warning: That topic")
    assert len(error_message("e" * 5000)["text"]) == 3000


def test_the_digest_message_and_its_post_button(harness_factory) -> None:
    w = build_world(harness_factory(config=CONFIG))
    shown = digest(w, "7d", "kubernetes")
    private = digest_message(shown, shareable=True)
    assert validate_blocks(private["blocks"]) == []
    assert blocks_json_chars(private["blocks"]) <= BLOCKS_JSON_LIMIT
    assert private["text"].startswith("Digest ")
    buttons = [e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"]]
    [post] = [b for b in buttons if b["action_id"] == POST_ACTION]
    assert json.loads(post["value"]) == {
        "since": shown.period.since,
        "until": shown.period.until,
        "label": shown.period.label,
        "topic": "kubernetes",
    }
    assert post["value"] == post_button_value(shown)
    public = digest_message(shown)
    assert POST_ACTION not in json.dumps(public["blocks"])
    assert text_leaves(public["blocks"])


def test_the_digest_counts_agree_with_their_nouns(harness_factory) -> None:
    import dataclasses

    from bot.viewdata import Attention, Speed

    w = build_world(harness_factory(config=CONFIG))
    shown = dataclasses.replace(
        digest(w, "7d", "kubernetes"),
        speed=Speed(60.0, 120.0, 600.0, 900.0, claims=1, replies=1),
        attention=(Attention("Acme", True, 1, 1.0, 0, None),),
    )
    text = json.dumps(digest_message(shown)["blocks"], ensure_ascii=False)
    assert "(1 claim)" in text and "(1 reply)" in text and "(1 post)" in text
    assert "1 claims" not in text and "1 replies" not in text and "1 posts" not in text

"""Block Kit's limits as the validator states them: each limit caught, blocks within them accepted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.blockkit import (
    validate_blocks,
    validate_view,
)
from tests.support.handmade import (
    actions,
    button,
    header,
    input_block,
    modal,
    option,
    plain,
    section,
    select,
)

BROKEN_BLOCKS = {
    "51 blocks in a message": ([{"type": "divider"}] * 51, "message", "/blocks"),
    "101 blocks in a modal": ([{"type": "divider"}] * 101, "modal", "/blocks"),
    "101 blocks in home": ([{"type": "divider"}] * 101, "home", "/blocks"),
    "section text 3001": ([section("x" * 3001)], "message", "/blocks/0/text/text"),
    "section without text or fields": ([{"type": "section"}], "message", "/blocks/0"),
    "11 fields": (
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
        "message",
        "/blocks/0/fields",
    ),
    "field 2001": (
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
        "message",
        "/blocks/0/fields/0/text",
    ),
    "header 151": ([header("h" * 151)], "message", "/blocks/0/text/text"),
    "header mrkdwn": ([header("h", "mrkdwn")], "message", "/blocks/0/text/type"),
    "11 context elements": (
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
        "message",
        "/blocks/0/elements",
    ),
    "26 actions": (
        [actions(*[button(action_id=f"a{i}") for i in range(26)])],
        "message",
        "/blocks/0/elements",
    ),
    "button text 76": ([actions(button("b" * 76))], "message", "/blocks/0/elements/0/text/text"),
    "button value 2001": (
        [actions(button(value="v" * 2001))],
        "message",
        "/blocks/0/elements/0/value",
    ),
    "button url 3001": (
        [actions(button(url="https://x/" + "u" * 2991))],
        "message",
        "/blocks/0/elements/0/url",
    ),
    "action_id 256": (
        [actions(button(action_id="a" * 256))],
        "message",
        "/blocks/0/elements/0/action_id",
    ),
    "duplicate action_id": (
        [actions(button(action_id="a"), button(action_id="a"))],
        "message",
        "/blocks/0/elements/1/action_id",
    ),
    "block_id 256": ([section("s", block_id="b" * 256)], "message", "/blocks/0/block_id"),
    "duplicate block_id": (
        [section("s", block_id="b"), section("t", block_id="b")],
        "message",
        "/blocks/1/block_id",
    ),
    "text object type": (
        [{"type": "section", "text": {"type": "markdown", "text": "s"}}],
        "message",
        "/blocks/0/text/type",
    ),
    "empty text": ([section("")], "message", "/blocks/0/text/text"),
    "input label 2001": (
        [input_block({"type": "plain_text_input", "action_id": "r"}, "l" * 2001)],
        "modal",
        "/blocks/0/label/text",
    ),
    "plain_text_input max_length 3001": (
        [input_block({"type": "plain_text_input", "action_id": "r", "max_length": 3001})],
        "modal",
        "/blocks/0/element/max_length",
    ),
    "101 select options": (
        [section("s", accessory=select([option(str(i), str(i)) for i in range(101)]))],
        "message",
        "/blocks/0/accessory/options",
    ),
    "option text 76": (
        [section("s", accessory=select([option("o" * 76)]))],
        "message",
        "/blocks/0/accessory/options/0/text/text",
    ),
    "option value 151": (
        [section("s", accessory=select([option(value="v" * 151)]))],
        "message",
        "/blocks/0/accessory/options/0/value",
    ),
    "image_url 3001": (
        [{"type": "image", "image_url": "https://x/" + "i" * 2991, "alt_text": "a"}],
        "message",
        "/blocks/0/image_url",
    ),
    "image without alt_text": (
        [{"type": "image", "image_url": "https://x/i.png"}],
        "message",
        "/blocks/0/alt_text",
    ),
    "unknown block type": ([{"type": "carousel"}], "message", "/blocks/0/type"),
    "unknown element type": ([actions({"type": "slider"})], "message", "/blocks/0/elements/0/type"),
    "blocks not a list": ({"type": "divider"}, "message", "/blocks"),
}


@pytest.mark.parametrize(
    ("blocks", "surface", "pointer"), BROKEN_BLOCKS.values(), ids=BROKEN_BLOCKS.keys()
)
def test_validate_blocks_catches_each_limit(blocks: Any, surface: str, pointer: str) -> None:
    problems = validate_blocks(blocks, surface)
    assert any(p.endswith(f"[json-pointer:{pointer}]") for p in problems), problems


GOOD_BLOCKS = {
    "50 blocks in a message": ([{"type": "divider"}] * 50, "message"),
    "100 blocks in a modal": ([{"type": "divider"}] * 100, "modal"),
    "limits exactly": (
        [
            header("h" * 150),
            section("x" * 3000, block_id="b" * 255),
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 10},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
            actions(*[button("b" * 75, action_id=f"a{i}", value="v" * 2000) for i in range(25)]),
            section("s", accessory=select([option("o" * 75, "v" * 150)] * 100)),
            {"type": "image", "image_url": "https://x/" + "i" * 2990, "alt_text": "a"},
        ],
        "message",
    ),
    "a conversation card": (
        [
            section("*<https://news.ycombinator.com/item?id=1|Ask HN: k8s at scale?>*"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "HN · 12 points"}]},
            actions(
                button("Claim", action_id="claim", value="42", style="primary"),
                button("Reply", action_id="reply", value="42"),
                button("Ignore", action_id="ignore", value="42", style="danger"),
            ),
        ],
        "message",
    ),
}


@pytest.mark.parametrize(("blocks", "surface"), GOOD_BLOCKS.values(), ids=GOOD_BLOCKS.keys())
def test_validate_blocks_accepts_blocks_within_limits(blocks: Any, surface: str) -> None:
    assert validate_blocks(blocks, surface) == []


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title=plain("t" * 25)), "/view/title/text"),
        (modal(submit=plain("s" * 25)), "/view/submit/text"),
        (modal(close=plain("c" * 25)), "/view/close/text"),
        ({"type": "modal", "blocks": []}, "/view/title"),
        (modal(blocks=[input_block({"type": "plain_text_input"})]), "/view/submit"),
        (modal(private_metadata="p" * 3001), "/view/private_metadata"),
        (modal(blocks=[{"type": "divider"}] * 101), "/view/blocks"),
    ],
)
def test_validate_view_catches_each_limit(view: dict[str, Any], pointer: str) -> None:
    assert any(p.endswith(f"[json-pointer:{pointer}]") for p in validate_view(view)), pointer


def test_validate_view_accepts_a_reason_modal() -> None:
    view = modal(
        submit=plain("Ignore"),
        close=plain("Cancel"),
        blocks=[input_block({"type": "plain_text_input", "action_id": "r", "max_length": 3000})],
    )
    assert validate_view(view) == []
    assert validate_view({"type": "home", "blocks": [section("hi")]}, "home") == []


def test_elements_only_in_the_blocks_that_take_them() -> None:
    text_input = {"type": "plain_text_input", "action_id": "a"}
    button = {"type": "button", "action_id": "b", "text": {"type": "plain_text", "text": "B"}}
    where = "[json-pointer:/blocks/0/elements/0/type]"
    assert validate_blocks([{"type": "actions", "elements": [text_input]}]) == [
        f"[ERROR] plain_text_input is not allowed in actions blocks {where}"
    ]
    label = {"type": "plain_text", "text": "L"}
    assert validate_blocks([{"type": "input", "label": label, "element": button}], "modal")
    section_with_input = {"type": "section", "text": label, "accessory": text_input}
    assert validate_blocks([section_with_input])
    assert validate_blocks([{"type": "input", "label": label, "element": text_input}]) == []
    assert validate_blocks([{"type": "actions", "elements": [button]}]) == []


def test_markdown_blocks_share_one_12000_character_budget() -> None:
    one = {"type": "markdown", "text": "m" * 7_000}
    assert validate_blocks([one]) == []
    assert validate_blocks([one, dict(one)]) == [
        "[ERROR] markdown blocks total more than 12000 characters [json-pointer:/blocks/1/text]"
    ]

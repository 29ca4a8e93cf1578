"""The /register modal as a pure function: within Block Kit's limits whatever it is given,
prefilled from what was registered, and read back by read_register_values as it was filled."""

from __future__ import annotations

from bot.blocks.register import CALLBACK_ID, read_register_values, register_modal
from bot.people.handles import NETWORKS
from tests.support.blockkit import validate_view
from tests.support.registration_form import form_state, initial_values

PREFILL = {
    "topics": ["kubernetes", "retired-topic"],
    "tags": "postgres, SRE",
    "x": "@sam_expert",
    "github": "same",
    "title": "Staff Engineer",
    "department": "Platform",
    "languages": "en, de",
    "pingable": True,
    "away_until": "2026-04-01",
}


def block_ids(view: dict) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b["type"] == "input"]


def test_every_field_is_an_optional_input_named_for_what_it_holds() -> None:
    view = register_modal(
        ["billing", "kubernetes"], {}, networks=NETWORKS, private_metadata='{"name": "Sam"}'
    )
    assert validate_view(view) == []
    assert (view["callback_id"], view["private_metadata"]) == (CALLBACK_ID, '{"name": "Sam"}')
    assert block_ids(view) == [
        "topics",
        "tags",
        *NETWORKS,
        "title",
        "department",
        "languages",
        "pingable",
        "away_until",
    ]
    assert all(b.get("optional") for b in view["blocks"] if b["type"] == "input")
    assert initial_values(view) == {}


def test_no_topics_no_topic_picker() -> None:
    assert "topics" not in block_ids(register_modal([], {}, networks=NETWORKS))


def test_prefilled_with_what_was_registered_and_topics_that_still_exist() -> None:
    view = register_modal(["billing", "kubernetes"], PREFILL, networks=NETWORKS)
    assert initial_values(view) == {
        "topics": ["kubernetes"],  # a topic since removed is not offered
        "tags": "postgres, SRE",
        "x": "@sam_expert",
        "github": "same",
        "title": "Staff Engineer",
        "department": "Platform",
        "languages": "en, de",
        "pingable": ["yes"],
        "away_until": "2026-04-01",
    }


def test_a_submission_reads_back_as_the_fields_it_was_filled_with() -> None:
    view = register_modal(["billing", "kubernetes"], PREFILL, networks=NETWORKS)
    values = read_register_values(form_state(view, {"tags": "", "bluesky": "sam.bsky.social"}))
    assert values["topics"] == ["kubernetes"]
    assert values["tags"] == ""  # emptied: Slack sends null
    assert values["bluesky"] == "sam.bsky.social"
    assert values["pingable"] is True and values["away_until"] == "2026-04-01"
    assert values["linkedin"] == ""
    unticked = read_register_values(form_state(view, {"pingable": False, "away_until": None}))
    assert unticked["pingable"] is False and unticked["away_until"] is None


def test_huge_inputs_stay_within_slack_limits() -> None:
    topics = [f"topic-{i:03d}-" + "x" * 200 for i in range(150)]
    prefill = {
        "topics": topics[:3],
        "tags": "t" * 5000,
        "title": "T" * 5000,
        "x": "@" + "a" * 5000,
    }
    view = register_modal(topics, prefill, networks=NETWORKS, private_metadata="m" * 10_000)
    assert validate_view(view) == []
    picker = next(b for b in view["blocks"] if b.get("block_id") == "topics")["element"]
    assert len(picker["options"]) == 100 and len(picker["initial_options"]) == 3

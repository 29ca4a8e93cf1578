"""/register through signed requests: the modal, its validation on the field, show, delete, help."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from tests.support.blockkit import validate_blocks
from tests.support.mentions import find_mentions, text_leaves
from tests.support.registration_form import (
    VALID,
    initial_values,
    open_register,
    submit_form,
)

CANONICAL = {
    "x": "@sam_expert",
    "linkedin": "https://www.linkedin.com/in/sam-expert",
    "mastodon": "@sam@hachyderm.io",
    "bluesky": "sam.bsky.social",
    "github": "same",
    "reddit": "u/sam_e",
    "stackoverflow": "42",
    "youtube": "@samtalks",
    "blog": "https://sam.dev/feed.xml",
}


def test_modal_is_prefilled_with_the_slack_title(harness_factory):
    h = harness_factory()
    view = open_register(h)
    assert h.fake.last("users.info").args["user"] == "U0SME1"
    assert initial_values(view) == {"title": "Staff Engineer, Kubernetes"}
    topics = next(b for b in view["blocks"] if b.get("block_id") == "topics")
    assert [o["value"] for o in topics["element"]["options"]] == ["billing", "kubernetes"]
    assert json.loads(view["private_metadata"]) == {"name": "Sam Expert"}


def test_valid_submission_stores_canonical_accounts_and_reopens_prefilled(harness_factory):
    h = harness_factory()
    response = submit_form(h, VALID)
    assert response.status == 200 and not response.body  # a plain ack closes the modal

    assert h.store.accounts("U0SME1") == CANONICAL
    person = h.store.person("U0SME1")
    assert person.name == "Sam Expert" and person.title == "Staff Engineer, Kubernetes"
    assert (person.tags, person.languages, person.pingable) == (
        "postgres, SRE",
        "en, de",
        1,
    )
    assert h.store.person_topics("U0SME1") == ["kubernetes"]
    dm = h.fake.last("chat.postMessage").args
    assert dm["channel"] == "U0SME1" and "Saved: 9 accounts and 1 topic." in dm["text"]

    again = open_register(h)
    assert initial_values(again) == {
        **CANONICAL,
        "topics": ["kubernetes"],
        "tags": "postgres, SRE",
        "languages": "en, de",
        "department": "Platform",
        "title": "Staff Engineer, Kubernetes",
        "pingable": ["yes"],
    }


def test_one_wrong_field_saves_nothing_and_errs_only_on_that_field(harness_factory):
    h = harness_factory()
    response = submit_form(h, {**VALID, "mastodon": "sam"})  # no instance
    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["mastodon"]
    assert "@alice@mastodon.social" in answer["errors"]["mastodon"]
    # Nothing half-saved: Slack keeps the typed values in the modal for the retry.
    assert h.store.person("U0SME1") is None and h.store.accounts("U0SME1") == {}
    assert h.fake.calls("chat.postMessage") == []


def test_a_wrong_field_leaves_the_previous_registration_untouched(harness_factory):
    h = harness_factory()
    submit_form(h, VALID)
    response = submit_form(h, {**VALID, "x": "not a handle!", "github": "other"})
    assert list(json.loads(response.body)["errors"]) == ["x"]
    assert h.store.accounts("U0SME1") == CANONICAL


def test_every_wrong_field_is_reported_at_once(harness_factory):
    h = harness_factory()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    typed = {
        "x": "https://facebook.com/sam",
        "blog": "ftp://sam.dev/feed",
        "stackoverflow": "sam",
        "languages": "en, 42",
        "away_until": yesterday,
        "github": "Sam",  # fine
    }
    errors = json.loads(submit_form(h, typed).body)["errors"]
    assert set(errors) == {"x", "blog", "stackoverflow", "languages", "away_until"}
    assert "http://" in errors["blog"] and "passed" in errors["away_until"]
    assert all(len(e) < 150 for e in errors.values())
    assert h.store.person("U0SME1") is None


def test_away_date_and_empty_fields_clear(harness_factory):
    h = harness_factory()
    soon = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    submit_form(h, {**VALID, "away_until": soon})
    assert h.store.person("U0SME1").away_until == soon
    emptied = {k: None for k in (*VALID, "away_until", "title")}
    h.store.clock = lambda: time.time() + 11 * 86400  # back from leave: not prefilled any more
    assert "away_until" not in initial_values(open_register(h))
    submit_form(h, {**emptied, "x": "@sam_expert"})
    assert h.store.accounts("U0SME1") == {"x": "@sam_expert"}
    person = h.store.person("U0SME1")
    assert person.away_until is None and person.pingable == 0
    assert h.store.person_topics("U0SME1") == []


def test_register_show_help_and_unknown(harness_factory):
    h = harness_factory()
    h.command("/register", "show")
    assert "holds nothing about you" in str(h.last_response()["blocks"])
    submit_form(h, VALID)
    h.command("/register", "show")
    answer = h.last_response()
    assert answer["response_type"] == "ephemeral" and validate_blocks(answer["blocks"]) == []
    text = answer["blocks"][0]["text"]["text"]
    assert "<https://x.com/sam_expert|@sam_expert>" in text
    assert "<https://hachyderm.io/@sam|@sam@hachyderm.io>" in text
    assert "Topics: kubernetes" in text and "Mentions: yes" in text

    h.command("/register", "help")
    assert "`/register delete`" in str(h.last_response()["blocks"])
    h.command("/register", "&lt;!here&gt; please")  # "<!here>" typed, as Slack sends it
    text = str(h.last_response()["blocks"])
    assert "&lt;!here&gt; please" in text and "`/register show`" in text
    assert h.fake.mentions(strict=True) == []


def test_hostile_slack_name_and_values_are_escaped(harness_factory):
    h = harness_factory()
    h.fake.users["U0SME1"]["profile"]["title"] = "<!channel> Boss & *Co*"
    submit_form(h, {"tags": "<@U0MARKETER>, a&b", "department": "<!everyone>"})
    h.command("/register", "show")
    text = h.last_response()["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; Boss &amp; *Co*" in text
    assert "&lt;@U0MARKETER&gt;" in text and "&lt;!everyone&gt;" in text
    # Messages mention nobody; the modal's plain-text inputs may hold anything (never parsed).
    messages = [c for c in h.fake.calls() if c.method != "views.open"]
    assert [m for c in messages for t in text_leaves(c.args) for m in find_mentions(t, True)] == []

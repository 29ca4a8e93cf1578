"""Nothing falls through: one SLA reminder, one escalation, one nudge, each at its time.
Tests move the store's clock; nothing sleeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import BusinessHours, ConfigError, parse_config
from bot.engage.reminders import business_seconds
from tests.support.blockkit import validate_blocks
from tests.support.harness import BASE_CONFIG, run_periodic, seed_conversation

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC).timestamp()  # a Tuesday
MIN = 60.0
BERLIN = ZoneInfo("Europe/Berlin")


def at(h, seconds: float):
    h.store.clock = lambda: T0 + seconds
    return run_periodic(h, "Reminders")


def thread_replies(h) -> list[dict]:
    ts = h.store.conversation(1).ts
    sent = [c for c in h.fake.calls("chat.postMessage") if c.response.get("ok")]
    return [c.args for c in sent if c.args.get("thread_ts") == ts]


def direct_messages(h, user: str) -> list[dict]:
    return [c.args for c in h.fake.calls("chat.postMessage") if c.args["channel"] == user]


@pytest.fixture
def h(harness_factory):
    h = harness_factory()
    h.store.save_person("U0PING", {"name": "Pia", "pingable": 1}, ["kubernetes"], {})
    h.store.save_person("U0QUIET", {"name": "Quinn", "pingable": 0}, ["kubernetes"], {})
    h.store.clock = lambda: T0
    seed_conversation(h)
    return h


def test_reminder_then_escalation_each_once(h):
    assert at(h, 59 * MIN).reminded == []
    assert thread_replies(h) == []

    report = at(h, 60 * MIN)
    assert report.reminded == [1] and report.escalated == []
    [reminder] = thread_replies(h)
    assert reminder["channel"] == "C0K8S"
    assert "Unclaimed for 1 h" in reminder["text"]
    assert "<@U0PING>, Quinn: could one of you take it?" in reminder["text"]
    assert validate_blocks(reminder["blocks"]) == []
    assert at(h, 61 * MIN).reminded == []
    assert at(h, 119 * MIN).escalated == []
    assert len(thread_replies(h)) == 1

    report = at(h, 120 * MIN)
    assert report.escalated == [1] and report.reminded == []
    [dm] = direct_messages(h, "U0MARKETER")
    assert "Nobody has claimed" in dm["text"] and "<#C0K8S>" in dm["text"]
    assert "https://hark-test.slack.com/archives/C0K8S/p" in dm["text"]  # the permalink
    assert "Still unclaimed after 2 h; the admins know." in thread_replies(h)[-1]["text"]
    for later in (121, 240, 60 * 24):
        report = at(h, later * MIN)
        assert (report.reminded, report.escalated) == ([], [])
    assert len(thread_replies(h)) == 2 and len(direct_messages(h, "U0MARKETER")) == 1


def test_a_claimed_conversation_gets_no_reminder_but_one_nudge(h):
    h.store.clock = lambda: T0 + 10 * MIN
    h.click("claim", 1, user_id="U0SME1")
    assert at(h, 3 * 60 * MIN).reminded == []
    assert at(h, 10 * MIN + 24 * 60 * MIN - 1).nudged == []
    assert at(h, 10 * MIN + 24 * 60 * MIN).nudged == [1]
    [nudge] = direct_messages(h, "U0SME1")
    assert "You claimed" in nudge["text"] and "1 d ago" in nudge["text"]
    assert "has no reply yet" in nudge["text"]
    assert at(h, 3 * 24 * 60 * MIN).nudged == []
    assert thread_replies(h) == []
    assert len(direct_messages(h, "U0SME1")) == 1


def test_a_reassigned_owner_gets_their_own_nudge(h):
    h.click("claim", 1, user_id="U0SME1")
    at(h, 24 * 60 * MIN)
    h.store.clock = lambda: T0 + 25 * 60 * MIN
    values = {"new_owner": {"value": {"type": "users_select", "selected_user": "U0SME2"}}}
    h.submit(
        "reassign_submit",
        values,
        user_id="U0MARKETER",
        metadata={"conversation_id": 1, "channel": "C0K8S"},
    )
    assert at(h, 48 * 60 * MIN).nudged == []
    assert at(h, 49 * 60 * MIN).nudged == [1]
    # the previous owner: the nudge, then word that it is no longer theirs; no second nudge
    told = [m["text"] for m in direct_messages(h, "U0SME1")]
    assert len(told) == 2 and "It is no longer yours" in told[1]
    assert ["gave you" in m["text"] for m in direct_messages(h, "U0SME2")] == [True, False]


def test_replied_and_ignored_conversations_are_left_alone(h):
    h.submit(
        "reply_submit",
        {"reply_url": {"value": {"type": "plain_text_input", "value": "https://e.example/r"}}},
        metadata={"conversation_id": 1, "channel": "C0K8S"},
    )
    report = at(h, 3 * 24 * 60 * MIN)
    assert (report.reminded, report.escalated, report.nudged) == ([], [], [])


def test_a_failed_send_is_retried_next_tick(h):
    h.fake.fail("chat.postMessage", error="not_in_channel")
    assert at(h, 60 * MIN).reminded == []
    assert at(h, 61 * MIN).reminded == [1]
    assert len(thread_replies(h)) == 1


def test_topic_sla_from_config(harness_factory):
    config = (BASE_CONFIG % "").replace(
        "    channel: C0K8S\n", "    channel: C0K8S\n    sla: 15m\n"
    )
    h = harness_factory(config=config.replace("sources:\n", ""))
    h.store.clock = lambda: T0
    seed_conversation(h)
    assert at(h, 14 * MIN).reminded == []
    assert at(h, 15 * MIN).reminded == [1]
    assert at(h, 30 * MIN).escalated == [1]
    assert "Could someone take it?" in thread_replies(h)[0]["text"]  # nobody covers the topic


def test_business_hours_pause_the_sla_clock(harness_factory):
    config = (BASE_CONFIG % "").replace("sources:\n", "") + (
        "engagement:\n"
        "  business_hours: {days: mon-fri, hours: '09:00-17:00', timezone: Europe/Berlin}\n"
    )
    h = harness_factory(config=config)
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=BERLIN).timestamp()
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN).timestamp()
    h.store.clock = lambda: friday
    seed_conversation(h)

    def tick(when: float):
        h.store.clock = lambda: when
        return run_periodic(h, "Reminders")

    assert tick(friday + 4 * 3600).reminded == []  # Friday night: 30 business minutes
    assert tick(monday + 29 * MIN).reminded == []
    assert tick(monday + 30 * MIN).reminded == [1]
    assert tick(monday + 89 * MIN).escalated == []
    assert tick(monday + 90 * MIN).escalated == [1]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((2026, 3, 6, 16, 30), (2026, 3, 9, 9, 30), 60 * MIN),  # over a weekend
        ((2026, 3, 7, 10, 0), (2026, 3, 7, 12, 0), 0.0),  # Saturday
        ((2026, 3, 9, 8, 0), (2026, 3, 9, 18, 0), 8 * 60 * MIN),  # a whole day
        ((2026, 3, 27, 16, 0), (2026, 3, 30, 10, 0), 2 * 60 * MIN),  # across the DST change
    ],
)
def test_business_seconds(start, end, expected):
    hours = BusinessHours(frozenset(range(5)), 9 * 60, 17 * 60, "Europe/Berlin")
    a = datetime(*start, tzinfo=BERLIN).timestamp()
    b = datetime(*end, tzinfo=BERLIN).timestamp()
    assert business_seconds(a, b, hours) == expected
    assert business_seconds(a, b, None) == b - a
    assert business_seconds(b, a, hours) == 0.0


def test_engagement_config():
    config = parse_config(
        {
            "engagement": {
                "guidelines": "Be kind.",
                "business_hours": {"days": "sun-tue", "hours": "08:30-12:00", "timezone": "UTC"},
            }
        }
    )
    assert config.engagement.guidelines == "Be kind."
    assert config.engagement.business_hours == BusinessHours(frozenset({6, 0, 1}), 510, 720, "UTC")
    assert parse_config({}).engagement.business_hours is None
    assert "say who you work for" in parse_config({}).engagement.guidelines


@pytest.mark.parametrize(
    ("engagement", "key", "hint"),
    [
        ({"business_hours": {"timezone": "Mars/Olympus"}}, "timezone", "Europe/Berlin"),
        ({"business_hours": {"hours": "9-5"}}, "hours", "09:00-17:00"),
        ({"business_hours": {"hours": "17:00-09:00"}}, "hours", "09:00-17:00"),
        ({"business_hours": {"days": "weekdays"}}, "days", "mon-fri"),
        ({"guidelines": ""}, "guidelines", "1 to 2000"),
        ({"tone": "friendly"}, "engagement.tone", "guidelines, business_hours"),
    ],
)
def test_engagement_config_errors_say_how_to_fix(engagement, key, hint):
    with pytest.raises(ConfigError) as error:
        parse_config({"engagement": engagement}, "hark.yml")
    assert key in error.value.key and hint in json.dumps(error.value.problem)

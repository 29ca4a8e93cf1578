"""The weekly digest: posted to digest.channel on digest.schedule, once per week."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.report.weekly import ScheduleError, parse_schedule
from tests.support.digest_world import CONFIG, DAY, NOW, World, build_world
from tests.support.harness import run_periodic

MONDAY_9 = NOW + 9 * 3600  # Monday 16 March 2026, 09:00 UTC: the configured "mon 09:00"


def _tick(h) -> bool:
    return run_periodic(h, "WeeklyDigest")


def _digests(h) -> list:
    """The digests Slack accepted in the digest channel."""
    calls = h.fake.calls("chat.postMessage")
    return [c for c in calls if c.args["channel"] == "C0MKTG" and c.response["ok"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mon 09:00", (0, 9, 0)), ("Friday 17:30", (4, 17, 30)), ("sun 0:05", (6, 0, 5))],
)
def test_schedule(text, expected):
    s = parse_schedule(text)
    assert (s.weekday, s.hour, s.minute) == expected


@pytest.mark.parametrize("text", ["monday", "xyz 09:00", "mon 25:00", "mon 9:60", ""])
def test_bad_schedule(text):
    with pytest.raises(ScheduleError, match="mon 09:00"):
        parse_schedule(text)


def test_last_due():
    s = parse_schedule("mon 09:00")
    assert s.last_due(MONDAY_9) == MONDAY_9
    assert s.last_due(MONDAY_9 - 1) == MONDAY_9 - 7 * DAY
    assert s.last_due(MONDAY_9 + 3 * DAY) == MONDAY_9
    assert parse_schedule("sun 23:00").last_due(MONDAY_9) == NOW - 3600


def test_posts_once_per_week_even_across_restarts(harness_factory):
    w = build_world(harness_factory(config=CONFIG))
    h = w.h
    w.at(MONDAY_9 - 60)
    assert _tick(h) is False and _digests(h) == []  # a minute early
    w.at(MONDAY_9 + 30)
    assert _tick(h) is True
    [posted] = _digests(h)
    text = str(posted.args["blocks"])
    assert "Digest — 7 days to 2026-03-16 09:00 UTC" in text
    # The week to Monday 09:00: the current week of the world, and its Monday morning.
    assert "relevant *8* → posted *7*" in text  # c1 (Monday 01:00) is last week's
    upload = h.fake.last("files.completeUploadExternal")
    assert upload.args["channel_id"] == "C0MKTG"
    assert h.fake.uploads[upload.args["files"][0]["id"]].startswith(b"\x89PNG")
    # Later ticks, and a restart on the same database, post nothing more this week.
    w.at(MONDAY_9 + 3600)
    assert _tick(h) is False
    h.store.close()
    h2 = harness_factory(config=CONFIG)
    h2.store.clock = lambda: MONDAY_9 + 2 * 3600
    assert _tick(h2) is False
    assert len(_digests(h)) == 1
    # Next Monday: the next week.
    h2.store.clock = lambda: MONDAY_9 + 7 * DAY + 5
    assert _tick(h2) is True
    assert "7 days to 2026-03-23 09:00 UTC" in str(_digests(h)[-1].args["blocks"])


def test_a_digest_missed_by_more_than_a_day_is_skipped(harness_factory):
    w = World(harness_factory(config=CONFIG))
    w.at(MONDAY_9 + DAY + 60)  # Hark was down from Monday morning to Tuesday
    assert _tick(w.h) is False and _digests(w.h) == []
    w.at(MONDAY_9 + DAY - 60)  # within the day: caught up
    assert _tick(w.h) is True


def test_a_failed_post_is_retried_the_next_hour_and_admins_told(harness_factory):
    w = World(harness_factory(config=CONFIG))
    h = w.h
    h.fake.not_in_channel.add("C0MKTG")
    w.at(MONDAY_9 + 60)
    assert _tick(h) is False
    warning = [c for c in h.fake.calls("chat.postMessage") if c.args["channel"] == "U0MARKETER"]
    assert len(warning) == 1 and "`/invite @Hark`" in warning[0].args["text"]
    w.at(MONDAY_9 + 120)
    assert _tick(h) is False  # not again within the hour
    h.fake.not_in_channel.clear()
    w.at(MONDAY_9 + 3600 + 60)
    assert _tick(h) is True
    assert len(_digests(h)) == 1


def test_a_failed_chart_keeps_the_posted_digest(harness_factory):
    w = World(harness_factory(config=CONFIG))
    h = w.h
    h.fake.fail("files.getUploadURLExternal", error="ratelimited")
    w.at(MONDAY_9 + 60)
    assert _tick(h) is True
    assert len(_digests(h)) == 1
    w.at(MONDAY_9 + 3700)
    assert _tick(h) is False  # posted: the chart is not worth a second digest


def test_no_channel_no_weekly_digest(harness_factory):
    h = harness_factory(
        config=CONFIG.replace('digest: {channel: C0MKTG, schedule: "mon 09:00"}\n', "")
    )
    h.store.clock = lambda: MONDAY_9 + 60
    assert _tick(h) is False
    assert h.fake.calls("chat.postMessage") == []


def test_a_bad_schedule_is_reported_to_admins(harness_factory):
    h = harness_factory(config=CONFIG.replace('"mon 09:00"', '"mondays at nine"'))
    h.store.clock = lambda: MONDAY_9 + 60
    assert _tick(h) is False
    [note] = [c for c in h.fake.calls("chat.postMessage") if c.args["channel"] == "U0MARKETER"]
    assert "Weekly digest is off" in note.args["text"] and "mon 09:00" in note.args["text"]


def test_week_label_is_utc():
    assert datetime.fromtimestamp(MONDAY_9, UTC).strftime("%a %H:%M") == "Mon 09:00"

"""The outbox against Slack's failures: 429, 5xx, missing channels, and a crash mid-send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.engage.outbox import CARD_GIVE_UP, SEND_LEASE
from tests.support.feeds import rss

ADMIN = "U0MARKETER"


def _items(n: int, word: str = "k8s") -> list[dict[str, str]]:
    when = format_datetime(datetime.now(UTC) - timedelta(minutes=5))
    return [
        {
            "title": f"{word} question {i}?",
            "link": f"https://f.example.com/{word}/{i}",
            "guid": f"{word}-{i}",
            "pubDate": when,
        }
        for i in range(n)
    ]


def _restart_after_the_lease(h) -> None:
    """A restart comes after the send lease: a trace left then is a dead worker's, never a
    send in flight (SQLite's lease is 0: one process)."""
    later = h.store.now() + SEND_LEASE + 1
    h.store.clock = lambda: later


def test_rate_limit_is_retried(harness_factory, feeds):
    feeds.set("/f.xml", rss(_items(1)))
    h = harness_factory([feeds.url("/f.xml")])
    h.fake.fail("chat.postMessage", status=429, retry_after=0, times=1)
    h.poll()
    calls = h.fake.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert h.store.outbox() == []


def test_server_errors_hold_in_order_then_deliver_once(harness_factory, feeds):
    feeds.set("/f.xml", rss(_items(3)))
    h = harness_factory([feeds.url("/f.xml")])
    h.fake.fail("chat.postMessage", status=503, times=None)  # a Slack outage
    h.poll()
    assert h.store.conversation(1).send_error == "internal_error"
    assert len(h.store.outbox()) == 3
    h.fake.clear_failures()
    report = h.services.publisher.deliver()
    assert report.sent == [1, 2, 3]
    delivered = [c for c in h.fake.calls("chat.postMessage") if c.status == 200]
    titles = [c.args["text"] for c in delivered]
    assert titles == [f"kubernetes: k8s question {i}?" for i in range(3)]  # in order, none twice
    assert h.services.publisher.deliver().sent == []


def test_channel_not_found_keeps_posts_and_tells_admins_once(harness_factory, feeds):
    feeds.set("/f.xml", rss(_items(2) + _items(1, "invoice")))
    h = harness_factory([feeds.url("/f.xml")])
    h.fake.fail("chat.postMessage", error="channel_not_found", times=1)
    h.poll()
    # the k8s channel is held; the billing channel still gets its post
    sent = [c.args["channel"] for c in h.fake.calls("chat.postMessage") if c.response.get("ok")]
    dms = [c for c in sent if c == "U0MARKETER"]
    assert "C0BILL" in sent and "C0K8S" not in sent and len(dms) == 1
    assert len(h.store.outbox()) == 2
    h.fake.fail("chat.postMessage", error="channel_not_found", times=1)
    h.services.publisher.deliver()
    admin_dms = [c for c in h.fake.calls("chat.postMessage") if c.args["channel"] == "U0MARKETER"]
    assert len(admin_dms) == 1  # told once, not on every retry
    assert "/invite @Hark" in admin_dms[0].args["text"]
    h.services.publisher.deliver()
    assert h.store.outbox() == []


def test_crash_after_send_before_record_is_not_resent(harness_factory, feeds):
    feeds.set("/f.xml", rss(_items(1)))
    h = harness_factory([feeds.url("/f.xml")])
    h.store.force_all_due()
    h.services.poller.poll_due()
    (row,) = h.store.outbox()
    # Simulate the crash: the message reached Slack, the ts was never recorded.
    h.store.mark_sending(row.id)
    from bot.blocks.conversation import conversation_message
    from bot.engage.outbox import card_for

    message = conversation_message(card_for(h.store, h.store.conversation(row.id)))
    ts = h.fake.seed_message(
        "C0K8S",
        message["text"],
        user="U0HARKBOT",
        blocks=message["blocks"],
        metadata=message["metadata"],
    )
    _restart_after_the_lease(h)
    report = h.services.publisher.deliver()
    assert report.recovered == [row.id] and report.sent == []
    assert h.store.conversation(row.id).ts == ts
    assert h.fake.calls("chat.postMessage") == []


def test_crash_before_send_is_sent_after_restart(harness_factory, feeds):
    feeds.set("/f.xml", rss(_items(1)))
    h = harness_factory([feeds.url("/f.xml")])
    h.store.force_all_due()
    h.services.poller.poll_due()
    (row,) = h.store.outbox()
    h.store.mark_sending(row.id)  # trace left, but Slack never got it
    _restart_after_the_lease(h)
    report = h.services.publisher.deliver()
    assert report.sent == [row.id]
    assert len(h.fake.calls("chat.postMessage")) == 1


def _ampersand_item() -> dict[str, str]:
    base = "https://forum.example.com/t/1?" + "a&amp;" * 300  # XML-escaped: 300 "&" in the URL
    link = base + "b" * (1990 - len(base.replace("&amp;", "&")))
    when = format_datetime(datetime.now(UTC) - timedelta(minutes=6))
    return {"title": "k8s question with a long link", "link": link, "guid": "amp", "pubDate": when}


def test_a_link_that_grows_past_slacks_limit_once_escaped_delays_nothing(harness_factory, feeds):
    # A 1,990-character link with 300 "&" grows past 3,000 characters once escaped: the
    # card goes without the href, and every other card, in its channel and others, follows.
    feeds.set("/f.xml", rss([_ampersand_item(), *_items(2), *_items(1, "invoice")]))
    h = harness_factory([feeds.url("/f.xml")])
    h.poll()
    calls = h.fake.calls("chat.postMessage")
    assert all(c.response["ok"] for c in calls), [c.response for c in calls]
    assert len(calls) == 4 and h.store.outbox() == []
    first = next(c for c in calls if "long link" in c.args["text"])
    assert "forum.example.com/t/1?" not in str(first.args["blocks"])  # the href was dropped


@pytest.mark.parametrize(
    "error", ["invalid_blocks", "msg_too_long", "msg_blocks_too_long", "invalid_arguments"]
)
def test_a_card_slack_refuses_holds_only_itself(harness_factory, feeds, error):
    feeds.set("/f.xml", rss(_items(3) + _items(1, "invoice")))
    h = harness_factory([feeds.url("/f.xml")])
    h.fake.fail("chat.postMessage", error=error, times=1)  # the oldest card: refused
    h.poll()
    report_outbox = [row.id for row in h.store.outbox()]
    assert report_outbox == [1]  # the three others, in both channels, were sent
    sent = [c.args["channel"] for c in h.fake.calls("chat.postMessage") if c.response["ok"]]
    assert sorted(sent) == ["C0BILL", "C0K8S", "C0K8S"]
    assert h.store.conversation(1).send_error == error


def test_a_card_refused_again_and_again_is_set_aside_with_one_notice(harness_factory, feeds):
    feeds.set("/f.xml", rss(_items(2)))
    h = harness_factory([feeds.url("/f.xml")])
    publisher = h.services.publisher
    reports = []
    for attempt in range(CARD_GIVE_UP):
        h.fake.fail("chat.postMessage", error="invalid_blocks", times=1)
        if attempt == 0:
            h.poll()
        else:
            reports.append(publisher.deliver())
    assert reports[-1].gave_up == [1]
    assert h.store.outbox() == []  # no longer waiting
    assert h.store.conversation(1).gave_up_at is not None
    assert h.store.conversation(2).ts is not None  # sent on the first attempt
    dms = [c for c in h.fake.calls("chat.postMessage") if c.args["channel"] == "U0MARKETER"]
    assert len(dms) == 1
    text = dms[0].args["text"]
    assert "Slack refused the card" in text and "invalid_blocks" in text
    assert "Every other conversation is still sent" in text
    # Later deliveries neither retry it nor notify again.
    before = len(h.fake.calls("chat.postMessage"))
    assert publisher.deliver().sent == []
    assert len(h.fake.calls("chat.postMessage")) == before


def test_when_slack_refuses_every_card_admins_get_a_few_notices_not_one_per_card(
    harness_factory, feeds
):
    feeds.set("/f.xml", rss(_items(5)))
    h = harness_factory([feeds.url("/f.xml")])
    h.store.force_all_due()
    h.services.poller.poll_due()
    for _ in range(CARD_GIVE_UP):
        h.fake.fail("chat.postMessage", error="invalid_arguments", times=5)  # every card
        h.services.publisher.deliver()
    assert h.store.outbox() == []
    dms = [c.args["text"] for c in h.fake.calls("chat.postMessage") if c.args["channel"] == ADMIN]
    assert len(dms) == 4, dms  # three cards named, then one saying more were set aside
    assert all("Slack refused the card" in dm for dm in dms[:3])
    assert "Slack keeps refusing Hark's conversation cards" in dms[3]

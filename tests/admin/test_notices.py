"""AdminNotifier: DMs to every admin, each notice once ever; channel trouble says what to do
for each of Slack's refusals; refused cards are named at most three a day, then one notice
that more were set aside; a notice that cannot be sent never raises."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.admin.notices import AdminNotifier
from bot.blocks import notices as notice_texts
from tests.support.harness import seed_conversation

TWO_ADMINS = """
topics:
  - {name: kubernetes, query: 'kubernetes OR k8s', channel: C0K8S}
admins: [U0MARKETER, U0SME2]
"""


def dms(h) -> list[tuple[str, str]]:
    return [(c.args["channel"], c.args["text"]) for c in h.fake.calls("chat.postMessage")]


def test_a_notice_goes_to_every_admin_once(harness_factory) -> None:
    h = harness_factory(config=TWO_ADMINS)
    client = WebClient(token="xoxb-test", base_url=h.fake.url)
    notifier = AdminNotifier(client, h.store, frozenset({"U0SME2", "U0MARKETER"}), notice_texts)
    notifier.once("weekly:2026-10", "The digest is late.")
    notifier.once("weekly:2026-10", "The digest is late.")
    h.services.notifier.once("weekly:2026-10", "The digest is late.")  # the same store: said
    assert dms(h) == [("U0MARKETER", "The digest is late."), ("U0SME2", "The digest is late.")]


@pytest.mark.parametrize(
    ("channel", "error", "says"),
    [
        ("C0GONE", "channel_not_found", "Hark cannot find the channel <#C0GONE>"),
        ("C0OLD", "is_archived", "<#C0OLD> is archived. Unarchive it"),
        ("#general", "not_in_channel", "Hark cannot post in #general (not_in_channel)"),
        ("<!here>", "restricted_action", "Hark cannot post in &lt;!here&gt;"),
    ],
)
def test_channel_trouble_says_what_happened_and_what_to_do(
    harness_factory, channel: str, error: str, says: str
) -> None:
    h = harness_factory()
    h.services.notifier.channel_trouble(channel, error)
    h.services.notifier.channel_trouble(channel, error)  # said once
    [(admin, text)] = dms(h)
    assert admin == "U0MARKETER" and text.startswith(":warning: ") and says in text
    assert text.endswith("the conversations are kept and will be sent.")


def test_refused_cards_are_named_three_a_day_then_one_notice(harness_factory) -> None:
    h = harness_factory()
    cards = [
        h.store.conversation(
            seed_conversation(
                h,
                link=f"https://forum.example.com/t/{i}",
                title=f"k8s question {i}",
                text=f"pod {i}",
            )
        )
        for i in range(5)
    ]
    h.fake.reset()
    for card in cards:
        h.services.notifier.card_given_up(card, "invalid_blocks")
    texts = [text for _, text in dms(h)]
    assert len(texts) == 4
    assert all("Slack refused the card for a *kubernetes* conversation" in t for t in texts[:3])
    assert "https://forum.example.com/t/0" in texts[0]
    assert texts[3].startswith(":warning: Slack keeps refusing Hark's conversation cards")
    assert "more than 3 were set aside today" in texts[3]


def test_a_notice_slack_refuses_is_logged_not_raised(harness_factory, caplog) -> None:
    h = harness_factory()
    h.fake.fail("chat.postMessage", error="channel_not_found", times=None)
    h.services.notifier.notify("Something happened.")
    assert "could not notify admin U0MARKETER" in caplog.text


def test_a_source_down_is_said_without_os_jargon(harness_factory, feeds) -> None:
    h = harness_factory([feeds.url("/feed.xml")])
    client = WebClient(token="xoxb-test", base_url=h.fake.url)
    notifier = AdminNotifier(client, h.store, frozenset({"U0MARKETER"}), notice_texts)
    row = h.store.record_poll_failure(
        h.store.sources()[0].id,
        "could not resolve host hnrss.org ([Errno -2] Name or service not known)",
    )
    notifier.source_down(row)
    ((_, text),) = dms(h)
    assert "has failed for a day: could not resolve host hnrss.org: the name does not exist" in text
    assert "Errno" not in text

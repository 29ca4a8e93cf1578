"""Channels named ``#name`` work end to end: Slack takes names only on chat.postMessage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import ConfigError
from bot.ops.channels import ChannelNotFound, ChannelResolver
from tests.support.fakeslack import FakeSlack
from tests.support.feeds import rss
from tests.support.harness import BASE_CONFIG, make_harness, seed_conversation

ADMIN = "U0MARKETER"
NAMED = BASE_CONFIG.replace("channel: C0K8S", "channel: '#kubernetes'").replace(
    "channel: C0BILL", "channel: billing"
)


def _strict(fake: FakeSlack) -> None:
    """Slack as it is: the workspace's channels, by ID, nothing else."""
    fake.strict_channels = True
    fake.channels |= {"C0K8S", "C0BILL", "C0MKTG", "C0PRIV"}
    fake.channel_names.update(
        {"C0K8S": "kubernetes", "C0BILL": "billing", "C0MKTG": "marketing", "C0PRIV": "secret"}
    )
    fake.private_channels.add("C0PRIV")


def _error(call) -> str:
    try:
        call()
    except SlackApiError as exc:
        return str(exc.response["error"])
    return "ok"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _items(n: int) -> list[dict[str, str]]:
    when = format_datetime(datetime.now(UTC) - timedelta(minutes=5))
    return [
        {"title": f"k8s question {i}?", "link": f"https://f.example.com/{i}", "guid": f"g{i}"}
        | {"pubDate": when}
        for i in range(n)
    ]


# -- the fake refuses names as Slack does ------------------------------------------------------


def test_the_fake_takes_a_name_only_on_post_message_and_post_ephemeral(fake_slack):
    _strict(fake_slack)
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    sent = client.chat_postMessage(channel="#kubernetes", text="hello")
    assert sent["channel"] == "C0K8S"
    assert client.chat_postMessage(channel="kubernetes", text="bare")["channel"] == "C0K8S"
    assert (
        _error(lambda: client.chat_postEphemeral(channel="#kubernetes", user="U0SME1", text="x"))
        == "ok"
    )
    ts = sent["ts"]
    refused = {
        "chat.update": lambda: client.chat_update(channel="#kubernetes", ts=ts, text="x"),
        "conversations.history": lambda: client.conversations_history(channel="#kubernetes"),
        "chat.getPermalink": lambda: client.chat_getPermalink(channel="#kubernetes", message_ts=ts),
        "conversations.info": lambda: client.conversations_info(channel="kubernetes"),
    }
    assert {m: _error(c) for m, c in refused.items()} == dict.fromkeys(refused, "channel_not_found")
    assert client.chat_update(channel="C0K8S", ts=ts, text="x")["ok"]


def test_conversations_list_pages_and_filters_like_slack(fake_slack):
    _strict(fake_slack)
    fake_slack.archived_channels.add("C0MKTG")
    fake_slack.not_in_channel.add("C0PRIV")
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)

    def names(**kw) -> list[str]:
        out, cursor = [], None
        while True:
            page = client.conversations_list(limit=2, cursor=cursor, **kw)
            assert len(page["channels"]) <= 2
            out += [c["name"] for c in page["channels"]]
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                return sorted(out)

    assert names() == ["billing", "kubernetes", "marketing"]  # public only by default
    assert names(exclude_archived=True) == ["billing", "kubernetes"]
    # a private channel is listed only once the bot is in it
    assert names(types="public_channel,private_channel") == ["billing", "kubernetes", "marketing"]
    fake_slack.not_in_channel.discard("C0PRIV")
    assert "secret" in names(types="private_channel")


# -- the resolver ------------------------------------------------------------------------------


def test_the_resolver_pages_caches_and_does_not_hammer_slack(fake_slack):
    fake_slack.channel_names.update({f"C0N{i:05d}": f"team-{i}" for i in range(1500)})
    now = [0.0]
    resolver = ChannelResolver(
        WebClient(token="xoxb-test", base_url=fake_slack.url), clock=lambda: now[0]
    )
    assert resolver.resolve("#team-1400") == "C0N01400"  # on the second page of 1,000
    assert resolver.resolve("team-3") == "C0N00003"
    assert resolver.resolve("C0ANYID") == "C0ANYID"
    lists = fake_slack.calls("conversations.list")
    assert len(lists) == 2 and lists[0].args["exclude_archived"] in ("1", "true", True)
    with pytest.raises(ChannelNotFound):
        resolver.resolve("#nowhere")  # looked up again at most once a minute
    with pytest.raises(ChannelNotFound):
        resolver.resolve("#nowhere")
    assert len(fake_slack.calls("conversations.list")) == 2
    fake_slack.channel_names["C0NEW"] = "nowhere"
    now[0] = 61.0
    assert resolver.resolve("#nowhere") == "C0NEW"


# -- topics given as #name -----------------------------------------------------------------


def test_a_topic_channel_given_as_a_name_gets_its_cards_and_claim_updates_the_card(
    harness_factory, fake_slack, feeds
):
    _strict(fake_slack)
    feeds.set("/f.xml", rss(_items(2)))
    h = harness_factory(config=NAMED % f"  - url: {feeds.url('/f.xml')}")
    assert sorted(t.channel for t in h.store.topics()) == ["C0BILL", "C0K8S"]
    h.poll()
    posted = [c for c in fake_slack.calls("chat.postMessage") if c.response["ok"]]
    assert [c.args["channel"] for c in posted] == ["C0K8S", "C0K8S"]
    row = h.store.conversation(1)
    assert row.channel == "C0K8S" and row.ts

    h.click("claim", 1)
    update = fake_slack.last("chat.update")
    assert update.response["ok"], update.response
    assert update.args["channel"] == "C0K8S"
    card = next(m for m in fake_slack.messages["C0K8S"] if m["ts"] == row.ts)
    assert "Claimed by <@U0SME1>" in str(card["blocks"])
    assert h.store.conversation(1).state == "claimed"


def test_a_conversation_stored_with_a_name_keeps_the_id_slack_answers(harness_factory, fake_slack):
    # Rows written before names were resolved hold "#kubernetes": the card still goes out,
    # and the ID chat.postMessage answers with is kept for chat.update and the rest.
    _strict(fake_slack)
    h = harness_factory()
    h.store.conn.execute("UPDATE topics SET channel = '#kubernetes' WHERE name = 'kubernetes'")
    conversation_id = seed_conversation(h)
    row = h.store.conversation(conversation_id)
    assert row.channel == "C0K8S" and row.ts
    h.click("claim", conversation_id)
    assert fake_slack.last("chat.update").response["ok"]
    permalink = h.services.client.chat_getPermalink(channel=row.channel, message_ts=row.ts)
    assert permalink["ok"]


def test_crash_recovery_looks_in_the_channel_by_id(harness_factory, fake_slack):
    from bot.blocks.conversation import conversation_message
    from bot.engage.outbox import card_for

    _strict(fake_slack)
    h = harness_factory()
    fake_slack.fail("chat.postMessage", error="fatal_error", times=1)  # keep it in the outbox
    conversation_id = seed_conversation(h)
    # A row written before names were resolved; the crash: Slack got the card, the ts was
    # never recorded.
    h.store.conn.execute("UPDATE conversations SET channel = '#kubernetes'")
    h.store.mark_sending(conversation_id)
    message = conversation_message(card_for(h.store, h.store.conversation(conversation_id)))
    ts = fake_slack.seed_message(
        "C0K8S",
        message["text"],
        user="U0HARKBOT",
        blocks=message["blocks"],
        metadata=message["metadata"],
    )
    report = h.services.publisher.deliver()
    assert report.recovered == [conversation_id] and report.sent == []
    assert fake_slack.last("conversations.history").args["channel"] == "C0K8S"
    assert h.store.conversation(conversation_id).ts == ts


def test_a_channel_the_bot_cannot_see_is_a_config_error_naming_the_key(
    fake_slack, tmp_path, monkeypatch
):
    _strict(fake_slack)
    fake_slack.not_in_channel.add("C0PRIV")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config = NAMED.replace("channel: billing", "channel: '#secret'") % ""
    with pytest.raises(ConfigError) as raised:
        make_harness(fake_slack, tmp_path, config.replace("sources:\n", ""))
    assert str(raised.value) == (
        f"{tmp_path / 'hark.yml'}: topics[1].channel: no channel #secret that the bot can see; "
        "invite @Hark or give the channel ID"
    )


def test_the_digest_channel_given_as_a_name_is_resolved_at_start(harness_factory, fake_slack):
    _strict(fake_slack)
    config = BASE_CONFIG.replace("sources:\n", "") % "" + "digest: {channel: '#marketing'}\n"
    h = harness_factory(config=config)
    assert h.services.settings.config.digest.channel == "C0MKTG"


def test_topics_add_with_a_plain_hash_name_stores_the_channel_id(harness_factory, fake_slack):
    _strict(fake_slack)
    fake_slack.channels.add("C0DEVOPS")
    fake_slack.channel_names["C0DEVOPS"] = "devops"
    h = harness_factory()
    h.command("/hark", "topics add infra #devops terraform OR ansible", user_id=ADMIN)
    assert h.store.topic_by_name("infra").channel == "C0DEVOPS"
    assert "<#C0DEVOPS>" in str(h.last_response())
    h.command("/hark", "topics add ghosts #nowhere boo", user_id=ADMIN)
    answer = str(h.last_response())
    assert "can't see a channel #nowhere" in answer and "/invite @Hark" in answer
    assert h.store.topic_by_name("ghosts") is None


@pytest.mark.parametrize("command", [["poll", "--once"], ["run"]])
def test_hark_stops_at_start_with_one_line_naming_the_key(fake_slack, tmp_path, command):
    import os
    import subprocess
    import sys

    _strict(fake_slack)
    config = tmp_path / "hark.yml"
    config.write_text(
        "topics:\n  - name: kubernetes\n    query: k8s\n    channel: '#kubernetes'\n"
        "  - name: ghosts\n    query: boo\n    channel: '#ghost-town'\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HARK_", "X_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=fake_slack.url,
        HARK_DB=str(tmp_path / "hark.db"),
        HARK_CONFIG=str(config),
        PORT=str(_free_port()),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    expected = (
        f"hark: config error: {config}: topics[1].channel: no channel #ghost-town that the "
        "bot can see; invite @Hark or give the channel ID"
    )
    assert done.stderr.strip().splitlines() == [expected]
    assert fake_slack.calls("chat.postMessage") == []

"""What a person typed, shown back to them, is text: never a broadcast, a mention or a link.
And "Post to channel" posts only what Hark itself wrote."""

from __future__ import annotations

import json
import logging

import pytest

from bot.blocks.digest import POST_ACTION
from bot.blocks.text import quoted
from bot.ops.logs import JsonFormatter
from tests.support import slackreq
from tests.support.harness import SECRET
from tests.support.mentions import find_mentions

HOSTILE = ["<!channel>", "&lt;!channel&gt;", "`<!here>` then <https://evil.example|login>"]


def _said(h) -> str:
    return json.dumps(h.last_response())


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize(
    "command",
    [
        "/digest {}",
        "/digest 7d {}",
        "/who-covers {}",
        "/register {}",
        "/hark {}",
        "/hark topics {}",
        "/hark topics add {} C0K8S k8s",
        "/hark topics add newt {} k8s",
        "/hark topics add newt C0K8S k8s {}",
        "/hark test {}",
        "/hark search {}",
        "/hark sources {}",
        "/hark sources pause {}",
        "/hark mutes {}",
        "/hark mutes add author",
    ],
)
def test_every_echo_is_text(harness_factory, command, text):
    h = harness_factory()
    name, _, rest = command.format(text).partition(" ")
    h.command(name, rest, user_id="U0MARKETER")
    said = _said(h)
    assert find_mentions(said) == [] and "<!" not in said and "<http" not in said


def test_quoted_cannot_be_closed_or_broadcast():
    assert quoted("<!channel>") == "`&lt;!channel&gt;`"
    assert quoted("a`<!here>`b") == "`aˋ&lt;!here&gt;ˋb`"
    assert quoted("  ") == "(nothing)"
    assert len(quoted("x" * 500, 60)) <= 62


def _post(h, value: str, user: str = "U0SME1"):
    url = h.fake.response_url(f"post-{user}")
    h.dispatch(
        slackreq.block_action(
            SECRET, POST_ACTION, value, user_id=user, channel_id="C0NOBOT", response_url=url
        )
    )
    return h.fake.last("response").args


@pytest.fixture
def h(harness_factory):
    h = harness_factory()
    # Hark is not in this channel: a post is tried and refused before any chart is drawn.
    h.fake.not_in_channel.add("C0NOBOT")
    return h


def test_post_to_channel_rebuilds_its_label_from_the_period(h):
    now = h.store.now()
    forged = {"since": now - 7 * 86400, "until": now, "label": "<!channel> <https://evil|x>"}
    answer = _post(h, json.dumps(forged))
    assert "can't be posted any more" in answer["text"]
    assert h.fake.calls("chat.postMessage") == []
    # A label that names another period than the times it carries is refused too.
    other = {"since": now - 7 * 86400, "until": now, "label": "last 30 days"}
    assert "can't be posted any more" in _post(h, json.dumps(other))["text"]
    assert h.fake.calls("chat.postMessage") == []

    honest = {"since": now - 7 * 86400, "until": now, "label": "last 7 days", "topic": "KUBERNETES"}
    _post(h, json.dumps(honest))
    [post] = h.fake.calls("chat.postMessage")
    assert post.args["text"].startswith("Digest last 7 days:")
    assert "· kubernetes" in json.dumps(post.args["blocks"], ensure_ascii=False)  # stored name


def test_logs_show_source_urls_without_credentials_or_query_values():
    url = "https://bob:s3cret@feeds.example.com/feed.xml?token=t0k3n"
    try:
        raise ConnectionError(f"could not fetch {url}")
    except ConnectionError:
        record = logging.LogRecord(
            "bot.poll.poller", logging.WARNING, __file__, 1, "source %s: %s", (3, url), None
        )
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "feeds.example.com/feed.xml" in line
    assert "s3cret" not in line and "t0k3n" not in line and "bob" not in line

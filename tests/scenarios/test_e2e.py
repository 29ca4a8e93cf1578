"""The whole loop: a served feed -> a card in the topic's channel -> Claim -> /digest."""

from __future__ import annotations

import json

from tests.support.blockkit import validate_blocks
from tests.support.feeds import pub_date, rss
from tests.support.mentions import find_mentions


def _items():
    return [
        {
            "title": "How do I debug a k8s CrashLoopBackOff?",
            "link": "https://forum.example.com/t/1?utm_source=rss&amp;utm_medium=feed",
            "guid": "t-1",
            "description": "&lt;p&gt;My &lt;b&gt;kubernetes&lt;/b&gt; pod restarts.&lt;/p&gt;",
            "pubDate": pub_date(1),
        },
        {
            "title": "We are hiring a kubernetes engineer",
            "link": "https://forum.example.com/t/2",
            "guid": "t-2",
            "pubDate": pub_date(2),
        },
        {
            "title": "Best sourdough recipe",
            "link": "https://forum.example.com/t/3",
            "guid": "t-3",
            "pubDate": pub_date(3),
        },
        {
            "title": "Our invoice is wrong again",
            "link": "https://forum.example.com/t/4",
            "guid": "t-4",
            "pubDate": pub_date(4),
        },
    ]


def test_feed_to_claim_to_digest(harness_factory, feeds):
    feeds.set("/feed.xml", rss(_items()), etag='"v1"')
    h = harness_factory([feeds.url("/feed.xml")])

    h.poll()

    posts = h.fake.calls("chat.postMessage")
    by_channel = {c.args["channel"]: c.args for c in posts}
    assert set(by_channel) == {"C0K8S", "C0BILL"}  # hiring and sourdough are not relevant
    k8s = by_channel["C0K8S"]
    buttons = next(b for b in k8s["blocks"] if b["type"] == "actions")["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Claim", "Reply", "Ignore"]
    headline = k8s["blocks"][0]["text"]["text"]
    assert "<https://forum.example.com/t/1|How do I debug a k8s CrashLoopBackOff?>" in headline
    assert "My kubernetes pod restarts." in headline  # HTML stripped, utm_* removed above
    assert "asks a question" in str(k8s["blocks"][1])
    assert validate_blocks(k8s["blocks"]) == []

    # A second poll (the server answers 304) posts nothing twice.
    h.poll()
    assert len(h.fake.calls("chat.postMessage")) == 2
    assert feeds.requests[-1].headers.get("if-none-match") == '"v1"'

    conversation = h.store.conversation(1)
    assert conversation.topic == "kubernetes" and conversation.ts

    # Claim through a signed click: the card is updated in place naming the claimer.
    response = h.click("claim", 1, user_id="U0SME1")
    assert response.status == 200
    update = h.fake.last("chat.update").args
    assert update["ts"] == conversation.ts and update["channel"] == "C0K8S"
    assert "Claimed by <@U0SME1>" in str(update["blocks"])

    # A second claimer is told, privately, who has it; the owner does not change.
    h.click("claim", 1, user_id="U0SME2")
    ephemeral = h.fake.last("chat.postEphemeral").args
    assert ephemeral["user"] == "U0SME2" and "<@U0SME1> has claimed" in ephemeral["text"]
    assert h.store.conversation(1).owner == "U0SME1"
    assert [e.action for e in h.store.engagements(1)] == ["claim"]

    # /digest shows the funnel and who claimed what.
    h.command("/digest", "7d", user_id="U0MARKETER")
    answer = h.last_response()
    text = str(answer["blocks"])
    assert "relevant *2*" in text and "posted *2*" in text and "claimed *1*" in text
    assert "<@U0SME1> — 1 claimed, 0 replied (kubernetes)" in text
    assert answer["response_type"] == "ephemeral"
    assert set(h.fake.mentions()) == {"<@U0SME1>"}  # only the claimer, named by Hark


def test_restart_does_not_repost(harness_factory, feeds, tmp_path):
    feeds.set("/feed.xml", rss(_items()))  # no validators: the full feed every time
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    assert len(h.fake.calls("chat.postMessage")) == 2
    h.store.close()
    h2 = harness_factory([feeds.url("/feed.xml")])  # same DB file: a restart
    h2.poll()
    assert len(h.fake.calls("chat.postMessage")) == 2


def test_first_poll_does_not_flood(harness_factory, feeds):
    items = _items()
    items[0]["pubDate"] = pub_date(24 * 30)  # a month old: recorded, not posted
    feeds.set("/feed.xml", rss(items))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    channels = [c.args["channel"] for c in h.fake.calls("chat.postMessage")]
    assert channels == ["C0BILL"]  # the invoice post is 4 h old, inside the 24 h backfill
    # A new item on a later poll is posted whatever its date.
    items.append(
        {
            "title": "k8s upgrade broke ingress",
            "link": "https://forum.example.com/t/9",
            "guid": "t-9",
            "pubDate": pub_date(24 * 40),
        }
    )
    feeds.set("/feed.xml", rss(items))
    h.poll()
    channels = [c.args["channel"] for c in h.fake.calls("chat.postMessage")]
    assert channels == ["C0BILL", "C0K8S"]


def test_same_link_on_two_sources_is_posted_once(harness_factory, feeds):
    item = {
        "title": "k8s networking question?",
        "link": "https://blog.example.com/p?utm_source=hn",
        "guid": "hn-1",
        "pubDate": pub_date(1),
    }
    feeds.set("/hn.xml", rss([item], title="Hacker News: k8s"))
    other = dict(item, guid="reddit-77", link="https://blog.example.com/p?utm_source=reddit")
    feeds.set("/reddit.xml", rss([other], title="r/kubernetes"))
    h = harness_factory([feeds.url("/hn.xml"), feeds.url("/reddit.xml")])
    h.poll()
    assert len(h.fake.calls("chat.postMessage")) == 1
    post_id = h.store.conversation(1).post_id
    assert sorted(h.store.post_source_labels(post_id)) == ["Hacker News: k8s", "r/kubernetes"]
    # the card names each feed by its title, not its URL (it showed http://…/hn.xml)
    card = json.dumps(h.fake.last("chat.postMessage").args["blocks"])
    assert "Hacker News: k8s" in card and "hn.xml" not in card


def test_hostile_feed_text_never_mentions_or_breaks_blocks(harness_factory, feeds):
    evil = "&lt;!channel&gt; &lt;!here&gt; &lt;@U0MARKETER&gt; &lt;!subteam^S123&gt; kubernetes"
    items = [
        {
            "title": f"{evil} " + "x" * 5000,
            "link": "https://e.example.com/a?x=1&amp;y=&gt;|",
            "guid": "evil-1",
            "description": evil * 300,
            "author": evil,
            "pubDate": pub_date(1),
        },
        {
            "title": "k8s \u202eevil\u202c *bold* _it_ ~s~ `code` &amp;amp;",
            "guid": "evil-2",
            "link": "javascript:alert(1)",
            "pubDate": pub_date(1),
        },
    ]
    feeds.set("/evil.xml", rss(items))
    h = harness_factory([feeds.url("/evil.xml")])
    h.poll()
    posts = h.fake.calls("chat.postMessage")
    assert len(posts) == 2
    for call in posts:
        assert call.response["ok"], call.response
        assert validate_blocks(call.args["blocks"]) == []
    assert h.fake.mentions(strict=True) == []
    for text in h.fake.sent_text():
        assert find_mentions(text) == []
        assert "\u202e" not in text
        assert "javascript:" not in text.split("|")[0]

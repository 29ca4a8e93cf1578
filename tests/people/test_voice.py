"""Employee voice: a registered blog is read, its on-topic posts counted, never posted."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.people.voice import feed_link_in_html, voice_feed_url
from tests.support.feeds import rss
from tests.support.registration_form import submit_form


def _ago(days: float) -> str:
    return format_datetime(datetime.now(UTC) - timedelta(days=days))


BLOG = [
    {"title": "Acme Cloud made our deploys boring", "link": "https://sam.dev/1", "pubDate": _ago(2)},
    {"title": "Debugging k8s networking", "link": "https://sam.dev/2", "pubDate": _ago(1)},
    {"title": "Sourdough, again", "link": "https://sam.dev/3", "pubDate": _ago(1)},
    {"title": "Acme retrospective", "link": "https://sam.dev/4", "pubDate": _ago(60)},
    {"title": "Tips", "description": "What I learned running Acme", "link": "https://sam.dev/5"},
]  # fmt: skip


@pytest.mark.parametrize(
    ("network", "handle", "url"),
    [
        ("blog", "https://sam.dev/feed.xml", "https://sam.dev/feed.xml"),
        ("mastodon", "@sam@hachyderm.io", "https://hachyderm.io/@sam.rss"),
        ("bluesky", "sam.bsky.social", "https://bsky.app/profile/sam.bsky.social/rss"),
        ("x", "@sam", None),  # no public feed; the X API is a documented gap
        ("github", "sam", None),
    ],
)
def test_feed_url_per_network(network, handle, url):
    assert voice_feed_url(network, handle) == url


def test_feed_link_in_a_blog_page():
    page = b"""<html><head><link rel="stylesheet" href="/s.css">
      <link rel="alternate" type="application/atom+xml" title="Sam" href="/atom.xml"></head></html>"""
    assert feed_link_in_html(page, "https://sam.dev/blog/") == "https://sam.dev/atom.xml"
    assert feed_link_in_html(b"<html><head></head></html>", "https://sam.dev/") is None
    evil = b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
    assert feed_link_in_html(evil, "https://sam.dev/") is None


def test_blog_posts_about_the_company_or_a_topic_are_counted_never_posted(harness_factory, feeds):
    feeds.set("/sam.xml", rss(BLOG), etag='"v1"')
    h = harness_factory()
    submit_form(h, {"blog": feeds.url("/sam.xml")})

    h.services.poll_and_deliver()

    posts = {r.link: r for r in h.store.recent_employee_posts("U0SME1")}
    assert set(posts) == {"https://sam.dev/1", "https://sam.dev/2", "https://sam.dev/5"}
    assert posts["https://sam.dev/1"].mentions_company == 1
    assert (
        posts["https://sam.dev/2"].topics,
        posts["https://sam.dev/2"].mentions_company,
    ) == ("kubernetes", 0)
    assert posts["https://sam.dev/5"].published_at is None  # undated: counted when seen
    # Never posted: the only message is the registration receipt to Sam.
    assert [c.args["channel"] for c in h.fake.calls("chat.postMessage")] == ["U0SME1"]
    assert h.store.conn.execute("SELECT count(*) FROM conversations").fetchone()[0] == 0

    now = h.store.now()
    reach = h.store.employee_reach(now - 7 * 86400, now + 1)
    assert [asdict(r) for r in reach] == [
        {"user_id": "U0SME1", "posts": 3, "company_mentions": 2, "on_topic": 1}
    ]
    assert h.store.employee_reach(now - 30 * 86400, now - 7 * 86400) == []

    h.command("/register", "show")
    assert "counted as the company's reach: 3" in str(h.last_response()["blocks"])

    # Not due again for an hour; then a conditional GET, and nothing is counted twice.
    asked = len(feeds.requests)
    h.services.poll_and_deliver()
    assert len(feeds.requests) == asked
    h.store.clock = lambda: time.time() + 2 * 3600
    h.services.poll_and_deliver()
    assert feeds.requests[-1].headers.get("if-none-match") == '"v1"'
    assert len(h.store.recent_employee_posts("U0SME1")) == 3


def test_a_blog_home_page_leads_to_its_feed(harness_factory, feeds):
    feeds.set(
        "/blog/",
        b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" '
        b'href="feed.xml"></head><body>Sam</body></html>',
        content_type="text/html",
    )
    feeds.set("/blog/feed.xml", rss(BLOG[:1]))
    h = harness_factory()
    submit_form(h, {"blog": feeds.url("/blog/")})
    h.services.poll_and_deliver()
    assert [r.link for r in h.store.recent_employee_posts("U0SME1")] == ["https://sam.dev/1"]
    assert h.store.voice_feed("U0SME1", "blog").url == feeds.url("/blog/feed.xml")


def test_a_failing_feed_backs_off_quietly(harness_factory, feeds):
    feeds.set("/gone.xml", b"not here", status=404)
    feeds.set("/html.xml", b"<html><body>no feed link</body></html>", content_type="text/html")
    h = harness_factory()
    submit_form(h, {"blog": feeds.url("/gone.xml")}, user_id="U0SME1")
    submit_form(h, {"blog": feeds.url("/html.xml")}, user_id="U0SME2")
    h.services.poll_and_deliver()
    now = h.store.now()
    gone, html = h.store.voice_feed("U0SME1", "blog"), h.store.voice_feed("U0SME2", "blog")
    assert "404" in gone.last_error and gone.failures == 1
    assert gone.next_check_at >= now + 86000  # a 404 will not heal within the hour
    assert "HTML" in html.last_error and html.next_check_at > now + 3600
    assert [c.args["channel"] for c in h.fake.calls("chat.postMessage")] == ["U0SME1", "U0SME2"]


def test_posts_of_someone_erased_meanwhile_are_not_recorded(harness_factory):
    h = harness_factory()
    recorded = h.store.record_employee_post(
        "U0GONE", "blog", link="https://x.example/1", title="Acme", published_at=None,
        mentions_company=True, topics=[],
    )  # fmt: skip
    assert recorded is False

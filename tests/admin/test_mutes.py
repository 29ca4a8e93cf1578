"""/hark mutes: muted authors, sites and phrases never reach a channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from bot.match.engine import Document
from tests.support.feeds import rss

ADMIN = "U0MARKETER"


def _item(n: int, title: str, link: str, author: str = "") -> dict[str, str]:
    item = {
        "title": title,
        "link": link,
        "guid": str(n),
        "pubDate": format_datetime(datetime.now(UTC) - timedelta(hours=1)),
    }
    if author:
        item["author"] = author
    return item


def test_muted_author_site_and_phrase_are_not_posted(harness_factory, feeds):
    feeds.set("/feed.xml", rss([_item(0, "old", "https://a.example/0")]))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()  # seed
    for text, said in (
        ("mutes add author @SpamBot", "Muted the author *SpamBot*: their posts no longer"),
        ("mutes add site https://Ads.Example", "Muted the site *ads.example*: posts from that"),
        ('mutes add phrase "free trial"', "Muted the phrase *free trial*: posts with that phrase"),
    ):
        h.command("/hark", text, user_id=ADMIN)
        assert said in h.answer_text() and "its posts" not in h.answer_text()
    h.command("/hark", "mutes", user_id="U0SME1")
    listing = h.answer_text()
    assert "author: *SpamBot*" in listing and "site: *ads.example*" in listing
    assert "phrase: *free trial*" in listing

    feeds.set(
        "/feed.xml",
        rss(
            [
                _item(1, "kubernetes tips", "https://a.example/1", author="spambot"),
                _item(2, "kubernetes news", "https://blog.ads.example/2"),
                _item(3, "kubernetes FREE Trial inside", "https://a.example/3"),
                _item(4, "kubernetes question?", "https://notads.example/4"),
            ]
        ),
    )
    h.poll()
    (posted,) = h.fake.calls("chat.postMessage")
    assert "kubernetes question?" in str(posted.args["blocks"])


def test_unmute_takes_effect_at_once_and_ignore_mutes_are_seen_too(harness_factory):
    h = harness_factory()
    doc = Document("kubernetes free trial", "", author="x", site="b.example")
    relevance = h.services.relevance
    assert relevance.evaluate(doc, metrics={}, age_hours=1)
    h.command("/hark", "mutes add phrase free trial", user_id=ADMIN)
    assert relevance.evaluate(doc, metrics={}, age_hours=1) == []
    h.command("/hark", "mutes remove phrase FREE TRIAL", user_id=ADMIN)
    assert "Unmuted the " in h.answer_text()
    assert relevance.evaluate(doc, metrics={}, age_hours=1)
    # A mute recorded by Ignore (the engagement store) is picked up the same way.
    h.store.add_mute("site", "example", "U0SME1")
    assert relevance.evaluate(doc, metrics={}, age_hours=1) == []


def test_mute_mistakes_and_permissions(harness_factory):
    h = harness_factory()
    h.command("/hark", "mutes add author bob", user_id="U0SME1")
    assert "Only Hark admins" in h.answer_text() and h.store.mutes() == []
    h.command("/hark", "mutes add colour red", user_id=ADMIN)
    assert "`colour` isn't something Hark mutes" in h.answer_text()
    assert "an `author`, a `site` or a `phrase`" in h.answer_text()
    h.command("/hark", "mutes add site", user_id=ADMIN)
    assert "Say which site to mute" in h.answer_text()

    h.command("/hark", "mutes add site not a site", user_id=ADMIN)
    assert "isn't a site" in h.answer_text()
    h.command("/hark", "mutes add phrase !!!", user_id=ADMIN)
    assert "isn't a phrase" in h.answer_text()
    h.command("/hark", "mutes remove author nobody", user_id=ADMIN)
    assert "isn't muted" in h.answer_text()
    h.command("/hark", "mutes add author <!channel>", user_id=ADMIN)
    h.command("/hark", "mutes add author <!channel>", user_id=ADMIN)
    assert "already muted" in h.answer_text() and "<!channel>" not in h.answer_text()
    h.command("/hark", "mutes frobnicate", user_id=ADMIN)
    assert "isn't a mutes command" in h.answer_text()

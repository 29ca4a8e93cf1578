"""One poll over many hostile sources at once, plus one good one.

Each hostile source either fails alone, with a health entry that says why, or
is read safely; the good source's post reaches Slack; nothing from a feed
reaches Slack unescaped; and the poll ends in bounded time even though one
server trickles and another offers a gigabyte.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from tests.support.blockkit import validate_blocks
from tests.support.feeds import rss
from tests.support.harness import use_fetcher
from tests.support.mentions import find_mentions

FIXTURES = Path(__file__).parents[1] / "fixtures" / "feeds"
RECENT = format_datetime(datetime.now(UTC) - timedelta(hours=1))
OLD = format_datetime(datetime.now(UTC) - timedelta(days=400))

# Sources that must fail, each with the words its health entry must hold.
FAILING = {
    "bomb": "possible entity-expansion bomb",
    "xxe": "external entity declarations are refused",
    "gigabyte": "sent more than the 10,485,760-byte limit; stopped reading",
    "trickle": "took longer than 1.5 s in total; gave up",
    "utf7": "documents in UTF-7 or EBCDIC encodings are not accepted",
    "loop": "redirects in a loop",
    "private": "10.0.0.1 is a private address; add 10.0.0.1 to network.allow_hosts",
    "metadata": "169.254.169.254 is a cloud-metadata address",
    "html": "not a feed (looks like HTML)",
    "rebind": "rebind.test resolves to a loopback address (127.0.0.1)",
}
# Sources that must be read, safely.
READ = ("badbytes", "nul", "tenthousand", "giant", "rtl", "markup", "good")


def _serve_everything(feeds) -> dict[str, str]:
    """Serve every case; each source gets its own host name (all resolve to this machine)."""

    def fixture(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    feeds.set("/bomb", fixture("billion_laughs.xml"))
    feeds.set("/xxe", fixture("xxe_file.xml"))
    feeds.huge("/gigabyte", 1 << 30)
    feeds.trickle("/trickle", bytes_per_second=4)
    feeds.set("/utf7", b'<?xml version="1.0" encoding="UTF-7"?>+ADw-rss+AD4-')
    feeds.redirect("/loop", "/loop-back")
    feeds.redirect("/loop-back", "/loop")
    feeds.redirect("/private", "http://10.0.0.1/feed")
    feeds.redirect("/metadata", "http://169.254.169.254/latest/meta-data/")
    feeds.set("/html", fixture("not_a_feed.html"), content_type="text/html")
    feeds.set("/rebind", rss([{"title": "never fetched", "link": "https://x.example/"}]))
    feeds.set("/badbytes", fixture("invalid_utf8.xml"))
    feeds.set("/nul", fixture("nul_and_control_bytes.xml"))
    feeds.set(
        "/tenthousand",
        rss(
            [
                {"title": f"Entry {n}", "link": f"https://many.example/{n}", "pubDate": OLD}
                for n in range(10_000)
            ]
        ),
    )
    feeds.set(
        "/giant",
        rss(
            [
                {
                    "title": "kubernetes " + "A" * 200_000,
                    "link": "https://g.example/1",
                    "pubDate": RECENT,
                }
            ]
        ),
    )
    feeds.set(
        "/rtl",
        rss(
            [
                {
                    "title": "k8s invoice_\u202efdp.exe",
                    "link": "https://r.example/1",
                    "description": "\u2066hello\u2069 \u202bworld\u202c",
                    "pubDate": RECENT,
                }
            ]
        ),
    )
    feeds.set(
        "/markup",
        rss(
            [
                {
                    "title": "kubernetes &lt;!channel&gt; &lt;@U0MARKETER&gt; &lt;!here|here&gt;",
                    "link": "https://m.example/1?a=1&amp;b=&gt;|x",
                    "description": "&lt;!subteam^S1&gt; &amp;lt;@U0SME1&amp;gt; &lt;script&gt;x",
                    "author": "&lt;!everyone&gt;",
                    "pubDate": RECENT,
                }
            ]
        ),
    )
    feeds.set(
        "/good",
        rss(
            [
                {
                    "title": "How do I debug a k8s CrashLoopBackOff?",
                    "link": "https://forum.example.com/t/1",
                    "pubDate": RECENT,
                }
            ]
        ),
    )
    names = [*FAILING, *READ]
    return {name: feeds.url(f"/{name}", host=f"{name}.test") for name in names}


def test_one_poll_over_hostile_sources(harness_factory, feeds):
    urls = _serve_everything(feeds)
    h = harness_factory(list(urls.values()))
    use_fetcher(
        h,
        allow_hosts={f"{name}.test" for name in urls if name != "rebind"},
        resolver=lambda host, port: ["127.0.0.1"],
        connect_timeout=1.0,
        read_timeout=1.0,
        total_timeout=1.5,
    )

    started = time.monotonic()
    h.poll()
    # Not a speed figure: proof that the trickle and the gigabyte could not hold it up.
    assert time.monotonic() - started < 15

    health = {row.target: row for row in h.store.sources()}
    for name, words in FAILING.items():
        row = health[urls[name]]
        assert row.consecutive_failures == 1, name
        assert words in row.last_error, (name, row.last_error)
    for name in READ:
        row = health[urls[name]]
        assert (row.consecutive_failures, row.last_error) == (0, None), name
        assert row.last_success_at, name
    assert feeds.streamed_bytes < 64 << 20  # Hark hung up on the gigabyte at its cap
    assert (
        h.store.one("SELECT count(*) AS n FROM posts WHERE link LIKE 'https://many%'")["n"]
        == 10_000
    )

    posts = h.fake.calls("chat.postMessage")
    cards = {c.args["blocks"][0]["text"]["text"].lstrip("*").split("|", 1)[0]: c for c in posts}
    assert set(cards) == {
        "<https://forum.example.com/t/1",
        "<https://g.example/1",
        "<https://r.example/1",
        "<https://m.example/1?a=1&amp;b=%3E%7Cx",
    }
    assert "How do I debug a k8s CrashLoopBackOff?" in str(
        cards["<https://forum.example.com/t/1"].args["blocks"]
    )
    for call in posts:
        assert call.response["ok"], call.response
        assert validate_blocks(call.args["blocks"]) == []
    assert h.fake.mentions(strict=True) == []
    for text in h.fake.sent_text():
        assert find_mentions(text) == []
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    markup = cards["<https://m.example/1?a=1&amp;b=%3E%7Cx"].args
    assert "&lt;!channel&gt;" in str(markup)

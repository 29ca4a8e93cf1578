"""/hark sources: the listing with health, and add / remove / pause / resume for admins."""

from __future__ import annotations

from tests.support.feeds import pub_date, rss
from tests.support.harness import use_fetcher

ADMIN = "U0MARKETER"


def _feed() -> bytes:
    return rss(
        [
            {
                "title": "k8s pods keep restarting",
                "link": "https://f.example/1",
                "guid": "1",
                "pubDate": pub_date(2),
            },
            {
                "title": "kubernetes in 2019",
                "link": "https://f.example/2",
                "guid": "2",
                "pubDate": pub_date(24 * 400),
            },
        ]
    )


def test_add_polls_once_records_the_backlog_and_posts_only_recent_matches(harness_factory, feeds):
    feeds.set("/feed.xml", _feed())
    h = harness_factory()
    h.command("/hark", f"sources add url {feeds.url('/feed.xml')} 30m", user_id=ADMIN)
    answer = h.answer_text()
    assert "Added source `1`" in answer and "every 30 min" in answer
    assert "First check worked: 2 posts recorded" in answer
    assert "(1 posts)" not in answer and "1 posts" not in answer
    assert "1 from the last 24 h match a topic and will be posted" in answer
    (row,) = h.store.sources()
    assert (row.every_seconds, row.seeded, row.from_config) == (1800, 1, 0)
    assert row.last_success_at and feeds.paths() == ["/feed.xml"]
    h.services.publisher.deliver()
    (posted,) = h.fake.calls("chat.postMessage")
    assert "k8s pods keep restarting" in str(posted.args["blocks"])


def test_add_accepts_short_forms_and_keeps_a_source_whose_first_check_fails(harness_factory):
    h = harness_factory()
    # Every name resolves to this machine, where nothing answers on 443: no internet needed.
    use_fetcher(h, allow_hosts={"hnrss.org"}, resolver=lambda host, port: ["127.0.0.1"])
    h.command("/hark", 'sources add hn "kubernetes operator" 2h', user_id=ADMIN)
    answer = h.answer_text()
    assert "Added source `1`: HN “kubernetes operator”, checked every 2 h" in answer
    assert "Its first check failed: could not connect to https://hnrss.org/newest?…" in answer
    assert "Errno" not in answer

    assert "`/hark sources remove 1` removes it" in answer
    (row,) = h.store.sources()
    assert row.target == "https://hnrss.org/newest?q=kubernetes+operator"
    assert row.consecutive_failures == 1 and row.enabled
    h.command("/hark", "sources add hn:kubernetes operator", user_id=ADMIN)
    assert "already there as source `1`" in h.answer_text()


def test_add_explains_a_badly_written_source(harness_factory):
    h = harness_factory()
    cases = {
        "sources add": "`add` needs a kind and a value",
        "sources add youtube <!channel>": "is not a YouTube channel id",
        "sources add frob x": "“frob” is not a kind of source Hark knows; use one of: url, reddit",
        "sources add reddit r/devops 30s": "at least 1m",
        "sources add url ftp://example.com/feed": "is not an http(s) URL",
    }
    for text, problem in cases.items():
        h.command("/hark", text, user_id=ADMIN)
        answer = h.answer_text()
        assert problem in answer, (text, answer)
        assert "Write it as `/hark sources add &lt;kind&gt; &lt;value&gt; [every]`" in answer
    assert "<!channel>" not in str(h.fake.sent_text())
    assert h.store.sources() == []


def test_changing_sources_is_for_admins_but_anyone_may_list(harness_factory, feeds):
    h = harness_factory([feeds.url("/feed.xml")])
    h.command("/hark", "sources pause 1", user_id="U0SME1")
    answer = h.answer_text()
    assert "Only Hark admins" in answer and "<@U0MARKETER>" in answer
    assert h.store.source(1).enabled == 1
    h.command("/hark", "sources", user_id="U0SME1")
    assert "*Sources* — 1 in all, 0 failing" in h.answer_text()


def test_pause_resume_remove_and_their_mistakes(harness_factory, feeds):
    feeds.set("/feed.xml", _feed())
    h = harness_factory([feeds.url("/config.xml")])
    h.command("/hark", f"sources add {feeds.url('/feed.xml')}", user_id=ADMIN)
    added = h.store.source_by_target("feed", feeds.url("/feed.xml")).id

    h.command("/hark", f"sources pause {added}", user_id=ADMIN)
    assert f"Paused source `{added}`" in h.answer_text()
    assert not h.store.source(added).enabled
    h.command("/hark", f"sources pause {added}", user_id=ADMIN)
    assert "already paused" in h.answer_text()
    h.command("/hark", "sources", user_id=ADMIN)
    assert f":double_vertical_bar: paused (`/hark sources resume {added}`)" in h.answer_text()
    h.command("/hark", f"sources resume {added}", user_id=ADMIN)
    assert f"Resumed source `{added}`" in h.answer_text()
    assert h.store.source(added).enabled and h.store.source(added).next_check_at == 0

    h.command("/hark", "sources remove 1", user_id=ADMIN)  # from the config file
    assert "is listed in the config file" in h.answer_text() and h.store.source(1)
    h.command("/hark", f"sources remove {added}", user_id=ADMIN)
    assert f"Removed source `{added}`" in h.answer_text() and h.store.source(added) is None

    mistakes = {
        "sources remove 77": "There is no source 77; `/hark sources` lists them.",
        "sources pause seven": "`seven` is not a source number",
        "sources resume": "Write `/hark sources resume &lt;id&gt;` with one source number",
        "sources frob 1": "`/hark sources frob` isn't a sources command",
    }
    for text, problem in mistakes.items():
        h.command("/hark", text, user_id=ADMIN)
        assert problem in h.answer_text(), text


def test_listing_shows_health_failing_first(harness_factory, feeds):
    feeds.set("/ok.xml", _feed())
    feeds.set("/broken.xml", b"", status=503)
    h = harness_factory([feeds.url("/ok.xml"), feeds.url("/broken.xml")])
    start = h.store.now()
    h.store.clock = lambda: start
    h.poll()
    h.store.clock = lambda: start + 3 * 3600
    h.poll()
    h.command("/hark", "sources", user_id=ADMIN)
    answer = h.answer_text()
    assert "*Sources* — 2 in all, 1 failing" in answer
    # a feed that answered is named by its own title; one that never did, by its URL
    broken, ok = answer.index("broken.xml"), answer.index("Test feed")
    assert "ok.xml" not in answer
    assert broken < ok  # failing sources come first
    assert ":red_circle: failing for 3 h (2 tries)" in answer

    assert "answered 503 Service Unavailable: the server is having trouble" in answer
    assert "next check in" in answer
    assert ":large_green_circle: ok 0 s ago · every 10 min · next check in" in answer


def test_listing_says_one_try_and_an_os_error_in_plain_words(harness_factory, feeds):
    h = harness_factory([feeds.url("/gone.xml")])
    source = h.store.sources()[0]
    h.store.record_poll_failure(
        source.id, "could not resolve host hnrss.org ([Errno -2] Name or service not known)"
    )
    h.command("/hark", "sources", user_id=ADMIN)
    answer = h.answer_text()
    assert "(1 try): could not resolve host hnrss.org: the name does not exist" in answer
    assert "Errno" not in answer and "1 tries" not in answer


def test_listing_escapes_labels_and_fits_many_sources(harness_factory, feeds):

    urls = [feeds.url(f"/{i}.xml?q=<!channel>") for i in range(70)]
    h = harness_factory(urls)
    h.command("/hark", "sources", user_id=ADMIN)
    answer = h.answer_text()
    assert "…and 30 more not shown." in answer
    assert "&lt;!channel&gt;" in answer and h.fake.mentions(strict=True) == []


def test_a_source_named_instead_of_numbered_is_answered_with_the_closest(harness_factory, feeds):
    """Topics and periods suggest the closest name; a source named by its title did not."""
    feeds.set("/forum.xml", rss([], title="Dev Forum"))
    h = harness_factory([feeds.url("/forum.xml")])
    h.poll()
    h.command("/hark", "sources pause devforum", user_id=ADMIN)
    answer = h.answer_text()
    assert "`devforum` is not a source number. Did you mean source `1` (Dev Forum)?" in answer
    assert "`/hark sources pause 1`" in answer and h.store.source(1).enabled

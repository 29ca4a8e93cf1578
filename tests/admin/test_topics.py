"""/hark topics add|edit|remove|list and /hark test, through signed commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.feeds import pub_date, rss

ADMIN = "U0MARKETER"


def _items():
    return [
        {
            "title": "Postgres vacuum is stuck, any advice?",
            "link": "https://db.example.com/t/1",
            "guid": "1",
            "pubDate": pub_date(1),
        },
        {
            "title": "Is there a good alternative to the billing portal?",
            "link": "https://db.example.com/t/2",
            "guid": "2",
            "pubDate": pub_date(2),
        },
        {
            "title": "postgres tuning for beginners",
            "link": "https://db.example.com/t/3",
            "guid": "3",
            "description": "a long guide about vacuum settings",
            "pubDate": pub_date(3),
        },
    ]


def test_added_topic_routes_new_posts_without_a_restart(harness_factory, feeds):
    feeds.set("/feed.xml", rss(_items()[:1]))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()  # first poll: seeds, and only the billing/k8s topics exist
    assert h.fake.calls("chat.postMessage") == []

    h.command(
        "/hark",
        'topics add databases <#C0DB|db> postgres "vacuum settings" OR pgbouncer',
        user_id=ADMIN,
    )
    answer = h.answer_text()
    assert "Added topic *databases*" in answer and "<#C0DB>" in answer
    row = h.store.topic_by_name("databases")
    assert (row.channel, row.from_config) == ("C0DB", 0)
    assert row.query == 'postgres "vacuum settings" OR pgbouncer'

    feeds.set("/feed.xml", rss(_items()))
    h.poll()
    channels = sorted(c.args["channel"] for c in h.fake.calls("chat.postMessage"))
    assert channels == ["C0BILL", "C0DB"]  # post 1 was seen (and seeded) before the topic
    (db_post,) = [c for c in h.fake.calls("chat.postMessage") if c.args["channel"] == "C0DB"]
    assert "tuning for beginners" in str(db_post.args["blocks"])

    h.command("/hark", "topics list", user_id="U0SME1")
    listing = h.answer_text()
    assert "databases" in listing and "kubernetes" in listing


def test_bad_query_is_refused_with_the_caret_and_nothing_is_saved(harness_factory):
    h = harness_factory()
    h.command("/hark", "topics add broken C0X kubernetes AND (k8s OR", user_id=ADMIN)
    answer = h.answer_text()
    assert ":warning: That query can't be used" in answer and "```" in answer and "^" in answer
    assert h.store.topic_by_name("broken") is None
    h.command("/hark", "topics add spam C0X <!channel> OR x", user_id=ADMIN)
    answer = h.answer_text()
    assert "<!channel>" not in answer  # escaped in the error, never a live mention


def test_edit_and_remove_change_matching_and_say_when_the_config_wins(harness_factory):
    h = harness_factory()
    version = h.store.topics_version()
    h.command("/hark", 'topics edit kubernetes "helm chart"', user_id=ADMIN)
    assert "now matches" in h.answer_text() and "next restart" in h.answer_text()
    assert h.store.topics_version() > version
    matcher, _ = h.services.relevance.matcher()
    from bot.match.engine import Document

    assert [m.topic for m in matcher.match(Document("my helm chart broke", ""))] == ["kubernetes"]
    h.command("/hark", "topics remove billing", user_id=ADMIN)
    assert "Removed topic *billing*" in h.answer_text()
    assert [r.name for r in h.store.topics()] == ["kubernetes"]
    h.command("/hark", "topics remove billing", user_id=ADMIN)
    assert "There is no topic *billing*" in h.answer_text()
    h.command("/hark", "topics edit kubernetes (oops", user_id=ADMIN)
    assert "can't be used" in h.answer_text()
    assert h.store.topic_by_name("kubernetes").query == '"helm chart"'


def test_usage_mistakes_are_explained(harness_factory):
    h = harness_factory()
    h.command("/hark", "topics add lonely", user_id=ADMIN)
    assert "Name, channel and query are all needed" in h.answer_text()
    h.command("/hark", "topics add dbs general postgres", user_id=ADMIN)
    assert "isn't a channel" in h.answer_text()
    h.command("/hark", "topics add kubernetes C0K8S docker", user_id=ADMIN)
    assert "already a topic" in h.answer_text()
    h.command("/hark", "topics rename x", user_id=ADMIN)
    assert "isn't a topics command" in h.answer_text()


def test_non_admins_may_list_but_not_change(harness_factory):
    h = harness_factory()
    for text in (
        "topics add dbs C0DB postgres",
        "topics edit kubernetes x",
        "topics remove billing",
    ):
        h.command("/hark", text, user_id="U0SME1")
        assert "Only Hark admins" in h.answer_text()
    assert len(h.store.topics()) == 2 and h.store.topic_by_name("dbs") is None


def test_test_counts_recent_matches_and_shows_the_best_five_saving_nothing(harness_factory, feeds):
    feeds.set("/feed.xml", rss(_items()))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    version = h.store.topics_version()
    h.command("/hark", "test postgres OR vacuum", user_id="U0SME1")
    answer = h.answer_text()
    assert "would match *2* of 3 posts" in answer and "Nothing was saved" in answer
    # The question ranks above the guide.
    assert answer.index("vacuum is stuck") < answer.index("tuning for beginners")
    assert "asks a question" in answer
    assert h.store.topics_version() == version and len(h.store.topics()) == 2

    # Posts older than 30 days are not counted.
    now = h.store.now()
    h.store.clock = lambda: now + 31 * 86400
    h.command("/hark", "test postgres", user_id="U0SME1")
    assert "would match *0* of 0 posts" in h.answer_text()

    h.command("/hark", 'test "unclosed phrase', user_id="U0SME1")
    assert "Unbalanced quotes" in h.answer_text()
    h.command("/hark", "test NOT postgres", user_id="U0SME1")
    assert "can't be used" in h.answer_text() and "^" in h.answer_text()
    h.command("/hark", "test", user_id="U0SME1")
    assert "Give a query to try" in h.answer_text()


def test_an_unknown_topic_name_is_answered_with_the_closest_one(harness_factory):
    h = harness_factory()
    h.command("/hark", "topics remove kubernets", user_id=ADMIN)
    assert "There is no topic *kubernets*. Did you mean *kubernetes*?" in h.answer_text()
    h.command("/hark", "topics edit zzz k8s", user_id=ADMIN)
    answer = h.answer_text()
    assert "There is no topic *zzz*" in answer and "Did you mean" not in answer


def test_test_and_search_date_posts_as_their_source_did(harness_factory, feeds):
    """A post written 2025-10-26 and stored by a first poll on 2026-11-30 (held back as older
    than the backfill window) was shown as "Nov 30" and counted by /hark test."""
    old = {
        "title": "Postgres vacuum notes from last year",
        "link": "https://db.example.com/t/9",
        "guid": "9",
        "pubDate": pub_date(400 * 24),
    }
    feeds.set("/feed.xml", rss([*_items(), old]))
    h = harness_factory([feeds.url("/feed.xml")])
    h.poll()
    h.command("/hark", "test postgres OR vacuum", user_id="U0SME1")
    answer = h.answer_text()
    assert "would match *2* of 3 posts" in answer
    assert "last year" not in answer
    h.command("/hark", "search vacuum notes", user_id="U0SME1")
    answer = h.answer_text()
    written = datetime.now(UTC) - timedelta(days=400)
    assert f"{written:%b %d, %Y}" in answer, answer


def test_a_mistyped_word_is_answered_with_the_closest_topic_word(harness_factory):
    h = harness_factory()
    h.command("/hark", "test kuberntes", user_id="U0SME1")
    assert "would match *0*" in h.answer_text() and "Did you mean `kubernetes`?" in h.answer_text()
    h.command("/hark", "topics edit kuberntes k8s", user_id=ADMIN)
    assert "There is no topic *kuberntes*. Did you mean *kubernetes*?" in h.answer_text()


def test_adding_a_topic_in_a_channel_without_the_bot_warns(harness_factory, fake_slack):
    h = harness_factory()
    fake_slack.not_in_channel.add("C0DB")
    h.command("/hark", "topics add databases <#C0DB|db> postgres", user_id=ADMIN)
    answer = h.answer_text()
    assert "Added topic *databases*" in answer
    assert ":warning: Hark is not in <#C0DB> yet" in answer
    assert "`/invite @Hark` in <#C0DB>" in answer
    h.command("/hark", "topics add k8s2 <#C0K8S|k8s> k8s", user_id=ADMIN)
    assert "Added topic *k8s2*" in h.answer_text() and ":warning:" not in h.answer_text()

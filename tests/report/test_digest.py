"""/digest: every number against a store built from known events, computed by hand.

The world is tests/support/digest_world.py: two weeks of conversations in three topics. The
current week [W, NOW) and the week before [T0, W) are the "7d" period and its
previous period at NOW; older history feeds the "gone quiet" list.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.blocks.digest import POST_ACTION, digest_message
from bot.report.digest import build_digest, percentile
from bot.report.periods import Period, PeriodError, parse_period
from tests.support import slackreq
from tests.support.blockkit import MSG_BLOCKS_MAX_CHARS, blocks_json_chars, validate_blocks
from tests.support.digest_world import CONFIG, DAY, MIN, NOW, T0, W, World, build_world, digest
from tests.support.harness import SECRET
from tests.support.mentions import find_mentions


@pytest.fixture
def world(harness_factory) -> World:
    return build_world(harness_factory(config=CONFIG))


def test_funnel_and_speed_for_the_last_7_days(world):
    d = digest(world)
    f = d.funnel
    assert (f.heard, f.relevant, f.posted, f.claimed) == (11, 9, 8, 5)
    assert (f.replied, f.verified, f.self_reported) == (3, 1, 2)
    assert f.ignored == 2 and dict(f.ignored_by_reason) == {"spam or bot": 1, "off-topic": 1}
    assert (f.open, f.in_progress) == (2, 1)
    # Claims after 10, 20, 30, 40 and 5 minutes; replies after 60, 120 and 50.
    s = d.speed
    assert (s.claims, s.replies) == (5, 3)
    assert s.claim_p50 == 20 * MIN
    assert s.claim_p90 == pytest.approx(36 * MIN)  # 30 + 0.6 * (40 - 30)
    assert s.reply_p50 == 60 * MIN
    assert s.reply_p90 == pytest.approx(108 * MIN)  # 60 + 0.8 * (120 - 60)


def test_topics_volume_reply_rate_and_trend(world):
    lines = {t.name: t for t in digest(world).topics}
    k, b = lines["kubernetes"], lines["billing"]
    assert (k.posted, k.replied, k.reply_rate, k.median_reply) == (4, 2, 0.5, 90 * MIN)
    assert (k.previous_posted, k.trend) == (2, 1.0)  # 2 -> 4: +100 %
    assert (b.posted, b.replied, b.reply_rate, b.median_reply) == (4, 1, 0.25, 50 * MIN)
    assert (b.previous_posted, b.trend) == (5, pytest.approx(-0.2))
    assert "pricing" not in lines  # nothing in either period


def test_people_uncovered_voices_reach_and_backlog(world):
    d = digest(world)
    assert [(p.user_id, p.claims, p.replies, p.verified, p.topics) for p in d.people] == [
        ("U0AAA", 2, 2, 1, ("kubernetes",)),
        ("U0CCC", 2, 1, 0, ("billing",)),
        ("U0BBB", 1, 0, 0, ("kubernetes",)),
    ]
    assert [(c.name, c.n) for c in d.uncovered] == [("pricing", 0)]
    # The employee's own post (@sme_aaa) is not an outside voice; erin's post counts
    # (relevant, though held back).
    assert [(c.name, c.n) for c in d.authors] == [
        ("alice", 3),
        ("@bob (Bob)", 2),
        ("carol", 1),
        ("dave", 1),
        ("erin", 1),
    ]
    assert digest(world).authors == d.authors  # the second time from the stored days
    assert [(c.name, c.n) for c in d.sites] == [
        ("forum.example.com", 7),
        ("news.ycombinator.com", 2),
    ]
    # Reach counts posted conversations only: erin's 99,999 followers were never posted.
    assert [(c.title, c.score) for c in d.reach] == [
        ("Post 9", 1000),
        ("Post 8", 15),
        ("Post 11", 3),
    ]
    assert [(c.title, c.topic, c.score) for c in d.backlog] == [
        ("Post 11", "kubernetes", 0.9),
        ("Post 14", "billing", 0.5),
    ]
    assert d.backlog[0].waiting == NOW - (W + 3 * DAY)


def test_share_of_attention_against_the_previous_period(world):
    shares = {a.entity: a for a in digest(world).attention}
    acme, globex, initech = shares["Acme"], shares["Globex"], shares["Initech"]
    # This week: Acme in 4 posts heard, Globex in 2. The week before: Acme 1, Globex 3.
    assert (acme.mentions, acme.share, acme.previous_share) == (4, 4 / 6, 0.25)
    assert acme.change_points == pytest.approx((4 / 6 - 0.25) * 100)
    assert (globex.mentions, globex.share, globex.previous_share) == (2, 2 / 6, 0.75)
    assert (initech.mentions, initech.share, initech.change_points) == (0, 0.0, 0.0)
    assert acme.is_company and not globex.is_company


def test_voices_of_past_days_are_stored_and_recounted_when_their_day_changes(world):
    first = digest(world).authors
    assert digest(world).authors == first  # the whole past days came from storage
    world.conversation("billing", W + 2 * DAY + 3600, author="zed")  # dated in the past
    world.conversation("billing", W + 2 * DAY + 7200, author="zed")
    world.at(NOW)
    assert ("zed", 2) in [(c.name, c.n) for c in digest(world).authors]


def test_share_of_attention_counts_posts_heard_out_of_order(world):
    # A post dated the week before but stored last: ids are no longer in time order.
    world.post(T0 + 3 * DAY, mentions=("Globex",))
    world.at(NOW)
    shares = {a.entity: a for a in digest(world).attention}
    assert shares["Acme"].mentions == 4 and shares["Globex"].mentions == 2
    assert shares["Globex"].previous_mentions == 4
    assert shares["Acme"].previous_share == 1 / 5
    assert digest(world, "2026-03-02..2026-03-08").funnel.heard == 8


def test_previous_week_by_dates(world):
    d = digest(world, "2026-03-02..2026-03-08")
    f = d.funnel
    assert (f.heard, f.relevant, f.posted, f.claimed, f.replied, f.ignored, f.open) == (
        7,
        7,
        7,
        0,
        0,
        0,
        7,
    )
    assert d.speed.claim_p50 is None and d.people == ()
    assert {t.name: (t.posted, t.previous_posted) for t in d.topics} == {
        "kubernetes": (2, 0),
        "billing": (5, 0),
    }
    assert {t.name: t.trend for t in d.topics} == {"kubernetes": None, "billing": None}
    assert {a.entity: a.mentions for a in d.attention} == {"Acme": 1, "Globex": 3, "Initech": 0}
    # Nobody claimed anything that week and only kubernetes was declared.
    assert [(c.name, c.n) for c in d.uncovered] == [("billing", 5), ("pricing", 0)]


def test_two_weeks_add_up(world):
    f = digest(world, "14d").funnel
    assert (f.heard, f.relevant, f.posted, f.claimed, f.replied, f.open) == (18, 16, 15, 5, 3, 9)


def test_one_topic(world):
    d = digest(world, "7d", "kubernetes")
    f = d.funnel
    assert (f.heard, f.relevant, f.posted, f.claimed, f.replied, f.verified) == (11, 5, 4, 3, 2, 1)
    assert (f.ignored, f.open, f.in_progress) == (0, 1, 1)
    assert d.speed.claim_p50 == 20 * MIN
    assert d.speed.claim_p90 == pytest.approx(28 * MIN)  # 20 + 0.8 * (30 - 20)
    assert d.speed.reply_p50 == 90 * MIN
    assert d.speed.reply_p90 == pytest.approx(114 * MIN)  # 60 + 0.9 * (120 - 60)
    assert [t.name for t in d.topics] == ["kubernetes"]
    assert [p.user_id for p in d.people] == ["U0AAA", "U0BBB"]
    assert d.uncovered == ()
    shares = {a.entity: (a.mentions, a.share, a.previous_share) for a in d.attention}
    assert shares == {"Acme": (3, 1.0, 0.5), "Globex": (0, 0.0, 0.5), "Initech": (0, 0.0, 0.0)}
    assert [c.title for c in d.backlog] == ["Post 11"]


def test_gone_quiet(world):
    assert [(q.user_id, q.last_at, q.conversations) for q in digest(world).quiet] == [
        ("U0QQQ", NOW - 60 * DAY + 20 * MIN, 3),
    ]
    assert digest(world, "7d", "billing").quiet[0].user_id == "U0QQQ"
    assert digest(world, "7d", "kubernetes").quiet == ()  # U0ONE engaged only once
    # Seen from 45 days ago, U0QQQ had engaged 15 days before: not quiet yet.
    earlier = build_digest(world.store, Period(NOW - 52 * DAY, NOW - 45 * DAY, "then"))
    assert [q.user_id for q in earlier.quiet] == []


def test_employee_reach(world):
    assert digest(world).employees is not None and digest(world).employees.posts == 0
    store = world.store
    for i, (user, company, topics) in enumerate(
        [("U0AAA", True, ["kubernetes"]), ("U0AAA", True, []), ("U0AAA", False, ["kubernetes"])]
    ):
        store.record_employee_post(
            user,
            "blog",
            link=f"https://blog.example.com/{i}",
            title="t",
            published_at=W + DAY,
            mentions_company=company,
            topics=topics,
        )
    store.save_person("U0BBB", {"name": "Bo"}, [], {})
    store.record_employee_post(
        "U0BBB",
        "blog",
        link="https://b.example.com/1",
        title="t",
        published_at=T0 + DAY,
        mentions_company=True,
        topics=[],
    )  # week before
    e = digest(world).employees
    assert (e.posts, e.people, [(c.name, c.n) for c in e.top]) == (2, 1, [("U0AAA", 2)])
    assert digest(world, "7d", "kubernetes").employees.posts == 1
    assert digest(world, "14d").employees.posts == 3


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.9, 7),
        ([1, 2, 3, 4], 0.5, 2.5),
        (list(range(1, 11)), 0.9, 9.1),
        ([300, 600, 1200, 1800, 2400], 0.9, 2160),
    ],
)
def test_percentile(values, q, expected):
    assert percentile(values, q) == (pytest.approx(expected) if expected is not None else None)


MONDAY_9 = NOW + 9 * 3600  # Monday 16 March 2026, 09:00 UTC


@pytest.mark.parametrize(
    ("text", "since", "until", "label"),
    [
        ("", MONDAY_9 - 7 * DAY, MONDAY_9, "last 7 days"),
        ("30d", MONDAY_9 - 30 * DAY, MONDAY_9, "last 30 days"),
        ("today", NOW, MONDAY_9, "today"),
        ("week", NOW, MONDAY_9, "this week"),
        ("month", datetime(2026, 3, 1, tzinfo=UTC).timestamp(), MONDAY_9, "this month"),
        (
            "2026-03-01..2026-03-02",
            datetime(2026, 3, 1, tzinfo=UTC).timestamp(),
            datetime(2026, 3, 3, tzinfo=UTC).timestamp(),
            "2026-03-01 to 2026-03-02",
        ),
    ],
)
def test_parse_period(text, since, until, label):
    period = parse_period(text, MONDAY_9)
    assert (period.since, period.until, period.label) == (since, until, label)
    assert period.previous().until == since
    assert period.previous().since == since - (until - since)


@pytest.mark.parametrize(
    "text", ["0d", "400d", "yesterday", "2026-02-30..2026-03-01", "2026-03-02..2026-03-01"]
)
def test_bad_periods_say_how_to_write_one(text):
    with pytest.raises(PeriodError, match="Write a period as"):
        parse_period(text, NOW)


# -- through Slack -----------------------------------------------------------------------------


def test_digest_command_is_private_with_a_post_button(world):
    h = world.h
    h.command("/digest", "7d", user_id="U0MARKETER")
    answer = h.last_response()
    assert answer["response_type"] == "ephemeral"
    text = str(answer["blocks"])
    assert (
        "relevant *9* → posted *8* → claimed *5* → replied *3* (1 verified, 2 self-reported)"
        in text
    )
    assert "Still open: *2* nobody claimed · *1* claimed, awaiting a reply" in text
    assert "Ignored *2*: off-topic 1, spam or bot 1" in text
    assert "Time to claim: median *20 min* · 90th percentile *36 min*" in text
    assert "Time to reply: median *1 h* · 90th percentile *1 h 48 min*" in text
    assert "*kubernetes* — 4 posted (▲ 100% vs 2) · 50% replied · 1 h 30 min" in text
    assert "*billing* — 4 posted (▼ 20% vs 5) · 25% replied · 50 min" in text
    assert "<@U0AAA> — 2 claimed, 2 replied (kubernetes) · 1 verified" in text
    assert "• pricing (0 posted)" in text
    assert "• *Acme* 67% (4 posts) ▲ 42 pts (was 25%)" in text
    assert "• Globex 33% (2 posts) ▼ 42 pts (was 75%)" in text
    assert "<@U0QQQ> — 3 conversations in the 4 months before, the last on 2026-01-15" in text
    buttons = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == [POST_ACTION]
    assert json.loads(buttons[0]["value"])["since"] == W
    assert validate_blocks(answer["blocks"]) == []


def test_digest_command_reads_topic_first_or_last_and_explains_mistakes(world):
    h = world.h
    h.command("/digest", "kubernetes 7d")
    assert "Digest — last 7 days · kubernetes" in str(h.last_response()["blocks"])
    h.command("/digest", "billing")
    assert "Digest — last 7 days · billing" in str(h.last_response()["blocks"])
    h.command("/digest", "7d kubernets")
    assert "There is no topic `kubernets`. Did you mean `kubernetes`?" in h.last_response()["text"]
    h.command("/digest", "fortnight")
    reply = h.last_response()["text"]
    assert "I can't read `fortnight` as a period" in reply and "/digest 30d kubernetes" in reply


def test_post_to_channel_posts_the_digest_and_its_chart(world):
    h = world.h
    h.command("/digest", "7d billing", user_id="U0MARKETER")
    button = next(b for b in h.last_response()["blocks"] if b["type"] == "actions")["elements"][0]
    world.at(NOW + 3600)  # pressed an hour later: the same period is posted
    click = slackreq.block_action(
        SECRET,
        POST_ACTION,
        button["value"],
        block_id="digest",
        user_id="U0MARKETER",
        channel_id="C0MKTG",
        response_url=h.fake.response_url("post"),
    )
    assert h.dispatch(click).status == 200
    posted = h.fake.last("chat.postMessage").args
    assert posted["channel"] == "C0MKTG"
    assert "Digest — last 7 days · billing" in str(posted["blocks"])
    assert "posted *4*" in str(posted["blocks"])
    assert not [b for b in posted["blocks"] if b["type"] == "actions"]  # no button in the channel
    done = h.fake.last("files.completeUploadExternal")
    assert done.args["channel_id"] == "C0MKTG" and done.response["ok"]
    file_id = done.args["files"][0]["id"]
    assert h.fake.uploads[file_id].startswith(b"\x89PNG")
    assert "Posted the digest" in h.fake.last("response").args["text"]


def test_post_to_channel_explains_a_channel_hark_is_not_in(world):
    h = world.h
    h.fake.not_in_channel.add("C0MKTG")
    h.command("/digest", "7d")
    button = next(b for b in h.last_response()["blocks"] if b["type"] == "actions")["elements"][0]
    click = slackreq.block_action(
        SECRET,
        POST_ACTION,
        button["value"],
        block_id="digest",
        channel_id="C0MKTG",
        response_url=h.fake.response_url("post"),
    )
    h.dispatch(click)
    assert "/invite @Hark" in h.fake.last("response").args["text"]
    bad = slackreq.block_action(
        SECRET,
        POST_ACTION,
        '{"since": "x"}',
        block_id="digest",
        channel_id="C0MKTG",
        response_url=h.fake.response_url("post"),
    )
    h.dispatch(bad)
    assert "run `/digest` again" in h.fake.last("response").args["text"]


def test_a_huge_digest_stays_within_slack_limits(harness_factory):
    topics = "\n".join(
        f"  - {{name: topic-{i:02d}, query: 'word{i}', channel: C0MANY}}" for i in range(60)
    )
    w = World(harness_factory(config=CONFIG.replace("topics:\n", f"topics:\n{topics}\n")))
    evil = "<!channel> *bold* " + "x" * 3000
    for i in range(60):
        cid = w.conversation(
            f"topic-{i:02d}",
            W + 3600 + i,
            author=f"{evil} {i}",
            site=f"s{i}.example.com",
            metrics={"followers": 10 + i},
            score=0.99,
        )
        if i % 2:
            w.claim(cid, f"U0P{i:03d}", MIN)
    w.at(NOW)
    message = digest_message(digest(w), shareable=True)
    assert validate_blocks(message["blocks"]) == []
    assert len(message["blocks"]) <= 50
    assert blocks_json_chars(message["blocks"]) <= MSG_BLOCKS_MAX_CHARS
    assert "…and" in str(message["blocks"])  # lists were cut, saying how many more
    for block in message["blocks"]:
        for mention in find_mentions(json.dumps(block)):
            assert mention.startswith("<@U0P")  # only people Hark names, never <!channel>


def test_digest_typos_and_word_periods_read_as_meant(world):
    """`/digest kuberntes` said "I can't read `kuberntes` as a period" and `/digest last week`
    "There is no topic `last`": one closest-name rule for topics and periods alike."""
    h = world.h
    h.command("/digest", "kuberntes")
    reply = h.last_response()["text"]
    assert "There is no topic `kuberntes`. Did you mean `kubernetes`?" in reply
    assert "as a period" not in reply
    h.command("/digest", "wek")
    assert "I can't read `wek` as a period. Did you mean `week`?" in h.last_response()["text"]
    for words in ("last week", "last week kubernetes", "kubernetes last week"):
        h.command("/digest", words)
        shown = str(h.last_response()["blocks"])
        assert "There is no topic" not in shown, words
        assert "Digest — " in shown, words
    h.command("/digest", "fortnite kubernetes")
    assert "I can't read `fortnite` as a period" in h.last_response()["text"]


def test_last_week_and_last_month_are_whole_calendar_periods():
    monday_9 = datetime(2026, 3, 16, 9, tzinfo=UTC).timestamp()
    week = parse_period("last week", monday_9)
    assert (week.since, week.until) == (
        datetime(2026, 3, 9, tzinfo=UTC).timestamp(),
        datetime(2026, 3, 16, tzinfo=UTC).timestamp(),
    )
    assert week.label == "2026-03-09 to 2026-03-15"
    month = parse_period("last month", monday_9)
    assert (month.since, month.until) == (
        datetime(2026, 2, 1, tzinfo=UTC).timestamp(),
        datetime(2026, 3, 1, tzinfo=UTC).timestamp(),
    )
    assert parse_period("this week", monday_9) == parse_period("week", monday_9)


def test_a_score_reads_the_same_in_the_digest_as_in_hark_test(harness_factory):
    """The digest's backlog showed `score 74.00` where /hark test shows `score 74`."""
    from bot.models import score_shown

    w = World(harness_factory(config=CONFIG))
    w.conversation("kubernetes", NOW - 3600, score=74.04)
    w.at(NOW)
    text = str(digest_message(digest(w, "1d")))
    assert "score 74 · waiting" in text and "74.0" not in text
    assert score_shown(74.04) == "74" and score_shown(75.5) == "76"


def test_an_ignore_in_the_persons_own_words_counts_as_other(harness_factory):
    w = World(harness_factory(config=CONFIG))
    cid = w.conversation("kubernetes", NOW - 3600)
    w.at(NOW - 1800)
    assert w.engagement.ignore(cid, "U0MARKETER", "other", words="a competitor's forum").ok
    w.at(NOW)
    assert digest(w, "1d").funnel.ignored_by_reason == (("other", 1),)

"""People: handle forms per network, the registration rules, and an erasure that leaves nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.people.handles import AccountError, normalize_account, validate_registration
from bot.viewdata import profile_url
from tests.support import slackreq
from tests.support.feeds import rss
from tests.support.harness import SECRET
from tests.support.registration_form import VALID, submit_form

SAME_ACCOUNT = [
    ("x", ["@Alice", "alice", "https://x.com/alice", "twitter.com/alice/", "https://mobile.twitter.com/Alice?s=20"], "@alice"),
    ("github", ["alice", "@alice", "https://github.com/Alice", "github.com/alice/repo"], "alice"),
    ("reddit", ["u/alice", "/u/Alice", "alice", "https://www.reddit.com/user/alice/", "https://old.reddit.com/u/alice"], "u/alice"),
    ("linkedin", ["alice-b", "https://www.linkedin.com/in/Alice-B/", "linkedin.com/in/alice-b"], "https://www.linkedin.com/in/alice-b"),
    ("mastodon", ["@alice@mastodon.social", "alice@Mastodon.Social", "https://mastodon.social/@alice"], "@alice@mastodon.social"),
    ("bluesky", ["alice", "@alice.bsky.social", "https://bsky.app/profile/alice.bsky.social"], "alice.bsky.social"),
    ("bluesky", ["alice.dev", "https://bsky.app/profile/Alice.dev/post/3k"], "alice.dev"),
    ("stackoverflow", ["123", "https://stackoverflow.com/users/123/alice", "stackoverflow.com/users/123"], "123"),
    ("youtube", ["@alice", "alice", "https://www.youtube.com/@Alice"], "@alice"),
    ("youtube", ["https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv"], "UCabcdefghijklmnopqrstuv"),
    ("blog", ["https://alice.dev/feed.xml", "  https://alice.dev/feed.xml  "], "https://alice.dev/feed.xml"),
]  # fmt: skip

# Accounts whose feeds Hark would fetch from the internet are left out where the voice job runs.
OFFLINE = {k: v for k, v in VALID.items() if k not in ("mastodon", "bluesky")}

NOT_AN_ACCOUNT = [
    ("x", "https://facebook.com/alice"),
    ("x", "this_name_is_far_too_long"),
    ("mastodon", "alice"),
    ("mastodon", "https://mastodon.social/alice"),
    ("github", "-alice"),
    ("reddit", "ab"),
    ("stackoverflow", "alice"),
    ("linkedin", "https://www.linkedin.com/company/acme"),
    ("blog", "alice.dev"),
    ("blog", "ftp://alice.dev/feed"),
    ("blog", "javascript:alert(1)"),
    ("blog", "https://user:secret@alice.dev/feed"),
]


@pytest.mark.parametrize(("network", "forms", "canonical"), SAME_ACCOUNT)
def test_every_form_of_a_handle_is_one_account(network, forms, canonical):
    assert {normalize_account(network, f) for f in forms} == {canonical}


@pytest.mark.parametrize(("network", "value"), NOT_AN_ACCOUNT)
def test_wrong_handles_are_refused_with_a_form_that_works(network, value):
    with pytest.raises(AccountError) as caught:
        normalize_account(network, value)
    assert "e.g." in str(caught.value) or "Try" in str(caught.value)


def test_the_refusal_reads_an_x_account_not_a_x_account():
    with pytest.raises(AccountError) as caught:
        normalize_account("x", "not a handle!!")
    assert "Doesn't look like an X (Twitter) account" in str(caught.value)


def test_empty_is_no_account_and_profile_urls():

    assert normalize_account("x", "   ") == ""
    assert profile_url("mastodon", "@alice@hachyderm.io") == "https://hachyderm.io/@alice"
    assert profile_url("reddit", "u/alice") == "https://www.reddit.com/user/alice"
    assert profile_url("youtube", "UCabcdefghijklmnopqrstuv").endswith(
        "/channel/UCabcdefghijklmnopqrstuv"
    )
    assert profile_url("stackoverflow", "123") == "https://stackoverflow.com/users/123"


def test_validation_collects_every_error_and_keeps_known_topics_only():
    reg = validate_registration(
        {
            "x": "@ok",
            "mastodon": "nope",
            "topics": ["Kubernetes", "astrology", "kubernetes"],
            "tags": "a, " + "b" * 41,
            "languages": "en, pt-BR, Français",
            "department": "d" * 101,
            "away_until": "not a date",
        },
        ["kubernetes", "billing"],
        date(2026, 1, 1),
    )
    assert set(reg.errors) == {"mastodon", "tags", "department", "away_until"}
    assert reg.topics == ["kubernetes"] and reg.unknown_topics == ["astrology"]
    assert reg.accounts == {"x": "@ok"}
    assert reg.profile["languages"] == "en, pt-BR, Français"


def _cells(h) -> list[str]:
    """Every text cell of every table, to look for what should be gone."""
    cells = []
    tables = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if h.store.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    )
    for (table,) in h.store.conn.execute(tables):
        for row in h.store.conn.execute(f"SELECT * FROM {table}"):
            cells.extend(str(v) for v in tuple(row) if v is not None)
    return cells


def test_delete_leaves_nothing_personal_behind(harness_factory, feeds):
    now = datetime.now(UTC)
    feeds.set(
        "/k8s.xml",
        rss([
            {"title": f"k8s question {i}", "link": f"https://forum.example.com/t/{i}",
             "guid": str(i), "pubDate": format_datetime(now - timedelta(hours=1))}
            for i in (1, 2)
        ]),
    )  # fmt: skip
    feeds.set(
        "/sam.xml",
        rss([{"title": "Why we run Acme Cloud", "link": "https://sam.dev/acme",
              "pubDate": format_datetime(now - timedelta(days=2))}]),
    )  # fmt: skip
    blog = feeds.url("/sam.xml")
    h = harness_factory([feeds.url("/k8s.xml")])
    h.poll()
    submit_form(h, {**OFFLINE, "blog": blog})
    h.services.poll_and_deliver()  # the employee-voice job reads Sam's blog
    assert len(h.store.recent_employee_posts("U0SME1")) == 1

    engagement = h.services.engagement
    assert engagement.reply(1, "U0SME1", "https://forum.example.com/t/1#reply-sam").ok
    h.click("claim", 2, user_id="U0SME1")
    h.store.save_draft(2, "U0SME1", "Sam's half-written answer")
    h.store.add_notice("nudge:2:U0SME1:1700000000")
    engagements_before = h.store.conn.execute("SELECT count(*) FROM engagements").fetchone()[0]

    h.command("/register", "delete", user_id="U0SME1")
    assert "Nothing is erased until you confirm" in h.last_response()["text"]
    assert h.store.person("U0SME1") is not None
    button = h.last_response()["blocks"][-1]["elements"][0]
    h.dispatch(
        slackreq.block_action(
            SECRET,
            button["action_id"],
            button["value"],
            user_id="U0SME1",
            response_url=h.fake.response_url("erase-U0SME1"),
        )
    )
    answer = h.last_response()["text"]
    assert "erased" in answer and "1 open claim went back" in answer

    personal = [
        "U0SME1",
        "sam_expert",
        "Sam Expert",
        "Staff Engineer",
        "sam.dev",
        blog,
        "half-written",
    ]
    leftovers = [(p, c) for c in _cells(h) for p in personal if p.lower() in c.lower()]
    assert leftovers == []
    for table in ("people", "person_topics", "accounts", "employee_posts", "voice_feeds"):
        assert h.store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    # The counts stay, anonymous: the reply is still a reply, by nobody in particular.
    replied = h.store.conversation(1)
    assert replied.state == "replied" and replied.owner.startswith("former-")
    assert h.store.conversation(2).state == "new"  # released, and its card re-rendered
    assert "Claim" in str(h.fake.last("chat.update").args["blocks"])
    engagements_after = h.store.conn.execute("SELECT count(*) FROM engagements").fetchone()[0]
    assert engagements_after == engagements_before + 1  # + the release

    h.command("/register", "delete", user_id="U0SME1")
    assert "nothing to erase" in h.last_response()["text"]


def test_reregistering_keeps_the_feed_state_of_unchanged_accounts(harness_factory, feeds):
    feeds.set("/sam.xml", rss([]), etag='"v1"')
    feeds.set("/new.xml", rss([]))
    h = harness_factory()
    submit_form(h, {**OFFLINE, "blog": feeds.url("/sam.xml")})
    h.services.poll_and_deliver()
    assert h.store.voice_feed("U0SME1", "blog").etag == '"v1"'
    submit_form(h, {"department": "Support"})  # the accounts stay as they were
    assert h.store.voice_feed("U0SME1", "blog").etag == '"v1"'
    submit_form(h, {"blog": feeds.url("/new.xml")})  # a new address starts afresh
    assert h.store.voice_feed("U0SME1", "blog") is None

"""/who-covers: finding the topic, ranking shown work above declarations, sharing in channel."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.people.who_covers import find_topic
from tests.support import slackreq
from tests.support.blockkit import validate_blocks
from tests.support.feeds import rss
from tests.support.harness import SECRET
from tests.support.mentions import find_mentions
from tests.support.registration_form import submit_form
from tests.support.slack_team import make_user

QUERIES = {
    "kubernetes": "(kubernetes OR k8s) -hiring",
    "billing": 'invoice OR "billing portal"',
    "observability": "otel* OR tracing",
}


@pytest.mark.parametrize(
    ("asked", "topic", "by_words"),
    [
        ("Kubernetes", "kubernetes", False),
        ("k8s", "kubernetes", True),
        ("billing portal", "billing", True),
        ("otelcol", "observability", True),  # otel* is a prefix
        ("hiring", None, False),  # an excluded word finds nothing
    ],
)
def test_find_topic_by_name_or_by_words_of_its_query(asked, topic, by_words):
    found = find_topic(asked, QUERIES)
    assert (found.topic, found.by_words) == (topic, by_words)


def test_unknown_topic_gets_the_closest_names():
    assert find_topic("kubernets", QUERIES).suggestions[0] == "kubernetes"
    assert find_topic("zzz", QUERIES).suggestions == ()


@pytest.fixture
def team(harness_factory, feeds):
    """Three k8s conversations; Sam replied (verified), Carol claimed, Ada and Dan declared."""
    now = datetime.now(UTC)
    feeds.set(
        "/k8s.xml",
        rss([
            {"title": f"k8s question {i}", "link": f"https://forum.example.com/t/{i}",
             "guid": str(i), "pubDate": format_datetime(now - timedelta(hours=1))}
            for i in (1, 2, 3)
        ]),
    )  # fmt: skip
    h = harness_factory([feeds.url("/k8s.xml")])
    h.fake.users["U0SME3"] = make_user("U0SME3", "carol", "Carol Claims")
    h.fake.users["U0SME4"] = make_user("U0SME4", "dan", "Dan Away", title="SRE")
    h.poll()
    away = (now + timedelta(days=14)).date().isoformat()
    submit_form(h, {"topics": ["kubernetes"], "x": "@ada", "tags": "postgres"}, user_id="U0SME2")
    submit_form(h, {"topics": ["kubernetes"], "away_until": away}, user_id="U0SME4")
    submit_form(h, {"github": "sam", "pingable": True}, user_id="U0SME1")
    engagement = h.services.engagement
    h.click("claim", 1, user_id="U0SME1")
    assert engagement.reply(1, "U0SME1", "https://forum.example.com/t/1#sam").ok
    assert engagement.verified_reply(1, "https://forum.example.com/t/1#sam").ok
    h.click("claim", 2, user_id="U0SME3")
    h.away = away
    return h


def _people(text: str) -> list[str]:
    return re.findall(r"• <@(U\w+)>", text)


def test_shown_work_ranks_above_declaring_and_away_is_marked(team):
    team.command("/who-covers", "kubernetes", user_id="U0MARKETER")
    answer = team.last_response()
    assert answer["response_type"] == "ephemeral"
    assert validate_blocks(answer["blocks"]) == []
    text = str(answer["blocks"])
    assert _people(text) == ["U0SME1", "U0SME3", "U0SME2", "U0SME4"]
    sam = answer["blocks"][1]["text"]["text"]
    assert "1 reply (1 verified)" in sam and "1 claim" in sam and "median reply" in sam
    assert "GitHub <https://github.com/sam|sam>" in sam
    assert "declared the topic" in answer["blocks"][3]["text"]["text"]
    assert "X <https://x.com/ada|@ada>" in answer["blocks"][3]["text"]["text"]
    assert f"away until {team.away}" in answer["blocks"][4]["text"]["text"]
    assert "away" not in answer["blocks"][3]["text"]["text"]
    button = answer["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "Share in channel" and button["value"] == "kubernetes"


def test_work_older_than_90_days_no_longer_counts(team):
    team.store.clock = lambda: time.time() + 91 * 86400
    team.command("/who-covers", "kubernetes")
    assert _people(str(team.last_response()["blocks"])) == ["U0SME2", "U0SME4"]


def test_words_of_a_query_find_the_topic(team):
    team.command("/who-covers", "k8s")
    text = str(team.last_response()["blocks"])
    assert "Who covers *kubernetes* (its query has _k8s_)" in text
    assert _people(text)[0] == "U0SME1"


def test_unknown_topic_suggests_names_and_tagged_people(team):
    team.command("/who-covers", "kubernets")
    assert "Did you mean `kubernetes`?" in str(team.last_response()["blocks"])
    team.command("/who-covers", "Postgres")
    text = str(team.last_response()["blocks"])
    assert "no topic `Postgres`" in text and "expertise: <@U0SME2>" in text
    team.command("/who-covers", "&lt;!channel&gt;")  # "<!channel>" typed, as Slack sends it
    text = str(team.last_response()["blocks"])
    assert "&lt;!channel&gt;" in text and find_mentions(text) == []
    team.command("/who-covers", "")
    assert "`kubernetes`" in str(team.last_response()["blocks"])


def test_nobody_yet(team):
    team.command("/who-covers", "billing")
    answer = team.last_response()
    assert "nobody yet" in answer["text"].lower() or "Nobody" in answer["text"]
    assert not any(b["type"] == "actions" for b in answer["blocks"])


def test_share_posts_the_answer_in_channel_mentioning_only_who_allowed_it(team):
    click = slackreq.block_action(
        SECRET,
        "who_covers_share",
        "kubernetes",
        block_id="who_covers",
        user_id="U0MARKETER",
        response_url=team.fake.response_url("share"),
    )
    assert team.dispatch(click).status == 200
    shared, receipt = team.fake.calls("response")[-2:]
    assert shared.args["response_type"] == "in_channel"
    assert shared.args["replace_original"] is False
    assert validate_blocks(shared.args["blocks"]) == []
    text = str(shared.args["blocks"])
    # Sam allowed mentions; Ada and Dan did not, Carol never registered: named, not pinged.
    assert find_mentions(text) == ["<@U0SME1>"]
    assert "*Carol Claims*" in text and "*Ada Byron*" in text and "*Dan Away*" in text
    assert "Share in channel" not in text
    assert receipt.args["replace_original"] is True and "Shared" in receipt.args["text"]


def test_share_of_a_topic_that_is_gone(team):
    click = slackreq.block_action(
        SECRET, "who_covers_share", "astrology", block_id="who_covers",
        response_url=team.fake.response_url("share"),
    )  # fmt: skip
    team.dispatch(click)
    answer = team.fake.last("response").args
    assert "is gone" in answer["text"] and answer["response_type"] == "ephemeral"

"""slack_profile: a person's name and title from users.info, and {} when Slack will not say
(a courtesy: never raised)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.people.profiles import slack_profile
from tests.support.fakeslack import FakeSlack
from tests.support.slack_team import make_user


def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url)


def test_name_and_title_from_the_profile(fake_slack: FakeSlack) -> None:
    assert slack_profile(client(fake_slack), "U0SME1") == {
        "title": "Staff Engineer, Kubernetes",
        "name": "Sam Expert",
    }
    assert fake_slack.last("users.info").args["user"] == "U0SME1"


def test_the_name_falls_back_to_the_users_real_name_then_handle(fake_slack: FakeSlack) -> None:
    bare = make_user("U0BARE", "bare", "")
    bare["profile"] = {}
    bare["real_name"] = "Bare Bones"
    fake_slack.users["U0BARE"] = bare
    assert slack_profile(client(fake_slack), "U0BARE") == {"title": "", "name": "Bare Bones"}
    bare["real_name"] = ""
    assert slack_profile(client(fake_slack), "U0BARE") == {"title": "", "name": "bare"}


def test_slack_refusing_gives_an_empty_profile(fake_slack: FakeSlack) -> None:
    assert slack_profile(client(fake_slack), "U0NOBODY") == {}  # user_not_found
    fake_slack.fail("users.info", error="ratelimited")
    assert slack_profile(client(fake_slack), "U0SME1") == {}

"""Start-up's token check against the fake Slack: each refusal is one line naming the variable,
Slack's error, what it means and the fix; the app token's check hands over the first Socket
Mode URL. And the Stopper: the first fatal message wins; a signal is named."""

from __future__ import annotations

import signal
import socket

import pytest

from bot.config import load_settings
from bot.ops.lifecycle import APP_FIX, BOT_FIX, Stopper, check_tokens
from tests.support.fakeslack import FakeSlack
from tests.support.fakesocket import FakeSocketMode

APP_TOKEN = "xapp-1-A0HARK-1-test"


def settings(fake_url: str, tmp_path, **env: str):
    return load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-good",
            "SLACK_API_URL": fake_url,
            "HARK_DB": str(tmp_path / "h.db"),
        }
        | env
    )


def test_good_tokens_pass_and_the_app_token_check_gives_the_first_socket_url(
    fake_slack: FakeSlack, tmp_path
) -> None:
    assert check_tokens(settings(fake_slack.url, tmp_path)).problem is None
    with FakeSocketMode() as socket_mode:
        fake_slack.socket_mode = socket_mode
        checked = check_tokens(settings(fake_slack.url, tmp_path, SLACK_APP_TOKEN=APP_TOKEN))
    assert checked.problem is None
    assert checked.socket_url and checked.socket_url.startswith("ws")
    assert [c.method for c in fake_slack.calls()] == [
        "auth.test",
        "auth.test",
        "apps.connections.open",
    ]


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb-unknown"},
            (
                "hark: SLACK_BOT_TOKEN was refused by Slack (invalid_auth: Slack does not recognise "
                f"it); {BOT_FIX}."
            ),
        ),
        (
            {"SLACK_BOT_TOKEN": ""},
            f"hark: SLACK_BOT_TOKEN was refused by Slack (not_authed: it is empty); {BOT_FIX}.",
        ),
        (
            {"SLACK_APP_TOKEN": "xoxb-good"},
            (
                "hark: SLACK_APP_TOKEN was refused by Slack (not_allowed_token_type: it is the wrong "
                f"kind of token); {APP_FIX}."
            ),
        ),
        (
            {"SLACK_APP_TOKEN": "xapp-1-unknown"},
            (
                "hark: SLACK_APP_TOKEN was refused by Slack (invalid_auth: Slack does not recognise "
                f"it); {APP_FIX}."
            ),
        ),
    ],
)
def test_a_refused_token_is_one_line_with_its_fix(
    fake_slack: FakeSlack, tmp_path, env: dict[str, str], line: str
) -> None:
    fake_slack.tokens = {"xoxb-good"}
    assert check_tokens(settings(fake_slack.url, tmp_path, **env)).problem == line


def test_an_error_slack_has_no_fix_for_is_named_as_it_came(fake_slack: FakeSlack, tmp_path) -> None:
    fake_slack.fail("auth.test", error="team_added_to_org")
    problem = check_tokens(settings(fake_slack.url, tmp_path)).problem
    assert problem == (
        "hark: SLACK_BOT_TOKEN was refused by Slack (team_added_to_org: Slack answered "
        f"team_added_to_org); {BOT_FIX}."
    )


def test_slack_out_of_reach_says_to_check_the_network(tmp_path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    url = f"http://127.0.0.1:{port}/api/"
    problem = check_tokens(settings(url, tmp_path), timeout=2).problem
    assert problem is not None
    assert problem.startswith(f"hark: could not reach Slack at {url} to check SLACK_BOT_TOKEN (")
    assert problem.endswith("); check the network (and SLACK_API_URL), then retry.")


def test_the_first_fatal_message_is_kept_and_a_signal_is_named() -> None:
    stopper = Stopper()
    assert not stopper.event.is_set()
    stopper.fail("Socket Mode was turned off")
    stopper.fail("a later failure")
    assert stopper.fatal == "Socket Mode was turned off" and stopper.event.is_set()
    signalled = Stopper()
    signalled.on_signal(signal.SIGTERM, None)
    assert (signalled.signal_name, signalled.fatal, signalled.event.is_set()) == (
        "SIGTERM",
        None,
        True,
    )

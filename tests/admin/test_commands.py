"""/hark and the manifest: every command Hark answers is declared, every scope doctor wants is asked for."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.ops.doctor import REQUIRED_SCOPES

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_declares_every_command_and_scope(harness_factory):
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    h = harness_factory()
    # the commands the app listens to, found by dispatching each and seeing it answered
    for command in sorted(declared):
        response = h.command(command, "help")
        assert response.status == 200, command
    assert declared == {"/register", "/who-covers", "/digest", "/hark"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert set(REQUIRED_SCOPES) <= scopes
    assert manifest["settings"]["interactivity"]["is_enabled"]
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]


def test_hark_help_and_unknown_subcommand(harness_factory):
    h = harness_factory()
    h.command("/hark", "")
    assert "/register" in str(h.last_response()["blocks"])
    # "<!channel>" typed as text reaches the parser as such (Slack sends it escaped); the
    # echo must escape it again.
    h.command("/hark", "&lt;!channel&gt;frob extra")
    text = str(h.last_response()["blocks"])
    assert "`/hark &lt;!channel&gt;frob` isn't a Hark command" in text
    assert "`/hark sources`" in text


def test_hark_unbalanced_quotes(harness_factory):
    h = harness_factory()
    h.command("/hark", 'topics "unclosed')
    assert "Unbalanced quotes" in str(h.last_response()["blocks"])


def test_hark_topics_and_status(harness_factory):
    h = harness_factory()
    h.command("/hark", "topics")
    text = str(h.last_response()["blocks"])
    assert "*kubernetes* → <#C0K8S>" in text and "*billing* → <#C0BILL>" in text
    h.command("/hark", "status")
    assert "sources: 0 in all, 0 failing" in str(h.last_response()["blocks"])


def test_admin_only_subcommands_refuse_others_and_name_the_admins(harness_factory, monkeypatch):
    from bot import authz
    from bot.admin import commands as admin_commands
    from bot.answer import reply

    def change_settings(services, actor, args):
        return reply("changed")

    monkeypatch.setitem(
        admin_commands.SUBCOMMANDS, "frob", admin_commands.Subcommand(change_settings, "/hark frob")
    )
    monkeypatch.setitem(authz.ACTIONS, "hark.frob", authz.Rule.ADMIN)
    h = harness_factory()
    h.command("/hark", "frob", user_id="U0SME1")
    refusal = str(h.last_response()["blocks"])
    assert "Only Hark admins" in refusal and "<@U0MARKETER>" in refusal
    h.command("/hark", "frob", user_id="U0MARKETER")  # in the config's admins
    assert "changed" in str(h.last_response()["blocks"])


def test_workspace_admins_count_as_admins(harness_factory):
    config = """
topics: [{name: k8s, query: k8s, channel: C0K8S}]
"""
    h = harness_factory(config=config)
    authority = h.services.authz
    assert authority.is_admin("U0MARKETER")  # the fake Slack says is_admin
    assert not authority.is_admin("U0SME1")
    calls = len(h.fake.calls("users.info"))
    assert authority.is_admin("U0MARKETER")
    assert len(h.fake.calls("users.info")) == calls  # cached


def test_event_retries_after_a_timeout_are_not_handled_twice(harness_factory):
    from tests.support import slackreq
    from tests.support.harness import SECRET

    h = harness_factory()
    event = slackreq.app_home_opened("U0SME1")
    h.dispatch(slackreq.event_callback(SECRET, event))
    assert len(h.fake.calls("views.publish")) == 1
    retry = slackreq.event_callback(SECRET, event)
    retry.headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert h.dispatch(retry).status == 200
    assert len(h.fake.calls("views.publish")) == 1
    failed = slackreq.event_callback(SECRET, event)
    failed.headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    h.dispatch(failed)
    assert len(h.fake.calls("views.publish")) == 2


def test_a_replayed_request_is_refused(harness_factory):
    from tests.support import slackreq
    from tests.support.harness import SECRET

    h = harness_factory()
    request = slackreq.slash_command(SECRET, "/hark", "help", response_url=h.fake.response_url("r"))
    assert h.dispatch(request).status == 200
    assert h.dispatch(request).status == 401  # same signature again
    assert len(h.fake.calls("response")) == 1


def test_list_and_help_words_are_accepted_and_help_names_every_subcommand(harness_factory):
    """`/hark sources list`, `/hark topics help` and `/hark sources help` were refused as
    unknown; `/hark help` left out `sources add|remove|pause|resume`."""
    from bot.admin.commands import SUBCOMMANDS
    from bot.authz import ACTIONS

    h = harness_factory()
    h.command("/hark", "sources list")
    assert "No sources yet" in str(h.last_response()["blocks"])
    h.command("/hark", "topics list")
    assert "*kubernetes*" in str(h.last_response()["blocks"])
    h.command("/hark", "topics help")
    text = str(h.last_response()["blocks"])
    assert "isn't" not in text and "/hark topics [add &lt;name&gt;" in text
    h.command("/hark", "sources help")
    text = str(h.last_response()["blocks"])
    assert "isn't" not in text and "pause &lt;id&gt;" in text
    h.command("/hark", "mutes list")
    assert "isn't" not in str(h.last_response()["blocks"])
    h.command("/hark", "help")
    shown = str(h.last_response()["blocks"])
    for name in SUBCOMMANDS:
        assert f"/hark {name}" in shown, name
    for action in ACTIONS:
        parts = action.split(".")
        if parts[0] == "hark" and len(parts) == 3 and parts[2] != "reveal":
            assert parts[2] in shown.split(f"/hark {parts[1]}", 1)[1], action

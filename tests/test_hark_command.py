"""/hark and the manifest: every command Hark answers is declared, every scope doctor wants is asked for."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.doctor import REQUIRED_SCOPES

ROOT = Path(__file__).resolve().parents[1]


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
    h.command("/hark", "<!channel>frob extra")
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
    assert "*kubernetes* → C0K8S" in text and "*billing* → C0BILL" in text
    h.command("/hark", "status")
    assert "0 sources, 0 failing" in str(h.last_response()["blocks"])

"""manifest.yml against what Hark does and what the README tells people to do with it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.admin.commands import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
README = (ROOT / "README.md").read_text()
COMMANDS = MANIFEST["features"]["slash_commands"]

# Each scope the manifest asks for, and the Web API call in Hark's code that needs it.
SCOPE_USES = {
    "chat:write": "chat_postMessage(",
    "chat:write.public": "chat_postMessage(",
    "commands": "app.command(",
    "channels:history": "conversations_history(",
    "groups:history": "conversations_history(",
    "channels:read": "conversations_info(",
    "groups:read": "conversations_info(",
    "users:read": "users_info(",
    "files:write": "files_upload_v2(",
    "im:write": "conversations_open(",
    "im:history": "message.im",
}


def _code() -> str:
    files = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]
    return "\n".join(path.read_text() for path in files)


def test_slack_sends_picked_channels_people_and_links_as_references():
    # With should_escape false, a #channel picked in /hark topics add arrives as plain
    # "#devops" (no ID); Hark's command-text middleware unwraps the escaped forms.
    assert {c["command"]: c["should_escape"] for c in COMMANDS} == {
        "/register": True,
        "/who-covers": True,
        "/digest": True,
        "/hark": True,
    }


def test_the_messages_tab_is_read_only_since_hark_answers_no_dm():
    app_home = MANIFEST["features"]["app_home"]
    assert "message.im" not in MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert app_home["messages_tab_enabled"] and app_home["messages_tab_read_only_enabled"]


def test_every_scope_asked_for_is_used():
    code = _code()
    unused = [s for s in MANIFEST["oauth_config"]["scopes"]["bot"] if SCOPE_USES[s] not in code]
    assert unused == []


def test_the_hark_usage_hint_names_every_subcommand():
    hark = next(c for c in COMMANDS if c["command"] == "/hark")
    hinted = set(re.findall(r"[a-z]+", hark["usage_hint"]))
    assert set(SUBCOMMANDS) <= hinted


def test_the_readme_says_how_to_route_slack_to_http_mode():
    urls = [c["url"] for c in COMMANDS]
    urls += [MANIFEST["settings"]["event_subscriptions"]["request_url"]]
    urls += [MANIFEST["settings"]["interactivity"]["request_url"]]
    assert len(urls) == 6 and set(urls) == {"https://hark.example.com/slack/events"}
    assert MANIFEST["settings"]["socket_mode_enabled"] is True  # the default route
    assert "socket_mode_enabled: false" in README and "all six URLs" in README
    assert "three URLs" not in README

"""The team the fake Slack serves: its IDs, the bot's scopes, and the people in it.

`make_user` shapes a user as `users.info` returns it; `default_users` are the people every
fresh fake knows, `visiting_users` those from another org, another Grid workspace, or guests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEAM_ID = "T0HARK"
TEAM_DOMAIN = "hark-test"
BOT_USER_ID = "U0HARKBOT"
BOT_ID = "B0HARKBOT"
APP_ID = "A0HARK"
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
OTHER_TEAM_ID = "T0OTHERORG"  # another organisation, met in a Slack Connect channel
GRID_TEAM_ID = "T0GRIDWS2"  # another workspace of an Enterprise Grid org

# The bot scopes each method accepts (any one of them will do), from Slack's method pages.
# A method missing here needs no scope (auth.test, chat.getPermalink, views.*). Real Slack
# answers a call without one `missing_scope` with `needed` and `provided`, and sends the
# token's scopes in `x-oauth-scopes` on every answer (`hark doctor` reads them).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.delete": ("chat:write",),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.members": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.list": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.join": ("channels:join",),
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "users.info": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes manifest.yml asks for: what a fresh install of Hark is granted."""
    manifest = yaml.safe_load(path.read_text())
    return list(manifest["oauth_config"]["scopes"]["bot"])


def make_user(
    user_id: str,
    name: str,
    real_name: str,
    *,
    title: str = "",
    tz: str = "Europe/London",
    tz_offset: int = 0,
    is_admin: bool = False,
    is_bot: bool = False,
    is_owner: bool = False,
    is_restricted: bool = False,
    team_id: str = TEAM_ID,
    enterprise_id: str | None = None,
) -> dict[str, Any]:
    """A user object shaped like `users.info` returns it.

    `team_id` is the user's home team (another org's for a Slack Connect visitor);
    `enterprise_id` adds the `enterprise_user` object of an Enterprise Grid member;
    `is_restricted` makes a guest.
    """
    user: dict[str, Any] = {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": tz,
        "tz_label": tz,
        "tz_offset": tz_offset,
        "is_admin": is_admin,
        "is_owner": is_owner,
        "is_restricted": is_restricted,
        "is_ultra_restricted": False,
        "is_bot": is_bot,
        "is_app_user": False,
        "updated": 1_700_000_000,
        "profile": {
            "title": title,
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": name,
            "display_name_normalized": name,
            "team": team_id,
        },
    }
    if enterprise_id:
        user["enterprise_user"] = {
            "id": user_id,
            "enterprise_id": enterprise_id,
            "enterprise_name": "Grid Org",
            "is_admin": False,
            "is_owner": False,
            "teams": [team_id],
        }
    return user


def visiting_users() -> dict[str, dict[str, Any]]:
    """Users who are not plain members of the installing team: admins of another org and of
    another Grid workspace (admins at home, not here) and a guest of this team."""
    users = [
        make_user("U0OTHERADM", "olga", "Olga Other", is_admin=True, team_id=OTHER_TEAM_ID),
        make_user(
            "U0GRIDADM",
            "gus",
            "Gus Grid",
            is_owner=True,
            team_id=GRID_TEAM_ID,
            enterprise_id="E0GRID",
        ),
        make_user("U0GUEST", "gail", "Gail Guest", is_restricted=True),
    ]
    return {u["id"]: u for u in users}


def default_users() -> dict[str, dict[str, Any]]:
    """The users every fresh fake knows: the bot, a marketer (admin) and two SMEs."""
    users = [
        make_user(BOT_USER_ID, "hark", "Hark", is_bot=True),
        make_user(
            "U0MARKETER",
            "mara",
            "Mara Keter",
            title="Head of Developer Marketing",
            tz="Europe/Berlin",
            tz_offset=3600,
            is_admin=True,
        ),
        make_user(
            "U0SME1",
            "sam",
            "Sam Expert",
            title="Staff Engineer, Kubernetes",
            tz="America/New_York",
            tz_offset=-18000,
        ),
        make_user("U0SME2", "ada", "Ada Byron", title="Principal Database Engineer"),
    ]
    return {u["id"]: u for u in users}

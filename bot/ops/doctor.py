"""``hark doctor``: check the tokens, scopes, channels and sources; say what to fix."""

from __future__ import annotations

from typing import TextIO

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.fetch.client import FetchError
from bot.store import Store
from bot.wiring import build_services

REQUIRED_SCOPES = (
    "chat:write",
    "commands",
    "channels:history",
    "groups:history",
    "channels:read",
    "users:read",
    "files:write",
)


def run_doctor(settings: Settings, out: TextIO) -> int:
    """Print one line per check; exit status 1 when anything needs fixing."""
    problems = 0

    def report(ok: bool, what: str, fix: str = "") -> None:
        nonlocal problems
        problems += 0 if ok else 1
        out.write(
            f"{'ok  ' if ok else 'FAIL'} {what}"
            + (f"\n     → {fix}" if fix and not ok else "")
            + "\n"
        )

    if not settings.bot_token:
        report(False, "SLACK_BOT_TOKEN", "set it to the app's Bot User OAuth Token (xoxb-…)")
        return 1
    store = Store(settings.db_path)
    try:
        services = build_services(settings, store)
        client = services.client
        try:
            auth = client.auth_test()
            report(True, f"token works: bot {auth.get('user_id')} in team {auth.get('team')}")
            granted = set((auth.headers.get("x-oauth-scopes") or "").replace(" ", "").split(","))
            granted.discard("")
            if granted:
                missing = [s for s in REQUIRED_SCOPES if s not in granted]
                report(
                    not missing,
                    "scopes: "
                    + ("all present" if not missing else "missing " + ", ".join(missing)),
                    "reinstall the app from manifest.yml (OAuth & Permissions → Reinstall)",
                )
        except SlackApiError as exc:
            report(
                False,
                f"token refused by Slack: {exc.response.get('error')}",
                "copy the Bot User OAuth Token again from the app's OAuth & Permissions page",
            )
            return 1
        except OSError as exc:
            report(
                False,
                f"cannot reach Slack at {settings.slack_api_url}: {type(exc).__name__}",
                "check the network or SLACK_API_URL",
            )
            return 1
        if settings.app_token:
            report(
                settings.app_token.startswith("xapp-"),
                "SLACK_APP_TOKEN looks like an app token",
                "create an app-level token with connections:write (Basic Information)",
            )
        elif not settings.signing_secret:
            report(False, "SLACK_SIGNING_SECRET", "set it (Basic Information → Signing Secret)")
        for topic in store.topics():
            channel = topic.channel
            try:
                info = client.conversations_info(channel=channel)["channel"]
                member = bool(info.get("is_member"))
                where = "is in" if member else "is not in"
                report(
                    member,
                    f"topic {topic.name}: the bot {where} {channel}",
                    f"invite the bot: `/invite @Hark` in {channel}",
                )
            except SlackApiError as exc:
                report(
                    False,
                    f"topic {topic.name}: channel {channel}: {exc.response.get('error')}",
                    "use a channel ID (right-click the channel → Copy link) in the config",
                )
        for source in store.sources(enabled_only=True):
            name = source.label or source.target
            if source.kind != "feed":
                ok = bool(settings.x_bearer_token)
                report(ok, f"source {source.id} {name}: X token", "set X_BEARER_TOKEN")
                continue
            try:
                result = services.fetcher.fetch(source.target)
                report(True, f"source {source.id} {name}: answers {result.status}")
            except FetchError as exc:
                report(
                    False,
                    f"source {source.id}: {exc.message}",
                    "check the URL, or `/hark sources` for its history",
                )
        services.fetcher.close()
    finally:
        store.close()
    out.write("all good\n" if not problems else f"{problems} thing(s) to fix\n")
    return 0 if not problems else 1

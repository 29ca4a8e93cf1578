"""``hark doctor``: check the tokens, scopes, channels and sources; say what to fix."""

from __future__ import annotations

import os
import tempfile
from typing import Any, TextIO

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.dburl import is_postgres, scrub, shown
from bot.error_text import plain, reason
from bot.fetch.client import FetchError
from bot.grammar import count
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
    # The doctor looks and never changes anything: a database file that does not exist yet
    # is not created (the checks run on a scratch copy made from the config instead).
    scratch = None
    db_path = settings.db_path
    if "://" not in db_path and db_path != ":memory:" and not os.path.exists(db_path):
        report(True, f"database {db_path} does not exist yet; `hark run` creates it")
        scratch = tempfile.TemporaryDirectory(prefix="hark-doctor-")
        db_path = os.path.join(scratch.name, "doctor.db")
    try:
        store = Store(db_path)
    except Exception as exc:  # noqa: BLE001 - one line naming the fix, never the password
        report(
            False,
            f"database {shown(db_path)}: {scrub(reason(exc), db_path)}",
            "check HARK_DB (or DATABASE_URL): the host, the database, the user and its password",
        )
        return 1
    if scratch is None:
        report(True, f"database {shown(db_path)} {_roles(db_path)}")
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
                f"cannot reach Slack at {settings.slack_api_url}: {reason(exc)}",
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
            _check_channel(client, report, f"topic {topic.name}", topic.channel)
        digest_channel = settings.config.digest.channel
        if digest_channel:
            _check_channel(client, report, "digest", digest_channel)
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
                    f"source {source.id}: {plain(exc.message)}",
                    "check the URL, or `/hark sources` for its history",
                )
        services.fetcher.close()
    finally:
        store.close()
        if scratch is not None:
            scratch.cleanup()
    out.write("all good\n" if not problems else f"{count(problems, 'thing to fix')}\n")
    return 0 if not problems else 1


def _roles(db: str) -> str:
    """Which ``hark run --role``s this database allows, in a few words."""
    if is_postgres(db):
        return "(PostgreSQL): web workers and pollers may run apart (`hark run --role web|poller`)"
    return "(SQLite): run one `hark run`; it answers Slack and polls"


def _check_channel(client: Any, report: Any, what: str, channel: str) -> None:
    """Is the bot in ``channel``? Named as ``#name (C…)`` when Slack tells the name."""
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        report(
            False,
            f"{what}: channel {channel}: {exc.response.get('error')}",
            "use a channel ID (right-click the channel → Copy link) in the config",
        )
        return
    shown = f"#{info['name']} ({channel})" if info.get("name") else channel
    member = bool(info.get("is_member"))
    report(
        member,
        f"{what}: the bot {'is in' if member else 'is not in'} {shown}",
        f"invite the bot: `/invite @Hark` in {shown}",
    )

"""What Slack knows of a person: their name and title, from users.info (its one caller)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

log = logging.getLogger(__name__)


def slack_profile(client: WebClient, user_id: str) -> dict[str, str]:
    """``{"name", "title"}`` from Slack's profile; ``{}`` when Slack will not say.

    Callers use it as a courtesy (a prefilled form, a name on a row), so a failure is
    logged and never raised.
    """
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception as exc:  # noqa: BLE001 - a missing profile only makes things vaguer
        log.info("users.info failed for %s: %s", user_id, type(exc).__name__)
        return {}
    profile = user.get("profile") or {}
    return {
        "title": str(profile.get("title") or ""),
        "name": str(profile.get("real_name") or user.get("real_name") or user.get("name") or ""),
    }


def is_person(client: WebClient, user_id: str) -> bool:
    """False for an app or bot user (Hark itself), Slackbot or a deactivated account: someone
    who can never reply. True when Slack will not say (the caller's other checks stand)."""
    if user_id == "USLACKBOT":
        return False
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception as exc:  # noqa: BLE001 - unknown: let the person through
        log.info("users.info failed for %s: %s", user_id, type(exc).__name__)
        return True
    return not (user.get("is_bot") or user.get("is_app_user") or user.get("deleted"))

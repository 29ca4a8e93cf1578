"""Hand-written Block Kit pieces and a slack_sdk error reader, for the fake Slack's own tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError


def error_of(call: Callable[[], Any]) -> str:
    """Run a slack_sdk call expected to fail; return Slack's error code."""
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Claim", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, **extra}


def option(text: str = "a", value: str = "a") -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def header(text: str, kind: str = "plain_text") -> dict[str, Any]:
    return {"type": "header", "text": {"type": kind, "text": text}}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def select(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "s", "options": options}


def input_block(element: dict[str, Any], label: str = "Reason") -> dict[str, Any]:
    return {"type": "input", "label": {"type": "plain_text", "text": label}, "element": element}


def modal(**fields: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Ignore"}, **fields}


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}

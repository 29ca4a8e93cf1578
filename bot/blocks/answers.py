"""Shared pieces of command answers: sections, help, errors."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import SECTION_TEXT

# A message for respond()/chat.postMessage: ``text`` (the fallback) and ``blocks``.
Message = dict[str, Any]

HELP = """*Hark* puts the company's experts into the conversations that matter.

*For everyone*
• `/register` — your social accounts and the topics you can speak to
• `/register show` · `/register delete`
• `/who-covers &lt;topic&gt;` — who covers a topic
• `/digest [period] [topic]` — what was heard and answered (`today`, `7d`, `30d`, `week`, `month`, `2026-11-01..2026-11-15`)

*For admins*
• `/hark topics` (or `/hark topics list`) — the topics (beats) and their channels
• `/hark topics add|edit|remove` — change topics (queries are checked first)
• `/hark test &lt;query&gt;` — what a query would have matched in the last 30 days
• `/hark search &lt;words&gt;` — search the stored posts
• `/hark mutes [add|remove author|site|phrase &lt;value&gt;]` — posts that never reach a channel
• `/hark sources` (or `/hark sources list`) — the sources and their health
• `/hark sources add|remove|pause|resume` — change sources
• `/hark status` — is Hark healthy?
• `/hark help` — this message

On each conversation: *Claim* it, then *Reply* (record your reply) or *Ignore* (say why)."""


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section; ``text`` must already be safe (escaped where untrusted)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT]}}


def help_message() -> dict[str, Any]:
    return {"text": "Hark help", "blocks": [section(HELP)]}


def error_message(text: str) -> dict[str, Any]:
    """An ephemeral error; ``text`` is Hark's own words (may quote escaped user input)."""
    return {"text": text[:3000], "blocks": [section(f":warning: {text}")]}

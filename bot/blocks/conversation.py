"""The conversation card posted to a topic's channel, in every state, and the messages
Hark posts in its thread or sends about it (draft for review, reminders, nudges)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.blocks.text import CONTEXT_TEXT, FALLBACK_TEXT, duration, fit, link
from bot.grammar import mention, with_article
from bot.viewdata import METADATA_EVENT, Card, Expert

EXCERPT = 400
TITLE = 250
DRAFT_SHOWN = 2700
ADMIN_MENU = "conversation_admin"
CONFIRM_MUTE = "confirm_mute"

SOURCE_NAMES = {
    "reddit": "Reddit",
    "hn": "Hacker News",
    "stackoverflow": "Stack Overflow",
    "mastodon": "Mastodon",
    "youtube": "YouTube",
    "github": "GitHub",
    "bluesky": "Bluesky",
    "x": "X",
}


def expert_label(expert: Expert) -> str:
    """A mention for someone who may be pinged, else their name, escaped (it is user text)."""
    if expert.may_ping:
        return mention(expert.user_id)
    name = fit(expert.name, 60, one_line=True) or f"`{expert.user_id}`"
    return f"{name} (away)" if expert.away else name


def expert_labels(experts: Sequence[Expert]) -> tuple[str, ...]:
    """The "who could answer" list for a card or a reminder."""
    return tuple(expert_label(e) for e in experts)


def conversation_message(card: Card) -> dict[str, Any]:
    """``text``, ``blocks`` and ``metadata`` for chat.postMessage / chat.update.

    Every text is cut to Slack's limits as sent (escaped: ``fit``, ``link``), so Slack
    accepts the card whatever the post holds. At most the blocks come to about 11,400
    characters of JSON (every field full of characters JSON escapes), under the ~13,000
    at which Slack answers msg_blocks_too_long.
    """
    if card.state == "ignored":
        blocks = [_collapsed(card), *_mute_blocks(card)]
    else:
        blocks = _full(card)
    return {
        "text": fit(f"{card.topic}: {card.title}", FALLBACK_TEXT, one_line=True),
        "blocks": blocks,
        "metadata": {
            "event_type": METADATA_EVENT,
            "event_payload": {"conversation_id": card.conversation_id},
        },
    }


def _full(card: Card) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": "post",
            "text": {"type": "mrkdwn", "text": _headline(card)},
        },
        {
            "type": "context",
            "block_id": "meta",
            "elements": [{"type": "mrkdwn", "text": _meta_line(card)}],
        },
    ]
    status = _status_line(card)
    if status:
        blocks.append(
            {
                "type": "context",
                "block_id": "status",
                "elements": [{"type": "mrkdwn", "text": status}],
            }
        )
    elements = _buttons(card) + _admin_menu(card)
    if elements:
        blocks.append({"type": "actions", "block_id": "conversation", "elements": elements})
    return blocks


def _collapsed(card: Card) -> dict[str, Any]:
    """An ignored conversation shrinks to one line, with Undo beside it."""
    reason = f" ({fit(card.ignore_reason, 80, one_line=True)})" if card.ignore_reason else ""
    title = link(card.link, card.title or "(untitled)", 150)
    return {
        "type": "section",
        "block_id": "ignored",
        "text": {
            "type": "mrkdwn",
            "text": f":no_entry_sign: Ignored by {mention(card.ignored_by)}{reason}: {title}",
        },
        "accessory": _button("Undo", "undo_ignore", str(card.conversation_id)),
    }


def _mute_blocks(card: Card) -> list[dict[str, Any]]:
    """What became of the mutes asked for with the Ignore: made, or waiting for an admin."""
    lines, pending = [], []
    for note in card.mutes[:4]:
        what = f"the {note.kind} *{fit(note.value, 80, one_line=True)}*"
        if note.muted_by and note.proposed_by:
            lines.append(
                f":mute: Muted {what}: proposed by {mention(note.proposed_by)}, "
                f"confirmed by {mention(note.muted_by)}."
            )
        elif note.muted_by:
            lines.append(f":mute: {mention(note.muted_by)} muted {what}.")
        else:
            lines.append(
                f":mute: {mention(note.proposed_by)} proposed muting {what}; "
                "it takes effect when an admin confirms."
            )
            label = f"Mute this {note.kind}"
            value = f"{note.kind}:{card.conversation_id}"
            pending.append(_button(label, f"{CONFIRM_MUTE}_{note.kind}", value))
    if not lines:
        return []
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "block_id": "mutes",
            "elements": [{"type": "mrkdwn", "text": "\n".join(lines)[:CONTEXT_TEXT]}],
        }
    ]
    if pending:
        blocks.append({"type": "actions", "block_id": "mute_confirm", "elements": pending})
    return blocks


def _headline(card: Card) -> str:
    title = link(card.link, card.title or "(untitled)", TITLE)
    excerpt = fit(card.excerpt, EXCERPT)
    text = f"*{title}*"
    if excerpt:
        text += "\n" + excerpt
    return text


def _meta_line(card: Card) -> str:
    parts: list[str] = []
    if card.author:
        parts.append(fit(card.author, 80, one_line=True))
    origins = card.sources or ((card.site,) if card.site else ())
    if origins:
        parts.append(
            " + ".join(fit(SOURCE_NAMES.get(s, s), 80, one_line=True) for s in origins[:4])
        )
    if card.published_at:
        when = datetime.fromtimestamp(card.published_at, UTC)
        parts.append(
            f"<!date^{int(card.published_at)}^{{date_short_pretty}} {{time}}|{when:%Y-%m-%d %H:%M} UTC>"
        )
    parts.append(f"topic *{fit(card.topic, 80, one_line=True)}*")
    line = " · ".join(parts)
    if card.why:
        line += "\n" + fit(card.why, 300, one_line=True)
    if card.suggested and card.state == "new":
        line += "\nWho could answer: " + ", ".join(expert_labels(card.suggested))
    return line[:CONTEXT_TEXT]


def _status_line(card: Card) -> str:
    actor = mention(card.last_actor)
    if card.state == "claimed":
        after = _after(card.sent_at, card.claimed_at)
        line = f":raising_hand: Claimed by {mention(card.owner)}{after}"
        if card.last_action == "reassign":
            line += f" · assigned by {actor}"
        return line
    if card.state == "replied":
        how = "verified" if card.reply_verified else "self-reported"
        target = f" — {link(card.reply_url, 'the reply', 80)}" if card.reply_url else ""
        after = _after(card.sent_at, card.replied_at)
        return f":white_check_mark: Replied by {mention(card.owner)}{after} ({how}){target}"
    if card.last_action == "release":
        return f":leftwards_arrow_with_hook: Released by {actor}; open for anyone to claim"
    if card.last_action == "reopen":
        return f":arrows_counterclockwise: Reopened by {actor}; open for anyone to claim"
    if card.last_action == "undo_ignore":
        return f":leftwards_arrow_with_hook: Ignore undone by {actor}"
    return ""


def _after(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return ""
    return f" after {duration(end - start)}"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _buttons(card: Card) -> list[dict[str, Any]]:
    value = str(card.conversation_id)
    if card.state == "new":
        return [
            _button("Claim", "claim", value, "primary"),
            _button("Reply", "reply", value),
            _button("Ignore", "ignore", value),
        ]
    if card.state == "claimed":
        return [
            _button("Reply", "reply", value, "primary"),
            _button("Release", "release", value),
            _button("Ignore", "ignore", value),
        ]
    return []


def _admin_menu(card: Card) -> list[dict[str, Any]]:
    """History for all; Reassign and Reopen for admins (checked on use: a message looks
    the same to everyone)."""
    choices = {
        "claimed": ("reassign", "reopen", "history"),
        "replied": ("reopen", "history"),
    }.get(card.state, ())
    labels = {"reassign": "Reassign… (admins)", "reopen": "Reopen (admins)", "history": "History"}
    if not choices:
        return []
    options = [
        {
            "text": {"type": "plain_text", "text": labels[c]},
            "value": f"{c}:{card.conversation_id}",
        }
        for c in choices
    ]
    return [{"type": "overflow", "action_id": ADMIN_MENU, "options": options}]


# -- messages about a conversation -----------------------------------------------------


def _message(text: str) -> dict[str, Any]:
    """A message whose text is already safe mrkdwn (escaped where untrusted)."""
    return {
        "text": text[:FALLBACK_TEXT],
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}],
    }


def draft_for_review(user_id: str, draft: str) -> dict[str, Any]:
    """A draft reply posted in the card's thread for a colleague to review."""
    quoted = "\n".join("> " + line for line in _lines(draft))
    return {
        "text": f"Draft reply by {mention(user_id)}, for review",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":memo: {mention(user_id)} drafted a reply and asks for a review. "
                    "Answer in this thread.",
                },
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": quoted}},
        ],
    }


def _lines(draft: str) -> list[str]:
    # Escape first (so a ">" or "<!here>" in the draft is text), then quote each line.
    # At most 100 lines, so the quote marks cannot push the section past 3000 characters.
    return fit(draft, DRAFT_SHOWN).split("\n")[:100]


def sla_reminder(waited: float, suggested: Sequence[Expert]) -> dict[str, Any]:
    """The one reminder in an unclaimed conversation's thread, naming who could answer."""
    if len(suggested) == 1:
        ask = f"{expert_labels(suggested)[0]}, could you take it? Press *Claim* above."
    elif suggested:
        ask = (
            f"{', '.join(expert_labels(suggested))}: could one of you take it? Press *Claim* above."
        )
    else:
        ask = "Could someone take it? Press *Claim* above."
    return _message(f":alarm_clock: Unclaimed for {duration(waited)}. {ask}")


def escalation_note(waited: float) -> dict[str, Any]:
    """Left in the thread when the admins are told."""
    return _message(f":rotating_light: Still unclaimed after {duration(waited)}; the admins know.")


def escalation_message(topic: str, channel: str, permalink: str | None, waited: float) -> dict:
    """The direct message each admin gets about an unclaimed conversation."""
    where = (
        link(permalink, f"{with_article(topic)} conversation", 120)
        if permalink
        else f"{with_article(fit(topic, 60))} conversation"
    )
    return _message(
        f":rotating_light: Nobody has claimed {where} in {_channel(channel)} for "
        f"{duration(waited)}. Claim it, or find someone who can."
    )


def owner_nudge(topic: str, permalink: str | None, held: float) -> dict[str, Any]:
    """The one nudge to an owner whose claim has no reply after a day."""
    what = (
        link(permalink, f"this {topic} conversation", 120)
        if permalink
        else (f"{with_article(fit(topic, 60))} conversation")
    )
    return _message(
        f":wave: You claimed {what} {duration(held)} ago and it has no reply yet. "
        "Press *Reply* once you have answered, or *Release* it so someone else can."
    )


def assignment_notice(admin: str, topic: str, channel: str, title: str, url: str | None) -> dict:
    """The direct message telling someone an admin gave them a conversation."""
    what = link(url, title or "(untitled)", 200)
    return _message(
        f":raising_hand: {mention(admin)} gave you a *{fit(topic, 60, one_line=True)}* "
        f"conversation in {_channel(channel)}: {what}. Press *Reply* on its card once you "
        "have answered, or *Release* it."
    )


def reassigned_away_notice(
    admin: str, new_owner: str, channel: str, title: str, url: str | None
) -> dict:
    """The direct message telling the previous owner an admin gave their conversation away."""
    what = link(url, title or "(untitled)", 200)
    return _message(
        f":arrow_right: {mention(admin)} gave {what} in {_channel(channel)} to "
        f"{mention(new_owner)}. It is no longer yours: nothing more to do unless you had "
        "started a reply (then tell them)."
    )


def _channel(channel: str) -> str:
    return f"<#{channel}>" if channel[:1] in ("C", "G") and channel.isalnum() else fit(channel, 80)


HISTORY_LABELS = {
    "claim": "claimed it",
    "release": "released it",
    "reply": "marked it replied",
    "reply_verified": "replied (verified by Hark)",
    "ignore": "ignored it",
    "undo_ignore": "undid the Ignore",
    "reopen": "reopened it",
    "reassign": "reassigned it",
    "share_draft": "shared a draft for review",
    "mute": "muted",
    "mute_proposal": "proposed a mute",
}


def history_text(engagements: Sequence[Any]) -> str:
    """The engagement log of one conversation, for the person who asked (ephemeral)."""
    lines = []
    for e in list(engagements)[-30:]:
        # Slack shows the date in the reader's time zone; the fallback (older clients,
        # notifications) is the UTC time, never the raw epoch.
        fallback = f"{datetime.fromtimestamp(e.at, UTC):%Y-%m-%d %H:%M} UTC"
        when = f"<!date^{int(e.at)}^{{date_short_pretty}} {{time}}|{fallback}>"
        what = HISTORY_LABELS.get(e.action, fit(e.action, 40, one_line=True))
        if e.action in ("ignore", "mute", "mute_proposal"):
            what += f" ({fit(e.detail, 120, one_line=True)})"
        lines.append(f"• {when} {mention(e.user_id)} {what}")
    return "\n".join(lines) if lines else "Nothing has happened to this conversation yet."

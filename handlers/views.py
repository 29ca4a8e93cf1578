"""Modal submissions from a conversation card: Reply, Ignore and Reassign.

A modal's ``private_metadata`` only names the conversation. Whether the submitter may act
on it is asked again of bot/authz.py, from the store's row (its owner and its channel),
and every answer goes to the store's channel: never to one the metadata names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.authz import actor_of
from bot.blocks.conversation import assignment_notice, reassigned_away_notice
from bot.blocks.dialogs import IGNORE_CALLBACK, REASSIGN_CALLBACK, REPLY_CALLBACK, view_metadata
from bot.engage.transitions import Outcome
from bot.models import Conversation
from bot.people.profiles import is_person
from bot.wiring import Services

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(REPLY_CALLBACK)(submit_reply)
    app.view(IGNORE_CALLBACK)(submit_ignore)
    app.view(REASSIGN_CALLBACK)(submit_reassign)


def _value(view: dict, block_id: str) -> dict:
    """The ``value`` action's state in ``block_id`` ({} when absent)."""
    return (view["state"]["values"].get(block_id) or {}).get("value") or {}


def _conversation(
    ack: Ack, body: dict, view: dict, client: WebClient, hark: Services, action: str
) -> Conversation | None:
    """The conversation the modal names, if the submitter may do ``action`` to it now (asked
    of bot/authz.py from the store). Otherwise the modal closes and the refusal is
    explained privately in the conversation's own channel."""
    conversation_id = view_metadata(view).get("conversation_id")
    row = hark.store.conversation(conversation_id) if isinstance(conversation_id, int) else None
    if row is None:
        ack()
        return None
    actor = actor_of(body)
    decision = hark.authz.may(actor, action, row)
    if not decision:
        ack()
        _tell(client, row.channel, actor.user_id, decision.message)
        return None
    return row


def _tell(client: WebClient, channel: str, user: str, text: str) -> None:
    """Privately in the channel; in a direct message when Slack will not show it there
    (the person is not in that channel)."""
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as exc:
        log.info("ephemeral refused (%s); telling %s directly", exc.response.get("error"), user)
        client.chat_postMessage(channel=user, text=text)


def _conclude(
    ack: Ack, hark: Services, client: WebClient, row: Conversation, user: str, outcome: Outcome
) -> None:
    """A refusal about a field shows under it; any other refusal closes the modal and is
    explained privately in the conversation's channel; success re-renders the card."""
    if not outcome.ok and outcome.field:
        ack(response_action="errors", errors={outcome.field: outcome.message})
        return
    ack()
    if outcome.ok:
        hark.publisher.refresh(row.id)
    else:
        _tell(client, row.channel, user, outcome.message)


def _submit(
    ack: Ack,
    body: dict,
    view: dict,
    client: WebClient,
    hark: Services,
    action: str,
    step: Callable[[Services, int, str, dict], Outcome],
) -> Outcome | None:
    """The one shape of a submission: the conversation (asked of bot/authz.py), one step
    of bot/engage/transitions.py with what the form holds, then the answer."""
    row = _conversation(ack, body, view, client, hark, action)
    if row is None:
        return None
    user = body["user"]["id"]
    outcome = step(hark, row.id, user, view)
    _conclude(ack, hark, client, row, user, outcome)
    return outcome


def _record_reply(hark: Services, conversation_id: int, user: str, view: dict) -> Outcome:
    hark.engagement.save_draft(conversation_id, user, _value(view, "draft").get("value") or "")
    url = _value(view, "reply_url").get("value") or ""
    return hark.engagement.reply(conversation_id, user, url)


def _record_ignore(hark: Services, conversation_id: int, user: str, view: dict) -> Outcome:
    reason = (_value(view, "reason").get("selected_option") or {}).get("value", "other")
    mute = tuple(o.get("value", "") for o in _value(view, "mute").get("selected_options") or [])
    words = _value(view, "other_reason").get("value") or ""
    return hark.engagement.ignore(conversation_id, user, reason, mute=mute, words=words)


def submit_reply(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
    _submit(ack, body, view, client, context["hark"], "conversation.reply", _record_reply)


def submit_ignore(
    ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
) -> None:
    _submit(ack, body, view, client, context["hark"], "conversation.ignore", _record_ignore)


def submit_reassign(
    ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext
) -> None:
    """Reassign to a person (never an app, Hark itself included), then tell the new owner
    what they now have and the previous owner that it is no longer theirs."""
    hark: Services = context["hark"]
    new_owner = _value(view, "new_owner").get("selected_user") or ""
    person = not new_owner or is_person(client, new_owner)
    before: list[Conversation | None] = []

    def record(hark: Services, conversation_id: int, user: str, view: dict) -> Outcome:
        before.append(hark.store.conversation(conversation_id))
        return hark.engagement.reassign(conversation_id, user, new_owner, person=person)

    outcome = _submit(ack, body, view, client, hark, "conversation.reassign", record)
    if outcome is None or not outcome.ok:
        return
    conversation_id = view_metadata(view)["conversation_id"]
    row = hark.store.conversation(conversation_id)
    if row is not None:
        admin = body["user"]["id"]
        notice = assignment_notice(admin, row.topic, row.channel, row.title, row.link)
        client.chat_postMessage(channel=new_owner, unfurl_links=False, **notice)
        previous = before[0].owner if before and before[0] is not None else None
        if previous and previous not in (new_owner, admin):
            away = reassigned_away_notice(admin, new_owner, row.channel, row.title, row.link)
            client.chat_postMessage(channel=previous, unfurl_links=False, **away)

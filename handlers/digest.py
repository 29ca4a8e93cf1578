"""/digest [period] [topic], and its "Post to channel" button."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.authz import Actor, actor_of
from bot.blocks.answers import error_message
from bot.blocks.digest import POST_ACTION, digest_message
from bot.blocks.text import fit, quoted
from bot.report.periods import PERIOD_HELP, period_shown, read_digest_request
from bot.report.weekly import digest_for, post_digest
from bot.wiring import Services

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.command("/digest")(digest_command)
    app.action(POST_ACTION)(post_to_channel)


def digest_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """``/digest [period] [topic]``: the numbers, privately, with a button to post them."""
    ack()
    hark: Services = context["hark"]
    if not _allowed(hark, respond, actor_of(command), "digest"):
        return
    words = (command.get("text") or "").split()
    now = hark.store.now()
    topics = [t.name for t in hark.store.topics()]
    period, topic, problem = read_digest_request(words, now, topics, quoted)
    if problem:
        respond(response_type="ephemeral", **error_message(problem))
        return
    digest = digest_for(hark.store, hark.settings.config, period, topic)
    respond(response_type="ephemeral", **digest_message(digest, shareable=True))


def _allowed(hark: Services, respond: Respond, actor: Actor, action: str) -> bool:
    """Ask bot/authz.py; a refusal is answered privately."""
    decision = hark.authz.may(actor, action)
    if not decision:
        respond(
            response_type="ephemeral", replace_original=False, **error_message(decision.message)
        )
    return decision.ok


def post_to_channel(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Post the digest the person was looking at (same period, same topic) and its chart."""
    ack()
    hark: Services = context["hark"]
    if not _allowed(hark, respond, actor_of(body), "digest.post"):
        return
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    period, topic = period_shown(body["actions"][0].get("value") or "")
    if period is None or not channel:
        respond(
            response_type="ephemeral",
            replace_original=False,
            **error_message(
                f"That digest can't be posted any more; run `/digest` again. {PERIOD_HELP}"
            ),
        )
        return
    if topic is not None:
        row = hark.store.topic_by_name(topic)
        if row is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                **error_message(f"The topic {quoted(topic)} is gone; run `/digest` again."),
            )
            return
        topic = row.name  # the store's spelling, not the button's
    digest = digest_for(hark.store, hark.settings.config, period, topic)
    try:
        post_digest(client, hark.store, channel, digest, digest_message(digest))
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        log.info("digest post to %s failed: %s", channel, error)
        respond(
            response_type="ephemeral",
            replace_original=False,
            **error_message(
                f"Slack refused the post ({error}). If Hark is not in this channel, "
                "`/invite @Hark`, then press *Post to channel* again."
            ),
        )
        return
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=f"Posted the digest ({fit(digest.period.label, 80)}) in <#{channel}>.",
    )

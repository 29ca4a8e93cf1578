"""/who-covers <topic or words>: the people who cover a topic, best first; Share in channel."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.authz import actor_of
from bot.blocks.answers import error_message
from bot.blocks.text import fit, quoted
from bot.blocks.who_covers import SHARE_ACTION, topic_not_found, which_topic, who_covers_message
from bot.people import who_covers as coverage
from bot.people.profiles import slack_profile
from bot.wiring import Services


def register(app: App) -> None:
    app.command("/who-covers")(who_covers_command)
    app.action(SHARE_ACTION)(share_who_covers)


def who_covers_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """Answer privately; the answer's button shares it in the channel."""
    ack()
    hark: Services = context["hark"]
    decision = hark.authz.may(actor_of(command), "who_covers")
    if not decision:
        respond(response_type="ephemeral", **error_message(decision.message))
        return
    asked = " ".join((command.get("text") or "").split())
    queries = {t.name: t.query for t in hark.store.topics()}
    if not asked or asked.lower() == "help":
        respond(response_type="ephemeral", **which_topic(list(queries)))
        return
    now = hark.store.now()
    found = coverage.find_topic(asked, queries)
    if found.topic is None:
        tagged = coverage.tagged_with(hark.store, asked, now)
        respond(response_type="ephemeral", **topic_not_found(asked, found.suggestions, tagged))
        return
    people = coverage.who_covers(hark.store, found.topic, now)
    message = who_covers_message(
        found.topic, people, asked=asked if found.by_words else None, others=found.others
    )
    respond(response_type="ephemeral", **message)


def share_who_covers(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Post the same answer in the channel, then turn the private copy into a receipt."""
    ack()
    hark: Services = context["hark"]
    decision = hark.authz.may(actor_of(body), "who_covers.share")
    if not decision:
        respond(
            response_type="ephemeral", replace_original=False, **error_message(decision.message)
        )
        return
    topic = str(body["actions"][0].get("value") or "")
    row = hark.store.topic_by_name(topic)
    if row is None:
        respond(
            response_type="ephemeral",
            replace_original=False,
            **error_message(
                f"The topic {quoted(topic)} is gone; `/who-covers` lists the topics there are now."
            ),
        )
        return
    topic = row.name  # the store's spelling, not the button's
    people = coverage.who_covers(hark.store, topic, hark.store.now())
    people = coverage.with_names(
        people, lambda user_id: slack_profile(client, user_id).get("name", "")
    )
    respond(
        response_type="in_channel",
        replace_original=False,
        **who_covers_message(topic, people, shared=True),
    )
    respond(replace_original=True, text=f"Shared in the channel: who covers {fit(topic, 80)}.")

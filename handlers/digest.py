"""/digest [period] [topic]."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.digest import digest_message
from bot.blocks.replies import error_message
from bot.blocks.text import fit
from bot.digest import PeriodError, build_digest, parse_period
from bot.services import Services


def register(app: App) -> None:
    app.command("/digest")(digest_command)


def digest_command(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
    """``/digest [period] [topic]``."""
    ack()
    hark: Services = context["hark"]
    words = (command.get("text") or "").split(maxsplit=1)
    period_text = words[0] if words else "7d"
    topic = words[1].strip() if len(words) > 1 else None
    try:
        period = parse_period(period_text, hark.store.now())
    except PeriodError as exc:
        # Maybe they gave only a topic: `/digest kubernetes`.
        if hark.store.topic_by_name(" ".join(words)):
            period, topic = parse_period("7d", hark.store.now()), " ".join(words)
        else:
            respond(response_type="ephemeral", **error_message(str(exc)))
            return
    if topic is not None:
        row = hark.store.topic_by_name(topic)
        if row is None:
            respond(
                response_type="ephemeral",
                **error_message(
                    f"There is no topic `{fit(topic, 60, one_line=True)}`; `/hark topics` lists them."
                ),
            )
            return
        topic = row["name"]
    respond(response_type="ephemeral", **digest_message(build_digest(hark.store, period, topic)))

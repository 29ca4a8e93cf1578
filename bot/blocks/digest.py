"""The /digest answer."""

from __future__ import annotations

from typing import Any

from bot.blocks.replies import section
from bot.blocks.text import duration, fit, mention
from bot.digest import Digest


def digest_message(d: Digest) -> dict[str, Any]:
    """The /digest answer: the funnel and who engaged."""
    scope = f" · topic *{fit(d.topic, 80, one_line=True)}*" if d.topic else ""
    head = f"*Digest — {d.period.label}*{scope}"
    funnel = (
        f"Heard *{d.heard}* · relevant *{d.relevant}* · posted *{d.posted}* · "
        f"claimed *{d.claimed}* · replied *{d.replied}* · ignored *{d.ignored}* · "
        f"still open *{d.open}*"
    )
    if d.median_claim_seconds is not None:
        funnel += f"\nMedian time to claim: *{duration(d.median_claim_seconds)}*"
    blocks = [section(head), section(funnel)]
    if d.people:
        people = "\n".join(
            f"• {mention(p.user_id)} — {p.claims} claimed, {p.replies} replied"
            f" ({fit(p.topics, 200, one_line=True)})"
            for p in d.people
        )
        blocks.append(section("*Who engaged*\n" + people))
    else:
        blocks.append(section("_Nobody claimed a conversation in this period._"))
    text = (
        f"Digest {d.period.label}: {d.relevant} relevant, {d.claimed} claimed, {d.replied} replied"
    )
    return {"text": text, "blocks": blocks}

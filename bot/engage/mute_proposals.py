"""Mutes asked for from a card's Ignore: an admin's take effect at once; an SME's are
proposals that wait for an admin to confirm them on the card (``/hark mutes add`` is
admin-only, so the Ignore modal is no way around it)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.models import Conversation
from bot.store import Store
from bot.viewdata import mute_value

MUTE_KINDS = ("author", "site")


def ask_mutes(
    store: Store, row: Conversation, user_id: str, kinds: Iterable[str], *, admin: bool
) -> None:
    """Mute (an admin) or propose muting (anyone else) what ``kinds`` name of this post;
    each logged on the conversation (``mute`` or ``mute_proposal``, ``kind:value``)."""
    wanted = set(kinds)
    for kind in MUTE_KINDS:
        value = mute_value(row, kind)
        if kind not in wanted or not value:
            continue
        if not admin:
            store.log_engagement(row.id, user_id, "mute_proposal", f"{kind}:{value}")
        elif store.add_mute(kind, value, user_id):
            store.log_engagement(row.id, user_id, "mute", f"{kind}:{value}")


def confirm_proposed_mute(store: Store, conversation_id: int, admin: str, kind: str) -> str:
    """An admin confirms a proposed mute: '' when muted, else why not (for the admin)."""
    row = store.conversation(conversation_id)
    if row is None:
        return "That conversation no longer exists."
    value = mute_value(row, kind) if kind in MUTE_KINDS else ""
    detail = f"{kind}:{value}"
    logged = store.engagements(conversation_id)
    if not value or not any(e.action == "mute_proposal" and e.detail == detail for e in logged):
        return "Nobody proposed that mute here: nothing was muted."
    if any(e.action == "mute" and e.detail == detail for e in logged):
        return f"The {kind} is muted already."
    store.add_mute(kind, value, admin)  # False: muted meanwhile by /hark mutes add
    store.log_engagement(conversation_id, admin, "mute", detail)
    return ""

"""Claim, reply, ignore, release, undo: the rules, each a compare-and-set plus a log row."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.blocks.text import mention
from bot.store import Store

IGNORE_REASONS = {
    "off_topic": "off-topic",
    "spam": "spam or bot",
    "handled": "already handled",
    "not_worth": "not worth joining",
    "other": "other",
}
_URL = re.compile(r"^https?://\S{3,2000}$", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""  # for the person who clicked, when not ok (or a confirmation)


class Engagement:
    def __init__(self, store: Store, admins: frozenset[str] = frozenset()) -> None:
        self.store = store
        self.admins = admins

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def claim(self, conversation_id: int, user_id: str) -> Outcome:
        """Exactly one person owns a conversation; the second claimer learns who has it."""
        now = self.store.now()
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="claim",
            expect_states=("new",),
            state="claimed",
            owner=user_id,
            claimed_at=now,
        ):
            return Outcome(True)
        return self._refusal(conversation_id, user_id, "claim")

    def release(self, conversation_id: int, user_id: str) -> Outcome:
        """The owner (or an admin) hands the conversation back."""
        owner = None if self.is_admin(user_id) else user_id
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="release",
            expect_states=("claimed",),
            expect_owner=owner,
            state="new",
            owner=None,
            claimed_at=None,
        ):
            return Outcome(True)
        return self._refusal(conversation_id, user_id, "release")

    def reply(self, conversation_id: int, user_id: str, url: str | None) -> Outcome:
        """Record a reply. Anyone may reply to an unclaimed conversation (claiming it);
        a claimed one only by its owner or an admin."""
        if url is not None and not _URL.match(url.strip()):
            return Outcome(False, "The reply link must be an http(s) URL, e.g. https://…")
        now = self.store.now()
        row = self.store.conversation(conversation_id)
        if row is None:
            return Outcome(False, "That conversation no longer exists.")
        owner = row["owner"] or user_id
        if row["state"] == "claimed" and owner != user_id and not self.is_admin(user_id):
            return self._refusal(conversation_id, user_id, "reply")
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="reply",
            detail=url or "",
            expect_states=("new", "claimed"),
            expect_owner=row["owner"] if row["state"] == "claimed" else None,
            state="replied",
            owner=owner,
            claimed_at=row["claimed_at"] or now,
            replied_at=now,
            reply_url=url.strip() if url else None,
            reply_verified=0,
        ):
            return Outcome(True)
        return self._refusal(conversation_id, user_id, "reply")

    def ignore(self, conversation_id: int, user_id: str, reason: str = "other") -> Outcome:
        """Ignore a conversation with a reason (feeds the relevance mutes)."""
        row = self.store.conversation(conversation_id)
        if row is None:
            return Outcome(False, "That conversation no longer exists.")
        if row["state"] == "claimed" and row["owner"] != user_id and not self.is_admin(user_id):
            return self._refusal(conversation_id, user_id, "ignore")
        label = IGNORE_REASONS.get(reason, "other")
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="ignore",
            detail=reason,
            expect_states=("new", "claimed"),
            state="ignored",
            ignored_at=self.store.now(),
            ignore_reason=label,
        ):
            return Outcome(True)
        return self._refusal(conversation_id, user_id, "ignore")

    def undo_ignore(self, conversation_id: int, user_id: str) -> Outcome:
        """Undo an Ignore: back to where it was (claimed if it had an owner)."""
        row = self.store.conversation(conversation_id)
        if row is None:
            return Outcome(False, "That conversation no longer exists.")
        state = "claimed" if row["owner"] else "new"
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="undo_ignore",
            expect_states=("ignored",),
            state=state,
            ignored_at=None,
            ignore_reason=None,
        ):
            return Outcome(True)
        return self._refusal(conversation_id, user_id, "undo")

    def _refusal(self, conversation_id: int, user_id: str, verb: str) -> Outcome:
        row = self.store.conversation(conversation_id)
        if row is None:
            return Outcome(False, "That conversation no longer exists.")
        state, owner = row["state"], row["owner"]
        if state == "claimed" and owner == user_id and verb == "claim":
            return Outcome(False, "You have already claimed this one.")
        if state == "claimed":
            return Outcome(
                False,
                f"{mention(owner)} has claimed this conversation; ask them, or an admin, "
                "if you want to take it over.",
            )
        if state == "replied":
            return Outcome(False, f"{mention(owner)} has already replied to this conversation.")
        if state == "ignored":
            return Outcome(False, "This conversation was ignored; press *Undo* to bring it back.")
        return Outcome(False, f"Nothing to {verb}: this conversation is open. Press *Claim* first.")

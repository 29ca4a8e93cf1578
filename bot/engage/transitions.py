"""The conversation state machine: each transition a compare-and-set plus one log row.

    new ──claim──▶ claimed ──reply / verified reply──▶ replied
     │ ▲             │  ▲ │
     │ └──release────┘  │ └──reassign (admin)──▶ claimed (another owner)
     └─────ignore───▶ ignored ──undo──▶ new or claimed
    any state ──reopen (admin)──▶ new

Who may do what: anyone may claim an open conversation; only its owner or an admin may
reply, release, mark it replied or ignore it once claimed; only admins reopen and
reassign; the person who ignored it, its owner or an admin may undo an Ignore. A refusal
changes nothing and says why, for an ephemeral answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.authz import admin_refusal
from bot.config import EngagementSettings
from bot.engage.mute_proposals import ask_mutes, confirm_proposed_mute
from bot.grammar import mention
from bot.models import Conversation, State
from bot.store import Store
from bot.viewdata import DRAFT_LIMIT, IGNORE_REASONS, OTHER_REASON_LIMIT

# Log actions that change the state (the card names the last one and who did it).
STATE_ACTIONS = frozenset(
    {"claim", "release", "reply", "reply_verified", "ignore", "undo_ignore", "reopen", "reassign"}
)
_URL = re.compile(r"^https?://\S{3,2000}$", re.IGNORECASE)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CLEARED = {
    "owner": None,
    "claimed_at": None,
    "owned_since": None,
    "replied_at": None,
    "reply_url": None,
    "reply_verified": 0,
    "ignored_at": None,
    "ignore_reason": None,
}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""  # for the person who clicked, when not ok
    field: str | None = None  # the modal input the message is about, if any


_GONE = Outcome(False, "That conversation no longer exists.")


class Engagement:
    def __init__(
        self,
        store: Store,
        admins: frozenset[str] = frozenset(),
        settings: EngagementSettings | None = None,
        *,
        is_admin: Callable[[str], bool] | None = None,
    ) -> None:
        self.store = store
        self.admins = admins
        self.settings = settings or EngagementSettings()
        # Beyond the config's admins, e.g. Slack workspace admins (services.AdminDirectory).
        self._is_admin = is_admin

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins or bool(self._is_admin and self._is_admin(user_id))

    def may_handle(self, row: Conversation, user_id: str) -> bool:
        """Reply, release, mark replied, ignore: the owner's (or an admin's) to do."""
        return row.owner in (None, user_id) or self.is_admin(user_id)

    # -- transitions ---------------------------------------------------------------------

    def claim(self, conversation_id: int, user_id: str) -> Outcome:
        """Exactly one person owns a conversation; the second claimer learns who has it."""
        now = self.store.now()
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="claim",
            expect_states=(State.NEW,),
            state=State.CLAIMED,
            owner=user_id,
            claimed_at=now,
            owned_since=now,
        ):
            return Outcome(True)
        return self.refusal(conversation_id, user_id, "claim")

    def release(self, conversation_id: int, user_id: str) -> Outcome:
        """The owner (or an admin) hands the conversation back to everyone."""
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        # The owner first: asking whether someone is an admin may cost a Slack call.
        if row.owner != user_id and not self.is_admin(user_id):
            return self.refusal(conversation_id, user_id, "release")
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="release",
            expect_states=(State.CLAIMED,),
            expect_owner=row.owner,
            state=State.NEW,
            owner=None,
            claimed_at=None,
            owned_since=None,
        ):
            return Outcome(True)
        return self.refusal(conversation_id, user_id, "release")

    def reply(self, conversation_id: int, user_id: str, url: str | None) -> Outcome:
        """Mark replied with the reply's link (self-reported). An open conversation becomes
        the replier's; a claimed one may be marked only by its owner or an admin."""
        url = (url or "").strip()
        if not url:
            return Outcome(False, "Paste the link to your reply to mark it replied.", "reply_url")
        if not _URL.match(url):
            return Outcome(
                False, "The reply link must be an http(s) URL, e.g. https://…", "reply_url"
            )
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        if row.state not in (State.NEW, State.CLAIMED) or not self.may_handle(row, user_id):
            return self.refusal(conversation_id, user_id, "reply to")
        now = self.store.now()
        owner = row.owner or user_id
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="reply",
            detail=url,
            expect_states=(row.state,),
            expect={"owner": row.owner},
            state=State.REPLIED,
            owner=owner,
            claimed_at=row.claimed_at or now,
            owned_since=row.owned_since or now,
            replied_at=now,
            reply_url=url,
            reply_verified=0,
        ):
            return Outcome(True)
        return self.refusal(conversation_id, user_id, "reply to")

    def verified_reply(self, conversation_id: int, url: str, at: float | None = None) -> Outcome:
        """Hark saw the owner's reply in the thread: replied, verified, with that link.

        A self-reported reply is upgraded (its time kept); a claimed one is marked
        replied at the reply's own time when known (never before the card was posted).
        """
        row = self.store.conversation(conversation_id)
        if row is None or row.owner is None:
            return _GONE
        if row.state == State.REPLIED and not row.reply_verified:
            done = self.store.change_state(
                conversation_id,
                user_id=row.owner,
                action="reply_verified",
                detail=url,
                expect_states=(State.REPLIED,),
                expect={"owner": row.owner, "reply_verified": 0},
                reply_url=url,
                reply_verified=1,
            )
            return Outcome(done)
        now = self.store.now()
        replied_at = now if at is None else max(row.sent_at or 0.0, min(at, now))
        done = self.store.change_state(
            conversation_id,
            user_id=row.owner,
            action="reply_verified",
            detail=url,
            expect_states=(State.CLAIMED,),
            expect_owner=row.owner,
            state=State.REPLIED,
            replied_at=replied_at,
            reply_url=url,
            reply_verified=1,
        )
        return Outcome(done)

    def ignore(
        self,
        conversation_id: int,
        user_id: str,
        reason: str = "other",
        mute: tuple[str, ...] = (),
        words: str = "",
    ) -> Outcome:
        """Ignore with a reason (``other`` in the person's ``words``); ``mute`` ("author",
        "site") mutes those at once for an admin, and is proposed to the admins otherwise."""
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        if row.state not in (State.NEW, State.CLAIMED) or not self.may_handle(row, user_id):
            return self.refusal(conversation_id, user_id, "ignore")
        reason = reason if reason in IGNORE_REASONS else "other"
        words = " ".join(words.split())[:OTHER_REASON_LIMIT]
        if reason == "other" and not words:
            return Outcome(
                False,
                "Say why in a few words: it tells whoever tunes the topic what to change.",
                "other_reason",
            )
        shown = words if reason == "other" else IGNORE_REASONS[reason]
        if not self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="ignore",
            detail=reason if reason != "other" else f"other: {words}",
            expect_states=(row.state,),
            expect={"owner": row.owner},
            state=State.IGNORED,
            ignored_at=self.store.now(),
            ignore_reason=shown,
        ):
            return self.refusal(conversation_id, user_id, "ignore")
        ask_mutes(self.store, row, user_id, mute, admin=self.is_admin(user_id))
        return Outcome(True)

    def confirm_mute(self, conversation_id: int, user_id: str, kind: str) -> Outcome:
        """An admin confirms the mute an SME proposed from this conversation's Ignore."""
        if not self.is_admin(user_id):
            return Outcome(False, admin_refusal(self.admins, "confirm a mute"))
        problem = confirm_proposed_mute(self.store, conversation_id, user_id, kind)
        return Outcome(not problem, problem)

    def undo_ignore(self, conversation_id: int, user_id: str) -> Outcome:
        """Undo an Ignore: back to where it was (claimed if it had an owner)."""
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        ignored_by = last_actor(self.store, conversation_id, "ignore")
        allowed = user_id in (ignored_by, row.owner) or self.is_admin(user_id)
        if row.state == State.IGNORED and not allowed:
            return Outcome(
                False,
                f"Only {mention(ignored_by)}, who ignored it, or an admin can undo this Ignore.",
            )
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="undo_ignore",
            expect_states=(State.IGNORED,),
            state=State.CLAIMED if row.owner else State.NEW,
            ignored_at=None,
            ignore_reason=None,
        ):
            return Outcome(True)
        now = self.store.conversation(conversation_id)
        if now is not None and now.state == State.NEW:  # undone already (a second press)
            return Outcome(False, "Already undone: this conversation is open again.")
        if now is not None and now.state == State.CLAIMED:
            return Outcome(
                False, f"Already undone: {mention(now.owner)} has this conversation again."
            )
        return self.refusal(conversation_id, user_id, "undo")

    def reopen(self, conversation_id: int, user_id: str) -> Outcome:
        """An admin puts a conversation back to new, whatever its state."""
        if not self.is_admin(user_id):
            return Outcome(False, admin_refusal(self.admins, "reopen a conversation"))
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        if row.state == State.NEW:
            return Outcome(False, "This conversation is already open.")
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="reopen",
            detail=row.state,
            expect_states=(row.state,),
            state=State.NEW,
            **_CLEARED,
        ):
            return Outcome(True)
        return Outcome(False, "Someone changed this conversation just now; try again.")

    def reassign(
        self, conversation_id: int, user_id: str, new_owner: str, *, person: bool = True
    ) -> Outcome:
        """An admin gives an open or claimed conversation to someone else: a person
        (``person`` False: Slack says ``new_owner`` is an app, a bot or deactivated)."""
        if not self.is_admin(user_id):
            return Outcome(False, admin_refusal(self.admins, "reassign a conversation"))
        if not _USER_ID.match(new_owner or ""):
            return Outcome(False, "Pick a person to give it to.", "new_owner")
        if not person:
            return Outcome(
                False,
                f"{mention(new_owner)} is an app or a deactivated account, so it can't "
                "reply: pick a person.",
                "new_owner",
            )
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        if row.state not in (State.NEW, State.CLAIMED):
            return self.refusal(conversation_id, user_id, "reassign")
        if row.owner == new_owner:
            return Outcome(False, f"{mention(new_owner)} already owns it.", "new_owner")
        now = self.store.now()
        if self.store.change_state(
            conversation_id,
            user_id=user_id,
            action="reassign",
            detail=f"{row.owner or ''}>{new_owner}",
            expect_states=(row.state,),
            expect={"owner": row.owner},
            state=State.CLAIMED,
            owner=new_owner,
            claimed_at=row.claimed_at or now,
            owned_since=now,
        ):
            return Outcome(True)
        return Outcome(False, "Someone changed this conversation just now; try again.")

    # -- drafts --------------------------------------------------------------------------

    def share_draft(self, conversation_id: int, user_id: str, text: str) -> Outcome:
        """Keep a draft and log that it was shared for review (the caller posts it)."""
        text = (text or "").strip()
        if not text:
            return Outcome(False, "Write a draft first, then share it.", "draft")
        if len(text) > DRAFT_LIMIT:
            return Outcome(False, f"Keep the draft under {DRAFT_LIMIT} characters.", "draft")
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        if row.state not in (State.NEW, State.CLAIMED) or not self.may_handle(row, user_id):
            return self.refusal(conversation_id, user_id, "share a draft for")
        self.store.save_draft(conversation_id, user_id, text)
        self.store.log_engagement(conversation_id, user_id, "share_draft", text)
        return Outcome(True)

    def save_draft(self, conversation_id: int, user_id: str, text: str) -> None:
        if text and text.strip():
            self.store.save_draft(conversation_id, user_id, text.strip()[:DRAFT_LIMIT])

    # -- refusals ------------------------------------------------------------------------

    def answerable(self, conversation_id: int, user_id: str, verb: str) -> Outcome:
        """Ok while the conversation can still be replied to or ignored (new or claimed);
        otherwise the refusal ``user_id`` reads: why not, and what to do."""
        row = self.store.conversation(conversation_id)
        if row is not None and row.state in (State.NEW, State.CLAIMED):
            return Outcome(True)
        return self.refusal(conversation_id, user_id, verb)

    def refusal(self, conversation_id: int, user_id: str, verb: str) -> Outcome:
        row = self.store.conversation(conversation_id)
        if row is None:
            return _GONE
        state, owner = row.state, row.owner
        if state == State.CLAIMED and owner == user_id and verb == "claim":
            return Outcome(False, "You have already claimed this one.")
        if state == State.CLAIMED and verb == "claim":
            return Outcome(
                False,
                f"{mention(owner)} has claimed this conversation; ask them, or an admin, "
                "if you want to take it over.",
            )
        if state == State.CLAIMED and owner != user_id:
            return Outcome(
                False,
                f"{mention(owner)} has claimed this conversation, so only they or an admin "
                f"can {verb} it. Ask them if you want to take it over.",
            )
        if state == State.REPLIED:
            return Outcome(False, f"{mention(owner)} has already replied to this conversation.")
        if state == State.IGNORED:
            return Outcome(False, "This conversation was ignored; press *Undo* to bring it back.")
        return Outcome(False, f"Nothing to {verb}: this conversation is open. Press *Claim* first.")


def last_actor(store: Store, conversation_id: int, action: str) -> str | None:
    """Who last did ``action`` on the conversation."""
    rows = store.engagements(conversation_id)
    return next((e.user_id for e in reversed(rows) if e.action == action), None)

"""Who may do what: the one place Hark decides "may this user, of this team, do this to
this thing?".

Every slash command, button and modal asks ``Authority.may``. The rules are a table
(``ACTIONS``): each action is for everyone, for admins, or for the people a conversation
belongs to. An admin is a user named in the config's ``admins``, or a workspace admin or
owner *of the team (or Enterprise Grid org) that installed Hark*: an admin of another
organisation in a Slack Connect channel, or of another workspace of the same Grid, is an
ordinary user here. The installing team comes from ``auth.test`` (asked once); the user's
team from the request and from ``users.info`` (cached for ten minutes, so a check does not
cost a Web API call per click and a demoted admin loses rights within minutes).

When Slack cannot be asked, the answer is no (config admins keep their rights).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from slack_sdk import WebClient

from bot.grammar import mention
from bot.models import Conversation
from bot.store import Store

log = logging.getLogger(__name__)


class Rule(Enum):
    EVERYONE = "everyone"
    ADMIN = "admin"
    HANDLER = "handler"  # reply, ignore, share a draft: the owner, or anyone while it is open
    OWNER = "owner"  # release: the owner
    UNDOER = "undoer"  # undo an Ignore: who ignored it, the owner


# Every action a person can ask of Hark, and who may do it. Admins may do everything.
ACTIONS: dict[str, Rule] = {
    # slash commands
    "register": Rule.EVERYONE,  # one's own profile only: the subject is always the sender
    "who_covers": Rule.EVERYONE,
    "digest": Rule.EVERYONE,
    "hark.help": Rule.EVERYONE,
    "hark.topics": Rule.EVERYONE,
    "hark.topics.add": Rule.ADMIN,
    "hark.topics.edit": Rule.ADMIN,
    "hark.topics.remove": Rule.ADMIN,
    "hark.sources": Rule.EVERYONE,  # listed with redacted URLs for non-admins
    "hark.sources.reveal": Rule.ADMIN,  # full URLs, credentials and query values
    "hark.sources.add": Rule.ADMIN,
    "hark.sources.remove": Rule.ADMIN,
    "hark.sources.pause": Rule.ADMIN,
    "hark.sources.resume": Rule.ADMIN,
    "hark.mutes": Rule.EVERYONE,
    "hark.mutes.add": Rule.ADMIN,
    "hark.mutes.remove": Rule.ADMIN,
    "hark.status": Rule.EVERYONE,
    "hark.test": Rule.EVERYONE,  # rate-limited and CPU-bounded (bot/topic_commands.py)
    "hark.search": Rule.EVERYONE,
    # buttons
    "who_covers.share": Rule.EVERYONE,
    "digest.post": Rule.EVERYONE,
    "conversation.claim": Rule.EVERYONE,
    "conversation.history": Rule.EVERYONE,
    "conversation.reply": Rule.HANDLER,  # the button, the modal, its submission
    "conversation.ignore": Rule.HANDLER,
    "conversation.share_draft": Rule.HANDLER,
    "conversation.release": Rule.OWNER,
    "conversation.undo_ignore": Rule.UNDOER,
    "conversation.reopen": Rule.ADMIN,
    "conversation.reassign": Rule.ADMIN,
    "conversation.confirm_mute": Rule.ADMIN,  # a mute an SME proposed from Ignore
    # events
    "home.open": Rule.EVERYONE,  # one's own Home only
}

# What a conversation action is called in a refusal ("… only they or an admin can ignore it").
_VERBS = {
    "conversation.reply": "reply to",
    "conversation.ignore": "ignore",
    "conversation.share_draft": "share a draft for",
    "conversation.release": "release",
    "conversation.undo_ignore": "undo the Ignore of",
}
# What a refused admin action is called in the refusal ("… can change topics").
_ADMIN_WORDS = {
    "hark.topics.add": "add topics",
    "hark.topics.edit": "edit topics",
    "hark.topics.remove": "remove topics",
    "hark.sources.reveal": "see the sources' full URLs",
    "hark.sources.add": "add sources",
    "hark.sources.remove": "remove sources",
    "hark.sources.pause": "pause sources",
    "hark.sources.resume": "resume sources",
    "hark.mutes.add": "add mutes",
    "hark.mutes.remove": "remove mutes",
    "conversation.reopen": "reopen a conversation",
    "conversation.reassign": "reassign a conversation",
    "conversation.confirm_mute": "confirm a mute",
}


@dataclass(frozen=True)
class Actor:
    """Who sent a request, and from which team (as the request says; users.info decides)."""

    user_id: str
    team_id: str | None = None
    enterprise_id: str | None = None


def actor_of(body: Mapping[str, Any]) -> Actor:
    """The sender of a slash command (form fields) or an interactive payload."""
    if "user_id" in body:  # a slash command
        return Actor(
            str(body["user_id"]),
            _text(body.get("team_id")),
            _text(body.get("enterprise_id")),
        )
    user = body.get("user") or {}
    team = body.get("team") or {}
    enterprise = body.get("enterprise") or {}
    return Actor(
        str(user.get("id") or ""),
        # The user's own team first: in a shared channel ``team`` is where the click
        # happened, ``user.team_id`` where the user belongs.
        _text(user.get("team_id")) or _text(team.get("id")) or _text(body.get("team_id")),
        _text(enterprise.get("id") if isinstance(enterprise, Mapping) else enterprise)
        or _text(body.get("enterprise_id")),
    )


def _text(value: Any) -> str | None:
    return str(value) if value else None


@dataclass(frozen=True)
class Decision:
    ok: bool
    message: str = ""  # for the person refused: what happened and what to do

    def __bool__(self) -> bool:
        return self.ok


ALLOWED = Decision(True)


@dataclass(frozen=True)
class _Install:
    team_id: str | None
    enterprise_id: str | None
    enterprise_install: bool


@dataclass(frozen=True)
class _Person:
    admin: bool  # workspace (or org) admin or owner, wherever that is
    team_id: str | None
    enterprise_id: str | None
    guest: bool


def admin_refusal(admins: frozenset[str], what: str) -> str:
    """The one refusal of an admin action (``what``: "reopen a conversation"): why, and
    whom to ask."""
    named = ", ".join(mention(a) for a in sorted(admins))
    who = (
        f"Ask an admin: {named}."
        if named
        else "No admins are configured: add their Slack IDs under `admins:` in the config."
    )
    return (
        f"Only Hark admins (the config's `admins`, or admins of this workspace) can {what}. {who}"
    )


class Authority:
    """Answers ``may(actor, action, conversation)``; one per running Hark (Services)."""

    PERSON_TTL = 600.0
    MEMBERS_TTL = 60.0
    MEMBERS_PAGES = 20  # 20,000 members: past that, membership counts as unknown (no)

    def __init__(self, client: WebClient, admins: frozenset[str], store: Store) -> None:
        self.client, self.admins, self.store = client, admins, store
        self._lock = threading.Lock()
        self._install: _Install | None = None
        self._people: dict[str, tuple[_Person | None, float]] = {}
        self._members: dict[str, tuple[frozenset[str], float]] = {}
        self._calls: dict[tuple[str, str], deque[float]] = {}

    # -- the question --------------------------------------------------------------------

    def may(
        self, actor: Actor | str, action: str, conversation: Conversation | None = None
    ) -> Decision:
        """May ``actor`` do ``action`` (to ``conversation``, for conversation actions)?"""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        rule = ACTIONS[action]  # an unknown action is a bug: fail loudly
        if rule is Rule.EVERYONE:
            return ALLOWED
        if rule is Rule.ADMIN:
            if self.is_admin(actor):
                return ALLOWED
            return Decision(False, self.admin_refusal(_ADMIN_WORDS.get(action, "do that")))
        if conversation is None:
            return Decision(False, "That conversation no longer exists.")
        verb = _VERBS.get(action, "do that to")
        return self._conversation_rule(actor, rule, conversation, verb)

    def _conversation_rule(
        self, actor: Actor, rule: Rule, row: Conversation, verb: str
    ) -> Decision:
        user, owner = actor.user_id, row.owner
        if user and user == owner:
            return ALLOWED
        ignored_by = self._ignored_by(row.id) if rule is Rule.UNDOER else None
        if ignored_by and user == ignored_by:
            return ALLOWED
        if self.is_admin(actor):
            return ALLOWED
        if rule is Rule.HANDLER and owner is None:
            # Open: anyone who can see its card, i.e. a member of its channel (the store's
            # channel, never one a request names).
            if self.is_member(user, row.channel):
                return ALLOWED
            return Decision(
                False,
                f"This conversation was posted in <#{row.channel}>, which you are not in. "
                f"Join that channel to {verb} it.",
            )
        if rule is Rule.UNDOER and ignored_by:
            return Decision(
                False,
                f"Only {mention(ignored_by)}, who ignored it, or an admin can undo this Ignore.",
            )
        if owner:
            return Decision(
                False,
                f"{mention(owner)} has claimed this conversation, so only they or an admin "
                f"can {verb} it. Ask them if you want to take it over.",
            )
        return Decision(
            False, f"Nothing to {verb}: this conversation is open. Press *Claim* first."
        )

    # -- admins --------------------------------------------------------------------------

    def is_admin(self, actor: Actor | str) -> bool:
        """The config's admins, or an admin/owner of the installing team or org."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        if actor.user_id in self.admins:
            return True
        install = self.install()
        person = self.person(actor.user_id)
        if install is None or person is None or person.guest or not person.admin:
            return False
        return self._at_home(actor, person, install)

    def admin_refusal(self, what: str) -> str:
        return admin_refusal(self.admins, what)

    @staticmethod
    def _at_home(actor: Actor, person: _Person, install: _Install) -> bool:
        if install.enterprise_install:
            # An org-wide install: any workspace of the org, none outside it.
            return bool(install.enterprise_id) and (
                person.enterprise_id == install.enterprise_id
                and actor.enterprise_id in (None, install.enterprise_id)
            )
        if not install.team_id or person.team_id != install.team_id:
            return False
        if actor.team_id not in (None, install.team_id):
            return False  # acting from another workspace of a Grid, or another org
        return actor.enterprise_id in (None, install.enterprise_id)

    def install(self) -> _Install | None:
        """The installing team and org, from auth.test (asked once; not kept on failure)."""
        with self._lock:
            if self._install is not None:
                return self._install
        try:
            answer = self.client.auth_test()
        except Exception as exc:  # noqa: BLE001 - when in doubt, refuse
            log.info("auth.test failed for an admin check: %s", type(exc).__name__)
            return None
        install = _Install(
            _text(answer.get("team_id")),
            _text(answer.get("enterprise_id")),
            bool(answer.get("is_enterprise_install")),
        )
        with self._lock:
            self._install = install
        return install

    def person(self, user_id: str) -> _Person | None:
        """What users.info says of a user (cached); None when Slack cannot say."""
        if not user_id:
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._people.get(user_id)
        if cached and now - cached[1] < self.PERSON_TTL:
            return cached[0]
        try:
            user = self.client.users_info(user=user_id)["user"]
        except Exception as exc:  # noqa: BLE001 - when in doubt, refuse
            log.info("users.info failed for an admin check: %s", type(exc).__name__)
            return None
        org = user.get("enterprise_user") or {}
        person = _Person(
            admin=bool(
                user.get("is_admin")
                or user.get("is_owner")
                or user.get("is_primary_owner")
                or org.get("is_admin")
                or org.get("is_owner")
            ),
            team_id=_text(user.get("team_id")),
            enterprise_id=_text(org.get("enterprise_id")),
            guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        )
        with self._lock:
            self._people[user_id] = (person, now)
        return person

    # -- channel membership --------------------------------------------------------------

    def is_member(self, user_id: str, channel: str) -> bool:
        """Is the user in the channel (conversations.members, cached a minute)?"""
        if not user_id or not channel:
            return False
        now = time.monotonic()
        with self._lock:
            cached = self._members.get(channel)
        if cached is None or now - cached[1] >= self.MEMBERS_TTL:
            members = self._fetch_members(channel)
            if members is None:
                return False
            cached = (members, now)
            with self._lock:
                self._members[channel] = cached
        return user_id in cached[0]

    def _fetch_members(self, channel: str) -> frozenset[str] | None:
        found: set[str] = set()
        cursor = None
        try:
            for _ in range(self.MEMBERS_PAGES):
                page = self.client.conversations_members(channel=channel, limit=1000, cursor=cursor)
                found.update(page.get("members") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return frozenset(found)
        except Exception as exc:  # noqa: BLE001 - when in doubt, refuse
            log.info("conversations.members failed for %s: %s", channel, type(exc).__name__)
        return None

    # -- rate limits ---------------------------------------------------------------------

    def within_rate(self, user_id: str, what: str, limit: int, per_seconds: float) -> float:
        """0 when ``user_id`` may do ``what`` now (and counts it); else seconds to wait.

        Kept in this process: a limit per worker, which bounds the CPU each one gives a user.
        """
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault((user_id, what), deque())
            while calls and now - calls[0] >= per_seconds:
                calls.popleft()
            if len(calls) >= limit:
                return per_seconds - (now - calls[0])
            calls.append(now)
            if len(self._calls) > 10_000:  # forget idle users
                self._calls = {k: v for k, v in self._calls.items() if v}
            return 0.0

    def _ignored_by(self, conversation_id: int) -> str | None:
        """Who last ignored the conversation (from its engagement log)."""
        rows = self.store.engagements(conversation_id)
        return next((e.user_id for e in reversed(rows) if e.action == "ignore"), None)

"""What /register shows, saves and erases."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from bot.engage.transitions import Engagement
from bot.models import State
from bot.people.handles import NETWORKS, Registration, validate_registration
from bot.store import Store
from bot.viewdata import (
    POSTS_COUNTED,
    Account,
    Erasure,
    ErasurePreview,
    RegistrationHeld,
    profile_url,
)

log = logging.getLogger(__name__)


def registration_prefill(store: Store, user_id: str) -> dict[str, Any]:
    """Field -> value, from what the person registered before."""
    person = store.person(user_id)
    if person is None:
        return {}
    prefill: dict[str, Any] = {k: v for k, v in asdict(person).items() if k != "user_id"}
    prefill.update(store.accounts(user_id))
    prefill["topics"] = store.person_topics(user_id)
    today = datetime.fromtimestamp(store.now(), UTC).date().isoformat()
    if prefill.get("away_until") and prefill["away_until"] < today:
        del prefill["away_until"]  # back already; a past date would fail the next save
    return prefill


def save_registration(
    store: Store, user_id: str, values: dict[str, Any], slack_profile: dict[str, str]
) -> Registration:
    """Validate and, when every field is right, save; otherwise save nothing.

    Errors are per field. ``slack_profile`` (name, title from Slack) fills what the
    form left out.
    """
    topics = [t.name for t in store.topics()]
    today = datetime.fromtimestamp(store.now(), UTC).date()
    # What Slack says is cut to fit: an error on a field the form doesn't show can't be fixed.
    from_slack = {k: str(v)[:100] for k, v in slack_profile.items()}
    reg = validate_registration({**from_slack, **values}, topics, today)
    if not reg.errors:
        store.save_person(user_id, reg.profile, reg.topics, reg.accounts)
    return reg


def registration_held(store: Store, user_id: str) -> RegistrationHeld | None:
    """Everything Hark holds about the person (None: nothing), for ``/register show``."""
    person = store.person(user_id)
    if person is None:
        return None
    accounts = tuple(
        Account(NETWORKS.get(network, network), handle, profile_url(network, handle))
        for network, handle in sorted(store.accounts(user_id).items())
    )
    posts = store.recent_employee_posts(user_id, limit=POSTS_COUNTED)
    return RegistrationHeld(person, tuple(store.person_topics(user_id)), accounts, len(posts))


def erasure_preview(store: Store, user_id: str) -> ErasurePreview:
    """What erasing the person would remove or unlink: asked before it is done."""
    return ErasurePreview(
        held=registration_held(store, user_id),
        open_claims=len(store.conversations_for_owner(user_id, (State.CLAIMED,))),
        conversations=len(store.conversations_naming(user_id)),
    )


def delete_registration(
    store: Store,
    user_id: str,
    engagement: Engagement | None = None,
    refresh: Callable[[int], object] | None = None,
) -> Erasure:
    """Erase the person. Their open claims go back to the team first (``engagement``
    releases them), so none is left with a ghost owner; then every card that named them
    is re-rendered (``refresh``) from the erased store: no card names them, and none
    suggests them as someone who could answer."""
    released = 0
    while engagement is not None:
        open_claims = store.conversations_for_owner(user_id, (State.CLAIMED,))
        done = [row.id for row in open_claims if engagement.release(row.id, user_id).ok]
        released += len(done)
        if not done:
            break
    named = store.conversations_naming(user_id)
    erased = store.delete_person(user_id)
    for conversation_id in named if refresh is not None else ():
        try:
            refresh(conversation_id)
        except Exception:  # noqa: BLE001 - the erasure is done; a stale card is cosmetic
            log.warning("could not refresh conversation %s", conversation_id)
    return Erasure(erased=erased, released=released)

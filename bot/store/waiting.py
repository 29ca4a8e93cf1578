"""Conversations waiting on someone: unclaimed ones for reminders and the App Home,
claimed ones whose owner has not answered yet (the nudge)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Conversation
from bot.store import rows as typed
from bot.store.base import StoreBase

# The columns every "which conversations" query here returns (a subset of Store.conversation).
_ROW = """
    SELECT c.*, p.title, p.text, p.author, p.link, p.site, p.source_kind, p.thread_id,
           t.name AS topic, t.sla_minutes
    FROM conversations c JOIN posts p ON p.id = c.post_id JOIN topics t ON t.id = c.topic_id
"""


class WaitingStore(StoreBase):
    # -- reminders -----------------------------------------------------------------------

    def unclaimed_in_slack(self, since: float) -> list[Conversation]:
        """Conversations in Slack since ``since``, still unclaimed and not yet escalated."""
        return typed.many(
            Conversation,
            self.all(
                _ROW
                + """ WHERE c.state = 'new' AND c.ts IS NOT NULL AND c.sent_at >= ?
                  AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.key = 'sla-escalate:' || c.id)
                  ORDER BY c.id""",
                (since,),
            ),
        )

    def claimed_since_before(self, before: float, since: float) -> list[Conversation]:
        """Claimed, unanswered conversations whose owner took them in [since, before]."""
        return typed.many(
            Conversation,
            self.all(
                _ROW
                + """ WHERE c.state = 'claimed' AND c.owned_since <= ? AND c.owned_since >= ?
                  ORDER BY c.id""",
                (before, since),
            ),
        )

    # -- App Home ------------------------------------------------------------------------

    def waiting_on_topics(self, topics: Sequence[str], limit: int = 10) -> list[Conversation]:
        """Unclaimed conversations in Slack on any of ``topics``, oldest first."""
        if not topics:
            return []
        marks = ", ".join("lower(?)" for _ in topics)  # topic names ignore case
        return typed.many(
            Conversation,
            self.all(
                _ROW
                + f""" WHERE c.state = 'new' AND c.ts IS NOT NULL AND lower(t.name) IN ({marks})
                   ORDER BY c.sent_at LIMIT ?""",
                (*topics, limit),
            ),
        )

"""The digest's cohort as the store reads it: the conversations created in a period,
of every topic or of one. Here: the table and WHERE clause that select it from the
``digest_topic_state`` index, and the parsing of what the store's queries return
(counts per topic and state, and per-conversation values the database concatenated)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import ERASED_PERSON, State
from bot.store.dialect import SQLITE, Dialect

# Spelled out as SQL literals (not bound) so SQLite seeks the index one state at a time.
STATES = "(" + ", ".join(f"'{s}'" for s in State) + ")"
# The states a conversation can have an owner in (a reply or an ignore keeps who did it).
OWNED = tuple(s for s in State if s is not State.NEW)
OWNED_STATES = "(" + ", ".join(f"'{s}'" for s in OWNED) + ")"
# Joins the values a cohort query concatenates: it cannot occur in cleaned feed text.
UNIT_SEPARATOR = "\x1f"


def cohort_source(dialect: Dialect) -> str:
    """The conversations, as ``c``, read through the ``digest_topic_state`` index (on
    SQLite a hint names it; PostgreSQL's planner finds it)."""
    return f"conversations c{dialect.indexed_by('digest_topic_state')}"


def cohort_groups(
    dialect: Dialect, topic_id: int | None, states: Sequence[str], aggregates: str
) -> str:
    """A query for ``aggregates`` (over ``c``, the first named ``n``) per (topic, state) of
    the cohort's conversations in ``states``: columns topic_id, state, then the aggregates;
    only groups that have conversations. Binds :since, :until (:topic_id).

    SQLite seeks the index one (topic, state) at a time and groups without a sort.
    PostgreSQL reads the same index slices through a LATERAL join, one aggregate per
    (topic, state): grouping the whole cohort there sorted it, on disk past work_mem.
    """
    listed = "(" + ", ".join(f"'{s}'" for s in states) + ")"
    if dialect.name == "sqlite":
        return f"""SELECT c.topic_id, c.state, {aggregates}
            FROM {cohort_source(dialect)} WHERE {cohort_where(topic_id, listed, dialect)}
            GROUP BY c.topic_id, c.state"""
    topics = "topics" if topic_id is None else "(SELECT CAST(:topic_id AS bigint) AS id)"
    values = ", ".join(f"('{s}')" for s in states)
    return f"""SELECT t.id AS topic_id, s.state, g.*
        FROM {topics} AS t CROSS JOIN (VALUES {values}) AS s(state)
        CROSS JOIN LATERAL (
          SELECT {aggregates} FROM conversations c
          WHERE c.topic_id = t.id AND c.state = s.state
            AND c.created_at >= :since AND c.created_at < :until) AS g
        WHERE g.n > 0"""


def cohort_where(topic_id: int | None, states: str = STATES, dialect: Dialect = SQLITE) -> str:
    """The WHERE clause of a cohort, shaped to seek the index one (topic, state) at a time:
    grouping by topic and state then needs no sort (on SQLite). Binds :since, :until
    (:topic_id)."""
    topics = (
        "c.topic_id = :topic_id"
        if topic_id is not None
        else dialect.each_of("c.topic_id", "SELECT id FROM topics")
    )
    return f"{topics} AND c.state IN {states} AND c.created_at >= :since AND c.created_at < :until"


@dataclass(frozen=True)
class CohortGroup:
    """The cohort's conversations of one topic in one state."""

    topic_id: int
    state: str
    n: int
    posted: int  # sent to Slack
    claimed: int  # have a claim time (replied and ignored ones keep theirs)
    reasons: Counter[str]  # ignore reason -> conversations (state "ignored" only)


@dataclass(frozen=True)
class CohortSummary:
    """The cohort: counts per (topic, state), delays, and who owns what."""

    groups: list[CohortGroup]
    to_claim: list[int]  # whole seconds from posting to claim, sorted, every topic
    to_reply: dict[int, list[int]]  # topic -> whole seconds from posting to reply, sorted
    owners: dict[str, Counter[str]]  # state -> "U123" + "1" (verified) or "0" -> conversations
    owned: dict[int, str]  # topic -> ",U1231,U4560,": its owners' tokens, for topics_of

    def topics_of(self, user: str) -> Counter[int]:
        """How many of the cohort's conversations ``user`` owns, per topic."""
        mine, verified = f",{user}0,", f",{user}1,"
        found: Counter[int] = Counter()
        for topic_id, tokens in self.owned.items():
            n = tokens.count(mine) + tokens.count(verified)
            if n:
                found[topic_id] = n
        return found


def parse_summary(rows: Sequence[sqlite3.Row]) -> CohortSummary:
    """Parse the concatenations once per cohort, not once per group: a few big splits
    and counts in C instead of hundreds of small ones."""
    claims: list[str] = []
    replies: dict[int, list[str]] = {}
    owners: dict[str, list[str]] = {}
    owned: dict[int, list[str]] = {}
    groups = []
    for r in rows:
        topic_id, state = int(r["topic_id"]), r["state"]
        reasons: Counter[str] = Counter()
        if r["reasons"] is not None and state == "ignored":
            reasons = Counter(r["reasons"].split("\x1f"))
        groups.append(
            CohortGroup(topic_id, state, int(r["n"]), int(r["posted"]), int(r["claimed"]), reasons)
        )
        if r["to_claim"]:
            claims.append(r["to_claim"])
        if r["to_reply"] and state == "replied":
            replies.setdefault(topic_id, []).append(r["to_reply"])
        if r["owners"]:
            owners.setdefault(state, []).append(r["owners"])
            owned.setdefault(topic_id, []).append(r["owners"])
    return CohortSummary(
        groups=groups,
        to_claim=_delays(claims),
        to_reply={t: _delays(texts) for t, texts in replies.items()},
        owners={
            state: _people_only(Counter(",".join(t).split(","))) for state, t in owners.items()
        },
        owned={
            t: _ERASED_TOKEN.sub(ERASED_PERSON, f",{','.join(texts)},")
            for t, texts in owned.items()
        },
    )


_ERASED_TOKEN = re.compile(r"former-[0-9a-f]{12}")  # store.people: token_hex(6)


def _people_only(tokens: Counter[str]) -> Counter[str]:
    """Erased people's anonymous tokens counted as one: ERASED_PERSON (so every claim and
    reply is still someone's, named by nobody); Slack user IDs start with U or W."""
    for token in [t for t in tokens if not t.startswith(("U", "W"))]:
        n = tokens.pop(token)
        if token:
            tokens[ERASED_PERSON + token[-1]] += n
    return tokens


def _delays(texts: list[str]) -> list[int]:
    """``["3,1", "-2"]`` -> ``[0, 1, 3]``: sorted whole seconds, none below zero (skew)."""
    if not texts:
        return []
    values = json.loads(f"[{','.join(texts)}]")  # parses ints faster than int() does
    values.sort()
    for i, value in enumerate(values):
        if value >= 0:
            break
        values[i] = 0
    return values

"""Indexes the digest and /who-covers read through (bench/digest.py measures them).

Every digest number about conversations is about a cohort: the conversations
created in a period. ``digest_topic_state`` holds each conversation's outcome in
(topic, state, creation time) order, so one period of one topic and state is one
contiguous slice: grouped counts need no sort and no table row is read.
"""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.schema import migrations

# "Reach" of a post: the audience and engagement figures its source reported. The
# digest's query must spell the expression exactly like the index for SQLite to use it.
REACH_SQL = (
    "(CASE WHEN json_valid(metrics) THEN"
    " coalesce(json_extract(metrics, '$.followers'), 0)"
    " + coalesce(json_extract(metrics, '$.score'), 0)"
    " + coalesce(json_extract(metrics, '$.comments'), 0) ELSE 0 END)"
)

# When the owner last acted on a conversation: the reply, else the claim. Queries
# spell it exactly like this so SQLite reads it from the index.
TOUCHED_SQL = "coalesce(replied_at, claimed_at)"


@migrations()
def digest_001_indexes(db: Database) -> None:
    # Funnel, per-topic lines, speeds, people, backlog; /who-covers seeks one topic.
    db.execute(
        """CREATE INDEX IF NOT EXISTS digest_topic_state ON conversations
           (topic_id, state, created_at, sent_at, claimed_at, replied_at, reply_verified,
            owner, ignore_reason, score, post_id)"""
    )
    # "Most reach": read posts from the largest reach down, stop at the fifth in the period.
    db.execute(f"CREATE INDEX IF NOT EXISTS digest_post_reach ON posts {REACH_SQL}")
    # "Gone quiet": when each person last claimed or replied, overall and per topic;
    # the latest is one seek per person.
    db.execute(
        f"""CREATE INDEX IF NOT EXISTS digest_owner_touched ON conversations
            (owner, {TOUCHED_SQL}) WHERE owner IS NOT NULL"""
    )
    db.execute(
        f"""CREATE INDEX IF NOT EXISTS digest_topic_owner_touched ON conversations
            (topic_id, owner, {TOUCHED_SQL}) WHERE owner IS NOT NULL"""
    )


@migrations()
def digest_002_voice_days(db: Database) -> None:
    # The authors and sites of one UTC day's conversations, counted once the day is
    # over (no conversation is dated in the past, and posts' authors do not change).
    # ``conversations`` is how many there were: a row is recounted if that changes
    # (a topic deleted with its conversations).
    db.execute(
        """CREATE TABLE IF NOT EXISTS digest_voice_days (
            day INTEGER PRIMARY KEY,            -- days since 1970-01-01, UTC
            conversations INTEGER NOT NULL,
            authors TEXT NOT NULL,              -- JSON {name: conversations}
            sites TEXT NOT NULL
        )"""
    )

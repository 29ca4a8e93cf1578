"""Engagement tables: reply watches, drafts, mute requests, and who owns a conversation since when."""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.schema import migrations


@migrations()
def engagement_001_workflow(db: Database) -> None:
    # When the current owner took the conversation (claim or reassign): the nudge
    # counts from here, while claimed_at keeps the team's first response time.
    db.execute("ALTER TABLE conversations ADD COLUMN owned_since REAL")
    db.execute("UPDATE conversations SET owned_since = claimed_at WHERE owner IS NOT NULL")
    db.execute("CREATE INDEX IF NOT EXISTS conversations_state ON conversations(state, sent_at)")
    db.execute("CREATE INDEX IF NOT EXISTS conversations_owner ON conversations(owner, state)")
    # Shared with the relevance engineer, whose migration may create it first.
    db.execute(
        """CREATE TABLE IF NOT EXISTS mutes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            created_by TEXT,
            created_at REAL NOT NULL,
            UNIQUE (kind, value)
        )"""
    )
    # The schedule of the verified-reply watcher: one row per watched conversation.
    db.execute(
        """CREATE TABLE reply_watches (
            conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
            next_check_at REAL NOT NULL,
            checks INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            last_checked_at REAL,
            last_error TEXT,
            etag TEXT,
            last_modified TEXT
        )"""
    )
    # The last draft each person wrote in the Reply modal, to pre-fill it next time.
    db.execute(
        """CREATE TABLE reply_drafts (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            text TEXT NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        )"""
    )

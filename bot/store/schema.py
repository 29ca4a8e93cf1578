"""Schema migrations. Each runs once; ``apply`` can be re-run safely.

Features add their own migrations in ``bot/store/schema_<feature>.py`` (decorated
with ``@migrations()`` from this module, names prefixed by the feature, e.g.
``digest_001_indexes``); the imports at the bottom register them, in order.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("hark")


@migrations()
def m001_core(db: Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,               -- feed | x
            target TEXT NOT NULL,             -- feed URL or X query
            label TEXT NOT NULL DEFAULT '',
            every_seconds INTEGER NOT NULL DEFAULT 600,
            enabled INTEGER NOT NULL DEFAULT 1,
            from_config INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            next_check_at REAL NOT NULL DEFAULT 0,
            seeded INTEGER NOT NULL DEFAULT 0, -- first poll done (no flood after it)
            etag TEXT,
            last_modified TEXT,
            cursor TEXT,                       -- X since_id
            last_checked_at REAL,
            last_success_at REAL,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            failing_since REAL,
            failure_reported INTEGER NOT NULL DEFAULT 0,
            UNIQUE (kind, target)
        );
        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            link TEXT,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            site TEXT NOT NULL DEFAULT '',
            source_kind TEXT NOT NULL DEFAULT 'feed',
            lang TEXT,
            published_at REAL,
            first_seen_at REAL NOT NULL,
            metrics TEXT NOT NULL DEFAULT '{}',
            thread_id TEXT
        );
        CREATE UNIQUE INDEX posts_link ON posts(link) WHERE link IS NOT NULL;
        CREATE INDEX posts_hash ON posts(content_hash);
        CREATE INDEX posts_seen ON posts(first_seen_at);
        -- Which source delivered which post under which GUID: identity is
        -- (source, guid) first, then the canonical link, then the content hash.
        CREATE TABLE post_sources (
            post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            guid TEXT,
            seen_at REAL NOT NULL,
            PRIMARY KEY (post_id, source_id)
        );
        CREATE UNIQUE INDEX post_sources_guid ON post_sources(source_id, guid) WHERE guid IS NOT NULL;
        CREATE TABLE topics (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            query TEXT NOT NULL,
            channel TEXT NOT NULL,
            min_score REAL NOT NULL DEFAULT 0,
            sla_minutes INTEGER NOT NULL DEFAULT 60,
            enabled INTEGER NOT NULL DEFAULT 1,
            from_config INTEGER NOT NULL DEFAULT 0
        );
        -- A conversation: one post matched by one topic, delivered to the
        -- topic's channel through this outbox row, then claimed/replied/ignored.
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
            score REAL NOT NULL DEFAULT 0,
            why TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            deliver INTEGER NOT NULL DEFAULT 1,  -- 0: recorded on a source's first poll, never sent
            channel TEXT NOT NULL,
            send_started_at REAL,                -- set before chat.postMessage: a crash leaves a trace
            send_attempts INTEGER NOT NULL DEFAULT 0,
            send_error TEXT,
            ts TEXT,                             -- Slack message ts once sent
            sent_at REAL,
            state TEXT NOT NULL DEFAULT 'new',   -- new | claimed | replied | ignored
            owner TEXT,
            claimed_at REAL,
            replied_at REAL,
            reply_url TEXT,
            reply_verified INTEGER NOT NULL DEFAULT 0,
            ignored_at REAL,
            ignore_reason TEXT,
            version INTEGER NOT NULL DEFAULT 0,  -- bumped by every state change (compare-and-set)
            UNIQUE (post_id, topic_id)
        );
        CREATE INDEX conversations_outbox ON conversations(deliver, sent_at, id);
        CREATE INDEX conversations_created ON conversations(created_at);
        CREATE TABLE engagements (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            at REAL NOT NULL
        );
        CREATE INDEX engagements_at ON engagements(at);
        CREATE INDEX engagements_conversation ON engagements(conversation_id);
        CREATE TABLE people (
            user_id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            department TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '',
            languages TEXT NOT NULL DEFAULT '',
            pingable INTEGER NOT NULL DEFAULT 0,
            away_until TEXT,
            updated_at REAL NOT NULL
        );
        CREATE TABLE person_topics (
            user_id TEXT NOT NULL REFERENCES people(user_id) ON DELETE CASCADE,
            topic TEXT NOT NULL COLLATE NOCASE,
            PRIMARY KEY (user_id, topic)
        );
        CREATE TABLE accounts (
            user_id TEXT NOT NULL REFERENCES people(user_id) ON DELETE CASCADE,
            network TEXT NOT NULL,
            handle TEXT NOT NULL,
            PRIMARY KEY (user_id, network)
        );
        CREATE INDEX accounts_handle ON accounts(network, handle);
        -- Company and competitor names each post mentions (share of attention).
        CREATE TABLE post_mentions (
            post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            entity TEXT NOT NULL,
            PRIMARY KEY (post_id, entity)
        );
        -- Notes Hark sends at most once (a source failing for a day, a channel
        -- Hark is not in): the key makes them idempotent.
        CREATE TABLE notices (
            key TEXT PRIMARY KEY,
            at REAL NOT NULL
        );
        -- Small counters, e.g. topics_version, bumped on every topic change so
        -- that every process recompiles its matcher without a restart.
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        );
        """,
    )


def _run_statements(db: Database, script: str) -> None:
    # executescript() would COMMIT the migration's transaction half-way; run
    # statement by statement so a failed migration rolls back whole.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def apply_migrations(db: Database) -> None:
    """Bring the schema up to date; safe to call at every start."""
    migrations.apply(db)


# Feature migrations register themselves on import (after the core ones above).
from bot.store import schema_features  # noqa: F401

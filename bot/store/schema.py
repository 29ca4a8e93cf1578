"""The schema: one ordered list of migrations, applied once each by name.

Each migration's name is recorded in ``_sqlite_migrations`` when it runs, so a name
never changes and a new migration goes at the end of ``MIGRATIONS``; ``apply_migrations``
can be re-run at every start. Every table is created by exactly one migration.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite-utils is imported only when a migration runs (schema_is_current)
    from bot.store.lite import Database

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


# The digest's indexes (bench/digest.py measures them). Every digest number about
# conversations is about a cohort: the conversations created in a period.
# ``digest_topic_state`` holds each conversation's outcome in (topic, state, creation
# time) order, so one period of one topic and state is one contiguous slice.
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


def engagement_001_workflow(db: Database) -> None:
    # When the current owner took the conversation (claim or reassign): the nudge
    # counts from here, while claimed_at keeps the team's first response time.
    db.execute("ALTER TABLE conversations ADD COLUMN owned_since REAL")
    db.execute("UPDATE conversations SET owned_since = claimed_at WHERE owner IS NOT NULL")
    db.execute("CREATE INDEX IF NOT EXISTS conversations_state ON conversations(state, sent_at)")
    db.execute("CREATE INDEX IF NOT EXISTS conversations_owner ON conversations(owner, state)")
    # IF NOT EXISTS: a database made while the search migration also created it may
    # have applied that one first. search_001 adds its change-counter triggers.
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


# Outbox: a card Slack refuses (its blocks, its size) is retried a few times, then set aside.
def outbox_001_card_failures(db: Database) -> None:
    # card_failures: how many times Slack refused this card itself (invalid_blocks,
    # msg_too_long, ...); gave_up_at: when Hark stopped trying (the card leaves the outbox).
    db.execute("ALTER TABLE conversations ADD COLUMN card_failures INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE conversations ADD COLUMN gave_up_at REAL")


# Employee voice: the public feeds of registered accounts and what they said.
def people_001_employee_voice(db: Database) -> None:
    statements = [
        # One row per polled account feed: its conditional-GET validators and schedule.
        # Keyed by the account, so changing or erasing the account drops the state.
        """CREATE TABLE voice_feeds (
            user_id TEXT NOT NULL,
            network TEXT NOT NULL,
            handle TEXT NOT NULL,                -- the account the feed belongs to
            url TEXT NOT NULL,                   -- the feed polled (a blog's discovered feed)
            etag TEXT,
            last_modified TEXT,
            next_check_at REAL NOT NULL DEFAULT 0,
            last_checked_at REAL,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, network),
            FOREIGN KEY (user_id, network) REFERENCES accounts(user_id, network)
                ON DELETE CASCADE
        )""",
        # An employee's own public post that mentions the company or matches a topic:
        # counted as reach, shown to its author, never posted to a channel.
        """CREATE TABLE employee_posts (
            id INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES people(user_id) ON DELETE CASCADE,
            network TEXT NOT NULL,
            link TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            published_at REAL,
            mentions_company INTEGER NOT NULL DEFAULT 0,
            topics TEXT NOT NULL DEFAULT '',     -- matched topic names, comma-separated
            seen_at REAL NOT NULL,
            UNIQUE (user_id, link)
        )""",
        "CREATE INDEX employee_posts_when ON employee_posts(coalesce(published_at, seen_at))",
        "CREATE INDEX person_topics_topic ON person_topics(topic)",
    ]
    for statement in statements:
        db.execute(statement)


# Full-text search over stored posts (FTS5), and the mutes' change counter.
def search_001_fts_and_mutes(db: Database) -> None:
    # The name is as applied to existing databases; the mutes table itself is
    # engagement_001's (this migration once created it too).
    # External content: the index holds only tokens; the text stays in posts.
    db.execute(
        """CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
            title, text, author,
            content='posts', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )"""
    )
    # Triggers keep the index in step with every write to posts, whoever makes it.
    db.execute(
        """CREATE TRIGGER IF NOT EXISTS posts_fts_insert AFTER INSERT ON posts BEGIN
            INSERT INTO posts_fts (rowid, title, text, author)
            VALUES (new.id, new.title, new.text, new.author);
        END"""
    )
    db.execute(
        """CREATE TRIGGER IF NOT EXISTS posts_fts_delete AFTER DELETE ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, text, author)
            VALUES ('delete', old.id, old.title, old.text, old.author);
        END"""
    )
    db.execute(
        """CREATE TRIGGER IF NOT EXISTS posts_fts_update AFTER UPDATE OF title, text, author
           ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, text, author)
            VALUES ('delete', old.id, old.title, old.text, old.author);
            INSERT INTO posts_fts (rowid, title, text, author)
            VALUES (new.id, new.title, new.text, new.author);
        END"""
    )
    db.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
    # Any write to mutes (a command, or Ignore's "mute this author") bumps the
    # counter, so Relevance reloads its cached mute rules without a restart.
    for event in ("INSERT", "DELETE", "UPDATE"):
        db.execute(
            f"""CREATE TRIGGER IF NOT EXISTS mutes_version_{event.lower()}
                AFTER {event} ON mutes BEGIN
                INSERT INTO meta (key, value) VALUES ('mutes_version', 1)
                ON CONFLICT (key) DO UPDATE SET value = value + 1;
            END"""
        )


# Full-text indexing off the per-row trigger: indexing a post as it is inserted cost
# the poller's one writer thread most of a cold cycle (issue 14). A new post is queued
# in ``posts_fts_pending`` (by ingest, in the transaction that stores it) and indexed
# with the others in one statement (``SearchStore.index_pending_posts``: the poller at
# least once a cycle, /hark search before it reads). Deleting or editing a post removes
# its old tokens only when they were indexed; a queued post is simply dequeued, or
# indexed later with its new text. Every post of an existing database was indexed by
# the old trigger, so the queue starts empty and the index stays consistent.
def search_002_fts_batched(db: Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS posts_fts_pending (post_id INTEGER PRIMARY KEY)")
    for name in ("posts_fts_insert", "posts_fts_delete", "posts_fts_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    indexed = "NOT EXISTS (SELECT 1 FROM posts_fts_pending q WHERE q.post_id = old.id)"
    db.execute(
        f"""CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, text, author)
            SELECT 'delete', old.id, old.title, old.text, old.author WHERE {indexed};
            DELETE FROM posts_fts_pending WHERE post_id = old.id;
        END"""
    )
    db.execute(
        f"""CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, text, author
           ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, text, author)
            SELECT 'delete', old.id, old.title, old.text, old.author WHERE {indexed};
            INSERT INTO posts_fts (rowid, title, text, author)
            SELECT new.id, new.title, new.text, new.author WHERE {indexed};
        END"""
    )


# How many X posts Hark read each month (X bills per post read).
def x_001_usage(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS x_usage (month TEXT PRIMARY KEY, reads INTEGER NOT NULL)"
    )


# The replay guard's table (bot/store/replays.py). Plain SQL that PostgreSQL runs as
# written: DOUBLE PRECISION, not PostgreSQL's 4-byte REAL, which would round epoch
# seconds to about two minutes.
def replays_001_seen_signatures(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS seen_signatures ("
        " signature TEXT PRIMARY KEY, seen_at DOUBLE PRECISION NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS seen_signatures_seen_at ON seen_signatures (seen_at)")


# A feed's own title ("Dev Forum"), read at each successful poll: what cards and
# /hark sources call a source that has no label, instead of its URL.
def sources_001_feed_title(db: Database) -> None:
    db.execute("ALTER TABLE sources ADD COLUMN feed_title TEXT NOT NULL DEFAULT ''")


# FTS5's merge settings for a poller that indexes thousands of posts a cycle: merge 16
# segments at a time (FTS5's default 4) and force a merge at 64 (default 16). On a cold
# 2,000-feed cycle's 61,215 posts, indexed 2,000 to a transaction: 21-35 % less CPU,
# searches as fast (issue 14). Kept in the index's own config table.
def search_003_fts_merge(db: Database) -> None:
    db.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('automerge', 16)")
    db.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('crisismerge', 64)")


# In the order they run on a fresh database. Append; never rename or reorder.
MIGRATIONS: list[Callable[[Database], None]] = [
    m001_core,
    digest_001_indexes,
    digest_002_voice_days,
    engagement_001_workflow,
    outbox_001_card_failures,
    people_001_employee_voice,
    search_001_fts_and_mutes,
    x_001_usage,
    replays_001_seen_signatures,
    search_002_fts_batched,
    sources_001_feed_title,
    search_003_fts_merge,
]


MIGRATION_SET = "hark"  # sqlite-utils' migration_set column in _sqlite_migrations


def schema_is_current(conn: sqlite3.Connection) -> bool:
    """Whether every migration is recorded as applied, read with plain sqlite3: a start
    on an up-to-date database then needs no sqlite-utils (0.1 s of imports). False
    whenever sqlite-utils' ``Migrations.apply`` would do anything at all: a missing
    record table, one it would rebuild (its primary key not ``id``), a pending name."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if found is None:
        return False
    columns = conn.execute("PRAGMA table_info(_sqlite_migrations)").fetchall()
    if [c[1] for c in sorted((c for c in columns if c[5]), key=lambda c: c[5])] != ["id"]:
        return False
    applied = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
        )
    }
    return all(migration.__name__ in applied for migration in MIGRATIONS)


def apply_migrations(db: Database) -> None:
    """Bring the schema up to date; safe to call at every start."""
    from bot.store.lite import Migrations

    migrations = Migrations(MIGRATION_SET)
    for migration in MIGRATIONS:
        migrations()(migration)
    migrations.apply(db)

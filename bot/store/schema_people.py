"""People: employee voice (the public feeds of registered accounts and what they said)."""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.schema import migrations


@migrations()
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

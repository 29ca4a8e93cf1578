"""Full-text search over stored posts (FTS5), and the mutes table with its change counter."""

from __future__ import annotations

from sqlite_utils import Database

from bot.store.schema import migrations


@migrations()
def search_001_fts_and_mutes(db: Database) -> None:
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
    # Shared with the engagement migration, which may have created it first.
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

-- A hark.db as the migrations before issue 12 left it (schema, applied migrations,
-- a few rows): tests/store/test_migrations.py opens it with today's Store.
-- Made by Store('hark.db') at commit e215458; FTS5's shadow tables are made by
-- CREATE VIRTUAL TABLE, so they are left out.
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");
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
            version INTEGER NOT NULL DEFAULT 0, owned_since REAL, card_failures INTEGER NOT NULL DEFAULT 0, gave_up_at REAL,  -- bumped by every state change (compare-and-set)
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
CREATE TABLE post_mentions (
            post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            entity TEXT NOT NULL,
            PRIMARY KEY (post_id, entity)
        );
CREATE TABLE notices (
            key TEXT PRIMARY KEY,
            at REAL NOT NULL
        );
CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        );
CREATE INDEX digest_topic_state ON conversations
           (topic_id, state, created_at, sent_at, claimed_at, replied_at, reply_verified,
            owner, ignore_reason, score, post_id);
CREATE INDEX digest_post_reach ON posts (CASE WHEN json_valid(metrics) THEN coalesce(json_extract(metrics, '$.followers'), 0) + coalesce(json_extract(metrics, '$.score'), 0) + coalesce(json_extract(metrics, '$.comments'), 0) ELSE 0 END);
CREATE INDEX digest_owner_touched ON conversations
            (owner, coalesce(replied_at, claimed_at)) WHERE owner IS NOT NULL;
CREATE INDEX digest_topic_owner_touched ON conversations
            (topic_id, owner, coalesce(replied_at, claimed_at)) WHERE owner IS NOT NULL;
CREATE TABLE digest_voice_days (
            day INTEGER PRIMARY KEY,            -- days since 1970-01-01, UTC
            conversations INTEGER NOT NULL,
            authors TEXT NOT NULL,              -- JSON {name: conversations}
            sites TEXT NOT NULL
        );
CREATE INDEX conversations_state ON conversations(state, sent_at);
CREATE INDEX conversations_owner ON conversations(owner, state);
CREATE TABLE mutes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            created_by TEXT,
            created_at REAL NOT NULL,
            UNIQUE (kind, value)
        );
CREATE TABLE reply_watches (
            conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
            next_check_at REAL NOT NULL,
            checks INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            last_checked_at REAL,
            last_error TEXT,
            etag TEXT,
            last_modified TEXT
        );
CREATE TABLE reply_drafts (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            text TEXT NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (conversation_id, user_id)
        );
CREATE TABLE voice_feeds (
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
        );
CREATE TABLE employee_posts (
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
        );
CREATE INDEX employee_posts_when ON employee_posts(coalesce(published_at, seen_at));
CREATE INDEX person_topics_topic ON person_topics(topic);
CREATE VIRTUAL TABLE posts_fts USING fts5(
            title, text, author,
            content='posts', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
            INSERT INTO posts_fts (rowid, title, text, author)
            VALUES (new.id, new.title, new.text, new.author);
        END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, text, author)
            VALUES ('delete', old.id, old.title, old.text, old.author);
        END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, text, author
           ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, text, author)
            VALUES ('delete', old.id, old.title, old.text, old.author);
            INSERT INTO posts_fts (rowid, title, text, author)
            VALUES (new.id, new.title, new.text, new.author);
        END;
CREATE TRIGGER mutes_version_insert
                AFTER INSERT ON mutes BEGIN
                INSERT INTO meta (key, value) VALUES ('mutes_version', 1)
                ON CONFLICT (key) DO UPDATE SET value = value + 1;
            END;
CREATE TRIGGER mutes_version_delete
                AFTER DELETE ON mutes BEGIN
                INSERT INTO meta (key, value) VALUES ('mutes_version', 1)
                ON CONFLICT (key) DO UPDATE SET value = value + 1;
            END;
CREATE TRIGGER mutes_version_update
                AFTER UPDATE ON mutes BEGIN
                INSERT INTO meta (key, value) VALUES ('mutes_version', 1)
                ON CONFLICT (key) DO UPDATE SET value = value + 1;
            END;
CREATE TABLE x_usage (month TEXT PRIMARY KEY, reads INTEGER NOT NULL);
CREATE TABLE seen_signatures ( signature TEXT PRIMARY KEY, seen_at DOUBLE PRECISION NOT NULL);
CREATE INDEX seen_signatures_seen_at ON seen_signatures (seen_at);
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'm001_core', '2026-11-30 08:20:21.432747+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'digest_001_indexes', '2026-11-30 08:20:21.438012+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'digest_002_voice_days', '2026-11-30 08:20:21.438599+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'engagement_001_workflow', '2026-11-30 08:20:21.439734+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'outbox_001_card_failures', '2026-11-30 08:20:21.441062+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'people_001_employee_voice', '2026-11-30 08:20:21.445972+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'search_001_fts_and_mutes', '2026-11-30 08:20:21.447283+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'x_001_usage', '2026-11-30 08:20:21.447785+00:00');
INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('hark', 'replays_001_seen_signatures', '2026-11-30 08:20:21.448268+00:00');
INSERT INTO sources (id, kind, target, label, created_at) VALUES (1, 'feed', 'https://e.com/feed', 'e', 1700000000);
INSERT INTO posts (id, link, content_hash, title, text, author, site, first_seen_at, metrics) VALUES (1, 'https://e.com/1', 'h1', 'Kubernetes pods restart', 'body', 'alice', 'e.com', 1700000000, '{"score": 3}');
INSERT INTO post_sources (post_id, source_id, guid, seen_at) VALUES (1, 1, 'g1', 1700000000);
INSERT INTO topics (id, name, query, channel) VALUES (1, 'kubernetes', 'kubernetes', 'C0K8S');
INSERT INTO conversations (id, post_id, topic_id, channel, created_at, ts, sent_at, state, owner, claimed_at, owned_since) VALUES (1, 1, 1, 'C0K8S', 1700000000, '1.1', 1700000010, 'claimed', 'U0SME1', 1700000100, 1700000100);
INSERT INTO engagements (conversation_id, user_id, action, at) VALUES (1, 'U0SME1', 'claim', 1700000100);
INSERT INTO mutes (kind, value, created_by, created_at) VALUES ('site', 'spam.example', 'U0MARKETER', 1700000000);
INSERT INTO people (user_id, name, updated_at) VALUES ('U0SME1', 'Sam', 1700000000);
INSERT INTO notices (key, at) VALUES ('source-down:1', 1700000000);

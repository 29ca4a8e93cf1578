"""Benchmark: /digest 30d and /who-covers against a year of activity.

Generates (once, cached under bench/out/ by parameters) a store with 1,000,000
conversations and 3,000,000 engagement rows over a year, 200 topics and 5,000
people, then times the commands end to end: the queries and the Block Kit render.

    .venv/bin/python bench/digest.py [--scale 0.1] [--runs 20] [--seed 7] [--db URL]

With ``--db postgresql://…`` it measures PostgreSQL: the data is generated into that
database (it must be empty, or hold this very data from an earlier run: it is reused).

Goals (issue 7): digest median < 300 ms, who-covers median < 50 ms, DB < 2 GB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.blocks.digest import digest_message
from bot.blocks.who_covers import who_covers_message
from bot.dburl import is_postgres, shown
from bot.people import who_covers as coverage
from bot.report.digest import build_digest
from bot.report.periods import parse_period
from bot.store import Store

GENERATOR_VERSION = 5  # bump when the generated data changes shape
OUT = Path(__file__).resolve().parent / "out"
END = datetime(2026, 6, 1, tzinfo=UTC).timestamp()  # the generated year ends here
YEAR = 365 * 86400.0
COMPANY, COMPETITORS = "Acme", ("Globex", "Initech")
REASONS = ("off-topic", "spam or bot", "already handled", "not worth joining", "other")
WORDS = [
    "kubernetes",
    "cluster",
    "upgrade",
    "broke",
    "ingress",
    "latency",
    "billing",
    "invoice",
    "pricing",
    "outage",
    "deploy",
    "rollback",
    "postgres",
    "replica",
    "migration",
    "question",
    "help",
    "slow",
    "memory",
    "leak",
    "python",
    "terraform",
    "module",
    "cost",
    "dashboard",
    "alert",
    "pager",
    "incident",
    "vendor",
    "review",
    "comparison",
]
BATCH = 50_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1M conversations")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db", help="a postgresql:// URL to measure PostgreSQL (default: a SQLite file)"
    )
    args = parser.parse_args(argv)
    sizes = {
        "conversations": int(1_000_000 * args.scale),
        "engagements": int(3_000_000 * args.scale),
        "topics": 200,
        "people": 5_000,
    }
    if args.db and is_postgres(args.db):
        store = postgres_db(args.db, sizes, args.seed)
        path = None
    else:
        path = cached_db(sizes, args.seed)
        store = Store(str(path), clock=lambda: END)  # applies any new index migration
    try:
        report(store, path, args.runs)
    finally:
        store.close()
    return 0


# -- the data --------------------------------------------------------------------------------


def cached_db(sizes: dict[str, int], seed: int) -> Path:
    """The generated database for these parameters, generating it the first time."""
    OUT.mkdir(exist_ok=True)
    key = "-".join(f"{k[0]}{v}" for k, v in sizes.items()) + f"-s{seed}-v{GENERATOR_VERSION}"
    path = OUT / f"digest-{key}.db"
    if path.exists():
        print(f"using cached {path.name}")
        return path
    tmp = path.with_suffix(".tmp")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    Store(str(tmp), clock=lambda: END).close()  # the schema, with every migration
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")

    def insert(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    generate(insert, lambda: bulk(conn), sizes, random.Random(seed))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    # The posts were queued for the search as ingest queues them; index them the
    # store's way (a purge's trigger expects every post indexed or queued).
    store = Store(str(tmp), clock=lambda: END)
    try:
        store.index_pending_posts()
        store.conn.execute("ANALYZE")
    finally:
        store.close()
    tmp.rename(path)
    print(f"generated {path.name} in {time.perf_counter() - started:.0f} s")
    return path


def postgres_db(url: str, sizes: dict[str, int], seed: int) -> Store:
    """A store on the PostgreSQL database ``url`` holding the generated data: generated
    there (with COPY) when the database is empty, reused when it holds these sizes."""
    store = Store(url, clock=lambda: END)  # the schema, with every migration
    found = {t: int(store.one(f"SELECT count(*) AS n FROM {t}")["n"]) for t in sizes}
    if found == sizes:
        print(f"using the data already in {shown(url)}")
        return store
    if any(found.values()):
        store.close()
        raise SystemExit(f"{shown(url)} holds other data ({found}): give an empty database")
    started = time.perf_counter()
    raw = store.conn.raw  # psycopg's own connection (bot/store/engine.py), for COPY

    def insert(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    generate(insert, raw.transaction, sizes, random.Random(seed), queue_for_search=False)
    for table in ("topics", "posts", "conversations"):  # ids were given: move identities on
        raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
    raw.execute("VACUUM ANALYZE")  # statistics, and the visibility map index-only scans read
    print(f"generated into {shown(url)} in {time.perf_counter() - started:.0f} s")
    return store


@contextmanager
def bulk(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN")
    yield
    conn.execute("COMMIT")


# Writes rows to a table (columns named), and opens one transaction.
Insert = Callable[[str, Sequence[str], Sequence[tuple]], None]
Transaction = Callable[[], AbstractContextManager[object]]


def generate(
    insert: Insert,
    transaction: Transaction,
    sizes: dict[str, int],
    rng: random.Random,
    queue_for_search: bool = True,
) -> None:
    n_topics, n_people = sizes["topics"], sizes["people"]
    n_conv, n_eng = sizes["conversations"], sizes["engagements"]
    topic_weights = [1 / (i + 1) ** 0.8 for i in range(n_topics)]  # a few busy beats
    people = [f"U{i:07d}" for i in range(n_people)]
    with transaction():
        insert(
            "topics",
            ("id", "name", "query", "channel"),
            [
                (i + 1, f"topic-{i:03d}", f"word{i} OR term{i}", f"C0T{i:03d}")
                for i in range(n_topics)
            ],
        )
        insert(
            "people",
            ("user_id", "name", "title", "updated_at"),
            [(u, f"Person {i}", "Engineer", END - YEAR) for i, u in enumerate(people)],
        )
        # The last ten topics stay undeclared (the digest lists them as uncovered).
        declared = sorted(
            {
                (u, f"topic-{t:03d}")
                for u in people
                for t in rng.choices(range(n_topics - 10), topic_weights[:-10], k=rng.randint(1, 3))
            }
        )
        insert("person_topics", ("user_id", "topic"), declared)
        insert(
            "accounts",
            ("user_id", "network", "handle"),
            [(u, "x", f"@sme{i}") for i, u in enumerate(people)],
        )
    experts: dict[int, list[str]] = {}
    for user, name in declared:
        experts.setdefault(int(name[-3:]) + 1, []).append(user)

    n_posts = int(n_conv * 1.2)  # one in six posts heard matches no topic
    sites = [f"site{i}.example.com" for i in range(300)]
    authors = [f"@user{i} (User {i})" if i % 3 == 0 else f"Author {i}" for i in range(30_000)]
    # A few loud voices and a long tail, as on real forums.
    author_weights = list(itertools.accumulate(1 / (i + 1) ** 0.9 for i in range(len(authors))))
    step = YEAR / n_posts
    conv_id = 0
    eng_rows: list[tuple] = []
    claimed_ids: list[tuple[int, str, float, float]] = []
    for start in range(0, n_posts, BATCH):
        posts, mentions, convs = [], [], []
        for pid in range(start + 1, min(start + BATCH, n_posts) + 1):
            seen = END - YEAR + pid * step
            site = rng.choice(sites)
            title = " ".join(rng.choices(WORDS, k=8))
            metrics = {"score": rng.randint(0, 500), "comments": rng.randint(0, 80)}
            if rng.random() < 0.3:
                metrics = {"followers": int(rng.paretovariate(1.2) * 100)}
            posts.append(
                (
                    pid,
                    f"https://{site}/p/{pid}",
                    f"{pid:016x}",
                    title,
                    " ".join(rng.choices(WORDS, k=30)),
                    rng.choices(authors, cum_weights=author_weights)[0],
                    site,
                    "feed",
                    seen - 600,
                    seen,
                    json.dumps(metrics),
                )
            )
            if rng.random() < 0.12:
                mentions.append((pid, rng.choices((COMPANY, *COMPETITORS), (4, 3, 2))[0]))
            if pid % 6 == 0 or conv_id >= n_conv:
                continue
            conv_id += 1
            topic = rng.choices(range(1, n_topics + 1), topic_weights)[0]
            convs.append(
                _conversation(
                    rng, conv_id, pid, topic, seen, experts, people, eng_rows, claimed_ids
                )
            )
        with transaction():
            insert(
                "posts",
                (
                    *("id", "link", "content_hash", "title", "text", "author", "site"),
                    *("source_kind", "published_at", "first_seen_at", "metrics"),
                ),
                posts,
            )
            if queue_for_search:  # as ingest queues a new post (SQLite's search only)
                insert("posts_fts_pending", ("post_id",), [(p[0],) for p in posts])
            insert("post_mentions", ("post_id", "entity"), mentions)
            insert(
                "conversations",
                (
                    *("id", "post_id", "topic_id", "score", "why", "created_at", "deliver"),
                    *("channel", "ts", "sent_at", "state", "owner", "claimed_at"),
                    *("replied_at", "reply_url", "reply_verified", "ignored_at"),
                    "ignore_reason",
                ),
                convs,
            )
    # Drafts shared and claims released then taken again fill the log up to its size.
    extra = max(0, n_eng - len(eng_rows))
    for conv, owner, claimed_at, done_at in rng.choices(claimed_ids, k=extra):
        at = claimed_at + rng.random() * max(1.0, done_at - claimed_at)
        eng_rows.append((conv, owner, rng.choice(("draft", "draft", "release")), "", at))
    eng_rows.sort(key=lambda r: r[4])
    for start in range(0, len(eng_rows), BATCH * 4):
        with transaction():
            insert(
                "engagements",
                ("conversation_id", "user_id", "action", "detail", "at"),
                eng_rows[start : start + BATCH * 4],
            )


def _conversation(
    rng: random.Random,
    conv_id: int,
    post_id: int,
    topic: int,
    created: float,
    experts: dict[int, list[str]],
    people: list[str],
    eng_rows: list[tuple],
    claimed_ids: list[tuple[int, str, float, float]],
) -> tuple:
    deliver = rng.random() < 0.97
    sent = created + 2 if deliver else None
    state, owner, claimed, replied, verified, ignored, reason = (
        "new",
        None,
        None,
        None,
        0,
        None,
        None,
    )
    roll = rng.random()
    if sent is not None and roll < 0.7:
        owner = (
            rng.choice(experts.get(topic) or people) if rng.random() < 0.8 else rng.choice(people)
        )
        claimed = sent + rng.lognormvariate(7.0, 1.2)  # median ~18 min
        state = "claimed"
        if roll < 0.45:
            state, replied = "replied", claimed + rng.lognormvariate(8.5, 1.0)  # ~1.4 h
            verified = int(rng.random() < 0.4)
        elif roll < 0.55:
            state, ignored, reason = "ignored", claimed + 60, rng.choice(REASONS)
        done = replied or ignored or claimed
        if done > END:  # not happened yet when the year ends
            state, owner, claimed, replied, verified, ignored, reason = (
                "new",
                None,
                None,
                None,
                0,
                None,
                None,
            )
    elif sent is not None and roll < 0.8:
        state, ignored, reason = "ignored", sent + rng.lognormvariate(6.0, 1.0), rng.choice(REASONS)
        if ignored > END:
            state, ignored, reason = "new", None, None
    if claimed is not None:
        eng_rows.append((conv_id, owner, "claim", "", claimed))
        claimed_ids.append((conv_id, owner, claimed, replied or ignored or claimed + 3600))
    if replied is not None:
        eng_rows.append((conv_id, owner, "reply", f"https://site.example.com/r/{conv_id}", replied))
    if ignored is not None:
        eng_rows.append((conv_id, owner or rng.choice(people), "ignore", reason, ignored))
    return (
        conv_id,
        post_id,
        topic,
        round(rng.random(), 3),
        "matched: word OR term",
        created,
        int(deliver),
        f"C0T{topic - 1:03d}",
        f"{sent:.6f}" if sent else None,
        sent,
        state,
        owner,
        claimed,
        replied,
        f"https://site.example.com/r/{conv_id}" if replied else None,
        verified,
        ignored,
        reason,
    )


# -- the measurements ------------------------------------------------------------------------


@dataclass
class Timing:
    first: float  # ms, the first (cold) call
    wall: list[float]  # ms per later call
    cpu: list[float]  # ms of CPU per later call, every thread of this process


def timed(fn: Callable[[], object], runs: int) -> Timing:
    start = time.perf_counter()
    fn()
    timing = Timing((time.perf_counter() - start) * 1000, [], [])
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        timing.wall.append((time.perf_counter() - start) * 1000)
        timing.cpu.append((time.process_time() - cpu) * 1000)
    return timing


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def report(store: Store, path: Path | None, runs: int) -> None:
    counts = {
        t: store.one(f"SELECT count(*) AS n FROM {t}")["n"]
        for t in ("conversations", "engagements", "posts", "topics", "people")
    }
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    topics = [t.name for t in store.topics()]
    picks = random.Random(1)

    def digest(spec: str = "30d", topic: str | None = None) -> dict:
        d = build_digest(
            store, parse_period(spec, END), topic, company=COMPANY, competitors=COMPETITORS
        )
        return digest_message(d, shareable=True)

    def who_covers() -> dict:
        topic = picks.choice(topics)
        return who_covers_message(topic, coverage.who_covers(store, topic, END))

    cases = [
        ("/digest 30d", digest),
        ("/digest 7d", lambda: digest("7d")),
        ("/digest 30d topic-000 (busiest topic)", lambda: digest("30d", "topic-000")),
        ("/who-covers <random topic>", who_covers),
    ]
    # Whole past days' voices are stored the first time a digest reads them: time the
    # first digest of a fresh store too.
    store.conn.execute("DELETE FROM digest_voice_days")
    start = time.perf_counter()
    digest()
    cold = (time.perf_counter() - start) * 1000
    load = os.getloadavg()[0]
    print(f"\nload average before: {load:.2f} on {os.cpu_count()} CPUs")
    print(f"{'command':40} {'first':>7} {'median':>7} {'p90':>7} {'cpu':>7}   (ms, {runs} runs)")
    results = {}
    for name, fn in cases:
        t = timed(fn, runs)
        results[name] = t
        print(
            f"{name:40} {t.first:7.1f} {statistics.median(t.wall):7.1f} {p90(t.wall):7.1f}"
            f" {statistics.median(t.cpu):7.1f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"/digest 30d before any day's voices were stored: {cold:.1f} ms")
    message = digest()
    chars = len(json.dumps(message["blocks"], ensure_ascii=False))
    print(f"\ndigest message: {len(message['blocks'])} blocks, {chars:,} chars of blocks JSON")
    size = database_size(store, path)
    goals = [
        ("digest median < 300 ms", statistics.median(results["/digest 30d"].wall) < 300),
        ("who-covers median < 50 ms", statistics.median(results[cases[-1][0]].wall) < 50),
        ("database < 2 GB", size < 2e9),
    ]
    print("goals: " + "; ".join(f"{g}: {'met' if ok else 'MISSED'}" for g, ok in goals))
    print("\nindexes used (EXPLAIN QUERY PLAN of each statement one digest and who-covers run):")
    for label, used in query_plans(store, lambda: (digest(), who_covers())):
        print(f"  {label:34} {used}")


def database_size(store: Store, path: Path | None) -> int:
    """Print the database's size and its digest indexes' and tables'; return the size."""
    if path is None:  # PostgreSQL
        size = int(store.one("SELECT pg_database_size(current_database()) AS n")["n"])
        parts = store.all(
            """SELECT relname AS name, pg_total_relation_size(oid) AS size FROM pg_class
               WHERE relname LIKE 'digest%' ORDER BY relname"""
        )
        print(f"database: {size / 1e9:.2f} GB (PostgreSQL, {store.one('SELECT version()')[0]})")
    else:
        size = sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.exists())
        print(f"database: {size / 1e9:.2f} GB ({path.name})")
        try:
            parts = store.all(
                "SELECT name, sum(pgsize) AS size FROM dbstat WHERE name LIKE 'digest%'"
                " GROUP BY name"
            )
        except sqlite3.OperationalError:
            parts = []  # SQLite built without the dbstat table
    if parts:
        print(
            "  of which the digest's: "
            + ", ".join(f"{r['name']} {int(r['size']) / 1e6:.0f} MB" for r in parts)
        )
    return size


def _caller() -> str:
    """The store method that runs the statement being traced."""
    frame = sys._getframe(2)
    while frame and "/bot/store/" not in frame.f_code.co_filename.replace("\\", "/"):
        frame = frame.f_back
    caller = frame.f_code.co_name if frame else "?"
    if caller in {"one", "all"} and frame and frame.f_back:
        caller = frame.f_back.f_code.co_name
    return caller


def query_plans(store: Store, run: Callable[[], object]) -> list[tuple[str, str]]:
    """The store method behind each statement run, and the indexes its plan uses."""
    if store.dialect.name == "postgresql":
        return postgres_plans(store, run)
    seen: list[tuple[str, str]] = []

    def trace(sql: str) -> None:
        seen.append((_caller(), sql))

    conn = store.conn
    conn.set_trace_callback(trace)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
    tables = {r["name"] for r in store.all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found: dict[str, set[str]] = {}
    for caller, sql in seen:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        used = set(re.findall(r"USING (?:COVERING )?INDEX (\w+)", plan))
        used |= {"rowid" for _ in re.finditer(r"INTEGER PRIMARY KEY", plan)}
        used |= {
            f"full scan of {t}"
            for t in re.findall(r"\bSCAN (\w+)(?!\w| USING)", plan)
            if t in tables
        }
        found.setdefault(caller, set()).update(used)
    return [(caller, ", ".join(sorted(used)) or "-") for caller, used in found.items()]


def postgres_plans(store: Store, run: Callable[[], object]) -> list[tuple[str, str]]:
    """query_plans on PostgreSQL: each statement's EXPLAIN, with its parameters."""
    seen: list[tuple[str, str, object]] = []
    conn = store.conn
    execute = conn.execute

    def recording(sql: str, params: object = ()) -> object:
        seen.append((_caller(), sql, params))
        return execute(sql, params)

    conn.execute = recording  # type: ignore[method-assign]
    try:
        run()
    finally:
        del conn.execute
    found: dict[str, set[str]] = {}
    for caller, sql, params in seen:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        plan = " | ".join(row[0] for row in conn.execute("EXPLAIN " + sql, params))
        used = set(re.findall(r"(?:Index|Index Only) Scan(?: Backward)? using (\w+)", plan))
        used |= set(re.findall(r"Bitmap Index Scan on (\w+)", plan))
        used |= {f"full scan of {t}" for t in re.findall(r"Seq Scan on (\w+)", plan)}
        found.setdefault(caller, set()).update(used)
    return [(caller, ", ".join(sorted(used)) or "-") for caller, used in found.items()]


if __name__ == "__main__":
    sys.exit(main())

"""Poll feeds served on loopback: Hark against the naive loop and the floor, in one run.

    .venv/bin/python bench/poll.py [--feeds 400,2000] [--content repeated,distinct]
                                   [--runs 3] [--naive-sample 213] [--delay-seconds 200]
                                   [--engine sqlite|postgresql]

A separate process serves the 213 corpus feeds (``../shared/corpus`` or
``$HARK_CORPUS``) repeated under distinct URLs, spread over 100 loopback
addresses (127.0.1.1 - 127.0.1.100, so per-host limits apply as across real
sites), each URL with its own ETag, answering 304 to If-None-Match. With
``distinct`` content every copy after the first has its own links and titles,
so every post is new to Hark; ``repeated`` serves the corpus byte for byte.

For each content and feed count, the median of ``--runs`` runs of:

- cold: ``hark poll --once`` (the real command, start-up included) on a new
  database, every source new, against the fake Slack; the database is a SQLite file,
  or with ``--engine postgresql`` an empty database on a PostgreSQL server the run
  starts on loopback (the cold run migrates it, as it creates the SQLite schema);
- warm: the same command again: every feed answers 304;
- floor: the start-up (``python -c "import bot.cli"``) plus fastfeedparser over
  every body (already in memory) plus one plain ``executemany`` insert of every
  entry's link, title and text into SQLite;
- naive: urllib + ``feedparser.parse``, one feed after another, nothing stored,
  timed over ``--naive-sample`` URLs (one copy of the corpus: each corpus feed
  once) and extrapolated per corpus feed to the whole count (run once per content).

Peak memory is VmHWM (not ru_maxrss, which Linux carries across exec from the
parent that started the process): of the ``hark`` process itself and of its largest
parse worker (sampled). CPU seconds (user + system) of ``hark`` and of its workers
are printed too: unlike wall time, they hardly move when other work shares the
machine. Hark's modules run from bytecode (``bench/out/pycache``) as installed.

Then the heard-to-Slack delay: ``hark run`` (HTTP mode) against the fake Slack and
a local feed server; an entry appears on a feed at a random moment
and the seconds until its card reaches the fake Slack are recorded. Sources poll
``--delay-every`` (default 1m, the shortest Hark allows, so a short run sees
several entries); the scheduler ticks at its default (30 s). At the default
source interval (10m) the wait for the schedule grows by the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("HARK_CORPUS") or ROOT.parent / "shared" / "corpus")
HOSTS = [f"127.0.1.{n}" for n in range(1, 101)]
TOPICS = [
    {"name": "kubernetes", "query": "(kubernetes OR k8s OR kubectl) -hiring", "channel": "C0K8S"},
    {"name": "python", "query": "python OR django OR flask OR fastapi", "channel": "C0PY"},
    {
        "name": "security",
        "query": '(vulnerability OR CVE OR exploit OR "zero-day") -sponsored',
        "channel": "C0SEC",
    },
    {
        "name": "databases",
        "query": 'postgres* OR sqlite OR mysql OR "database migration"',
        "channel": "C0DB",
    },
    {
        "name": "ai",
        "query": '"large language model" OR LLM OR "machine learning" OR openai',
        "channel": "C0AI",
    },
    {"name": "rust", "query": "rust AND (crate OR cargo OR compiler)", "channel": "C0RUST"},
]
# Runs ``hark`` as the console script does, then reports on a pipe its peak memory and
# CPU seconds, and its parse workers'. Peak memory is VmHWM (/proc/PID/status), not
# ru_maxrss: Linux carries a process's ru_maxrss across exec, so a child started by a
# large parent (this benchmark holds hundreds of MB of feeds) reported the parent's peak.
# Workers (and the fork server they come from, which Hark never waits for) are sampled
# every 0.1 s while they live: VmHWM and CPU time only grow.
_RUNNER = """
import json, multiprocessing, os, resource, sys, threading
from multiprocessing import forkserver

TICK = os.sysconf("SC_CLK_TCK")

def status(pid):
    \"\"\"(VmHWM in MB, user + system CPU seconds) of a live process, else (0, 0).\"\"\"
    try:
        with open(f"/proc/{pid}/status") as lines:
            hwm = next((int(l.split()[1]) / 1024 for l in lines if l.startswith("VmHWM:")), 0.0)
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return hwm, (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0, 0.0

seen = {}  # pid -> (peak MB, CPU seconds): parse workers and the fork server they come from
done = threading.Event()

def sample():
    # multiprocessing's own list of started children, read without reaping any
    # (active_children() would wait for them beside the pool's own joins).
    while not done.wait(0.1):
        try:
            pids = [child.pid for child in list(multiprocessing.process._children)]
        except RuntimeError:  # the set changed while being copied: next time
            continue
        pids.append(forkserver._forkserver._forkserver_pid)
        for pid in pids:
            if pid:
                old, new = seen.get(pid, (0.0, 0.0)), status(pid)
                seen[pid] = (max(old[0], new[0]), max(old[1], new[1]))

threading.Thread(target=sample, daemon=True).start()
from bot.cli import main
code = main(sys.argv[1:])
done.set()
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
with os.fdopen(int(os.environ["BENCH_PEAK_FD"]), "w") as out:
    json.dump({"own": status("self")[0], "workers": max((m for m, _ in seen.values()), default=0.0),
               "own_cpu": own.ru_utime + own.ru_stime,
               # waited-for children (spawned workers) or, forked by the server, as sampled
               "workers_cpu": max(children.ru_utime + children.ru_stime,
                                  sum(c for _, c in seen.values()))}, out)
sys.exit(code)
"""


def corpus_paths() -> list[Path]:
    paths = sorted((CORPUS / "feeds" / "real").glob("*"))
    if not paths:
        sys.exit(f"no corpus at {CORPUS}; set HARK_CORPUS")
    return paths


def feed_urls(count: int, port: int) -> list[str]:
    """Distinct URLs; URL i serves corpus feed i mod 213 from host i mod 100."""
    return [f"http://{HOSTS[i % len(HOSTS)]}:{port}/feed/{i}.xml" for i in range(count)]


# --- the feed server (its own process) ------------------------------------------------------


_NAMESPACE_CHANGED = re.compile(rb"""(xmlns(?::[\w.-]+)?\s*=\s*["']https?://)c\d+\.""")
_TITLE = re.compile(rb"(<title(?:\s[^>]*)?>)")


def documents(paths: list[str], count: int, distinct: bool) -> list[bytes]:
    """What URL i serves: corpus feed i mod 213, its own links and titles if ``distinct``."""
    corpus = [Path(p).read_bytes() for p in paths]
    docs = [corpus[i % len(corpus)] for i in range(count)]
    if distinct:
        for i in range(len(corpus), count):
            copy = i // len(corpus)
            doc = docs[i].replace(b"://", b"://c%d." % copy)
            # ...but not in namespace names, or the document stops being RSS or Atom.
            doc = _NAMESPACE_CHANGED.sub(rb"\1", doc)
            docs[i] = _TITLE.sub(rb"\1c%d " % copy, doc)
    return docs


def serve(paths: list[str], count: int, distinct: bool, ready: Any, stop: Any) -> None:
    """Serve the corpus on every HOSTS address (one port), keep-alive, ETag per URL.

    ``distinct``: every copy after the first gets its own links and titles (so every
    post is new to Hark), instead of repeating the corpus byte for byte.
    """
    docs = documents(paths, count, distinct)
    crcs = [zlib.crc32(d) for d in docs]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1]
                known = None
                for line in lines[1:]:
                    if line[:14].lower() == b"if-none-match:":
                        known = line[14:].strip()
                index = int(path.rsplit(b"/", 1)[1].split(b".")[0])
                doc = docs[index]
                etag = b'"%d-%x"' % (index, crcs[index])
                if known == etag:
                    writer.write(b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\n\r\n")
                else:
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nETag: "
                        + etag
                        + b"\r\nContent-Length: %d\r\n\r\n" % len(doc)
                    )
                    writer.write(doc)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        for _attempt in range(20):
            # A free port on the first address may be taken on another one: try again.
            first = await asyncio.start_server(answer, HOSTS[0], 0, backlog=1024)
            port = first.sockets[0].getsockname()[1]
            try:
                others = await asyncio.start_server(answer, HOSTS[1:], port, backlog=1024)
                break
            except OSError:
                first.close()
        else:
            ready.send("could not bind one port on every loopback address")
            return
        ready.send(port)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, stop.wait)
        first.close()
        others.close()

    asyncio.run(main())


# --- Hark: `hark poll --once`, cold then warm -----------------------------------------------


# Bytecode for Hark's own modules, as an installed Hark has it (pip compiles them): a
# shell with PYTHONDONTWRITEBYTECODE set would otherwise have every start-up, the
# parse workers' included, compile ~120 modules from source. Kept out of the tree.
PYCACHE = ROOT / "bench" / "out" / "pycache"


def python_env() -> dict[str, str]:
    """This environment, for a Python that reads and writes PYCACHE."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def compile_hark() -> None:
    """Write PYCACHE for bot/ and handlers/ once, before anything is timed."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "bot", "handlers"],
        env=python_env(),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _env(scratch: Path, slack_url: str, urls: list[str]) -> dict[str, str]:
    config = {
        "company": {"name": "Acme", "terms": ["Acme", "Acme Cloud"]},
        "competitors": {"Globex": ["Globex"], "Initech": ["Initech"]},
        "topics": TOPICS,
        "sources": [{"url": url} for url in urls],
        "network": {"allow_hosts": HOSTS},
    }
    (scratch / "hark.yml").write_text(json.dumps(config))  # JSON is YAML
    env = {k: v for k, v in python_env().items() if not k.startswith(("SLACK_", "HARK_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_API_URL=slack_url,
        HARK_DB=str(scratch / "hark.db"),
        HARK_CONFIG=str(scratch / "hark.yml"),
        PYTHONPATH=str(ROOT),
    )
    return env


def hark_poll(
    env: dict[str, str], cwd: Path, args: tuple[str, ...] = ("poll", "--once")
) -> dict[str, Any]:
    """One ``hark poll --once`` (or ``hark ARGS``): wall seconds, statuses, peak memory,
    CPU seconds."""
    read, write = os.pipe()
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, *args],
        env={**env, "BENCH_PEAK_FD": str(write)},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(write,),
    )
    os.close(write)
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    with os.fdopen(read) as memory:
        peak = json.loads(
            memory.read() or '{"own": 0, "workers": 0, "own_cpu": 0, "workers_cpu": 0}'
        )
    statuses: dict[str, int] = {}
    for line in out.decode(errors="replace").splitlines():
        found = re.search(r": (new|not-modified|failed|skipped), ", line)
        if found:
            statuses[found.group(1)] = statuses.get(found.group(1), 0) + 1
    if child.returncode not in (0, 1):
        sys.exit(f"hark {' '.join(args)} failed ({child.returncode}): {err.decode()[-2000:]}")
    return {"seconds": seconds, "statuses": statuses, **peak}


_COUNTS = "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM conversations)"


def hark_runs(urls: list[str], slack_url: str, runs: int, pg: Any = None) -> dict[str, Any]:
    """Cold then warm, ``runs`` times, each on a new database: a SQLite file, or with ``pg``
    (a tests.support.postgres.PostgresServer) an empty PostgreSQL database that the cold
    run migrates, as it creates the SQLite file's schema."""
    colds, warms = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="hark-bench-") as tmp:
            scratch = Path(tmp)
            env = _env(scratch, slack_url, urls)
            database = pg.new_database(template="template0", label="poll") if pg else None
            if database:
                env["HARK_DB"] = database.url
            colds.append(hark_poll(env, scratch))
            warms.append(hark_poll(env, scratch))
            if database:
                import psycopg

                with psycopg.connect(database.url) as conn:
                    posts, relevant = conn.execute(_COUNTS).fetchone()
                pg.drop_database(database.name)
            else:
                with sqlite3.connect(scratch / "hark.db") as db:
                    posts, relevant = db.execute(_COUNTS).fetchone()
    return {
        "cold": statistics.median(c["seconds"] for c in colds),
        "warm": statistics.median(w["seconds"] for w in warms),
        "cold_statuses": colds[-1]["statuses"],
        "warm_statuses": warms[-1]["statuses"],
        "own_mb": max(c["own"] for c in colds + warms),
        "worker_mb": max(c["workers"] for c in colds + warms),
        # CPU seconds (user + system) of the cold cycle: `hark` itself, and its workers
        "cold_cpu": statistics.median(c["own_cpu"] for c in colds),
        "cold_workers_cpu": statistics.median(c["workers_cpu"] for c in colds),
        "warm_cpu": statistics.median(w["own_cpu"] for w in warms),
        "posts": posts,
        "relevant": relevant,
    }


# --- the floor and the naive loop -----------------------------------------------------------


def start_up_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import bot.cli"], check=True, cwd=ROOT, env=python_env())
    return time.perf_counter() - started


def floor_seconds(docs: list[bytes]) -> tuple[float, int]:
    """Start-up + fastfeedparser over every body + one plain insert of every entry."""
    import fastfeedparser

    start_up = start_up_seconds()
    started = time.perf_counter()
    rows = []
    for doc in docs:
        try:
            feed = fastfeedparser.parse(doc)
        except Exception:  # noqa: BLE001, S112 - a feed fastfeedparser refuses counts as read
            continue
        for entry in feed.entries:
            rows.append((entry.get("link"), entry.get("title"), entry.get("description")))
    with tempfile.TemporaryDirectory(prefix="hark-floor-") as tmp:
        db = sqlite3.connect(Path(tmp) / "floor.db")
        db.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, link TEXT, title TEXT, text TEXT)")
        with db:
            db.executemany("INSERT INTO posts (link, title, text) VALUES (?, ?, ?)", rows)
        db.close()
    return start_up + time.perf_counter() - started, len(rows)


def run_naive(urls: list[str]) -> list[float]:
    """urllib + feedparser, one URL after another; each URL's seconds."""
    import feedparser

    seconds: list[float] = []
    for url in urls:
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
        feedparser.parse(io.BytesIO(body))
        seconds.append(time.perf_counter() - started)
    return seconds


# --- heard-to-Slack delay: `hark run` ---------------------------------------------------------


def _delay_feed(n: int, entries: list[tuple[str, float]]) -> bytes:
    from email.utils import formatdate

    items = "".join(
        f"<item><title>{title}</title><link>https://forum.example.com/t/{n}/{i}</link>"
        f"<guid>{n}-{i}</guid><description>How do I debug a k8s CrashLoopBackOff?</description>"
        f"<pubDate>{formatdate(at, usegmt=True)}</pubDate></item>"
        for i, (title, at) in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Forum {n}</title><link>https://forum.example.com/</link>{items}</channel></rss>"
    ).encode()


def heard_to_slack(seconds: float, every: str, feeds: int = 5) -> list[float]:
    """Seconds from an entry appearing on a feed to its card in the fake Slack."""
    sys.path.insert(0, str(ROOT))
    from bench.harkrun import start_hark_run
    from tests.support.fakeslack import FakeSlack
    from tests.support.feedserver import FeedServer

    delays: list[float] = []
    with (
        tempfile.TemporaryDirectory(prefix="hark-delay-") as tmp,
        FakeSlack() as fake,
        FeedServer() as server,
    ):
        fake.channels.add("C0K8S")
        fake.channel_names["C0K8S"] = "kubernetes"
        entries: list[list[tuple[str, float]]] = [[] for _ in range(feeds)]
        for n in range(feeds):
            server.set(f"/feed{n}.xml", _delay_feed(n, []), etag=f'"{n}-0"')
        sources = "\n".join(
            f"  - url: {server.url(f'/feed{n}.xml')}\n    every: {every}" for n in range(feeds)
        )
        config = Path(tmp) / "hark.yml"
        config.write_text(
            "topics:\n  - name: kubernetes\n    query: 'kubernetes OR k8s'\n    channel: C0K8S\n"
            f"sources:\n{sources}\nnetwork: {{allow_hosts: [127.0.0.1]}}\n"
        )
        child, log = start_hark_run(
            Path(tmp), fake.url, config, str(Path(tmp) / "hark.db"), python_env()
        )
        appeared: dict[str, float] = {}
        try:
            time.sleep(5)  # the first cycle records the empty feeds
            rng = random.Random(14)
            deadline = time.monotonic() + seconds
            count = 0
            while time.monotonic() < deadline:
                if child.poll() is not None:
                    sys.exit(f"hark run exited with {child.returncode}; see its log")
                if time.monotonic() < deadline - 90 and rng.random() < 0.1:
                    n, count = rng.randrange(feeds), count + 1
                    title = f"kubernetes question q{count}z"  # q1z is not in q10z
                    entries[n].append((title, time.time()))
                    server.set(f"/feed{n}.xml", _delay_feed(n, entries[n]), etag=f'"{n}-{count}"')
                    appeared[title] = time.time()
                for call in fake.calls("chat.postMessage"):
                    text = json.dumps(call.args)
                    for title in list(appeared):
                        if title in text:
                            delays.append(call.time - appeared.pop(title))
                time.sleep(1.0)
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            log.close()
        if appeared:
            print(f"  {len(appeared)} entries not yet posted when the run ended")
    return delays


# --- the run --------------------------------------------------------------------------------


def _serve(paths: list[str], count: int, distinct: bool) -> tuple[Any, Any, int]:
    spawn = multiprocessing.get_context("spawn")
    ready_recv, ready_send = spawn.Pipe(duplex=False)
    stop = spawn.Event()
    server = spawn.Process(
        target=serve, args=(paths, count, distinct, ready_send, stop), daemon=True
    )
    server.start()
    while not ready_recv.poll(1.0):
        if not server.is_alive():
            sys.exit("the feed server stopped without reporting")
    port = ready_recv.recv()
    if not isinstance(port, int):
        sys.exit(f"the feed server did not start: {port}")
    return server, stop, port


def _load() -> str:
    """The 1-minute load average: the machine may be shared while this runs."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", default="400,2000", help="feed counts, comma-separated")
    options.add_argument("--content", default="repeated,distinct", help="repeated, distinct")
    options.add_argument("--runs", type=int, default=3, help="runs per figure (the median)")
    options.add_argument("--naive-sample", type=int, default=213, help="URLs the naive loop reads")
    options.add_argument("--delay-seconds", type=float, default=240, help="0: skip the delay")
    options.add_argument("--delay-every", default="1m", help="the delay run's source interval")
    options.add_argument(
        "--engine",
        default="sqlite",
        choices=("sqlite", "postgresql"),
        help="Hark's database: a SQLite file, or a PostgreSQL server this run starts",
    )
    args = options.parse_args()
    counts = [int(c) for c in args.feeds.split(",")]
    paths = [str(p) for p in corpus_paths()]
    sys.path.insert(0, str(ROOT))
    from tests.support.fakeslack import FakeSlack

    compile_hark()
    print(
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; median of {args.runs} runs; "
        f"load average {_load()}"
    )
    rows = []
    pg = None
    if args.engine == "postgresql":
        from tests.support.postgres import PostgresServer

        pg = PostgresServer.start()
        print(f"PostgreSQL {pg.version} on loopback, started by this run")
    with FakeSlack() as fake:
        for topic in TOPICS:
            fake.channels.add(topic["channel"])
        for content in args.content.split(","):
            distinct = content == "distinct"
            server, stop, port = _serve(paths, max(counts), distinct)
            try:
                urls = feed_urls(max(counts), port)
                # One copy of the corpus, past the first copy when there is one (distinct).
                first = len(paths) if max(counts) >= 2 * len(paths) else 0
                sample = list(range(first, first + min(args.naive_sample, max(counts))))
                naive = run_naive([urls[i] for i in sample])
                by_feed = {i % len(paths): s for i, s in zip(sample, naive)}
                docs = documents(paths, max(counts), distinct)
                for count in counts:
                    if len(by_feed) == len(paths):
                        naive_total = sum(by_feed[i % len(paths)] for i in range(count))
                    else:
                        naive_total = sum(naive) * count / len(naive)
                    load_before = _load()
                    hark = hark_runs(urls[:count], fake.url, args.runs, pg)
                    floors = [floor_seconds(docs[:count]) for _ in range(args.runs)]
                    floor = statistics.median(f for f, _ in floors)
                    mb = sum(len(d) for d in docs[:count]) / 1e6
                    row = {"content": content, "feeds": count, "mb": mb, "naive": naive_total}
                    row["load"] = f"{load_before} -> {_load()}"
                    row.update(hark, floor=floor, entries=floors[0][1])
                    rows.append(row)
                    print(
                        f"{content:>8} {count:5d} feeds ({mb:4.0f} MB): cold {hark['cold']:6.2f} s "
                        f"{hark['cold_statuses']}, warm {hark['warm']:5.2f} s "
                        f"{hark['warm_statuses']}, floor {floor:5.2f} s, naive {naive_total:6.1f} s; "
                        f"{hark['posts']:,} posts, {hark['relevant']:,} matches; "
                        f"peak {hark['own_mb']:.0f} MB (+ {hark['worker_mb']:.0f} MB a worker); "
                        f"CPU cold {hark['cold_cpu']:.2f} s + workers {hark['cold_workers_cpu']:.2f} s, "
                        f"warm {hark['warm_cpu']:.2f} s; load average {row['load']}",
                        flush=True,
                    )
            finally:
                stop.set()
                server.join(timeout=5)
                if server.is_alive():
                    server.terminate()
    if pg:
        pg.stop()
    print()
    print(
        "| content | feeds | naive | cold | warm | floor | cold vs naive (≥ 20×) "
        "| cold / warm (≥ 10× at 400) | cold / floor (≤ 3× at 2,000 distinct) | peak MB (< 300) "
        "| CPU s: cold + workers, warm |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['content']} | {r['feeds']:,} | {r['naive']:.1f} s | {r['cold']:.2f} s "
            f"| {r['warm']:.2f} s | {r['floor']:.2f} s | {r['naive'] / r['cold']:.1f}× "
            f"| {r['cold'] / r['warm']:.1f}× | {r['cold'] / r['floor']:.2f}× "
            f"| {r['own_mb']:.0f} (+{r['worker_mb']:.0f} a worker) "
            f"| {r['cold_cpu']:.1f} + {r['cold_workers_cpu']:.1f}, {r['warm_cpu']:.2f} |"
        )
    if args.delay_seconds > 0:
        delays = sorted(heard_to_slack(args.delay_seconds, args.delay_every))
        if delays:
            print(
                f"\nheard to Slack (`hark run`, sources every {args.delay_every}, tick 30 s): "
                f"{len(delays)} entries, median {statistics.median(delays):.1f} s, "
                f"max {delays[-1]:.1f} s, min {delays[0]:.1f} s"
            )
        else:
            print("\nheard to Slack: no entry was posted during the run")


if __name__ == "__main__":
    main()

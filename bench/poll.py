"""Poll 2,000 feeds served on loopback: Hark's cold and warm cycles against the naive loop.

    .venv/bin/python bench/poll.py [--feeds 2000] [--naive-sample 213] [--distinct] [--profile]

A separate process serves the 213 corpus feeds (``../shared/corpus`` or
``$HARK_CORPUS``) repeated under distinct URLs, spread over 100 loopback
addresses (127.0.1.1 - 127.0.1.100, so per-host limits apply as they would
across real sites), each URL with its own ETag and honouring If-None-Match.

Measured, in one run:

- Hark's cold cycle: every source new; the real Poller fetches, parses,
  stores and matches into a temporary SQLite file with a few realistic topics.
  It runs in a child process, so its peak memory (ru_maxrss) is its own.
- Hark's warm cycle: the same sources polled again; every feed answers 304.
- With ``--distinct``, every copy after the first has its own links and
  titles, so all ~63,000 posts are new to Hark (stored, matched), not just the
  first copy's 6,600; by default the copies repeat the corpus byte for byte,
  and Hark recognizes the repeated posts by link before extracting their text.
- The naive loop a user would write: urllib fetches each URL in turn and
  ``feedparser.parse`` reads each body in turn, nothing stored. It runs over a
  sample (by default one copy of the corpus, 213 URLs), each feed timed, and
  is extrapolated to the full set by feed: the estimate for URL i is the time
  measured for its corpus feed (i mod 213).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import re
import resource
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path
from typing import Any

CORPUS = Path(
    os.environ.get("HARK_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
)
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


def serve(paths: list[str], count: int, distinct: bool, ready: Any, stop: Any) -> None:
    """Serve the corpus on every HOSTS address (one port), keep-alive, ETag per URL.

    ``distinct``: every copy after the first gets its own links and titles (so every
    post is new to Hark), instead of repeating the corpus byte for byte.
    """
    corpus = [Path(p).read_bytes() for p in paths]
    docs = [corpus[i % len(corpus)] for i in range(count)]
    if distinct:
        for i in range(len(corpus), count):
            copy = i // len(corpus)
            doc = docs[i].replace(b"://", b"://c%d." % copy)
            # ...but not in namespace names, or the document stops being RSS or Atom.
            doc = _NAMESPACE_CHANGED.sub(rb"\1", doc)
            docs[i] = _TITLE.sub(rb"\1c%d " % copy, doc)
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


# --- Hark (its own process) -----------------------------------------------------------------


def run_hark(urls: list[str], profile: bool, workers: int | None, results: Any) -> None:
    """Cold cycle, then warm cycle, through the real Poller; send figures back."""
    from bot.config import parse_config
    from bot.fetch.client import Fetcher
    from bot.match.relevance import Relevance
    from bot.poll.poller import Poller
    from bot.store import Store

    config = parse_config(
        {
            "company": {"name": "Acme", "terms": ["Acme", "Acme Cloud"]},
            "competitors": {"Globex": ["Globex"], "Initech": ["Initech"]},
            "topics": TOPICS,
            "sources": [{"url": url} for url in urls],
            "network": {"allow_hosts": HOSTS},
        },
        "bench",
    )
    with tempfile.TemporaryDirectory(prefix="hark-bench-") as scratch:
        store = Store(str(Path(scratch) / "hark.db"))
        store.sync_config_topics(config.topics)
        store.sync_config_sources(config.sources)
        relevance = Relevance(store, config)
        with Fetcher(allow_hosts=config.allow_hosts) as fetcher:
            poller = Poller(store, relevance, fetcher)
            if workers:
                poller.workers = workers
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            cpu_before = _cpu_seconds()
            started = time.perf_counter()
            cold = poller.poll_due()
            cold_seconds = time.perf_counter() - started
            cpu_after = _cpu_seconds()
            cold_cpu = (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])
            if profiler is not None:
                profiler.disable()
            store.force_all_due()
            started = time.perf_counter()
            warm = poller.poll_due()
            warm_seconds = time.perf_counter() - started
        counts = store.one(
            """SELECT (SELECT count(*) FROM posts) AS posts,
                      (SELECT count(*) FROM post_sources) AS sightings,
                      (SELECT count(*) FROM conversations) AS relevant"""
        )
        store.close()
    if profiler is not None:
        import pstats

        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats("cumulative").print_stats(25)
        print(stats.getvalue())
    results.send(
        {
            "cold_seconds": cold_seconds,
            "cold_cpu": cold_cpu,
            "warm_seconds": warm_seconds,
            "cold_status": _statuses(cold),
            "warm_status": _statuses(warm),
            "errors": sorted({o.error or "" for o in cold.failed + warm.failed})[:5],
            "posts": counts["posts"],
            "sightings": counts["sightings"],
            "relevant": counts["relevant"],
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            # the largest of its finished children: a parse worker process
            "worker_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        }
    )


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _statuses(report: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for outcome in report.sources:
        found[outcome.status] = found.get(outcome.status, 0) + 1
    return found


def _receive(connection: Any, process: Any, what: str) -> Any:
    """The child's message; exit with a message if the child died without sending one."""
    while not connection.poll(1.0):
        if not process.is_alive():
            sys.exit(f"{what} stopped (exit code {process.exitcode}) without reporting")
    return connection.recv()


# --- the naive loop -------------------------------------------------------------------------


def run_naive(urls: list[str]) -> tuple[list[float], int, int]:
    """urllib + feedparser, one URL after another; each URL's seconds, entries and bytes."""
    import feedparser

    seconds: list[float] = []
    entries = 0
    size = 0
    for url in urls:
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:
            body = response.read()
        entries += len(feedparser.parse(io.BytesIO(body)).entries)
        seconds.append(time.perf_counter() - started)
        size += len(body)
    return seconds, entries, size


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    """Start the server, run Hark's cycles and the naive sample, print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=2000)
    options.add_argument(
        "--naive-sample", type=int, default=213, help="URLs the naive loop really fetches"
    )
    options.add_argument("--profile", action="store_true", help="cProfile Hark's cold cycle")
    options.add_argument("--workers", type=int, help="fetch threads (default: the Poller's)")
    options.add_argument(
        "--distinct",
        action="store_true",
        help="give every copy of the corpus its own links and titles, so every post is new",
    )
    args = options.parse_args()
    paths = [str(p) for p in corpus_paths()]
    spawn = multiprocessing.get_context("spawn")
    ready_recv, ready_send = spawn.Pipe(duplex=False)
    stop = spawn.Event()
    server = spawn.Process(
        target=serve, args=(paths, args.feeds, args.distinct, ready_send, stop), daemon=True
    )
    server.start()
    hark = None
    try:
        port = _receive(ready_recv, server, "the feed server")
        if not isinstance(port, int):
            sys.exit(f"the feed server did not start: {port}")
        urls = feed_urls(args.feeds, port)
        megabytes = sum(Path(paths[i % len(paths)]).stat().st_size for i in range(args.feeds)) / 1e6
        print(
            f"serving {args.feeds} feeds ({megabytes:,.0f} MB; the {len(paths)} corpus feeds "
            f"repeated{', each copy with its own links and titles' if args.distinct else ''}) "
            f"on {len(HOSTS)} loopback addresses, port {port}; {os.cpu_count()} CPUs"
        )

        results_recv, results_send = spawn.Pipe(duplex=False)
        hark = spawn.Process(target=run_hark, args=(urls, args.profile, args.workers, results_send))
        hark.start()
        hark_figures = _receive(results_recv, hark, "Hark's cycles")
        hark.join()

        sample = urls[: args.naive_sample]
        naive_seconds, naive_entries, naive_bytes = run_naive(sample)
    finally:
        if hark is not None and hark.is_alive():
            hark.terminate()
        stop.set()
        server.join(timeout=5)
        if server.is_alive():
            server.terminate()

    by_feed = {i % len(paths): s for i, s in enumerate(naive_seconds)}
    if len(by_feed) == len(paths):
        naive_total = sum(by_feed[i % len(paths)] for i in range(args.feeds))
        how = "extrapolated per corpus feed"
    else:
        naive_total = sum(naive_seconds) * args.feeds / len(sample)
        how = "extrapolated by count"
    cold = hark_figures["cold_seconds"]
    warm = hark_figures["warm_seconds"]
    print(
        f"hark cold cycle   {cold:8.2f} s  {args.feeds / cold:7.0f} feeds/s  "
        f"{megabytes / cold:6.1f} MB/s  {hark_figures['cold_status']}"
    )
    print(
        f"                  {hark_figures['posts']:,} posts stored, "
        f"{hark_figures['sightings']:,} post-source sightings, "
        f"{hark_figures['relevant']:,} topic matches"
    )
    print(
        f"hark warm cycle   {warm:8.2f} s  {args.feeds / warm:7.0f} feeds/s  "
        f"{hark_figures['warm_status']}"
    )
    own_cpu, pool_cpu = hark_figures["cold_cpu"]
    print(
        f"                  CPU: {own_cpu:.1f} s in the Hark process, {pool_cpu:.1f} s in its "
        "parse processes"
    )
    if hark_figures["errors"]:
        print(f"errors            {hark_figures['errors']}")
    print(
        f"naive loop        {sum(naive_seconds):8.2f} s for {len(sample)} feeds "
        f"({naive_bytes / 1e6:.0f} MB, {naive_entries:,} entries) -> "
        f"{naive_total:,.0f} s for {args.feeds} ({how})"
    )
    print(f"cold vs naive     {naive_total / cold:8.1f}x faster   (goal >= 20x)")
    print(f"warm vs cold      {cold / warm:8.1f}x faster   (goal >= 10x)")
    print(
        f"peak memory       {hark_figures['maxrss_mb']:8.0f} MB (Hark process, ru_maxrss; "
        "goal < 300 MB)"
    )
    print(f"                  {hark_figures['worker_maxrss_mb']:8.0f} MB (largest parse process)")


if __name__ == "__main__":
    main()

"""Parse the whole feed corpus with plain feedparser and with parse_feed; print the figures.

    .venv/bin/python bench/parse.py [--repeat N]

The corpus is read from ../shared/corpus (or $HARK_CORPUS). Both sides parse
the same bytes in one process, one feed after another. parse_feed's figure
includes everything Hark does per feed: safety checks, parsing, HTML to text,
URL canonicalization and building Posts.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import feedparser

from bot.parse.feeds import FeedError, parse_feed

CORPUS = Path(
    os.environ.get("HARK_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
)


def _feedparser_entries(data: bytes) -> int:
    return len(feedparser.parse(io.BytesIO(data)).entries)


def _parse_feed_entries(data: bytes) -> int:
    try:
        return len(parse_feed(data).posts)
    except FeedError:
        return 0


def _measure(parse: Callable[[bytes], int], docs: list[bytes], repeat: int) -> tuple[float, int]:
    best = float("inf")
    entries = 0
    for _ in range(repeat):
        started = time.perf_counter()
        entries = sum(parse(doc) for doc in docs)
        best = min(best, time.perf_counter() - started)
    return best, entries


def main() -> None:
    """Run the benchmark and print one line per parser, then the speedup."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=1, help="runs per parser; best is shown")
    args = options.parse_args()
    paths = sorted((CORPUS / "feeds" / "real").glob("*"))
    if not paths:
        sys.exit(f"no corpus at {CORPUS}; set HARK_CORPUS")
    docs = [path.read_bytes() for path in paths]
    megabytes = sum(map(len, docs)) / 1e6
    print(f"corpus: {len(docs)} feeds, {megabytes:.1f} MB ({CORPUS})")
    results = {}
    for name, parse in (("feedparser", _feedparser_entries), ("parse_feed", _parse_feed_entries)):
        seconds, entries = _measure(parse, docs, args.repeat)
        results[name] = seconds
        print(
            f"{name:<11} {seconds:7.2f} s  {megabytes / seconds:6.1f} MB/s  "
            f"{entries:5d} entries  {seconds / len(docs) * 1000:6.1f} ms/feed"
        )
    print(f"speedup     {results['feedparser'] / results['parse_feed']:.1f}x")


if __name__ == "__main__":
    main()

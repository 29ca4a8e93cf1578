"""Benchmark: Hark's matcher against a regex per term, and against a bare automaton scan.

Posts come from the real feeds in ``../shared/corpus/feeds/real`` (titles and
summaries, HTML stripped), repeated and shuffled to the wanted count; topics are
generated from the corpus vocabulary with a seeded RNG so that they match.

    .venv/bin/python bench/match.py [--posts 100000] [--topics 1000] [--sample 300]
"""

from __future__ import annotations

import argparse
import collections
import html
import itertools
import os
import random
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import feedparser

from bot.match.engine import Document, Matcher
from bot.match.reference import ReferenceMatcher
from bot.match.words import fold, token_pattern

SEED = 20260514
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_SOURCES = {  # host suffix -> kind of source, as the pollers label posts
    "reddit.com": "reddit",
    "news.ycombinator.com": "hn",
    "youtube.com": "youtube",
    "github.com": "github",
    "stackoverflow.com": "stackoverflow",
    "x.com": "x",
    "bsky.app": "bluesky",
}


def corpus_dir() -> Path:
    """The shared corpus: ``$HARK_CORPUS``, else ``../shared/corpus`` beside the repository."""
    default = Path(__file__).resolve().parents[2] / "shared/corpus"
    return Path(os.environ.get("HARK_CORPUS", default))


def _plain(markup: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", markup))).strip()


def _source(host: str) -> str:
    for suffix, kind in _SOURCES.items():
        if host == suffix or host.endswith("." + suffix):
            return kind
    return "feed"


def _parse_feed(path: Path) -> list[Document]:
    parsed = feedparser.parse(path.read_bytes())  # bytes: feedparser must not open paths
    lang = parsed.feed.get("language") or None
    docs = []
    for entry in parsed.entries:
        host = urlsplit(entry.get("link", "")).hostname or ""
        docs.append(
            Document(
                title=_plain(entry.get("title", "")),
                body=_plain(entry.get("summary", "")),
                author=entry.get("author", ""),
                site=host,
                source=_source(host),
                lang=lang,
            )
        )
    return docs


def load_posts(count: int) -> tuple[list[Document], int]:
    """``count`` posts cycled from the corpus entries in a seeded shuffled order."""
    paths = sorted((corpus_dir() / "feeds/real").iterdir())
    with ProcessPoolExecutor(max_workers=2) as pool:
        entries = [d for docs in pool.map(_parse_feed, paths, chunksize=8) for d in docs]
    entries = [d for d in entries if d.title or d.body]
    rng = random.Random(SEED)
    posts: list[Document] = []
    while len(posts) < count:
        rng.shuffle(entries)
        posts.extend(entries[: count - len(posts)])
    return posts, len(entries)


def make_topics(entries: list[Document], count: int) -> dict[str, str]:
    """Topics of 3–8 terms: OR groups, required words, phrases, NEAR, exclusions, fields."""
    tokens = token_pattern()
    doc_freq: collections.Counter[str] = collections.Counter()
    bigrams: collections.Counter[tuple[str, str]] = collections.Counter()
    hosts: collections.Counter[str] = collections.Counter(d.site for d in entries if d.site)
    for d in entries:
        words = tokens.findall(fold(d.title + " . " + d.body))
        doc_freq.update(set(words))
        bigrams.update(itertools.pairwise(words))
    common = {w for w, _ in doc_freq.most_common(200)}  # the, and, with: no one's topic
    vocab = sorted(
        w
        for w, n in doc_freq.items()
        if 8 <= n <= len(entries) // 50 and len(w) >= 4 and not w.isdigit() and w not in common
    )
    stems = sorted({w[:5] for w in vocab if len(w) >= 7})
    pairs = sorted(
        f"{a} {b}"
        for (a, b), n in bigrams.items()
        if n >= 8 and len(a) >= 4 and len(b) >= 4 and {a, b}.isdisjoint(common)
    )
    sites = [h for h, _ in hosts.most_common(30)]
    rng = random.Random(SEED)

    def term() -> str:
        roll = rng.random()
        if roll < 0.2:
            return f'"{rng.choice(pairs)}"'
        if roll < 0.3:
            return rng.choice(stems) + "*"
        return rng.choice(vocab)

    def condition() -> str:
        """Something a matching post must also have."""
        roll = rng.random()
        if roll < 0.4:
            return term()
        if roll < 0.55:
            return "(" + " OR ".join(term() for _ in range(2)) + ")"
        if roll < 0.7:
            return "title:" + rng.choice(vocab)
        if roll < 0.8:
            return f"{rng.choice(vocab)} NEAR/{rng.randint(2, 8)} {rng.choice(vocab)}"
        if roll < 0.9:
            return f"site:{rng.choice(sites)}"
        return "lang:en"

    topics = {}
    for number in range(count):
        size = rng.randint(3, 8)
        group = [term() for _ in range(rng.randint(1, min(3, size - 2)))]
        parts = ["(" + " OR ".join(group) + ")" if len(group) > 1 else group[0], condition()]
        parts += ["-" + term() for _ in range(size - len(group) - 1)]
        topics[f"topic{number:04}"] = " ".join(parts)
    return topics


def time_runs(matcher: Matcher, posts: list[Document]) -> tuple[dict[str, float], int]:
    """Seconds for the engine, the floor and the floor with spacing, on rotating chunks.

    The floor is the least an automaton-based matcher does per post: fold the
    title and body and run the engine's own automaton over them, keeping the
    hits; no evaluation. "spacing" adds the rewrite that makes word boundaries
    spaces (bot.match.words.BoundarySpacer), the text preparation the engine's
    automaton is built for. Rotating the order chunk by chunk keeps a busy
    neighbour on the machine from favouring one of them.
    """
    automaton, spacer = matcher._automaton, matcher._spacer  # the engine's own, on purpose

    def engine(part: list[Document]) -> int:
        return sum(len(matcher.match(post)) for post in part)

    def floor(part: list[Document]) -> int:
        for post in part:
            list(automaton.iter(" " + fold(post.title) + " "))
            list(automaton.iter(" " + fold(post.body) + " "))
        return 0

    def spacing(part: list[Document]) -> int:
        for post in part:
            list(automaton.iter(spacer.text(" " + fold(post.title) + " ")))
            list(automaton.iter(spacer.text(" " + fold(post.body) + " ")))
        return 0

    runs = {"engine": engine, "floor": floor, "spacing": spacing}
    seconds = dict.fromkeys(runs, 0.0)
    matches, chunk = 0, 500
    for number, start in enumerate(range(0, len(posts), chunk)):
        part = posts[start : start + chunk]
        names = list(runs)
        for name in names[number % 3 :] + names[: number % 3]:
            started = time.perf_counter()
            found = runs[name](part)
            seconds[name] += time.perf_counter() - started
            matches += found
    return seconds, matches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=1_000)
    parser.add_argument("--sample", type=int, default=300, help="posts the naive matcher tries")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    posts, distinct = load_posts(args.posts)
    chars = sum(len(p.title) + len(p.body) for p in posts) / len(posts)
    print(f"corpus: {distinct:,} entries from {corpus_dir() / 'feeds/real'}, parsed in "
          f"{time.perf_counter() - started:.1f} s; {len(posts):,} posts, "
          f"{chars:,.0f} characters a post on average")  # fmt: skip
    queries = make_topics(posts[: min(len(posts), 20_000)], args.topics)
    started = time.perf_counter()
    matcher = Matcher.compile(queries)
    compile_ms = (time.perf_counter() - started) * 1000
    print(f"topics: {len(queries):,}, compiled in {compile_ms:.0f} ms "
          f"({len(matcher._automaton):,} strings in the automaton); for example:")  # fmt: skip
    for name in list(queries)[:3]:
        print(f"  {queries[name]}")

    seconds, matches = time_runs(matcher, posts)
    engine, floor, n = seconds["engine"], seconds["floor"], len(posts)

    sample = posts[: args.sample]
    naive = ReferenceMatcher.compile(queries)
    started = time.perf_counter()
    naive_found = [naive.match(post) for post in sample]
    naive_sample = time.perf_counter() - started
    naive_total = naive_sample * n / len(sample)
    engine_found = [[m.topic for m in matcher.match(post)] for post in sample]

    def row(label: str, total: float, note: str = "") -> None:
        print(f"{label:40}{n / total:>10,.0f}{total:>10.2f}  {note}".rstrip())

    print(f"\n{'':40}{'posts/s':>10}{'seconds':>10}")
    row("(a) Hark engine", engine)
    row("(b) naive: a regex per term, per topic", naive_total,
        f"extrapolated from {len(sample):,} posts ({naive_sample:.1f} s)")  # fmt: skip
    row("(c) floor: fold + automaton scan", floor)
    row("    floor + word-boundary spacing", seconds["spacing"], "(for reference)")
    print(f"\nnaive / engine = {naive_total / engine:,.0f}x   (goal >= 20x)")
    print(f"engine / floor = {engine / floor:.2f}x   (goal <= 2x)")
    print(f"matches: {matches:,} (post, topic) pairs over {n:,} posts")
    agree = engine_found == naive_found
    print(f"sample of {len(sample):,} posts: engine {sum(map(len, engine_found)):,} matches, "
          f"naive {sum(map(len, naive_found)):,}, {'identical' if agree else 'DIFFERENT'}")  # fmt: skip
    assert agree, "the engine and the naive matcher disagree on the sample"
    return 0


if __name__ == "__main__":
    sys.exit(main())

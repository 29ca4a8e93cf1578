"""A cycle where every feed answers 304: the writer opens no transaction per source, only
the batched schedule write, and every schedule still moves."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.feeds import pub_date, rss

_MESSAGE = re.compile(r'\tF\t\d+\t(Parse|Bind|Query)\t "([^"]*)"(?: "([^"]*))?')


@contextmanager
def _executed(store) -> Iterator[list[str]]:
    """The start of each statement this thread's connection runs while the block runs."""
    ran: list[str] = []
    conn = store.conn
    if store.dialect.name == "sqlite":
        conn.set_trace_callback(ran.append)
        try:
            yield ran
        finally:
            conn.set_trace_callback(None)
        return
    # PostgreSQL: libpq's trace of what the client sends, with psycopg's prepared
    # statements off (one would run as a Bind to its name, without its text).
    threshold, conn.raw.prepare_threshold = conn.raw.prepare_threshold, None
    with tempfile.TemporaryFile() as trace:
        conn.raw.pgconn.trace(trace.fileno())
        try:
            yield ran
        finally:
            conn.raw.pgconn.untrace()
            conn.raw.prepare_threshold = threshold
            trace.seek(0)
            prepared: dict[str, str] = {}
            unnamed = ""
            for line in trace.read().decode(errors="replace").splitlines():
                found = _MESSAGE.search(line)
                if found is None:
                    continue
                message, first, second = found.groups()
                if message == "Query":
                    ran.append(first)
                elif message == "Parse" and first:
                    prepared[first] = second or ""
                elif message == "Parse":
                    unnamed = second or ""
                else:  # Bind: portal "", then the statement's name ("" for the unnamed one)
                    ran.append(prepared.get(second or "", unnamed) if second else unnamed)


def test_a_cycle_of_304s_opens_one_transaction_for_its_schedules(harness_factory, feeds):
    paths = [f"/f{n}.xml" for n in range(3)]
    item = {"title": "k8s", "link": "https://e.com/1", "guid": "g1", "pubDate": pub_date(1)}
    for path in paths:
        feeds.set(path, rss([item]), etag=f'"{path}"')
    h = harness_factory([feeds.url(p) for p in paths])
    h.poll()  # the first cycle stores the posts and the validators
    # Answers spread out: the writer waits (and commits what it holds) between them.
    for n, path in enumerate(paths):
        feeds.set(path, rss([item]), etag=f'"{path}"', delay=0.15 * n)
    h.store.force_all_due()  # every schedule at 0
    with _executed(h.store) as ran:
        report = h.services.poller.poll_due()
    assert [s.status for s in report.sources] == ["not-modified"] * 3
    begins = [s for s in ran if s.lstrip().upper().startswith("BEGIN")]
    assert len(begins) == 1, ran  # the batched schedules' own transaction
    assert any("UPDATE sources" in s for s in ran)
    assert not h.store.conn.in_transaction
    assert all(s.next_check_at > h.store.now() for s in h.store.sources())

"""Open files of a running ``hark run``: do they stay flat while it polls?

Starts ``hark run`` (HTTP mode) as a child process against the fake Slack and a local
feed server serving 14 feeds that each gain a matching post every minute; samples the
child's open files (``/proc/PID/fd``) about every 10 s and prints the series, then a
summary. Linux only.

    nice .venv/bin/python bench/open_files.py --minutes 10

Columns: seconds since start, open files, of them the SQLite files (``hark.db``, its
``-wal`` and ``-shm``), threads, and cards posted so far. A leak shows as a count that
grows with every poll cycle; a healthy process levels off after the first cycles.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harkrun import start_hark_run
from tests.support.fakeslack import FakeSlack
from tests.support.feedserver import FeedServer

FEEDS = 14
SAMPLE_EVERY = 10.0
CHANGE_EVERY = 60.0
KEEP_ITEMS = 5


def feed(n: int, version: int) -> bytes:
    """Feed ``n`` at ``version``: its latest few posts, each about Kubernetes."""
    items = []
    for v in range(max(0, version - KEEP_ITEMS + 1), version + 1):
        when = format_datetime(datetime.now(UTC))
        items.append(
            f"<item><title>kubernetes question {n}.{v}</title>"
            f"<link>https://forum.example.com/t/{n}-{v}</link><guid>t-{n}-{v}</guid>"
            f"<description>How do I debug a k8s CrashLoopBackOff? ({n}.{v})</description>"
            f"<pubDate>{when}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Forum {n}</title><link>https://forum.example.com/</link>{''.join(items)}"
        "</channel></rss>"
    ).encode()


def serve_changing(server: FeedServer, stop: threading.Event) -> None:
    version = 0
    while True:
        for n in range(FEEDS):
            server.set(f"/feed{n}.xml", feed(n, version), etag=f'"{n}-{version}"')
        if stop.wait(CHANGE_EVERY):
            return
        version += 1


def sample(pid: int, db_path: str) -> tuple[int, int, int]:
    """(open files, of them the SQLite files, threads) of process ``pid``."""
    fds = db = 0
    for name in os.listdir(f"/proc/{pid}/fd"):
        fds += 1
        try:
            if os.readlink(f"/proc/{pid}/fd/{name}").startswith(db_path):
                db += 1
        except OSError:
            pass  # closed meanwhile
    threads = len(os.listdir(f"/proc/{pid}/task"))
    return fds, db, threads


def run(minutes: float, out=sys.stdout) -> list[tuple[float, int, int, int, int]]:
    series: list[tuple[float, int, int, int, int]] = []
    with (
        tempfile.TemporaryDirectory(prefix="hark-files-") as tmp,
        FakeSlack() as fake,
        FeedServer() as feeds,
    ):
        # Slack as it is: the channel exists by ID, the config names it (Hark resolves it).
        fake.strict_channels = True
        fake.channels.add("C0K8S")
        fake.channel_names["C0K8S"] = "kubernetes"
        stop = threading.Event()
        changer = threading.Thread(target=serve_changing, args=(feeds, stop), daemon=True)
        changer.start()
        db_path = str(Path(tmp) / "hark.db")
        config = Path(tmp) / "hark.yml"
        sources = "\n".join(
            f"  - url: {feeds.url(f'/feed{n}.xml')}\n    every: 1m" for n in range(FEEDS)
        )
        config.write_text(
            "topics:\n  - name: kubernetes\n    query: 'kubernetes OR k8s'\n"
            "    channel: '#kubernetes'\n"
            f"sources:\n{sources}\nnetwork: {{allow_hosts: [127.0.0.1]}}\nbackfill: 1h\n"
        )
        child, log = start_hark_run(Path(tmp), fake.url, config, db_path, os.environ)
        started = time.monotonic()
        print(f"hark run: pid {child.pid}, {FEEDS} feeds changing every minute", file=out)
        print(f"{'seconds':>7} {'files':>6} {'db':>4} {'threads':>7} {'posted':>7}", file=out)
        try:
            while time.monotonic() - started < minutes * 60:
                if child.poll() is not None:
                    print(f"hark run exited with {child.returncode}", file=out)
                    break
                files, db, threads = sample(child.pid, db_path)
                posted = len(fake.calls("chat.postMessage"))
                at = time.monotonic() - started
                series.append((at, files, db, threads, posted))
                print(
                    f"{at:7.0f} {files:6d} {db:4d} {threads:7d} {posted:7d}", file=out, flush=True
                )
                time.sleep(SAMPLE_EVERY)
        finally:
            stop.set()
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            log.close()
            if child.returncode not in (0, -signal.SIGTERM):
                tail = (Path(tmp) / "hark.log").read_text(errors="replace")[-2000:]
                print(f"hark run's log ends with:\n{tail}", file=out)
    summarize(series, out)
    return series


def summarize(series: list[tuple[float, int, int, int, int]], out=sys.stdout) -> None:
    if len(series) < 2:
        print("too few samples", file=out)
        return
    files = [s[1] for s in series]
    db = [s[2] for s in series]
    after_first_minute = [s[1] for s in series if s[0] >= 60] or files
    print(
        f"open files: first {files[0]}, min {min(files)}, max {max(files)}, last {files[-1]}; "
        f"after the first minute {min(after_first_minute)}..{max(after_first_minute)}",
        file=out,
    )
    print(f"SQLite files open: min {min(db)}, max {max(db)}, last {db[-1]}", file=out)
    print(f"cards posted: {series[-1][4]} over {series[-1][0] / 60:.1f} min", file=out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    args = parser.parse_args()
    run(args.minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

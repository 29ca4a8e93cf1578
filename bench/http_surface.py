"""HTTP surface: Hark's WSGI app in waitress with Hark's limits, under idle connections,
oversized bodies and unsigned floods. Prints figures; asserts nothing.

    .venv/bin/python bench/http_surface.py [--requests 50] [--idle 150] [--skip-timeout]

Measures, against a fake Slack on loopback:
- latency of a signed slash command (`/hark help`, acked as in production), quiet and
  with N idle connections held open (half of them half-open: a request started, never
  finished);
- how long a Content-Length of 50 MB (one byte sent) and of 300 MB (nothing sent) holds
  a connection before the 413;
- how long waitress keeps a half-open connection (channel_timeout + cleanup_interval);
- log bytes written for ten unsigned 1 MB POSTs;
- replay-guard cost: the store's one INSERT per request.
"""

from __future__ import annotations

import argparse
import io
import logging
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import create_app
from bot.config import load_settings
from bot.ops.web import SERVER_LIMITS, health_report, make_server, wsgi_app
from bot.store import Store
from bot.wiring import build_services
from tests.support import slackreq
from tests.support.fakeslack import FakeSlack

SECRET = "bench-secret"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _command_latencies(fake: FakeSlack, url: str, n: int) -> list[float]:
    times = []
    for i in range(n):
        request = slackreq.slash_command(
            SECRET, "/hark", "help", response_url=fake.response_url(f"b{i}")
        )
        start = time.perf_counter()
        status, _ = request.post(url, timeout=60)
        times.append(time.perf_counter() - start)
        if status != 200:
            print(f"  request {i}: HTTP {status}")
    return times


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"median {_ms(statistics.median(ordered))}, p95 {_ms(p95)}, max {_ms(ordered[-1])} "
        f"({len(ordered)} requests)"
    )


def _oversized(host: str, port: int, length: int, sent: bytes) -> tuple[str, float]:
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: hark\r\nContent-Type: {slackreq.FORM}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=300) as sock:
        sock.sendall(head + sent)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.split(b"\r\n", 1)[0].decode(), time.perf_counter() - start


def _half_open_lifetime(host: str, port: int) -> float:
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=300) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: hark\r\nContent-Len")
        while sock.recv(65536):
            pass
    return time.perf_counter() - start


def _unsigned_log_bytes(url: str) -> int:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        body = b"command=%2Fhark&text=" + b"x" * (1024 * 1024 - 30)
        for _ in range(10):
            req = urllib.request.Request(
                url, data=body, headers={"Content-Type": slackreq.FORM}, method="POST"
            )
            try:
                urllib.request.urlopen(req, timeout=30).close()
            except urllib.error.HTTPError as exc:
                exc.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return len(stream.getvalue().encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--idle", type=int, default=150)
    parser.add_argument(
        "--skip-timeout", action="store_true", help="skip the ~20 s half-open lifetime"
    )
    args = parser.parse_args()
    limits = {k: SERVER_LIMITS[k] for k in ("threads", "connection_limit", "channel_timeout")}
    print(f"waitress limits: {limits}, max body {SERVER_LIMITS['max_request_body_size'] - 1} B")
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "hark.yml"
        config.write_text("topics:\n  - name: k8s\n    query: k8s\n    channel: C0K8S\n")
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.url,
                "HARK_DB": str(Path(tmp) / "bench.db"),
                "HARK_CONFIG": str(config),
            }
        )
        store = Store(settings.db_path)
        services = build_services(settings, store)
        app = create_app(settings, store, services)  # acks first, as in production
        application = wsgi_app(app, lambda: health_report(store, lambda: True), settings=settings)
        server = make_server(application, 0, "127.0.0.1")
        threading.Thread(target=server.run, daemon=True).start()
        host, port = "127.0.0.1", server.effective_port
        url = f"http://{host}:{port}/slack/events"

        _command_latencies(fake, url, 5)  # warm up
        print(f"signed /hark help, quiet: {_summary(_command_latencies(fake, url, args.requests))}")

        idle = []
        for i in range(args.idle):
            sock = socket.create_connection((host, port), timeout=30)
            if i % 2:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: hark\r\nContent-Len")
            idle.append(sock)
        busy = _command_latencies(fake, url, args.requests)
        print(f"signed /hark help, {args.idle} idle connections open: {_summary(busy)}")
        for sock in idle:
            sock.close()

        for length, sent in ((50 * 1024 * 1024, b"x"), (300 * 1024 * 1024, b"")):
            status, took = _oversized(host, port, length, sent)
            print(
                f"Content-Length {length // 2**20} MB, {len(sent)} B sent: {status} in {_ms(took)}"
            )

        print(f"10 unsigned 1 MB POSTs: {_unsigned_log_bytes(url)} log bytes written")

        if not args.skip_timeout:
            took = _half_open_lifetime(host, port)
            print(f"a half-open connection is closed by the server after {took:.1f} s")

        start = time.perf_counter()
        n = 2000
        for i in range(n):
            store.first_delivery(f"v0={i:064x}")
        took = time.perf_counter() - start
        print(f"replay guard: {n} first deliveries in {_ms(took)} ({_ms(took / n)} each)")

        server.close()
        store.close()
        services.fetcher.close()


if __name__ == "__main__":
    main()

"""Socket Mode clients compared: slack_sdk's built-in client, its websocket-client adapter
and its aiohttp adapter, against the test suite's fake Socket Mode endpoint on loopback.

For each client and ping interval it prints:
- silent drop: seconds from the link going dead (no pong, no FIN) to a new connection;
- hang-up: seconds from a TCP close without a close frame to a new connection;
- refresh: envelopes acked of those sent right after `refresh_requested`, and the slowest
  ack (Slack waits 3 s);
- idle CPU: percent of one core used by the client over a quiet stretch.

    .venv/bin/python bench/socketmode.py [--idle 10] [--cap 70]

The adapters need `websocket-client` and `aiohttp` (pip install them, or put them on
PYTHONPATH); a client whose library is missing is skipped with a line saying so.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web import WebClient

from tests.support.fakeslack import FakeSlack
from tests.support.fakesocket import FakeSocketMode

TOKEN = "xapp-1-A0HARK-1-test"


class SyncClient:
    """slack_sdk's thread-based clients: builtin or websocket_client."""

    def __init__(self, kind: str, url: str, ping_interval: float) -> None:
        if kind == "hark":  # the built-in client as bot/socket_mode.py tunes it
            from bot.ops.socket_mode import LinkState, WatchedClient

            self.client = WatchedClient(
                app_token=TOKEN,
                web_client=WebClient(base_url=url),
                ping_interval=ping_interval,
                state=LinkState(),
                on_fatal=print,
            )
        else:
            if kind == "builtin":
                from slack_sdk.socket_mode.builtin import SocketModeClient
            else:
                from slack_sdk.socket_mode.websocket_client import SocketModeClient
            self.client = SocketModeClient(
                app_token=TOKEN, web_client=WebClient(base_url=url), ping_interval=ping_interval
            )

        def ack(client: Any, req: SocketModeRequest) -> None:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

        self.client.socket_mode_request_listeners.append(ack)

    def connect(self) -> None:
        self.client.connect()

    def close(self) -> None:
        self.client.close()


class AioClient:
    """slack_sdk's aiohttp client, run on its own event loop in a thread."""

    def __init__(self, url: str, ping_interval: float) -> None:
        import aiohttp  # noqa: F401 - skip early when missing
        from slack_sdk.web.async_client import AsyncWebClient

        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

        async def make() -> Any:
            from slack_sdk.socket_mode.aiohttp import SocketModeClient

            client = SocketModeClient(
                app_token=TOKEN,
                web_client=AsyncWebClient(base_url=url),
                ping_interval=ping_interval,
            )

            async def ack(client: Any, req: SocketModeRequest) -> None:
                await client.send_socket_mode_response(
                    SocketModeResponse(envelope_id=req.envelope_id)
                )

            client.socket_mode_request_listeners.append(ack)
            return client

        self.client = self._run(make())

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def connect(self) -> None:
        self._run(self.client.connect())

    def close(self) -> None:
        self._run(self.client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)


def make_client(kind: str, url: str, ping_interval: float) -> Any:
    if kind == "aiohttp":
        return AioClient(url, ping_interval)
    return SyncClient(kind, url, ping_interval)


def time_to_reconnect(sm: FakeSocketMode, action: str, cap: float) -> float | None:
    conn = sm.wait_for_connections(1)[0]
    started = time.monotonic()
    getattr(sm, action)(conn)
    try:
        sm.wait_for_new_connection(conn.number, timeout=cap)
    except AssertionError:
        return None
    return time.monotonic() - started


def refresh(sm: FakeSocketMode) -> tuple[int, int, float | None]:
    """Envelopes sent right after `refresh_requested`: how many were acked, and the slowest
    ack (Slack gives an app 3 s)."""
    conn = sm.wait_for_connections(1)[0]
    sm.disconnect("refresh_requested", conn)
    sent = {}
    for i in range(5):
        started = time.monotonic()
        sent[sm.send("events_api", {"event": {"type": "noop"}, "event_id": f"Ev{i}"})] = started
    slowest: float | None = 0.0
    acked = 0
    for envelope_id, started in sent.items():
        try:
            ack = sm.wait_for_ack(envelope_id, timeout=10)
        except AssertionError:
            slowest = None
            continue
        acked += 1
        if slowest is not None:
            slowest = max(slowest, ack.time - started)
    return acked, len(sent), slowest


def idle_cpu(seconds: float) -> float:
    cpu, wall = time.process_time(), time.monotonic()
    time.sleep(seconds)
    return 100 * (time.process_time() - cpu) / (time.monotonic() - wall)


def measure(kind: str, ping_interval: float, idle: float, cap: float) -> str:
    with FakeSlack() as fake, FakeSocketMode() as sm:
        fake.socket_mode = sm
        baseline = idle_cpu(2)
        try:
            client = make_client(kind, fake.url, ping_interval)
        except ImportError as exc:
            return f"{kind:16} skipped: {exc.name} is not installed"
        try:
            client.connect()
            sm.wait_for_connections(1)
            time.sleep(1)
            cpu = idle_cpu(idle) - baseline
            acked, sent, refresh_s = refresh(sm)
            hang_up = time_to_reconnect(sm, "hang_up", cap)
            silent = time_to_reconnect(sm, "drop_silently", cap)
        finally:
            client.close()

    def fmt(value: float | None) -> str:
        return f"{value:5.1f} s" if value is not None else f" >{cap:.0f} s"

    return (
        f"{kind:16} ping {ping_interval:4.1f} s | silent drop {fmt(silent)} | hang-up "
        f"{fmt(hang_up)} | refresh {acked}/{sent} acked, slowest {fmt(refresh_s)} | "
        f"idle CPU {cpu:4.1f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=10, help="seconds of idle CPU sampling")
    parser.add_argument("--cap", type=float, default=70, help="give up on a reconnect after")
    parser.add_argument("--clients", default="builtin,hark,websocket_client,aiohttp")
    parser.add_argument("--pings", default="10,2,1", help="ping intervals to try (seconds)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    print(f"python {sys.version.split()[0]}; idle sampled over {args.idle:.0f} s")
    for kind in args.clients.split(","):
        for ping in (float(p) for p in args.pings.split(",")):
            print(measure(kind, ping, args.idle, args.cap), flush=True)


if __name__ == "__main__":
    main()

"""Socket Mode: Hark's WebSocket link to Slack, watched so a dead link is replaced in seconds.

slack_sdk's built-in client (chosen on the figures in docs/operations.md; bench/socketmode.py
measures it against the websocket-client and aiohttp adapters) pings Slack every
``PING_SECONDS`` and calls a link stale after four pings without a pong: a link that dies
without a word is replaced about 6 s later (Bolt's default of 10 s took 55 s). On top of it:

- the state /healthz reports (connected, last hello, reconnects, connections Slack counts);
- ``disconnect`` with reason ``link_disabled`` (Socket Mode turned off in the app's settings)
  is fatal: reconnecting would only be refused, so Hark stops with one line saying what to do;
- an Events API envelope Slack sends again (``retry_attempt`` > 0) for an event this process
  already took is acked and not handled twice (its ``event_id`` is remembered).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

log = logging.getLogger(__name__)

# Ping every second; four missed pongs mark the link stale. A ping is a few bytes.
PING_SECONDS = 1.0
RECEIVE_TIMEOUT = 0.25
LINK_DISABLED = (
    "hark: Slack turned off Socket Mode for this app (disconnect: link_disabled). Turn "
    "'Enable Socket Mode' back on in the app's settings (api.slack.com/apps), or unset "
    "SLACK_APP_TOKEN to run in HTTP mode; then start Hark again."
)


class LinkState:
    """What /healthz says about the link to Slack; updated from the client's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connects = 0
        self.last_hello: float | None = None
        self.num_connections: int | None = None
        self.last_disconnect_reason: str | None = None
        self.duplicates_skipped = 0

    def snapshot(self, connected: bool) -> dict[str, Any]:
        with self._lock:
            return {
                "connected": connected,
                "last_hello": self.last_hello,
                "reconnects": max(self.connects - 1, 0),
                "num_connections": self.num_connections,
                "last_disconnect_reason": self.last_disconnect_reason,
                "duplicate_events_skipped": self.duplicates_skipped,
            }

    def update(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self, name, value)

    def count(self, name: str) -> None:
        """Add one to a counter (``connects``, ``duplicates_skipped``)."""
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


class WatchedClient(SocketModeClient):
    """The built-in client, counting connections and hellos, and stopping on link_disabled."""

    def __init__(
        self, *args: Any, state: LinkState, on_fatal: Callable[[str], None], **kwargs: Any
    ) -> None:
        self.state, self.on_fatal = state, on_fatal
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        super().connect()
        session = self.current_session
        if session is not None and session.sock is not None:
            # The reading thread holds the socket's receive lock for up to the socket's
            # timeout (3 s); replacing this connection later (a refresh, a stale link) waits
            # for that lock, and the new connection is read only after it: 3 s of deafness
            # on every refresh. A short timeout makes the swap take a fraction of a second.
            session.sock.settimeout(RECEIVE_TIMEOUT)
            self.state.count("connects")

    def enqueue_message(self, message: str) -> None:
        # Runs on the receiving thread, before the client's own handling of `disconnect`
        # (which would reconnect whatever the reason).
        if message.startswith("{") and '"type"' in message:
            try:
                parsed = json.loads(message)
            except ValueError:
                parsed = {}
            kind = parsed.get("type")
            if kind == "hello":
                self.state.update(
                    last_hello=time.time(), num_connections=parsed.get("num_connections")
                )
            elif kind == "disconnect":
                reason = str(parsed.get("reason") or "")
                self.state.update(last_disconnect_reason=reason)
                log.info("Slack asked to disconnect (reason: %s)", reason or "none")
                if reason == "link_disabled":
                    self.auto_reconnect_enabled = False
                    self.default_auto_reconnect_enabled = False
                    self.on_fatal(LINK_DISABLED)
                    return
        super().enqueue_message(message)


class RecentIds:
    """A bounded memory of IDs already seen (oldest forgotten first)."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._ids:
                return False
            self._ids[key] = None
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True


class SocketModeLink:
    """Bolt ``app`` served over Socket Mode: ``start()`` connects, ``stop()`` stops taking
    envelopes and waits for the ones being handled."""

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        api_url: str,
        on_fatal: Callable[[str], None],
        ping_interval: float = PING_SECONDS,
        first_url: str | None = None,
    ) -> None:
        self.app = app
        self.state = LinkState()
        self._events = RecentIds()
        self.client = WatchedClient(
            app_token=app_token,
            logger=logging.getLogger("hark.socket_mode"),
            web_client=WebClient(base_url=api_url, timeout=10),
            ping_interval=ping_interval,
            state=self.state,
            on_fatal=on_fatal,
        )
        self.client.wss_uri = first_url  # None: connect() asks apps.connections.open
        self.client.socket_mode_request_listeners.append(self._handle)

    def start(self) -> None:
        self.client.connect()

    def stop(self) -> None:
        self.client.close()  # closes the link, then waits for the envelopes in hand

    def health(self) -> dict[str, Any]:
        return self.state.snapshot(self.client.is_connected() and not self.client.closed)

    def _handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        if req.type == "events_api":
            event_id = str((req.payload or {}).get("event_id") or "")
            if event_id and not self._events.first_time(event_id):
                # Slack sent this event again (its ack crossed a slow or broken link): it is
                # being or was handled here; ack so Slack stops, and do nothing more.
                self.state.count("duplicates_skipped")
                log.info(
                    "skipped event %s: already handled (retry %s)", event_id, req.retry_attempt
                )
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
        started = time.time()
        response = run_bolt_app(self.app, req)
        send_response(client, req, response, started)

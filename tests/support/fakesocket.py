"""A fake Slack Socket Mode endpoint: a small WebSocket server (RFC 6455) on 127.0.0.1.

It speaks Slack's side of the protocol (https://docs.slack.dev/apis/events-api/using-socket-mode):
on connect it sends `hello`; `send()` pushes an envelope (`slash_commands`, `interactive`,
`events_api`) to one of the open connections, spreading them round-robin as Slack does over
up to ten; it records every ack (`{"envelope_id", "payload"?}`); `disconnect()` sends
`{"type": "disconnect", "reason": ...}`; `drop_silently()` turns a connection into a black
hole (nothing answered, nothing sent, no FIN — a network blip); `hang_up()` closes the TCP
connection without a close frame. Attach it to the fake Web API (`fake_slack.socket_mode =
FakeSocketMode()`) and apps.connections.open hands out its URL for a good app token.

Written over the stdlib so the test suite needs no WebSocket library and the fake can do
what a library would not let it do (stop answering pings).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Self

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_CONNECTIONS = 10  # Slack allows up to ten open connections per app


@dataclass
class Ack:
    """What the app answered to one envelope."""

    envelope_id: str
    payload: dict[str, Any] | None  # None: acked without a response payload
    connection: int
    time: float


class Connection:
    """One open WebSocket connection from the app."""

    def __init__(self, number: int, sock: socket.socket, ticket: str) -> None:
        self.number, self.sock, self.ticket = number, sock, ticket
        self.opened = time.monotonic()
        self.closed = threading.Event()
        self.silent = False  # a black hole: reads and discards, answers nothing
        self.draining = False  # told to go away (disconnect sent): no new envelopes
        self.received: list[dict[str, Any]] = []
        self._send_lock = threading.Lock()

    def send_frame(self, opcode: int, data: bytes) -> None:
        if self.silent or self.closed.is_set():
            return
        head = bytes([0x80 | opcode])
        n = len(data)
        if n < 126:
            head += bytes([n])
        elif n < 1 << 16:
            head += bytes([126]) + struct.pack("!H", n)
        else:
            head += bytes([127]) + struct.pack("!Q", n)
        try:
            with self._send_lock:
                self.sock.sendall(head + data)
        except OSError:
            self.closed.set()

    def send_json(self, message: dict[str, Any]) -> None:
        self.send_frame(OP_TEXT, json.dumps(message).encode())

    def live(self) -> bool:
        return not (self.closed.is_set() or self.silent or self.draining)


class FakeSocketMode:
    """Slack's Socket Mode side, on a port of 127.0.0.1, until `close()`."""

    def __init__(self, app_id: str = "A0HARK", max_connections: int = MAX_CONNECTIONS) -> None:
        self.app_id, self.max_connections = app_id, max_connections
        self._lock = threading.Condition()
        self._connections: list[Connection] = []
        self._all: list[Connection] = []
        self._tickets: set[str] = set()
        self._numbers = itertools.count(1)
        self._next = 0  # round-robin position
        self.acks: dict[str, list[Ack]] = {}
        self.sent: dict[str, dict[str, Any]] = {}  # envelope_id -> envelope
        self.peak_connections = 0
        self.refused = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="fakesocket", daemon=True)
        self._thread.start()

    # -- what apps.connections.open hands out ----------------------------------------------

    def issue_url(self) -> str:
        """A one-time WebSocket URL, as apps.connections.open returns it."""
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        port = self._listener.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={ticket}&app_id={self.app_id}"

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._stopping.set()
        self._listener.close()
        with self._lock:
            conns = list(self._all)
        for conn in conns:
            _close_socket(conn)
        self._thread.join(timeout=2)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what tests look at ----------------------------------------------------------------

    def connections(self) -> list[Connection]:
        """Open connections that still take envelopes (not silent, not told to go)."""
        with self._lock:
            return [c for c in self._connections if c.live()]

    @property
    def total_connections(self) -> int:
        """Connections ever opened (a reconnect adds one)."""
        with self._lock:
            return len(self._all)

    def wait_for_connections(self, count: int = 1, timeout: float = 10) -> list[Connection]:
        """Block until `count` live connections are open; return them."""
        with self._lock:
            ok = self._lock.wait_for(
                lambda: sum(c.live() for c in self._connections) >= count, timeout
            )
        if not ok:
            raise AssertionError(f"Waited {timeout}s for {count} Socket Mode connection(s)")
        return self.connections()

    def wait_for_new_connection(self, after: int, timeout: float = 10) -> Connection:
        """Block until a live connection numbered above `after` is open."""
        with self._lock:
            ok = self._lock.wait_for(
                lambda: any(c.number > after and c.live() for c in self._connections), timeout
            )
            if ok:
                return next(c for c in self._connections if c.number > after and c.live())
        raise AssertionError(f"Waited {timeout}s for a new Socket Mode connection")

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> Ack:
        """Block until the app acks `envelope_id`; return the (first) ack."""
        with self._lock:
            ok = self._lock.wait_for(lambda: envelope_id in self.acks, timeout)
            if ok:
                return self.acks[envelope_id][0]
        raise AssertionError(f"Waited {timeout}s for an ack of envelope {envelope_id}")

    # -- what Slack sends ------------------------------------------------------------------

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
        connection: Connection | None = None,
        envelope_id: str | None = None,
        timeout: float = 10,
    ) -> str:
        """Deliver one envelope; returns its envelope_id. Waits up to `timeout` for a live
        connection when none is open (Slack holds envelopes while the app reconnects)."""
        if accepts_response_payload is None:
            accepts_response_payload = kind != "events_api"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        if connection is None:
            with self._lock:
                if not self._lock.wait_for(
                    lambda: any(c.live() for c in self._connections), timeout
                ):
                    raise AssertionError("no live Socket Mode connection to send on")
                live = [c for c in self._connections if c.live()]
                connection = live[self._next % len(live)]
                self._next += 1
        with self._lock:
            self.sent[envelope["envelope_id"]] = envelope
        connection.send_json(envelope)
        return envelope["envelope_id"]

    def disconnect(self, reason: str, connection: Connection | None = None) -> Connection:
        """Send `disconnect` (refresh_requested, warning, link_disabled) on one connection.
        Like Slack, keep it open for the app to close, but send it nothing new."""
        connection = connection or self.wait_for_connections(1)[0]
        connection.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}}
        )
        with self._lock:
            connection.draining = True
            self._lock.notify_all()
        return connection

    def drop_silently(self, connection: Connection | None = None) -> Connection:
        """The link dies without a word: no pong, no data, no FIN. The app must notice."""
        connection = connection or self.wait_for_connections(1)[0]
        with self._lock:
            connection.silent = True
            self._lock.notify_all()
        return connection

    def hang_up(self, connection: Connection | None = None) -> Connection:
        """Close the TCP connection without a WebSocket close frame."""
        connection = connection or self.wait_for_connections(1)[0]
        _close_socket(connection)
        return connection

    # -- the server ------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(None)
        reader = sock.makefile("rb")
        try:
            conn = self._handshake(sock, reader)
        except (OSError, ValueError):
            sock.close()
            return
        if conn is None:
            return
        try:
            self._read_frames(conn, reader)
        except (OSError, ValueError, struct.error):
            pass
        finally:
            _close_socket(conn)
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
                self._lock.notify_all()

    def _handshake(self, sock: socket.socket, reader: Any) -> Connection | None:
        request_line = reader.readline(65536).decode("latin-1")
        headers: dict[str, str] = {}
        while True:
            line = reader.readline(65536).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        _, target, _ = (request_line.split(" ") + ["", "", ""])[:3]
        ticket = target.partition("ticket=")[2].partition("&")[0]
        key = headers.get("sec-websocket-key", "")
        with self._lock:
            known = ticket in self._tickets
            self._tickets.discard(ticket)  # a ticket is good for one connection
            full = len(self._connections) >= self.max_connections
            if not (known and key) or full:
                self.refused += 1
        if not (known and key) or full:
            status = "429 Too Many Requests" if full else "401 Unauthorized"
            sock.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n".encode())
            sock.close()
            return None
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        with self._lock:
            conn = Connection(next(self._numbers), sock, ticket)
            self._connections.append(conn)
            self._all.append(conn)
            count = len(self._connections)
            self.peak_connections = max(self.peak_connections, count)
        conn.send_json(
            {
                "type": "hello",
                "num_connections": count,
                "debug_info": {
                    "host": f"applink-fake-{conn.number}",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        with self._lock:
            self._lock.notify_all()
        return conn

    def _read_frames(self, conn: Connection, reader: Any) -> None:
        message = b""
        while True:
            head = reader.read(2)
            if len(head) < 2:
                return
            opcode, masked, length = head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", reader.read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", reader.read(8))[0]
            mask = reader.read(4) if masked else b""
            data = reader.read(length)
            if len(data) < length:
                return
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if conn.silent:
                continue  # the black hole swallows everything
            if opcode == OP_PING:
                conn.send_frame(OP_PONG, data)
            elif opcode == OP_CLOSE:
                conn.send_frame(OP_CLOSE, data[:2])
                return
            elif opcode in (OP_TEXT, OP_CONT, OP_BINARY):
                message += data
                if head[0] & 0x80:  # FIN
                    self._on_message(conn, message)
                    message = b""

    def _on_message(self, conn: Connection, raw: bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        with self._lock:
            conn.received.append(message)
            envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
            if envelope_id:
                ack = Ack(envelope_id, message.get("payload"), conn.number, time.monotonic())
                self.acks.setdefault(envelope_id, []).append(ack)
            self._lock.notify_all()


def _close_socket(conn: Connection) -> None:
    conn.closed.set()
    try:
        conn.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.sock.close()


__all__ = ["Ack", "Connection", "FakeSocketMode"]

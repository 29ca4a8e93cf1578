"""A local HTTP server that serves feeds the way real (and hostile) servers do.

Binds 127.0.0.1 on a free port, answers from a route table the test fills in,
and records every request so a test can ask what Hark actually sent::

    with FeedServer() as server:
        server.set("/feed.xml", body, etag='"v1"')
        fetcher.fetch(server.url("/feed.xml"))
        assert server.requests[-1].headers["if-none-match"] == '"v1"'
"""

from __future__ import annotations

import gzip as gzip_module
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

CHUNK = 64 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; header names are lower-case."""

    path: str
    headers: dict[str, str]


@dataclass
class _Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0
    trickle_rate: float | None = None  # bytes per second
    trickle_headers: bool = False
    huge_size: int | None = None
    declared_length: int | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        server = self.server
        server.record(RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
        with server.lock:
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            self._answer(route)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, which is often the point of the test
        finally:
            with server.lock:
                server.in_flight -= 1

    def _answer(self, route: _Route | None) -> None:
        if route is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay:
            self.server.stopped.wait(route.delay)
        if route.trickle_rate is not None:
            self._trickle(route)
            return
        if route.huge_size is not None:
            self._huge(route)
            return
        if self._not_modified(route):
            headers = {"ETag": route.etag} if route.etag else {}
            self._send(304, b"", headers)
            return
        body = route.body
        headers = dict(route.headers)
        if route.gzip:
            body = gzip_module.compress(body)
            headers["Content-Encoding"] = "gzip"
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        self._send(route.status, body, headers)

    def _not_modified(self, route: _Route) -> bool:
        if route.status != 200:
            return False
        if route.etag and "if-none-match" in self.headers:
            tags = [t.strip().removeprefix("W/") for t in self.headers["if-none-match"].split(",")]
            return route.etag.removeprefix("W/") in tags or "*" in tags
        since = self.headers.get("if-modified-since")
        if route.last_modified and since:
            try:
                return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/rss+xml", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def _trickle(self, route: _Route) -> None:
        interval = 1.0 / route.trickle_rate if route.trickle_rate else 1.0
        stop = self.server.stopped
        if route.trickle_headers:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for byte in b"X-Slow: " + b"a" * 10_000:
                if stop.wait(interval):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.flush()
        for _ in range(100_000):
            if stop.wait(interval):
                return
            self.wfile.write(b"<")
            self.wfile.flush()

    def _huge(self, route: _Route) -> None:
        size = route.huge_size or 0
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if route.declared_length is not None:
            self.send_header("Content-Length", str(route.declared_length))
        else:
            self.send_header("Connection", "close")  # body ends when the socket closes
        self.end_headers()
        chunk = b"<item>" + b"x" * (CHUNK - 13) + b"</item>"
        sent = 0
        try:
            while sent < size and not self.server.stopped.is_set():
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        finally:
            with self.server.lock:
                self.server.streamed_bytes += sent
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # slow handlers must not hold up the test run
    request_queue_size = 128  # the listen backlog: a poll connects to many "hosts" at once

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, _Route] = {}
        self.lock = threading.Lock()
        self.log: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.streamed_bytes = 0  # written by huge() routes before the client hung up
        self.stopped = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-connection is what many tests do on purpose.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self.log.append(request)


class FeedServer:
    """Context manager running a threaded feed server on 127.0.0.1:<free port>."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving; trickling and streaming handlers end at their next byte."""
        self._server.stopped.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, path: str, host: str | None = None) -> str:
        """Absolute URL of ``path`` on this server (``host`` e.g. "localhost")."""
        return f"http://{host or self.host}:{self.port}{path}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._server.lock:
            return list(self._server.log)

    def paths(self) -> list[str]:
        """Paths of every request received so far."""
        return [r.path for r in self.requests]

    @property
    def max_in_flight(self) -> int:
        """The most requests that were being answered at the same moment."""
        return self._server.max_in_flight

    def set(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/rss+xml",
        etag: str | None = None,
        last_modified: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        gzip: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Serve ``body`` at ``path``, answering 304 when the validators match."""
        self._server.routes[path] = _Route(
            status=status,
            body=body,
            headers={"Content-Type": content_type, **(headers or {})},
            etag=etag,
            last_modified=last_modified,
            gzip=gzip,
            delay=delay,
        )

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        """Answer ``path`` with a redirect to ``to`` (absolute or relative)."""
        self.set(path, b"", "text/plain", status=status, headers={"Location": to})

    def trickle(self, path: str, bytes_per_second: float, *, in_headers: bool = False) -> None:
        """Send the response one byte at a time, in the body or already in the headers."""
        self._server.routes[path] = _Route(
            trickle_rate=bytes_per_second, trickle_headers=in_headers
        )

    def huge(self, path: str, size: int, *, declared_length: int | None = None) -> None:
        """Stream ``size`` generated bytes without holding them in memory.

        Without ``declared_length`` there is no Content-Length (the body ends
        when the connection closes); with it, the header says what you choose,
        truthful or not.
        """
        self._server.routes[path] = _Route(huge_size=size, declared_length=declared_length)

    @property
    def streamed_bytes(self) -> int:
        """Bytes the ``huge()`` routes managed to write before each client hung up."""
        with self._server.lock:
            return self._server.streamed_bytes

    def wait_idle(self, timeout: float = 2.0) -> None:
        """Wait until no request is being answered (for counting after threads end)."""
        end = time.monotonic() + timeout
        while self._server.in_flight and time.monotonic() < end:
            time.sleep(0.01)

"""A fake X API v2 on loopback: answers /2/tweets/search/recent with a scripted body."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeXApi:
    """Serves ``body`` with ``status``; records each request's query; can answer 429 (with
    X's ``x-rate-limit-reset``) and refuse a bearer token other than ``bearer`` (401)."""

    def __init__(self, body: dict[str, Any] | None = None, bearer: str | None = None) -> None:
        self.body: dict[str, Any] = body or {}
        self.status = 200
        self.rate_limited = False
        self.queries: list[dict[str, list[str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.queries.append(parse_qs(urlsplit(self.path).query))
                if bearer is not None and self.headers["Authorization"] != f"Bearer {bearer}":
                    self._answer(401, {"title": "Unauthorized"})
                elif outer.rate_limited:
                    reset = str(int(time.time()) + 600)
                    self._answer(
                        429, {"title": "Too Many Requests"}, [("x-rate-limit-reset", reset)]
                    )
                else:
                    self._answer(outer.status, outer.body)

            def _answer(
                self, status: int, body: dict[str, Any], headers: list[tuple[str, str]] = ()
            ) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/2/"

    @property
    def requests(self) -> int:
        return len(self.queries)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

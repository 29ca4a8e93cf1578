"""A fake Slack Web API on 127.0.0.1 that answers like Slack and remembers what it was asked.

Point the real `slack_sdk.WebClient` at it (`WebClient(token="xoxb-test", base_url=fake.url)`)
or set `SLACK_API_URL=fake.url`; every request is recorded as a `Call` that tests can inspect
(`calls`, `last`, `wait_for`). Like opsdroid's connector tests, the fake is asked what it
received rather than mocked; unlike a mock, it also refuses what Slack would refuse.

This module is the HTTP side: the server, the recording, scripted failures and delays.
Slack's state and methods are `SlackWorkspace` (slack_workspace.py); the Block Kit limits
(blockkit.py) and the mention audit (mentions.py) are pure functions; the team's IDs and users
are in slack_team.py.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import posixpath
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.support.blockkit import (
    MSG_BLOCKS_MAX_CHARS,
    MSG_TEXT_MAX_CHARS,
    blocks_json_chars,
    validate_blocks,
    validate_view,
)
from tests.support.mentions import find_mentions, text_leaves
from tests.support.slack_team import METHOD_SCOPES, make_user
from tests.support.slack_workspace import SlackError, SlackWorkspace, truthy

# Fields slack_sdk sends as JSON text inside form bodies; the fake decodes them.
JSON_FIELDS = frozenset(
    {"blocks", "attachments", "metadata", "view", "files", "unfurls", "user_auth_blocks"}
)
# Methods (and response_url posts) whose arguments carry text people will read.
SENDING_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}
    | {"chat.meMessage", "views.open", "views.update", "views.push", "views.publish"}
    | {"files.completeUploadExternal", "response"}
)
TEXT_ARGS = ("text", "blocks", "attachments", "metadata", "view", "initial_comment")


@dataclass(frozen=True)
class Call:
    """One request the fake received: Slack method, decoded arguments, lower-cased headers.

    `method` is the Web API method, or "upload" (a file upload URL), "response" (a
    response_url post) or "not_found" (any other path). `status` and `response` are what the
    fake answered.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 200
    response: Any = None
    path: str = ""


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    remaining: int | None  # None: until clear_failures()


def _call_text(call: Call) -> list[str]:
    if call.method not in SENDING_METHODS:
        return []
    return [text for key in TEXT_ARGS for text in text_leaves(call.args.get(key))]


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # left as sent; the method handler refuses it
    return args


def parse_body(raw: bytes, content_type: str, query: str = "") -> dict[str, Any]:
    """Decode a request body (JSON, form or multipart) and query string into arguments."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json" or (not mime and raw.lstrip()[:1] == b"{"):
        decoded = json.loads(raw or b"{}")
        args.update(decoded if isinstance(decoded, dict) else {"_json": decoded})
    elif mime == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
        for part in msg.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is None:
                payload = payload.decode("utf-8")
            args[name] = payload
    else:
        args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return _decode_json_fields(args)


class FakeSlack(SlackWorkspace):
    """A fake Slack Web API server on 127.0.0.1, running in a daemon thread until `close()`.

    What Slack knows and the attributes tests may set are `SlackWorkspace`'s; this adds the
    server, the record of calls, and scripted failures and delays.
    """

    def __init__(
        self,
        *,
        strict_channels: bool = False,
        tokens: set[str] | None = None,
        channels: set[str] | None = None,
    ) -> None:
        super().__init__(strict_channels=strict_channels, tokens=tokens, channels=channels)
        self._calls: list[Call] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._closing = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # close() waits up to one interval
            name="fakeslack",
            daemon=True,
        )
        self._thread.start()
        self.upload_url_prefix = f"{self.origin}/upload/"

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Web API base URL in slack_sdk's format: `http://127.0.0.1:PORT/api/`."""
        return f"{self.origin}/api/"

    def response_url(self, response_id: str = "r1") -> str:
        """A response_url on this server; posts to it are recorded as "response" calls."""
        return f"{self.origin}/response/{response_id}"

    def environ(self, token: str = "xoxb-test", signing_secret: str = "") -> dict[str, str]:
        """Environment variables that point Hark at this fake (for `monkeypatch.setenv`)."""
        env = {"SLACK_API_URL": self.url, "SLACK_BOT_TOKEN": token}
        if signing_secret:
            env["SLACK_SIGNING_SECRET"] = signing_secret
        return env

    def close(self) -> None:
        """Stop serving; wakes delayed answers so this returns promptly. Idempotent."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what was received -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls in the order answered, all or only those of `method`."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def last(self, method: str) -> Call:
        """The latest call of `method`; AssertionError naming what was called if none."""
        found = self.calls(method)
        if not found:
            seen = ", ".join(dict.fromkeys(c.method for c in self.calls())) or "nothing"
            raise AssertionError(f"No {method} call recorded; the fake received: {seen}")
        return found[-1]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Block until `count` calls of `method` were recorded; return them all."""
        with self._lock:
            done = self._lock.wait_for(
                lambda: sum(c.method == method for c in self._calls) >= count, timeout
            )
            found = [c for c in self._calls if c.method == method]
        if not done:
            raise AssertionError(
                f"Waited {timeout}s for {count} {method} call(s); got {len(found)}"
            )
        return found

    def sent_text(self) -> list[str]:
        """Every piece of text Hark sent: top-level text, text in blocks, views, metadata."""
        return [text for call in self.calls() for text in _call_text(call)]

    def mentions(self, strict: bool = False) -> list[str]:
        """Every mention (see `find_mentions`) in everything Hark sent; [] is the goal.

        Raw `@here` counts in calls sent with `link_names` or `parse=full`, where it pings.
        """
        return [
            mention
            for call in self.calls()
            for text in _call_text(call)
            for mention in find_mentions(
                text,
                strict or truthy(call.args.get("link_names")) or call.args.get("parse") == "full",
            )
        ]

    def reset(self) -> None:
        """Forget calls, scripted failures and delays, and Slack state (messages, views,
        files); keep the configuration (tokens, channels, users)."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._delays.clear()
            self._reset_state()

    # -- scripting -------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int | None = None,
        *,
        error: str | None = None,
        retry_after: int | None = 1,
        times: int | None = 1,
    ) -> None:
        """Answer the next `times` calls of `method` ("*": any method) with a failure.

        `status=429` answers HTTP 429 with `Retry-After: retry_after`; `status=500` (or any
        code) answers that status; `error="..."` alone answers HTTP 200 `{"ok": false,
        "error": ...}`. `times=None` fails until `clear_failures()`. Failures queue in order.
        """
        if status is None and error is None:
            raise ValueError("fail() needs a status, an error or both")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for 'until clear_failures()'")
        status = status or 200
        if error is None:
            error = "ratelimited" if status == 429 else "internal_error"
        with self._lock:
            failure = _Failure(status, error, retry_after if status == 429 else None, times)
            self._failures.setdefault(method, deque()).append(failure)

    def clear_failures(self) -> None:
        """Drop every scripted failure."""
        with self._lock:
            self._failures.clear()

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of `method` ("*": any) `seconds` late; 0 removes the delay."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    # -- request handling (called by _Handler threads) -------------------------------------

    def _take_failure(self, method: str) -> _Failure | None:
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                failure = queue[0]
                if failure.remaining is not None:
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        queue.popleft()
                return failure
        return None

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def answer_api(
        self, method: str, args: dict[str, Any], headers: dict[str, str], path: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one Web API call: (HTTP status, JSON body, extra headers); records it."""
        received = time.time()
        with self._lock:
            delay = self._delays.get(method, self._delays.get("*", 0.0))
        if delay:
            self._closing.wait(delay)
        extra: dict[str, str] = {}
        with self._lock:
            failure = self._take_failure(method)
            if failure is not None:
                status, body = failure.status, {"ok": False, "error": failure.error}
                if failure.retry_after is not None:
                    extra["Retry-After"] = str(failure.retry_after)
            else:
                try:
                    status, body = 200, self._dispatch(method, args, headers)
                    if body.get("ok") or body.get("error") == "missing_scope":
                        extra["x-oauth-scopes"] = ",".join(self.scopes)
                        extra["x-accepted-oauth-scopes"] = ",".join(METHOD_SCOPES.get(method, ()))
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    # Arguments the fake cannot read (or a bug in it): say so, do not hang up.
                    status, body = 500, {"ok": False, "error": "fake_slack_crashed"}
                    body["detail"] = f"{type(exc).__name__}: {exc}"
            self._record(Call(method, args, headers, received, status, body, path))
        return status, body, extra

    def _dispatch(
        self, method: str, args: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        auth = headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else args.get("token")
        return self.answer_method(method, args, token or "")

    def answer_upload(self, file_id: str, data: bytes, headers: dict[str, str], path: str) -> int:
        """Store bytes posted to an upload URL; 404 for a file ID never issued."""
        with self._lock:
            status = 200 if file_id in self.files else 404
            if status == 200:
                self.uploads[file_id] = data
            args = {"file_id": file_id, "length": len(data)}
            self._record(Call("upload", args, headers, time.time(), status, None, path))
        return status

    def answer_response_url(self, args: dict[str, Any], headers: dict[str, str], path: str) -> int:
        """Record a response_url post; refuse what chat.postMessage would refuse (HTTP 400)."""
        problems = validate_blocks(args["blocks"]) if "blocks" in args else []
        blocks = args.get("blocks")
        if not problems and blocks is not None and blocks_json_chars(blocks) > MSG_BLOCKS_MAX_CHARS:
            problems = ["msg_blocks_too_long"]
        text = args.get("text")
        if isinstance(text, str) and len(text) > MSG_TEXT_MAX_CHARS:
            problems = [*problems, "msg_too_long"]
        if not (args.get("text") or args.get("blocks") or truthy(args.get("delete_original"))):
            problems = [*problems, "no_text"]
        status = 400 if problems else 200
        self._record(Call("response", args, headers, time.time(), status, problems, path))
        return status

    def answer_not_found(self, args: dict[str, Any], headers: dict[str, str], path: str) -> None:
        """Record a request to a path the fake does not serve (the handler answers 404)."""
        self._record(Call("not_found", args, headers, time.time(), 404, None, path))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 makes a burst of concurrent clients wait out a 1 s SYN retry.
    request_queue_size = 128
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    """Routes /api/<method>, /upload/<file_id> and /response/<id> to the FakeSlack."""

    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    def do_GET(self) -> None:
        """Answer GET /api/<method>?args."""
        self._route(b"")

    def do_POST(self) -> None:
        """Answer POST with a JSON, form or multipart body."""
        length = int(self.headers.get("Content-Length") or 0)
        self._route(self.rfile.read(length) if length else b"")

    def _route(self, raw: bytes) -> None:
        fake = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        path = posixpath.normpath(parts.path)  # tolerate ".../api/../response/x"
        headers = {k.lower(): v for k, v in self.headers.items()}
        prefix, _, name = path.lstrip("/").partition("/")
        if prefix == "upload" and self.command == "POST":
            status = fake.answer_upload(name, raw, headers, path)
            self._send(status, f"OK - {len(raw)}" if status == 200 else "Not Found", "text/plain")
            return
        try:
            args = parse_body(raw, headers.get("content-type", ""), parts.query)
        except (ValueError, UnicodeDecodeError):
            self._send(400, json.dumps({"ok": False, "error": "invalid_form_data"}))
            return
        if prefix == "api" and name:
            status, body, extra = fake.answer_api(name, args, headers, path)
            self._send(status, json.dumps(body), extra=extra)
        elif prefix == "response" and self.command == "POST":
            status = fake.answer_response_url(args, headers, path)
            self._send(status, "ok" if status == 200 else "invalid_blocks", "text/plain")
        else:
            fake.answer_not_found(args, headers, path)
            self._send(404, json.dumps({"ok": False, "error": "not_found"}))

    def _send(
        self,
        status: int,
        text: str,
        content_type: str = "application/json; charset=utf-8",
        extra: dict[str, str] | None = None,
    ) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running FakeSlack, closed after the test (tests/conftest.py imports it so every test may ask for it)."""
    with FakeSlack() as fake:
        yield fake


# The names tests imported from here before the split; their homes are the modules above.
__all__ = [
    "MSG_BLOCKS_MAX_CHARS",
    "Call",
    "FakeSlack",
    "SlackError",
    "blocks_json_chars",
    "fake_slack",
    "find_mentions",
    "make_user",
    "parse_body",
    "text_leaves",
    "validate_blocks",
    "validate_view",
]

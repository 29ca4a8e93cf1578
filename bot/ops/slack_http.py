"""``POST /slack/events``: Hark's own WSGI -> Bolt adapter.

Why not ``slack_bolt.adapter.wsgi.SlackRequestHandler``:

- Bolt's form parser (``slack_bolt.request.internals.parse_body``) takes any form body
  that contains the substring ``payload`` anywhere (the typed text, the channel name, the
  user name, the team domain) for an interactivity payload, finds no ``payload=`` field
  and returns ``{}``: the slash command never reaches its listener (404 "unhandled
  request"). Here the body is parsed by its fields, once, and handed to Bolt parsed.
  Socket Mode is not affected: its adapter gives Bolt the payload as a dict.
- Bolt logs the full body of every request whose signature is wrong, at INFO. Here the
  signature is checked on the raw bytes first; a request that fails is answered 401 and
  only its size is logged. Bolt checks the signature again (same raw body) before any
  listener runs.
- A signed body that is not what Slack sends (``payload=`` that is not a JSON object,
  a JSON body that does not parse) raised inside Bolt: a 500 and a traceback. Here: 400.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.request.internals import build_context

from bot import grammar

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack's payloads are a few kB; a modal's state stays far below this
SIGNATURE_WINDOW = 300  # seconds: Slack's (and Bolt's) window around the request timestamp
MAX_FORM_FIELDS = 100  # a slash command has about 14
REFUSAL_LOG_EVERY = 60.0  # seconds between two log lines about refused signatures


class BadBody(ValueError):
    """A signed body that is not one of the shapes Slack sends."""


def signature_ok(secret: str, raw_body: bytes, timestamp: str, signature: str, now: float) -> bool:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``, timestamp in the window."""
    if not secret or not timestamp.isdigit() or not signature.startswith("v0="):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw_body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def parse_slack_body(text: str, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt's listeners expect it: an event's JSON, an interactive ``payload``'s
    JSON, or a slash command's form fields — decided by the fields, never by substrings."""
    if not text:
        return {}
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/json" or (not media and text.startswith("{")):
        return _json_object(text, "the JSON body")
    try:
        fields = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise BadBody(f"the form body has more than {MAX_FORM_FIELDS} fields") from None
    form = dict(fields)
    if "payload" in form:  # interactivity: Slack sends one field, payload=<JSON>
        return _json_object(form["payload"], "the payload field")
    return form


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise BadBody(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise BadBody(f"{what} is not a JSON object")
    return value


class ParsedBoltRequest(BoltRequest):
    """An HTTP-mode BoltRequest built from a body Hark has already parsed.

    ``raw_body`` stays the exact text Slack signed, so Bolt's own signature check runs on
    it; ``body`` and ``context`` come from :func:`parse_slack_body`.
    """

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        headers: dict[str, Any],
        query: Any = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        # An empty body keeps Bolt's parser out of it; then the real values go in.
        super().__init__(body="", query=query, headers=headers, context=context, mode="http")
        self.raw_body = raw_body
        self.body = body
        self.context = build_context(BoltContext(context or {}), body)

    def to_copyable(self) -> BoltRequest:
        """Bolt copies the request for lazy listeners; the copy keeps Hark's parse."""
        return ParsedBoltRequest(
            raw_body=self.raw_body,
            body=json.loads(json.dumps(self.body)),
            headers=dict(self.headers),
            query=dict(self.query),
            context=self.context.to_copyable(),
        )


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers


StartResponse = Callable[..., Any]


def _answer(start_response: StartResponse, status: int, text: str) -> Iterable[bytes]:
    body = text.encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


class _NoBodyInBoltsRefusal(logging.Filter):
    """Bolt's RequestVerification logs the whole body of a request it refuses, at INFO.
    Hark checks first, so Bolt refuses nothing in practice; should a request pass Hark's
    check and fail Bolt's (its clock read a moment later, at the window's edge), the line
    keeps its first words and loses the body."""

    PREFIX = "Invalid request signature detected"

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(self.PREFIX):
            record.msg, record.args = self.PREFIX + " (body not logged)", ()
        return True


def quiet_bolt_refusals() -> None:
    """Install the filter on Bolt's verification logger (once; safe to call again)."""
    logger = logging.getLogger("slack_bolt.RequestVerification")
    if not any(isinstance(f, _NoBodyInBoltsRefusal) for f in logger.filters):
        logger.addFilter(_NoBodyInBoltsRefusal())


class SlackEndpoint:
    """WSGI callable for ``POST /slack/events``: size, signature, parse, then Bolt."""

    def __init__(
        self, app: App, signing_secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.signing_secret = signing_secret
        self.clock = clock
        self._refusals_lock = threading.Lock()
        self._refused_unlogged = 0
        self._refusal_logged_at = -REFUSAL_LOG_EVERY
        quiet_bolt_refusals()

    def _log_refusal(self, size: int, peer: str) -> None:
        """One line a minute at most, with a count: a flood of unsigned requests cannot
        flood the log. Never the body: an unsigned request is anyone's, and could be
        anything."""
        with self._refusals_lock:
            self._refused_unlogged += 1
            now = time.monotonic()
            if now - self._refusal_logged_at < REFUSAL_LOG_EVERY:
                return
            count, self._refused_unlogged = self._refused_unlogged, 0
            self._refusal_logged_at = now
        log.info(
            "refused %s to /slack/events since the last line like this (the latest: %d bytes "
            "from %s; one line a minute at most); if Slack's own requests are among them, "
            "check SLACK_SIGNING_SECRET and the server's clock",
            grammar.count(count, "unsigned or badly signed request"),
            size,
            peer,
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST")])
            return [b""]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _answer(start_response, 400, "Bad Content-Length.\n")
        if length < 0:
            return _answer(start_response, 400, "Bad Content-Length.\n")
        if length > MAX_BODY:
            return _answer(start_response, 413, f"Slack's requests are under {MAX_BODY} bytes.\n")
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not signature_ok(self.signing_secret, raw, timestamp, signature, self.clock()):
            self._log_refusal(len(raw), environ.get("REMOTE_ADDR", "?"))
            return _answer(start_response, 401, "Invalid signature.\n")
        try:
            text = raw.decode("utf-8")
            body = parse_slack_body(text, headers.get("content-type"))
        except (UnicodeDecodeError, BadBody) as exc:
            problem = str(exc) if isinstance(exc, BadBody) else "the body is not UTF-8"
            log.warning("refused a signed request Hark cannot read: %s", problem)
            return _answer(start_response, 400, f"Bad request: {problem}.\n")
        request = ParsedBoltRequest(
            raw_body=text,
            body=body,
            headers=headers,
            query=environ.get("QUERY_STRING") or None,
        )
        response = self.app.dispatch(request)
        payload = (response.body or "").encode("utf-8")
        out = [(name, value) for name, values in response.headers.items() for value in values]
        out = [(n, v) for n, v in out if n.lower() != "content-length"]
        out.append(("Content-Length", str(len(payload))))
        start_response(f"{response.status} {_phrase(response.status)}", out)
        return [payload]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"

"""The HTTP surface: Hark's WSGI app and the waitress server it runs in."""

from __future__ import annotations

import hmac
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import Settings, load_settings
from bot.ops.slack_http import MAX_BODY, ParsedBoltRequest, parse_slack_body
from bot.ops.web import health_report, make_server, wsgi_app
from bot.store import Store
from bot.store.replays import KEEP_SECONDS
from tests.support import slackreq
from tests.support.harness import SECRET, seed_conversation

TOKEN = "metrics-token-123"


def call(application, path: str, method: str = "GET", **headers: str) -> tuple[str, dict, bytes]:
    """One in-process WSGI call: (status line, headers, body)."""
    captured: dict[str, Any] = {}

    def start_response(status, response_headers):
        captured["status"], captured["headers"] = status, dict(response_headers)

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "REMOTE_ADDR": "127.0.0.1"}
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    body = b"".join(application(environ, start_response))
    return captured["status"], captured["headers"], body


def health() -> dict[str, Any]:
    return {"ok": True}


def metrics() -> str:
    return "hark_claims_total 3\n"


def test_metrics_need_the_bearer_token():
    application = wsgi_app(None, health, metrics, settings=Settings(metrics_token=TOKEN))
    status, headers, body = call(application, "/metrics", authorization=f"Bearer {TOKEN}")
    assert status == "200 OK" and body == b"hark_claims_total 3\n"
    for auth in ("", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"):
        status, headers, body = call(application, "/metrics", authorization=auth)
        assert status == "401 Unauthorized", auth
        assert headers["WWW-Authenticate"].startswith("Bearer")
        assert b"hark_claims_total" not in body and b"HARK_METRICS_TOKEN" in body


def test_metrics_are_off_without_a_token_even_from_loopback():
    # Behind a reverse proxy on the same host every request comes from 127.0.0.1, so
    # loopback is no proof of anything: without HARK_METRICS_TOKEN /metrics is off.
    application = wsgi_app(None, health, metrics, settings=Settings())
    status, _, body = call(application, "/metrics")
    assert status == "404 Not Found"
    assert b"hark_claims_total" not in body and b"HARK_METRICS_TOKEN" in body


def test_the_token_comes_from_the_environment():
    settings = load_settings({"HARK_METRICS_TOKEN": TOKEN})
    assert settings.metrics_token == TOKEN and TOKEN not in repr(settings)
    assert load_settings({}).metrics_token is None


def test_without_an_app_only_health_and_metrics_are_served():
    """Socket Mode serves /healthz and /metrics with the same code and no Slack route."""
    application = wsgi_app(None, health, metrics, settings=Settings(metrics_token=TOKEN))
    assert call(application, "/healthz")[0] == "200 OK"
    assert call(application, "/metrics", authorization=f"Bearer {TOKEN}")[0] == "200 OK"
    status, _, body = call(application, "/slack/events", "POST")
    assert status == "404 Not Found" and b"Socket Mode" in body


# --- over real HTTP: waitress with Hark's limits, serving Hark's WSGI app ---------------


@pytest.fixture
def serve():
    """Start ``make_server`` (Hark's waitress limits) on a free port; stop it afterwards."""
    servers = []

    def start(application) -> str:
        server = make_server(application, 0, "127.0.0.1")
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        return f"127.0.0.1:{server.effective_port}"

    yield start
    for server in servers:
        for channel in list(server._map.values()):
            channel.close()
        server.task_dispatcher.shutdown(timeout=1)


def http_app(h, **settings: Any):
    return wsgi_app(
        h.app,
        lambda: health_report(h.store, lambda: True),
        settings=Settings(signing_secret=SECRET, **settings),
    )


def post(address: str, body: bytes | str, headers: dict[str, str], timeout: float = 10):
    """POST to /slack/events: (status, body text)."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(
        f"http://{address}/slack/events", data=data, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode()


@pytest.mark.parametrize(
    ("command", "text", "fields"),
    [
        ("/who-covers", "payload api", {}),
        ("/hark", "topics", {"channel_name": "payload-team"}),
        ("/digest", "7d", {"user_name": "payloadbob"}),
        ("/hark", "help", {"channel_name": "payload"}),
    ],
)
def test_commands_mentioning_payload_reach_their_listener(
    harness_factory, serve, command, text, fields
):
    """Bolt's parser takes any form body containing "payload" for a button click."""
    h = harness_factory()
    address = serve(http_app(h))
    request = slackreq.slash_command(
        SECRET, command, text, response_url=h.fake.response_url("payload"), **fields
    )
    assert "payload" in request.body
    status, answer = request.post(f"http://{address}/slack/events")
    assert status == 200, answer
    assert len(h.fake.calls("response")) == 1  # the listener answered on the response_url


def test_clicks_and_events_still_arrive_over_http(harness_factory, serve):
    h = harness_factory()
    address = serve(http_app(h))
    url = f"http://{address}/slack/events"
    conversation_id = seed_conversation(h)
    row = h.store.conversation(conversation_id)
    click = slackreq.block_action(
        SECRET,
        "claim",
        str(conversation_id),
        channel_id=row.channel,
        message_ts=row.ts,
        response_url=h.fake.response_url("click"),
    )
    assert click.post(url)[0] == 200
    assert h.store.conversation(conversation_id).owner == slackreq.USER_ID
    body = json.dumps({"type": "url_verification", "challenge": "ch4llenge", "token": "t"})
    status, answer = post(address, body, slackreq.signed(body, SECRET))
    assert status == 200 and "ch4llenge" in answer
    ssl_check = "ssl_check=1&token=unused"
    assert post(address, ssl_check, slackreq.signed(ssl_check, SECRET))[0] == 200


def test_unsigned_requests_get_401_and_their_bodies_are_never_logged(
    harness_factory, serve, caplog
):
    caplog.set_level(logging.DEBUG)
    h = harness_factory()
    address = serve(http_app(h))
    marker = "UNSIGNED-BODY-MARKER"
    body = urlencode({"command": "/hark", "text": marker + "x" * 100_000})
    cases = [
        {"Content-Type": slackreq.FORM},  # no signature at all
        slackreq.signed(body, SECRET, bad_signature=True),
        slackreq.signed(body, SECRET, stale=True),
        {**slackreq.signed(body, SECRET), slackreq.TIMESTAMP_HEADER: "soon"},
    ]
    answers = [post(address, body, headers) for headers in cases]
    assert marker not in caplog.text
    # One line for the four, with a count: a flood of them cannot flood the log.
    refusals = [r for r in caplog.records if "unsigned or badly signed" in r.getMessage()]
    assert len(refusals) == 1 and "refused 1 unsigned" in refusals[0].getMessage()
    assert [status for status, _ in answers] == [401] * len(cases)
    assert not any(marker in answer for _, answer in answers)
    assert h.fake.calls("response") == []


def test_bolts_own_refusal_never_logs_the_body_either(harness_factory, caplog):
    """Should a request pass Hark's check and fail Bolt's (at the window's edge)."""
    caplog.set_level(logging.DEBUG)
    h = harness_factory()
    http_app(h)  # building the HTTP app quiets Bolt's verification logger
    marker = "BOLT-REFUSED-MARKER"
    request = slackreq.slash_command(SECRET, "/hark", marker, bad_signature=True)
    assert h.dispatch(request).status == 401
    assert "Invalid request signature detected (body not logged)" in caplog.text
    assert marker not in caplog.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=not-json", slackreq.FORM),
        ("payload=%5B1%2C2%5D", slackreq.FORM),  # JSON, but a list
        ("{not json", slackreq.JSON),
        ('["an", "array"]', slackreq.JSON),
        ("&".join(f"f{i}=1" for i in range(500)), slackreq.FORM),
    ],
)
def test_a_signed_body_slack_would_never_send_gets_400(
    harness_factory, serve, caplog, body, content_type
):
    h = harness_factory()
    address = serve(http_app(h))
    headers = {**slackreq.signed(body, SECRET), "Content-Type": content_type}
    status, answer = post(address, body, headers)
    assert status == 400, answer
    assert "Traceback" not in caplog.text


def test_a_signed_body_that_is_not_utf8_gets_400(harness_factory, serve):
    h = harness_factory()
    address = serve(http_app(h))
    body = b"command=%2Fhark&text=\xff\xfe"
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    headers = {
        "Content-Type": slackreq.FORM,
        slackreq.TIMESTAMP_HEADER: timestamp,
        slackreq.SIGNATURE_HEADER: "v0=" + hmac.new(SECRET.encode(), base, "sha256").hexdigest(),
    }
    assert post(address, body, headers)[0] == 400


def test_the_parser_decides_by_fields_not_substrings():
    command = urlencode({"command": "/who-covers", "text": "payload api", "user_name": "p"})
    assert parse_slack_body(command, slackreq.FORM)["text"] == "payload api"
    click = slackreq.payload_body({"type": "block_actions", "actions": []})
    assert parse_slack_body(click, slackreq.FORM) == {"type": "block_actions", "actions": []}
    request = ParsedBoltRequest(
        raw_body=command,
        body=parse_slack_body(command, slackreq.FORM),
        headers={"content-type": slackreq.FORM},
    )
    copy = request.to_copyable()  # what Bolt hands a lazy listener
    assert copy.body["text"] == "payload api" and copy.raw_body == command


def _raw_exchange(address: str, head: bytes, timeout: float = 10) -> bytes:
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):  # until waitress closes the connection
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.mark.parametrize(
    ("length", "sent"), [(50 * 1024 * 1024, b"x"), (300 * 1024 * 1024, b""), (MAX_BODY + 1, b"")]
)
def test_a_huge_content_length_is_refused_before_the_body_is_read(
    harness_factory, serve, length, sent
):
    """No waiting for 50 MB that never come, no 300 MB spooled to disk: 413 at once."""
    h = harness_factory()
    address = serve(http_app(h))
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: hark\r\nContent-Type: {slackreq.FORM}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    answer = _raw_exchange(address, head + sent)  # socket timeout: 10 s, never reached
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_cut_off_while_it_is_read(harness_factory, serve):
    """No Content-Length to refuse up front: waitress stops at 1 MiB, mid-stream."""
    h = harness_factory()
    address = serve(http_app(h))
    host, port = address.split(":")
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: hark\r\nTransfer-Encoding: chunked\r\n"
        f"Content-Type: {slackreq.FORM}\r\n\r\n"
    ).encode()
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        try:
            for _ in range(20):  # 1.25 MiB, and the closing 0-chunk never comes
                sock.sendall(chunk)
        except OSError:
            pass  # the server may close before all of it is sent
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_socket_mode_never_had_the_payload_bug(harness_factory):
    """Confirmation, not a fix: the Socket Mode adapter hands Bolt a dict, never a form."""
    h = harness_factory()
    request = slackreq.slash_command(
        SECRET, "/who-covers", "payload api", response_url=h.fake.response_url("sm")
    )
    envelope = SocketModeRequest(
        type="slash_commands", envelope_id="e1", payload=dict(parse_qsl(request.body))
    )
    assert run_bolt_app(h.app, envelope).status == 200
    assert len(h.fake.calls("response")) == 1


def test_a_signed_command_is_answered_while_150_idle_connections_are_open(harness_factory, serve):
    h = harness_factory()
    address = serve(http_app(h))
    host, port = address.split(":")
    idle = []
    try:
        for i in range(150):
            sock = socket.create_connection((host, int(port)), timeout=10)
            if i % 2:  # half of them start a request and never finish it
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: hark\r\nContent-Len")
            idle.append(sock)
        request = slackreq.slash_command(
            SECRET, "/hark", "help", response_url=h.fake.response_url("busy")
        )
        # A generous timeout, no timing assertion: bench/http_surface.py measures latency.
        status, _ = request.post(f"http://{address}/slack/events", timeout=30)
        assert status == 200
        assert len(h.fake.calls("response")) == 1
        health = urllib.request.urlopen(f"http://{address}/healthz", timeout=30)
        assert health.status == 200
    finally:
        for sock in idle:
            sock.close()


# --- the replay guard, in the store ------------------------------------------------------


def test_a_replay_is_refused_by_another_worker_and_after_a_restart(harness_factory, serve):
    """Two apps on one database file: two workers, or one before and after a restart."""
    first = harness_factory()
    second = harness_factory()  # same tmp_path: the same hark.db, its own Store and App
    assert first.settings.db_path == second.settings.db_path
    request = slackreq.slash_command(
        SECRET, "/hark", "help", response_url=first.fake.response_url("once")
    )
    assert first.dispatch(request).status == 200
    assert second.dispatch(request).status == 401  # another worker
    first.services.fetcher.close()
    first.store.close()
    restarted = harness_factory()
    assert restarted.dispatch(request).status == 401  # after a restart
    address = serve(http_app(restarted))
    assert request.post(f"http://{address}/slack/events")[0] == 401  # and over HTTP
    assert len(first.fake.calls("response")) == 1
    fresh = slackreq.slash_command(
        SECRET, "/hark", "help", response_url=first.fake.response_url("again")
    )
    assert fresh.post(f"http://{address}/slack/events")[0] == 200


def test_two_stores_racing_for_one_signature_accept_it_once(tmp_path):
    path = str(tmp_path / "race.db")
    stores = [Store(path), Store(path)]
    try:
        barrier = threading.Barrier(8)
        results: list[bool] = []

        def deliver(store: Store) -> None:
            barrier.wait()
            results.append(store.first_delivery("v0=" + "ab" * 32))

        threads = [threading.Thread(target=deliver, args=(stores[i % 2],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False] * 7 + [True]
    finally:
        for store in stores:
            store.close()


def test_signatures_are_kept_for_the_window_then_pruned(tmp_path):
    now = [1_700_000_000.0]
    store = Store(str(tmp_path / "prune.db"), clock=lambda: now[0])
    try:
        assert store.first_delivery("v0=one")
        now[0] += KEEP_SECONDS - 1  # still replayable while Bolt accepts its timestamp
        assert not store.first_delivery("v0=one")
        now[0] += 61
        assert store.first_delivery("v0=two")  # prunes (a minute since the last) as it records
        assert store.seen_signature_count() == 1
        assert store.first_delivery("v0=one")  # its timestamp is long stale: Bolt refuses it
    finally:
        store.close()

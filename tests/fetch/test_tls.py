"""TLS in the fetcher: the CA bundle is loaded only once https is fetched, https is still
verified, and a host's http and https pools share the host's slots."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.fetch import deadline as fetchdeadline
from bot.fetch.client import Fetcher, FetchError
from bot.fetch.hosts import HostPools
from tests.support.feedserver import FeedServer

LOCAL = frozenset({"127.0.0.1"})


class SlotTimeout(Exception):
    pass


@pytest.fixture
def tls_port(tmp_path: Path) -> Iterator[int]:
    """A TLS server on 127.0.0.1 with a self-signed certificate (no CA Hark trusts)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            try:
                context.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                pass  # the client refused our certificate, as it must

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()
    thread.join(5)


def test_fetching_only_http_never_loads_the_ca_bundle() -> None:
    with FeedServer() as server, Fetcher(allow_hosts=LOCAL, total_timeout=5.0) as fetcher:
        server.set("/feed.xml", b"<rss/>", etag='"v1"')
        assert fetcher.fetch(server.url("/feed.xml"), etag='"v1"').status == 304
        assert fetcher._hosts._tls is None


def test_https_is_verified_against_the_ca_bundle(tls_port: int) -> None:
    with Fetcher(allow_hosts=LOCAL, total_timeout=5.0) as fetcher:
        with pytest.raises(FetchError, match="could not connect") as caught:
            fetcher.fetch(f"https://127.0.0.1:{tls_port}/feed.xml")
        assert "certificate" in caught.value.message.lower()
        assert fetcher._hosts._tls is not None
        assert fetcher._hosts._tls.verify_mode == ssl.CERT_REQUIRED


def test_a_hosts_http_and_https_share_its_slots() -> None:
    pools = HostPools(
        per_host=1,
        allow_hosts=LOCAL,
        resolver=None,
        on_slot_timeout=lambda host: SlotTimeout(host),
    )
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        fetchdeadline.current.deadline = time.monotonic() + 5
        with pools.pool_for("both.example.com"):
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert holding.wait(5)
        fetchdeadline.current.deadline = time.monotonic() + 0.1
        with pytest.raises(SlotTimeout), pools.pool_for("both.example.com", tls=True):
            pass
    finally:
        release.set()
        worker.join()
        fetchdeadline.current.deadline = time.monotonic() + 5
    with pools.pool_for("both.example.com") as http, pools.pool_for("x.example", tls=True):
        pass
    with pools.pool_for("BOTH.example.com", tls=True) as https:
        pass
    assert https is not http
    fetchdeadline.current.deadline = None
    pools.close()

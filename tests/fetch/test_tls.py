"""TLS in the fetcher: the CA bundle is loaded only once https is fetched, and https is still
verified, chain and host name (a host's http and https sharing its slots: test_hosts.py)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.fetch.client import Fetcher, FetchError
from tests.support.feedserver import FeedServer

LOCAL = frozenset({"127.0.0.1"})


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


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture
def ca_and_server(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A CA of the test's own and, on 127.0.0.1, a TLS server answering 304 with a certificate
    that CA issued for good.example only: (the CA's certificate, the server's port)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the certificates")
    ca_key, ca, key, csr, cert = (tmp_path / n for n in ("ca.key", "ca.pem", "k", "csr", "c"))
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Test CA",
             "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=good.example",
             "-keyout", str(key), "-out", str(csr))  # fmt: skip
    (tmp_path / "ext").write_text("subjectAltName=DNS:good.example\n")
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-days", "1", "-extfile", str(tmp_path / "ext"), "-out", str(cert))  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def answer(conn: socket.socket) -> None:
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                while tls.recv(65536):
                    tls.sendall(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
        except (ssl.SSLError, OSError):
            pass  # a client that refused the certificate

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield ca, listener.getsockname()[1]
    listener.close()
    thread.join(5)


def test_https_checks_the_certificate_names_the_host_fetched(ca_and_server) -> None:
    # A certificate a trusted CA issued for another name is refused: the host name, not only
    # the chain, is verified on every connection the host's slots open.
    ca, port = ca_and_server
    names = frozenset({"good.example", "bad.example"})
    with Fetcher(allow_hosts=names, resolver=lambda host, port: ["127.0.0.1"],
                 total_timeout=5.0) as fetcher:  # fmt: skip
        fetcher._hosts._tls = ssl.create_default_context(cafile=str(ca))  # trust the test's CA
        assert fetcher.fetch(f"https://good.example:{port}/f.xml", etag='"v1"').status == 304
        with pytest.raises(FetchError, match="could not connect") as caught:
            fetcher.fetch(f"https://bad.example:{port}/f.xml", etag='"v1"')
        assert "certificate" in caught.value.message.lower()

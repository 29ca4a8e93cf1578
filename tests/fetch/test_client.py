"""Fetcher against a real local server: limits, redirects, validators, errors."""

from __future__ import annotations

import socket
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.fetch.client import Fetcher, FetchError
from bot.fetch.headers import parse_max_age, parse_retry_after
from bot.fetch.netguard import BlockedAddress, HostNotFound, check_url
from tests.support.feedserver import FeedServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
LOCAL = frozenset({"127.0.0.1"})


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_hosts=LOCAL, total_timeout=5.0) as f:
        yield f


def test_fetch_returns_body_validators_and_max_age(server: FeedServer, fetcher: Fetcher) -> None:
    server.set(
        "/feed.xml",
        FEED,
        etag='"v1"',
        last_modified="Mon, 02 Feb 2026 10:00:00 GMT",
        headers={"Cache-Control": "public, max-age=900"},
    )
    result = fetcher.fetch(server.url("/feed.xml"))
    assert (result.status, result.body, result.etag) == (200, FEED, '"v1"')
    assert result.last_modified == "Mon, 02 Feb 2026 10:00:00 GMT"
    assert result.max_age == 900
    assert result.url == server.url("/feed.xml")
    assert server.requests[0].headers["user-agent"].startswith("Hark/")


def test_etag_sent_and_304_has_no_body(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed.xml", FEED, etag='"v1"')
    result = fetcher.fetch(server.url("/feed.xml"), etag='"v1"')
    assert result.status == 304
    assert result.body is None
    assert result.etag == '"v1"'
    assert server.requests[-1].headers["if-none-match"] == '"v1"'


def test_last_modified_sent_and_304_keeps_validators(server: FeedServer, fetcher: Fetcher) -> None:
    stamp = "Mon, 02 Feb 2026 10:00:00 GMT"
    server.set("/feed.xml", FEED, last_modified=stamp)
    result = fetcher.fetch(server.url("/feed.xml"), last_modified=stamp)
    assert (result.status, result.body, result.last_modified) == (304, None, stamp)
    assert server.requests[-1].headers["if-modified-since"] == stamp


def test_changed_feed_answers_200_despite_old_etag(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed.xml", FEED, etag='"v2"')
    result = fetcher.fetch(server.url("/feed.xml"), etag='"v1"')
    assert (result.status, result.body, result.etag) == (200, FEED, '"v2"')


def test_gzip_body_is_decompressed(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed.xml", FEED * 100, gzip=True)
    assert fetcher.fetch(server.url("/feed.xml")).body == FEED * 100


def test_gzip_bomb_stops_at_the_cap(server: FeedServer) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    zeros = b"\0" * (1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(50)) + packer.flush()
    assert len(bomb) < 100_000  # 50 MB inflated
    server.set("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    with (
        Fetcher(allow_hosts=LOCAL, max_bytes=1 << 20) as fetcher,
        pytest.raises(FetchError, match="limit"),
    ):
        fetcher.fetch(server.url("/bomb.xml"))


def test_streamed_body_stops_at_the_cap(server: FeedServer) -> None:
    server.huge("/huge.xml", 1 << 30)  # 1 GB, no Content-Length
    with (
        Fetcher(allow_hosts=LOCAL, max_bytes=1 << 20) as fetcher,
        pytest.raises(FetchError, match="1,048,576-byte limit") as caught,
    ):
        fetcher.fetch(server.url("/huge.xml"))
    assert caught.value.status == 200
    server.wait_idle()
    # Hark hung up at the cap: the server got rid of little more than a megabyte
    # (plus what socket buffers hold), not the gigabyte it offered.
    assert server.streamed_bytes < 64 << 20


def test_announced_length_over_the_cap_is_refused_before_reading(server: FeedServer) -> None:
    server.huge("/lying.xml", 1 << 20, declared_length=50 << 30)
    with (
        Fetcher(allow_hosts=LOCAL, max_bytes=1 << 20) as fetcher,
        pytest.raises(FetchError, match="announced 53,687,091,200 bytes"),
    ):
        fetcher.fetch(server.url("/lying.xml"))


def test_short_lying_length_yields_only_the_announced_bytes(server: FeedServer) -> None:
    server.huge("/short.xml", 1 << 20, declared_length=10)
    with Fetcher(allow_hosts=LOCAL) as fetcher:
        assert len(fetcher.fetch(server.url("/short.xml")).body or b"") == 10


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_trickling_server_fails_at_the_total_deadline(server: FeedServer, in_headers: bool) -> None:
    server.trickle("/slow.xml", bytes_per_second=4, in_headers=in_headers)
    # Each byte comes well within read_timeout, so only the total deadline can end this.
    # The error names the total deadline: the read timeout, which each byte resets, did not
    # end the fetch, nor did the trickle finish it.
    with (
        Fetcher(allow_hosts=LOCAL, read_timeout=5, total_timeout=1.5) as fetcher,
        pytest.raises(FetchError, match=r"took longer than 1.5 s in total; gave up"),
    ):
        fetcher.fetch(server.url("/slow.xml"))


def test_redirects_are_followed_to_the_final_url(server: FeedServer, fetcher: Fetcher) -> None:
    server.redirect("/old", "/older", status=301)
    server.redirect("/older", server.url("/feed.xml"), status=308)
    server.set("/feed.xml", FEED)
    result = fetcher.fetch(server.url("/old"))
    assert (result.url, result.body) == (server.url("/feed.xml"), FEED)


def test_redirect_limit(server: FeedServer) -> None:
    for hop in range(4):
        server.redirect(f"/r{hop}", f"/r{hop + 1}")
    server.set("/r4", FEED)
    with (
        Fetcher(allow_hosts=LOCAL, max_redirects=3) as fetcher,
        pytest.raises(FetchError, match="more than 3 times"),
    ):
        fetcher.fetch(server.url("/r0"))
    with Fetcher(allow_hosts=LOCAL, max_redirects=4) as fetcher:
        assert fetcher.fetch(server.url("/r0")).body == FEED


def test_redirect_loop(server: FeedServer, fetcher: Fetcher) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="loop"):
        fetcher.fetch(server.url("/a"))


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/",
        "http://localhost:{port}/secret",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://2130706433:{port}/secret",  # 127.0.0.1 as one number
        "file:///etc/passwd",
    ],
)
def test_redirect_to_a_private_address_is_refused_without_connecting(
    server: FeedServer, fetcher: Fetcher, target: str
) -> None:
    server.set("/secret", b"internal")
    server.redirect("/feed", target.format(port=server.port))
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/feed"))
    assert caught.value.permanent
    assert "allow_hosts" in caught.value.message or "only http and https" in caught.value.message
    assert server.paths() == ["/feed"]  # the hop to the refused address was never made


def test_first_url_is_checked_too() -> None:
    with (
        Fetcher() as fetcher,
        pytest.raises(FetchError, match="loopback address") as caught,
    ):
        fetcher.fetch("http://127.0.0.1:9/feed")
    assert caught.value.permanent


def test_dns_rebinding_is_caught_at_connect_time(server: FeedServer) -> None:
    """The name looks public to the first check and turns local at connect."""
    answers = iter(["93.184.216.34"])

    def rebinding(host: str, port: int) -> list[str]:
        return [next(answers, "127.0.0.1")]

    server.set("/feed", FEED)
    with (
        Fetcher(resolver=rebinding) as fetcher,
        pytest.raises(FetchError, match="resolves to a loopback address") as caught,
    ):
        fetcher.fetch(f"http://feeds.example:{server.port}/feed")
    assert caught.value.permanent
    assert server.requests == []


def test_connects_to_the_checked_address_with_the_original_host_header(server: FeedServer) -> None:
    server.set("/feed", FEED)
    with Fetcher(
        allow_hosts=frozenset({"feeds.example"}), resolver=lambda h, p: ["127.0.0.1"]
    ) as f:
        assert f.fetch(f"http://feeds.example:{server.port}/feed").body == FEED
    assert server.requests[0].headers["host"] == f"feeds.example:{server.port}"


@pytest.mark.parametrize(
    ("status", "headers", "retry_after", "permanent"),
    [
        (404, {}, None, True),
        (410, {}, None, True),
        (403, {}, None, False),
        (429, {"Retry-After": "120"}, 120.0, False),
        (503, {"Retry-After": "999999999"}, 86400.0, False),
        (500, {}, None, False),
    ],
)
def test_error_statuses(
    server: FeedServer,
    fetcher: Fetcher,
    status: int,
    headers: dict[str, str],
    retry_after: float | None,
    permanent: bool,
) -> None:
    server.set("/feed", b"nope", status=status, headers=headers)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/feed"))
    error = caught.value
    assert (error.status, error.retry_after, error.permanent) == (status, retry_after, permanent)
    assert f"answered {status}" in error.message


def test_retry_after_as_http_date(server: FeedServer, fetcher: Fetcher) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    server.set("/feed", b"", status=503, headers={"Retry-After": when})
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/feed"))
    assert caught.value.retry_after is not None
    assert 80 <= caught.value.retry_after <= 90


def test_messages_hold_no_secrets(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed", b"", status=401)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(
            server.url("/feed?token=SECRET1"), headers={"Authorization": "Bearer SECRET2"}
        )
    assert "SECRET" not in caught.value.message
    assert "SECRET" not in str(caught.value)
    assert server.requests[0].headers["authorization"] == "Bearer SECRET2"


def test_caller_headers_are_dropped_on_a_cross_host_redirect(server: FeedServer) -> None:
    server.redirect("/feed", server.url("/moved", host="localhost"))
    server.set("/moved", FEED)
    with Fetcher(allow_hosts=frozenset({"127.0.0.1", "localhost"})) as fetcher:
        fetcher.fetch(server.url("/feed"), headers={"Authorization": "Bearer T"})
    first, second = server.requests
    assert first.headers["authorization"] == "Bearer T"
    assert "authorization" not in second.headers


def test_connection_refused_is_a_clear_temporary_error(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="could not connect") as caught:
        fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    assert not caught.value.permanent
    assert "the server refused the connection" in str(caught.value)
    assert "Errno" not in str(caught.value)


def _fetch_all(fetcher: Fetcher, urls: list[str]) -> None:
    threads = [threading.Thread(target=fetcher.fetch, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)


def test_per_host_limit_holds_under_many_threads(server: FeedServer) -> None:
    server.set("/feed", FEED, delay=0.2)
    with Fetcher(allow_hosts=LOCAL, per_host=2) as fetcher:
        _fetch_all(fetcher, [server.url("/feed")] * 8)
    assert server.max_in_flight == 2
    assert len(server.requests) == 8


def test_different_hosts_are_fetched_in_parallel(server: FeedServer) -> None:
    server.set("/feed", FEED, delay=0.4)
    hosts = ["127.0.0.1", "localhost"]
    with Fetcher(allow_hosts=frozenset(hosts), per_host=1) as fetcher:
        _fetch_all(fetcher, [server.url("/feed", host=h) for h in hosts * 2])
    # One at a time per host, but the two hosts at once.
    assert server.max_in_flight == 2
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("30", 30.0),
        ("-5", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
        ("100000000", 86400.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("no-cache", None),
        ("public, max-age=600", 600.0),
        ('max-age="60"', 60.0),
        ("s-maxage=10", None),
        ("max-age=99999999", 86400.0),
    ],
)
def test_parse_max_age(value: str | None, expected: float | None) -> None:
    assert parse_max_age(value) == expected


# --- netguard: address checks with IP literals and a fake resolver ----------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.8.9.10/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://10.0.0.5/", "private"),
        ("http://172.16.3.4/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://[fc00::1]/", "private"),
        ("http://169.254.1.1/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://169.254.169.254/", "cloud-metadata"),
        ("http://[fd00:ec2::254]/", "cloud-metadata"),
        ("http://[::ffff:169.254.169.254]/", "cloud-metadata"),
        ("http://[::ffff:10.0.0.5]/", "private"),
        ("http://[::ffff:7f00:1]/", "loopback"),
        ("http://[64:ff9b::a00:5]/", "private"),  # NAT64 form of 10.0.0.5
        ("http://[2002:a00:5::]/", "private"),  # 6to4 form of 10.0.0.5
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://224.0.0.251/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
def test_check_url_refuses_non_public_addresses(url: str, kind: str) -> None:
    with pytest.raises(BlockedAddress) as caught:
        check_url(url, frozenset())
    article = "an" if kind[0] in "aeiou" else "a"
    assert f"is {article} {kind} address" in caught.value.message
    assert "add" in caught.value.message and "network.allow_hosts" in caught.value.message


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/feed", "https://[2606:2800:220:1::248]/", "HTTPS://8.8.8.8:8443/"]
)
def test_check_url_accepts_public_addresses(url: str) -> None:
    check_url(url, frozenset())


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/", "feed.xml", "http:///nohost"]
)
def test_check_url_refuses_other_schemes_and_hostless_urls(url: str) -> None:
    with pytest.raises(BlockedAddress, match="check the source URL"):
        check_url(url, frozenset({"example.com"}))


def test_allow_hosts_matches_the_host_as_written() -> None:
    check_url("http://10.0.0.5:8080/feed", frozenset({"10.0.0.5"}))
    check_url("http://[::1]/feed", frozenset({"::1"}))
    check_url(
        "http://Intranet.Local/feed", frozenset({"intranet.local"}), lambda h, p: ["10.1.1.1"]
    )
    with pytest.raises(BlockedAddress):
        check_url("http://10.0.0.6/feed", frozenset({"10.0.0.5"}))


def test_a_name_is_refused_when_any_of_its_addresses_is_private() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.5"]

    with pytest.raises(BlockedAddress) as caught:
        check_url("https://feeds.example/rss", frozenset(), resolver)
    assert caught.value.message == (
        "feeds.example resolves to a private address (10.0.0.5); add feeds.example to "
        "network.allow_hosts in the config if this is an intranet feed."
    )


def test_unresolvable_host_is_a_lookup_error_not_a_block() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise HostNotFound(f"could not resolve host {host}")

    with pytest.raises(HostNotFound):
        check_url("https://nowhere.example/", frozenset(), resolver)
    with (
        Fetcher(resolver=resolver) as fetcher,
        pytest.raises(FetchError, match="could not resolve") as caught,
    ):
        fetcher.fetch("https://nowhere.example/")
    assert not caught.value.permanent


def test_cookies_are_never_kept(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed", FEED, headers={"Set-Cookie": "session=abc; Path=/"})
    fetcher.fetch(server.url("/feed"))
    fetcher.fetch(server.url("/feed"))
    assert "cookie" not in server.requests[1].headers


def test_invalid_url_is_a_clear_error() -> None:
    with (
        Fetcher(resolver=lambda h, p: ["93.184.216.34"]) as fetcher,
        pytest.raises(FetchError, match="is not valid") as caught,
    ):
        fetcher.fetch("http://example.com:99999/")
    assert caught.value.permanent


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_body_is_decompressed_with_or_without_its_header(
    server: FeedServer, fetcher: Fetcher, wbits: int
) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    server.set(
        "/feed.xml", packer.compress(FEED) + packer.flush(), headers={"Content-Encoding": "deflate"}
    )
    assert fetcher.fetch(server.url("/feed.xml")).body == FEED


@pytest.mark.parametrize(("encoding", "body"), [("br", b"\x1b\x00"), ("gzip", b"not gzip at all")])
def test_undecodable_body_is_a_clear_error(
    server: FeedServer, fetcher: Fetcher, encoding: str, body: bytes
) -> None:
    server.set("/feed.xml", body, headers={"Content-Encoding": encoding})
    with pytest.raises(FetchError, match="sent a body that could not be decompressed"):
        fetcher.fetch(server.url("/feed.xml"))

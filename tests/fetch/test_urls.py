"""bot.fetch.urls: a URL in normal form is read without httpx.URL, to the same request."""

from __future__ import annotations

import random

import httpx
import pytest

from bot.fetch import urls
from bot.fetch.urls import httpx_target, plain_target

PLAIN = [
    "http://127.0.1.7:8123/feed/12.xml",
    "https://blog.example.com/feed",
    "https://blog.example.com",
    "https://blog.example.com:443/rss?format=atom&x=1",
    "http://blog.example.com:80/",
    "http://blog.example.com:8080/",
    "https://example.com/.well-known/feed",
    "https://example.com/a/b..c/?q=?x",
    "https://example.com/?",
    "https://xn--fiqs8s.icom.museum/feed",
    "https://127.0.0/feed",  # three labels: a host name to httpx, not an address
    "http://0.0.0.0/",
    "https://example.com/~user/feed;v=1/@me:x/!$&'()*+,=",
]
GENERAL = [
    "https://Blog.Example.com/Feed",
    "HTTPS://example.com/",
    "https://example.com/a/./b",
    "https://example.com/a/../b",
    "https://example.com/a/..",
    "https://example.com/p%20q",
    "https://example.com/p q",
    "https://example.com/feed#top",
    "https://user:pw@example.com/",
    "https://[::1]:8443/feed",
    "https://example.com/über",
    "https://bücher.example/feed",
    "https://example.com:/feed",
    "https://example.com/a|b?c{d}",
    "ftp://example.com/feed",
]


@pytest.mark.parametrize("url", PLAIN)
def test_a_url_in_normal_form_is_read_as_httpx_reads_it(url: str) -> None:
    assert plain_target(url) == httpx_target(url)


@pytest.mark.parametrize("url", GENERAL)
def test_any_other_url_goes_through_httpx(url: str) -> None:
    assert plain_target(url) is None
    if url.startswith("ftp"):
        return
    assert urls.target(url) == httpx_target(url)


def test_a_port_out_of_range_is_left_to_the_general_path() -> None:
    assert plain_target("http://example.com:99999/") is None
    assert plain_target("http://example.com:65535/") == httpx_target("http://example.com:65535/")


def test_an_invalid_ipv4_address_is_refused_as_httpx_refuses_it() -> None:
    assert plain_target("http://1.2.3.999/feed") is None
    with pytest.raises(httpx.InvalidURL):
        urls.target("http://1.2.3.999/feed")


def test_random_urls_read_the_same_either_way() -> None:
    rng = random.Random(14)
    host_parts = ["a", "b-c", "0", "12", "255", "256", "01", "x1", "example", "com", "A"]
    path_chars = "abcXYZ019-._~!$&'()*+,;=:@/?%#[]|^{}\\\" é."
    taken = 0
    for _ in range(3000):
        host = ".".join(rng.choice(host_parts) for _ in range(rng.randint(1, 4)))
        port = rng.choice(["", ":80", ":443", ":8080", ":08080", ":0", ":65536", ":99999"])
        path = "".join(rng.choice(path_chars) for _ in range(rng.randint(0, 12)))
        url = f"{rng.choice(['http', 'https'])}://{host}{port}/{path}"
        fast = plain_target(url)
        if fast is None:
            continue
        taken += 1
        assert fast == httpx_target(url), url
    assert taken > 300  # the comparison covered many URLs the fast path reads

"""bot/error_text.py: failures said as a person says them — no errno, no class names."""

import errno
import socket
import ssl

import pytest

from bot.error_text import plain, reason, sentence

JARGON = ("Errno", "[SSL", "Error:", "Traceback", "gaierror", "OSError")


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (
            "could not resolve host hnrss.org ([Errno -2] Name or service not known)",
            "could not resolve host hnrss.org: the name does not exist; check the host name",
        ),
        (
            "could not connect to http://127.0.0.1:9 ([Errno 111] Connection refused).",
            (
                "could not connect to http://127.0.0.1:9: the server refused the connection; "
                "check the address and port, or wait for the site to come back"
            ),
        ),
        (
            "ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
            "the site's certificate is not trusted; the site must fix its certificate",
        ),
        (
            "OSError('[Errno 28] No space left on device')",
            "the disk is full; free some space",
        ),
        # Already plain: left as it is.
        (
            "https://x/feed answered 404 Not Found: the feed is gone or has moved.",
            "https://x/feed answered 404 Not Found: the feed is gone or has moved.",
        ),
    ],
)
def test_stored_messages_read_plainly(stored, expected):
    said = plain(stored)
    assert said == expected
    assert not any(j in said for j in JARGON)


def test_a_traceback_never_reaches_a_person():
    text = 'fetch failed\nTraceback (most recent call last):\n  File "x.py", line 1\nValueError: x'
    assert plain(text) == "fetch failed"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (socket.gaierror(-2, "Name or service not known"), "the name does not exist"),
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "refused"),
        (TimeoutError(), "took too long"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "not trusted"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission was denied"),
    ],
)
def test_exceptions_become_reasons(exc, expected):
    said = reason(exc)
    assert expected in said
    assert not any(j in said for j in JARGON) and str(getattr(exc, "errno", "")) not in said


def test_sentence_says_what_and_why_and_ends_with_a_stop():
    said = sentence("could not fetch https://hnrss.org/newest", socket.gaierror(-2, "x"))
    assert said == (
        "Could not fetch https://hnrss.org/newest: the name does not exist; check the host name."
    )
    assert sentence("Could not post", "channel_not_found") == "Could not post: channel_not_found."

"""An error turned into a sentence a person reads: what happened and what to do next.

The one place that decides how a failure reads, for cards, `/hark sources`, direct messages
and `hark doctor`. No errno numbers, no exception class names, no tracebacks reach a person.
Imports nothing of Hark, so every layer may use it.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl

# What an operating-system error means, said plainly, with what to do about it.
_BY_ERRNO = {
    errno.ECONNREFUSED: "the server refused the connection; check the address and port, or "
    "wait for the site to come back",
    errno.ECONNRESET: "the server dropped the connection; Hark will retry",
    errno.ETIMEDOUT: "the server took too long to answer; Hark will retry",
    errno.EHOSTUNREACH: "the server cannot be reached from here; check the network",
    errno.ENETUNREACH: "the network is unreachable from here; check the network",
    errno.EACCES: "permission was denied; check the file's owner and mode",
    errno.ENOENT: "the file does not exist; check the path",
    errno.ENOSPC: "the disk is full; free some space",
    errno.EADDRINUSE: "the port is already in use; stop the other program or choose another port",
}
_BY_GAI = {
    getattr(socket, "EAI_NONAME", -2): "the name does not exist; check the host name",
    getattr(socket, "EAI_AGAIN", -3): "the name server did not answer in time; Hark will retry",
    getattr(socket, "EAI_FAIL", -4): "the name server failed; Hark will retry",
    getattr(socket, "EAI_NODATA", -5): "the name has no address; check the host name",
}

# Phrases the C library and OpenSSL put in messages, and how a person would say them.
_BY_PHRASE = [
    (
        r"name or service not known|nodename nor servname|no address associated",
        "the name does not exist; check the host name",
    ),
    (r"temporary failure in name resolution", "the name server did not answer; Hark will retry"),
    (r"connection refused", _BY_ERRNO[errno.ECONNREFUSED]),
    (r"connection reset", _BY_ERRNO[errno.ECONNRESET]),
    (r"timed? ?out", _BY_ERRNO[errno.ETIMEDOUT]),
    (r"no route to host|host is unreachable", _BY_ERRNO[errno.EHOSTUNREACH]),
    (r"network is unreachable", _BY_ERRNO[errno.ENETUNREACH]),
    (
        r"certificate verify failed|certificate_verify_failed|self[- ]signed",
        "the site's certificate is not trusted; the site must fix its certificate",
    ),
    (
        r"wrong version number|ssl",
        "the secure connection failed; check that the URL's scheme (http or https) is right",
    ),
    (r"permission denied", _BY_ERRNO[errno.EACCES]),
    (r"no such file or directory", _BY_ERRNO[errno.ENOENT]),
    (r"no space left", _BY_ERRNO[errno.ENOSPC]),
    (r"address already in use", _BY_ERRNO[errno.EADDRINUSE]),
]

# "[Errno -2] Name or service not known", "[SSL: CERTIFICATE_VERIFY_FAILED] …", "<urlopen …>"
_JARGON = re.compile(r"\[(?:Errno\s*-?\d+|SSL(?::\s*[A-Z_]+)?|WinError\s*\d+)\]\s*")
# "ConnectError: …", "httpx.ReadTimeout: …", "OSError(…)" at the start of a message
_CLASS_PREFIX = re.compile(
    r"^(?:[a-z_]+\.)*[A-Z][A-Za-z]*(?:Error|Exception|Timeout|Refused)"
    r"(?::\s*|\((.*)\)$)"
)
_TRACEBACK = re.compile(r"Traceback \(most recent call last\):.*", re.DOTALL)


def reason(exc: BaseException) -> str:
    """Why ``exc`` happened, as a clause a person reads ("the name does not exist; check the
    host name"); never an errno or a class name."""
    if isinstance(exc, socket.gaierror) and exc.errno in _BY_GAI:
        return _BY_GAI[exc.errno]
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _BY_PHRASE[7][1]
    if isinstance(exc, OSError) and exc.errno in _BY_ERRNO:
        return _BY_ERRNO[exc.errno]
    if isinstance(exc, TimeoutError):
        return _BY_ERRNO[errno.ETIMEDOUT]
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc and not str(exc):
        return reason(cause)
    return plain(str(exc)) or "an unexpected error; Hark will retry, and the log has details"


def plain(text: str) -> str:
    """A stored or third-party error message with its jargon turned into plain words: errno
    numbers, OpenSSL tags, class-name prefixes and tracebacks go; a known cause is said the way
    a person would say it."""
    text = _TRACEBACK.sub("", text or "").strip()
    found = _JARGON.search(text)
    match = _CLASS_PREFIX.match(text)
    if match:
        text = (match.group(1) or text[match.end() :]).strip().strip("'\"")
    if found or match:
        for pattern, said in _BY_PHRASE:
            if re.search(pattern, text, re.IGNORECASE):
                # Keep what the message said before the jargon ("could not resolve host x").
                head = re.split(r"\s*\(?\[(?:Errno|SSL|WinError)", text, maxsplit=1)[0].strip()
                head = head.rstrip(" (:;,.")
                return (
                    f"{head}: {said}"
                    if head and not re.search(pattern, head, re.IGNORECASE)
                    else said
                )
        text = _JARGON.sub("", text)
    return re.sub(r"\(\s*\)", "", text).strip()


def sentence(what: str, exc: BaseException | str) -> str:
    """One sentence: what Hark was doing, and why it failed, with what to do.

    ``sentence("could not fetch https://x/feed", exc)`` -> "Could not fetch https://x/feed:
    the name does not exist; check the host name."
    """
    why = reason(exc) if isinstance(exc, BaseException) else plain(exc)
    line = f"{what}: {why}" if why else what
    line = line[:1].upper() + line[1:]
    return line if line.endswith((".", "!", "?")) else line + "."

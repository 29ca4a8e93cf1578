"""Every golden file's plain text, read as a demanding user would: no "1 posts", no "(s)",
no raw epoch, no errno, no traceback, no exception class name, no bare channel id."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FILES = sorted((Path(__file__).parent / "files").glob("*.txt"))

# A count of one with a plural noun: "1 posts", "(1 tries)", "1 topics", "*1* claims".
# Nouns ending in "s" in the singular are listed so they are not taken for plurals.
_SINGULAR_S = {"is", "was", "has", "this", "its", "status", "news", "always", "process", "access"}
ONE_PLURAL = re.compile(r"(?<![\d.,])\*?\b1\*? ([a-z]+s)\b")
SOMETHING_S = re.compile(r"\b(?!http\(s\))\w+\(s\)")
# A Unix time (2001-2033) shown as a number, outside Slack's <!date^…^…|fallback> token and
# outside a message timestamp (10 digits, a dot, 6 digits: Slack's ts, never shown alone).
EPOCH = re.compile(r"(?<![\w.^/])1[0-9]{9}(?:\.[0-9]{1,5})?(?![\d.])")
JARGON = re.compile(r"Errno|Traceback \(most recent|\b[A-Z][A-Za-z]+(?:Error|Exception)\b")
# A channel id a person would see as a code (C0K8S), not as Slack's <#C0K8S> link.
BARE_CHANNEL = re.compile(r"(?<![<#\w/(=|])[CG]0[A-Z0-9]{2,}\b(?![>|)])")
# Text that is the session's own data or Slack's syntax, not Hark's wording.
_NOT_WORDING = re.compile(r"^--- .*$|<!date\^\d+\^|thread_ts=\S+|/p\d{16}", re.MULTILINE)


def _read(path: Path) -> str:
    return _NOT_WORDING.sub("", path.read_text())


def test_there_are_golden_files():
    assert len(FILES) > 50


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_golden_wording(path: Path):
    text = _read(path)
    plurals = [m.group(0) for m in ONE_PLURAL.finditer(text) if m.group(1) not in _SINGULAR_S]
    assert plurals == [], "a count of one with a plural noun"
    assert SOMETHING_S.findall(text) == [], 'write the plural the count needs, not "(s)"'
    assert EPOCH.findall(text) == [], "a raw epoch: show a date"
    assert JARGON.findall(text) == [], "errno, a traceback or a class name reached a person"
    if path.name != "doctor.txt":  # the terminal names channels as #name (C…), on purpose
        assert BARE_CHANNEL.findall(text) == [], "a bare channel id: link it as <#C…>"


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        ("First check worked: 1 posts recorded", ONE_PLURAL),
        ("failing for 3 h (1 tries)", ONE_PLURAL),
        ("*1* claims", ONE_PLURAL),
        ("2 thing(s) to fix", SOMETHING_S),
        ("• |1796029200> claimed it", EPOCH),
        ("could not resolve host x ([Errno -2] Name or service not known)", JARGON),
        ("failed: ConnectError: boom", JARGON),
        ("• *kubernetes* → C0K8S — `k8s`", BARE_CHANNEL),
    ],
)
def test_the_lint_catches_what_it_is_for(bad, pattern):
    assert pattern.search(bad)


@pytest.mark.parametrize(
    "good",
    [
        "1 post recorded",
        "(1 try)",
        "<#C0K8S>",
        "<!date^1796029200^{date_short_pretty}|2026-11-30 09:00 UTC>",
        "11 posts",
        "1,204 posts",
    ],
)
def test_the_lint_passes_good_wording(good):
    text = _NOT_WORDING.sub("", good)
    plurals = [m for m in ONE_PLURAL.findall(text) if m not in _SINGULAR_S]
    assert not plurals and not EPOCH.search(text) and not BARE_CHANNEL.search(text)

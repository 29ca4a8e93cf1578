"""Safe text for Slack: escaping untrusted text and fitting it to Slack's limits."""

from __future__ import annotations

import re
from urllib.parse import quote

# Control characters (but tab/newline), bidi embeddings/overrides/isolates, and the
# zero-width characters used to disguise text: none belong in a Slack message.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ELLIPSIS = "…"

SECTION_TEXT = 3000
CONTEXT_TEXT = 2000
BUTTON_TEXT = 75
HEADER_TEXT = 150
FALLBACK_TEXT = 3000  # well under Slack's 40k; notifications show little of it
# A link's URL as sent (after escaping: each "&" becomes "&amp;"), so that a title and an
# excerpt still fit beside it in a 3,000-character section. A longer URL is dropped (the
# label stays, as plain text): never the message.
URL_MAX = 2000


def clean(text: str | None) -> str:
    """Drop characters that can disguise or reorder text."""
    return _UNSAFE.sub("", text or "")


def escape(text: str | None) -> str:
    """Escape untrusted text for mrkdwn: ``&``, ``<``, ``>`` (so no ``<!channel>``, no ``<@U…>``)."""
    return "".join(_ESCAPES.get(ch, ch) for ch in clean(text))


def fit(text: str | None, limit: int, *, one_line: bool = False) -> str:
    """Escape untrusted text and cut it so that the *escaped* form is at most ``limit`` chars.

    Cutting after escaping could split ``&amp;``; cutting before could overflow, so
    count escaped lengths as we go.
    """
    raw = clean(text)
    if one_line:
        raw = " ".join(raw.split())
    out: list[str] = []
    used = 0
    for i, ch in enumerate(raw):
        piece = _ESCAPES.get(ch, ch)
        if used + len(piece) > limit - (1 if i < len(raw) - 1 else 0):
            return "".join(out).rstrip() + _ELLIPSIS
        out.append(piece)
        used += len(piece)
    return "".join(out)


def quoted(text: str | None, limit: int = 60) -> str:
    """A person's own words quoted back in Hark's answer (``I can't read `…` as a period``):
    one line, escaped, cut to ``limit``, in a code span that a backtick cannot close.

    Every echo of user text goes through here, so ``<!channel>`` shows as text, never as a
    broadcast, on the sender's own screen too.
    """
    shown = fit(text, limit, one_line=True).replace("`", "\u02cb")
    return f"`{shown}`" if shown.strip() else "(nothing)"


def plain(text: str | None, limit: int) -> str:
    """Untrusted text for a plain_text object: not parsed for mentions, only cut to fit."""
    raw = " ".join(clean(text).split())
    return raw if len(raw) <= limit else raw[: limit - 1].rstrip() + _ELLIPSIS


def safe_url(url: str | None, limit: int = URL_MAX) -> str | None:
    """An http(s) URL fit to sit inside ``<url|label>``, escaped; None for anything else,
    and for a URL longer than ``limit`` once escaped (Slack counts what it receives)."""
    if not url:
        return None
    url = clean(url).strip()
    if not re.match(r"^https?://[^\s]+$", url, re.IGNORECASE) or len(url) > limit:
        return None
    # "|" and ">" would end the link early; quote them, then escape & and <.
    url = url.replace("|", quote("|")).replace(">", quote(">")).replace("<", quote("<"))
    escaped = url.replace("&", "&amp;")
    return escaped if len(escaped) <= limit else None


def link(url: str | None, label: str | None, limit: int = 300) -> str:
    """``<url|label>`` with both parts made safe; just the label when the URL is unusable."""
    text = fit(label or url or "(untitled)", limit, one_line=True)
    href = safe_url(url)
    return f"<{href}|{text}>" if href else text


def duration(seconds: float | None) -> str:
    """``45 s``, ``12 min``, ``3 h 5 min``, ``2 d 4 h``."""
    if seconds is None:
        return "–"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(s // 3600, 24)
    return f"{d} d {h} h" if h else f"{d} d"

"""Registration: each network's handle forms, normalized to one canonical form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from bot.grammar import with_article

NETWORKS: dict[str, str] = {
    "x": "X (Twitter)",
    "linkedin": "LinkedIn",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "github": "GitHub",
    "reddit": "Reddit",
    "stackoverflow": "Stack Overflow",
    "youtube": "YouTube",
    "blog": "Blog or feed URL",
}

_HINTS = {
    "x": "@alice or https://x.com/alice",
    "linkedin": "https://www.linkedin.com/in/alice",
    "mastodon": "@alice@mastodon.social",
    "bluesky": "alice.bsky.social",
    "github": "alice or https://github.com/alice",
    "reddit": "u/alice",
    "stackoverflow": "https://stackoverflow.com/users/123/alice",
    "youtube": "@alice or https://www.youtube.com/@alice",
    "blog": "https://alice.dev/feed.xml",
}


class AccountError(ValueError):
    """A handle that does not fit the network; the message shows a form that works."""


def normalize_account(network: str, value: str) -> str:
    """Canonical form of a handle: ``@alice``, ``alice`` and ``https://x.com/alice`` are one."""
    raw = value.strip()
    if not raw:
        return ""
    if len(raw) > 300:
        raise AccountError("That is too long for a handle or profile URL.")
    try:
        result = _NORMALIZERS[network](raw)
    except (AttributeError, ValueError):
        result = None
    if not result:
        if network == "blog":
            raise AccountError(
                f"A blog or feed URL starts with http:// or https://, e.g. {_HINTS['blog']}"
            )
        raise AccountError(
            f"Doesn't look like {with_article(NETWORKS[network])} account. Try {_HINTS[network]}"
        )
    return result


def _path_after(raw: str, hosts: tuple[str, ...]) -> str | None:
    """The path of a profile URL on one of ``hosts``, or None if raw is not such a URL."""
    if not re.match(r"^(https?://)?([a-z0-9-]+\.)*[a-z0-9-]+\.[a-z]{2,}/", raw, re.IGNORECASE):
        return None
    parts = urlsplit(raw if "://" in raw else "https://" + raw)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("mobile.")
    if host not in hosts:
        raise ValueError(host)
    return parts.path.strip("/")


def _x(raw: str) -> str | None:
    path = _path_after(raw, ("x.com", "twitter.com"))
    name = (path.split("/")[0] if path is not None else raw).lstrip("@")
    return "@" + name.lower() if re.fullmatch(r"[A-Za-z0-9_]{1,15}", name) else None


def _github(raw: str) -> str | None:
    path = _path_after(raw, ("github.com",))
    name = (path.split("/")[0] if path is not None else raw).lstrip("@")
    ok = re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}", name)
    return name.lower() if ok else None


def _reddit(raw: str) -> str | None:
    path = _path_after(raw, ("reddit.com", "old.reddit.com"))
    name = path.split("/")[-1] if path is not None else raw
    name = re.sub(r"^/?u(ser)?/", "", name).lstrip("@")
    return "u/" + name.lower() if re.fullmatch(r"[A-Za-z0-9_\-]{3,20}", name) else None


def _linkedin(raw: str) -> str | None:
    path = _path_after(raw, ("linkedin.com",))
    if path is None:
        slug = raw
    else:
        m = re.fullmatch(r"in/([^/?#]+)", path)
        slug = m.group(1) if m else ""
    ok = re.fullmatch(r"[A-Za-z0-9\-_%]{3,100}", slug)
    return f"https://www.linkedin.com/in/{slug.lower()}" if ok else None


def _mastodon(raw: str) -> str | None:
    m = re.fullmatch(r"@?([A-Za-z0-9_]{1,30})@([a-z0-9.\-]+\.[a-z]{2,})", raw, re.IGNORECASE)
    if m:
        return f"@{m.group(1).lower()}@{m.group(2).lower()}"
    m = re.fullmatch(
        r"https?://([a-z0-9.\-]+\.[a-z]{2,})/@([A-Za-z0-9_]{1,30})/?", raw, re.IGNORECASE
    )
    return f"@{m.group(2).lower()}@{m.group(1).lower()}" if m else None


def _bluesky(raw: str) -> str | None:
    path = _path_after(raw, ("bsky.app",))
    name = (path.removeprefix("profile/").split("/")[0] if path is not None else raw).lstrip("@")
    name = name.lower()
    if re.fullmatch(r"[a-z0-9\-]{1,63}", name):
        name += ".bsky.social"
    return name if re.fullmatch(r"([a-z0-9\-]{1,63}\.)+[a-z]{2,}", name) else None


def _stackoverflow(raw: str) -> str | None:
    if raw.isdigit():
        return raw
    path = _path_after(raw, ("stackoverflow.com",))
    m = re.match(r"users/(\d+)", path or "")
    return m.group(1) if m else None


def _youtube(raw: str) -> str | None:
    path = _path_after(raw, ("youtube.com", "m.youtube.com"))
    name = path if path is not None else raw
    if re.fullmatch(r"(channel/)?UC[A-Za-z0-9_\-]{22}", name):
        return name.removeprefix("channel/")
    name = name.lstrip("@")
    return "@" + name.lower() if re.fullmatch(r"[A-Za-z0-9_.\-]{3,30}", name) else None


def _blog(raw: str) -> str | None:
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in raw:
        return None
    if parts.username or parts.password:  # credentials have no place in a public feed URL
        return None
    return raw


_NORMALIZERS = {
    "x": _x,
    "linkedin": _linkedin,
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "github": _github,
    "reddit": _reddit,
    "stackoverflow": _stackoverflow,
    "youtube": _youtube,
    "blog": _blog,
}


@dataclass
class Registration:
    """A validated /register submission; ``errors`` maps a field to what is wrong with it."""

    profile: dict[str, object] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    unknown_topics: list[str] = field(default_factory=list)


_LIMITS = {"name": 100, "title": 150, "department": 100}
_LANGUAGE = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*(?:-[A-Za-z0-9]{2,8})*")


def split_list(text: str) -> list[str]:
    """Comma-, semicolon- or newline-separated items, trimmed, empties dropped."""
    return [t.strip() for t in re.split(r"[,;\n]", text) if t.strip()]


def validate_registration(
    values: Mapping[str, object], known_topics: list[str], today: date
) -> Registration:
    """Check every field and collect every error, so the person fixes them in one go.

    Field names are the modal's block ids (and the CSV's columns): the networks in
    ``NETWORKS``, ``topics`` (a list), ``tags``, ``languages``, ``name``, ``title``,
    ``department``, ``pingable`` and ``away_until`` (YYYY-MM-DD).
    """
    reg = Registration()
    for network in NETWORKS:
        raw = str(values.get(network) or "")
        try:
            handle = normalize_account(network, raw)
        except AccountError as exc:
            reg.errors[network] = str(exc)
            continue
        if handle:
            reg.accounts[network] = handle
    known = {t.casefold(): t for t in known_topics}
    for topic in values.get("topics") or []:  # type: ignore[attr-defined]
        name = known.get(str(topic).strip().casefold())
        if name is None:
            reg.unknown_topics.append(str(topic))
        elif name not in reg.topics:
            reg.topics.append(name)
    tags = split_list(str(values.get("tags") or ""))
    if any(len(t) > 40 for t in tags) or len(tags) > 30:
        reg.errors["tags"] = "Up to 30 tags, each under 40 characters, separated by commas."
    languages = split_list(str(values.get("languages") or ""))
    bad = [x for x in languages if len(x) > 30 or not _LANGUAGE.fullmatch(x)]
    if bad or len(languages) > 10:
        reg.errors["languages"] = (
            "Up to 10 languages, as names or codes separated by commas, e.g. en, de, Français."
        )
    texts = {k: " ".join(str(values.get(k) or "").split()) for k in _LIMITS}
    for key, limit in _LIMITS.items():
        if len(texts[key]) > limit:
            reg.errors[key] = f"Keep it under {limit} characters."
    away = str(values.get("away_until") or "").strip()
    if away:
        try:
            if date.fromisoformat(away) < today:
                reg.errors["away_until"] = "That date has passed; leave it empty if you're around."
        except ValueError:
            reg.errors["away_until"] = "Write the date as YYYY-MM-DD, e.g. 2026-12-24."
    reg.profile = {
        **texts,
        "tags": ", ".join(tags),
        "languages": ", ".join(languages),
        "pingable": 1 if values.get("pingable") else 0,
        "away_until": away or None,
    }
    return reg

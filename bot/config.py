"""Settings from the environment and the YAML config file, read in one place.

Nothing else in Hark reads ``os.environ``; callers build a :class:`Settings`
with :func:`load_settings` and pass it down.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.dburl import choose, shown
from bot.models import DEFAULT_GUIDELINES, SourceSpec, Topic
from bot.poll.kinds import KINDS, SourceError, expand_source
from bot.query.parser import QueryError, parse_query

SLACK_API_URL = "https://slack.com/api/"
X_API_URL = "https://api.x.com/2/"
DEFAULT_EVERY = 600
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_CHANNEL_NAME = re.compile(r"^#?[a-z0-9][a-z0-9_\-]{0,79}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_TOPIC_NAME = re.compile(r"^[\w][\w \-.+#/]{0,59}$")
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 60}


class ConfigError(Exception):
    """A config problem, worded for the person who edits the file."""

    def __init__(self, where: str, key: str, problem: str) -> None:
        self.where, self.key, self.problem = where, key, problem
        super().__init__(f"{where}: {key}: {problem}")


@dataclass(frozen=True)
class DigestSettings:
    channel: str | None = None
    schedule: str = "mon 09:00"


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class BusinessHours:
    """When the SLA clock runs: weekdays (0 = Monday) and a daily window in a time zone."""

    days: frozenset[int] = frozenset(range(5))
    start_minute: int = 9 * 60
    end_minute: int = 17 * 60
    timezone: str = "UTC"


@dataclass(frozen=True)
class EngagementSettings:
    """The Reply modal's guidelines and the hours the SLA clock runs (None: always)."""

    guidelines: str = DEFAULT_GUIDELINES
    business_hours: BusinessHours | None = None


@dataclass(frozen=True)
class Config:
    """What the operator wrote in ``HARK_CONFIG`` (or the defaults)."""

    company_name: str = ""
    company_terms: tuple[str, ...] = ()
    competitors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    topics: tuple[Topic, ...] = ()
    sources: tuple[SourceSpec, ...] = ()
    admins: frozenset[str] = frozenset()
    digest: DigestSettings = DigestSettings()
    allow_hosts: frozenset[str] = frozenset()
    backfill_hours: int = 24
    # Posts that never became a conversation are deleted after this many days (0: keep).
    retention_days: int = 180
    # X bills per post read; polling stops for the month at this many reads.
    x_max_reads_per_month: int = 10_000
    engagement: EngagementSettings = EngagementSettings()


@dataclass(frozen=True)
class Settings:
    """Everything the process needs, from the environment plus the config file."""

    bot_token: str = ""
    signing_secret: str = ""
    app_token: str | None = None
    slack_api_url: str = SLACK_API_URL
    db_path: str = "hark.db"
    config_path: str | None = None
    x_bearer_token: str | None = None
    x_api_url: str = X_API_URL
    port: int = 3000
    # GET /metrics answers only a request bearing this token; without one it is off.
    metrics_token: str | None = None
    config: Config = Config()

    def __repr__(self) -> str:  # never print tokens
        return f"Settings(db_path={shown(self.db_path)!r}, config_path={self.config_path!r}, port={self.port})"


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build settings from an environment mapping (normally ``os.environ``)."""
    config_path = environ.get("HARK_CONFIG") or None
    config = load_config(Path(config_path)) if config_path else Config()
    port_text = environ.get("PORT", "3000")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError("environment", "PORT", f"{port_text!r} is not a TCP port (1-65535)")
    return Settings(
        bot_token=environ.get("SLACK_BOT_TOKEN", ""),
        signing_secret=environ.get("SLACK_SIGNING_SECRET", ""),
        app_token=environ.get("SLACK_APP_TOKEN") or None,
        slack_api_url=_with_slash(environ.get("SLACK_API_URL") or SLACK_API_URL),
        db_path=choose(environ),  # HARK_DB, else DATABASE_URL: a file or a postgresql:// URL
        config_path=config_path,
        x_bearer_token=environ.get("X_BEARER_TOKEN") or None,
        x_api_url=_with_slash(environ.get("X_API_URL") or X_API_URL),
        port=int(port_text),
        metrics_token=environ.get("HARK_METRICS_TOKEN") or None,
        config=config,
    )


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: Path) -> Config:
    """Read and validate the YAML config file; errors name the file and the key."""
    where = str(path)
    try:
        # libyaml's loader when built in: about 9x faster on a config of thousands of sources
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except FileNotFoundError:
        raise ConfigError(where, "(file)", "not found; check HARK_CONFIG") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        detail = f": {problem}" if problem else ""
        raise ConfigError(where, "(file)", f"is not valid YAML{at}{detail}") from None
    return parse_config(raw or {}, where)


def parse_config(raw: Any, where: str = "config") -> Config:
    """Validate an already-loaded config mapping."""
    if not isinstance(raw, dict):
        raise ConfigError(
            where, "(top level)", "must be a mapping of keys such as topics:, sources:"
        )
    known = {
        "company",
        "competitors",
        "topics",
        "sources",
        "admins",
        "digest",
        "network",
        "backfill",
        "engagement",
        "x",
        "retention",
    }
    for key in raw:
        if key not in known:
            raise ConfigError(
                where, str(key), f"unknown key; known keys are {', '.join(sorted(known))}"
            )

    company = raw.get("company") or {}
    _expect(company, dict, where, "company")
    name = company.get("name", "")
    _expect(name, str, where, "company.name")
    terms = company.get("terms") or ([name] if name else [])
    _expect_str_list(terms, where, "company.terms")

    competitors: dict[str, tuple[str, ...]] = {}
    comp_raw = raw.get("competitors") or {}
    _expect(comp_raw, dict, where, "competitors")
    for comp, comp_terms in comp_raw.items():
        comp_terms = comp_terms if comp_terms is not None else [comp]
        _expect_str_list(comp_terms, where, f"competitors.{comp}")
        competitors[str(comp)] = tuple(comp_terms)

    topics = tuple(_parse_topics(raw.get("topics") or [], where))
    sources = tuple(_parse_sources(raw.get("sources") or [], where))

    admins = raw.get("admins") or []
    _expect_str_list(admins, where, "admins")
    for i, admin in enumerate(admins):
        if not _USER_ID.match(admin):
            raise ConfigError(
                where, f"admins[{i}]", f"{admin!r} is not a Slack user ID like U0123ABCD"
            )

    digest_raw = raw.get("digest") or {}
    _expect(digest_raw, dict, where, "digest")
    digest_channel = digest_raw.get("channel")
    if digest_channel is not None:
        _check_channel(digest_channel, where, "digest.channel")
    digest = DigestSettings(
        channel=digest_channel, schedule=str(digest_raw.get("schedule", "mon 09:00"))
    )

    network = raw.get("network") or {}
    _expect(network, dict, where, "network")
    allow = network.get("allow_hosts") or []
    _expect_str_list(allow, where, "network.allow_hosts")

    x_raw = raw.get("x") or {}
    _expect(x_raw, dict, where, "x")
    x_budget = x_raw.get("max_reads_per_month", 10_000)
    if not isinstance(x_budget, int) or x_budget < 0:
        raise ConfigError(
            where, "x.max_reads_per_month", "must be a whole number of posts, e.g. 10000"
        )

    retention = str(raw.get("retention", "180d"))
    retention_days = parse_duration(retention, where, "retention") // 86400
    if retention != "0" and retention_days < 1:
        raise ConfigError(where, "retention", "must be at least 1d (or 0 to keep every post)")

    backfill = raw.get("backfill", "24h")
    backfill_seconds = parse_duration(str(backfill), where, "backfill")

    return Config(
        company_name=name,
        company_terms=tuple(terms),
        competitors=competitors,
        topics=topics,
        sources=sources,
        admins=frozenset(admins),
        digest=digest,
        allow_hosts=frozenset(h.lower() for h in allow),
        backfill_hours=backfill_seconds // 3600,
        x_max_reads_per_month=x_budget,
        retention_days=retention_days,
        engagement=_parse_engagement(raw.get("engagement") or {}, where),
    )


def _parse_engagement(raw: Any, where: str) -> EngagementSettings:
    """``engagement: {guidelines: "...", business_hours: {days: mon-fri, hours: 09:00-17:00,
    timezone: Europe/Berlin}}``; without business_hours the SLA clock always runs."""
    _expect(raw, dict, where, "engagement")
    for key in raw:
        if key not in ("guidelines", "business_hours"):
            raise ConfigError(
                where, f"engagement.{key}", "unknown key; use guidelines, business_hours"
            )
    guidelines = raw.get("guidelines", DEFAULT_GUIDELINES)
    _expect(guidelines, str, where, "engagement.guidelines")
    if not guidelines.strip() or len(guidelines) > 2000:
        raise ConfigError(where, "engagement.guidelines", "must be 1 to 2000 characters")
    hours_raw = raw.get("business_hours")
    if hours_raw is None:
        return EngagementSettings(guidelines=guidelines.strip())
    key = "engagement.business_hours"
    _expect(hours_raw, dict, where, key)
    days_raw = hours_raw.get("days", "mon-fri")
    names = days_raw if isinstance(days_raw, list) else str(days_raw).split(",")
    days: set[int] = set()
    for name in (str(n).strip().lower() for n in names):
        first, _, last = name.partition("-")
        if first not in _WEEKDAYS or (last and last not in _WEEKDAYS):
            raise ConfigError(where, f"{key}.days", f"{name!r}: write days like mon-fri or mon,wed")
        a, b = _WEEKDAYS.index(first), _WEEKDAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(b + 1)])
    match = _HOURS.match(str(hours_raw.get("hours", "09:00-17:00")))
    start = end = 0
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
    if not match or not 0 <= start < end <= 24 * 60 or m1 > 59 or m2 > 59:
        raise ConfigError(where, f"{key}.hours", "write the daily window like 09:00-17:00")
    timezone = str(hours_raw.get("timezone", "UTC"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            where, f"{key}.timezone", f"{timezone!r} is not a time zone like Europe/Berlin"
        ) from None
    return EngagementSettings(
        guidelines=guidelines.strip(),
        business_hours=BusinessHours(frozenset(days), start, end, timezone),
    )


def _parse_topics(items: Any, where: str) -> list[Topic]:
    _expect(items, list, where, "topics")
    topics: list[Topic] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        key = f"topics[{i}]"
        _expect(item, dict, where, key)
        for required in ("name", "query", "channel"):
            if not item.get(required):
                raise ConfigError(where, f"{key}.{required}", "is required")
        name = str(item["name"]).strip()
        if not _TOPIC_NAME.match(name):
            raise ConfigError(
                where, f"{key}.name", f"{name!r}: use letters, digits, spaces, - . + # /"
            )
        if name.casefold() in seen:
            raise ConfigError(where, f"{key}.name", f"topic {name!r} is defined twice")
        seen.add(name.casefold())
        _check_channel(item["channel"], where, f"{key}.channel")
        try:
            parse_query(str(item["query"]))
        except QueryError as exc:
            raise ConfigError(where, f"{key}.query", "\n" + str(exc)) from None
        sla = parse_duration(str(item.get("sla", "60m")), where, f"{key}.sla")
        min_score = item.get("min_score", 0)
        if not isinstance(min_score, (int, float)):
            raise ConfigError(where, f"{key}.min_score", "must be a number")
        topics.append(
            Topic(
                name=name,
                query=str(item["query"]),
                channel=str(item["channel"]),
                min_score=float(min_score),
                sla_minutes=max(1, sla // 60),
            )
        )
    return topics


def _parse_sources(items: Any, where: str) -> list[SourceSpec]:
    _expect(items, list, where, "sources")
    specs: list[SourceSpec] = []
    for i, item in enumerate(items):
        key = f"sources[{i}]"
        _expect(item, dict, where, key)
        every = parse_duration(str(item.get("every", "10m")), where, f"{key}.every")
        if every < 60:
            raise ConfigError(
                where, f"{key}.every", "must be at least 1m; feeds ask for politeness"
            )
        kinds = [k for k in KINDS if k in item]
        if len(kinds) != 1:
            raise ConfigError(
                where, key, f"needs exactly one of {', '.join(k + ':' for k in KINDS)}"
            )
        try:
            spec = expand_source(kinds[0], str(item[kinds[0]]), every)
        except SourceError as exc:
            raise ConfigError(where, f"{key}.{kinds[0]}", str(exc)) from None
        if item.get("label"):
            spec = SourceSpec(spec.kind, spec.target, spec.every_seconds, str(item["label"]))
        specs.append(spec)
    return specs


def parse_duration(text: str, where: str, key: str) -> int:
    """``90s``, ``10m``, ``2h``, ``1d`` (a bare number means minutes) -> seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(where, key, f"{text!r} is not a duration such as 10m, 2h or 1d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _check_channel(value: Any, where: str, key: str) -> None:
    if not isinstance(value, str) or not (_CHANNEL_ID.match(value) or _CHANNEL_NAME.match(value)):
        raise ConfigError(where, key, f"{value!r} is not a channel ID (C0123ABCD) or #name")


def _expect(value: Any, kind: type, where: str, key: str) -> None:
    if not isinstance(value, kind):
        names = {dict: "a mapping", list: "a list", str: "a string"}
        raise ConfigError(where, key, f"must be {names.get(kind, kind.__name__)}")


def _expect_str_list(value: Any, where: str, key: str) -> None:
    _expect(value, list, where, key)
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(where, f"{key}[{i}]", "must be a non-empty string")

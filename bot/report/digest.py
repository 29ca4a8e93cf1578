"""/digest: the period a person asked for, and the numbers for it.

Every number about conversations describes one cohort: the conversations Hark
created (matched) in the period, as they stand now. Posts heard, share of
attention and employee reach count posts first seen in the period. See
docs/digest.md for what each number means.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.models import ERASED_PERSON
from bot.report.periods import DAY, Period
from bot.store import Store
from bot.store.digest_cohort import CohortGroup, CohortSummary
from bot.viewdata import (
    IGNORE_REASONS,
    Attention,
    ConversationLine,
    Count,
    Digest,
    EmployeeReach,
    Funnel,
    PersonLine,
    QuietPerson,
    Speed,
    TopicLine,
)

_REASON_LABELS = frozenset(IGNORE_REASONS.values())
QUIET_AFTER = 30 * DAY  # no claim or reply for this long: "gone quiet"
QUIET_LOOKBACK = 120 * DAY  # ...after engaging within this window before the period's end
QUIET_MIN_CONVERSATIONS = 2
TOP_PEOPLE = 10
TOP_VOICES = 10
TOP_REACH = 5
BACKLOG = 5
TOP_QUIET = 5


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) of sorted values, interpolating linearly between ranks.

    ``percentile(v, 0.5)`` is the usual median; p90 of 1..10 is 9.1.
    """
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def build_digest(
    store: Store,
    period: Period,
    topic: str | None = None,
    *,
    company: str = "",
    competitors: Sequence[str] = (),
) -> Digest:
    """Compute every number /digest shows for a period (and optionally one topic)."""
    topic_id = None
    if topic is not None:
        row = store.topic_by_name(topic)
        if row is None:
            raise ValueError(f"unknown topic {topic!r}")
        topic_id, topic = int(row.id), row.name
    names = {int(r.id): r.name for r in store.topics(enabled_only=False)}
    since, until = period.since, period.until
    before = period.previous()
    entities = list(dict.fromkeys(e for e in (company, *competitors) if e))
    got = store.read_together(
        {
            "cohort": lambda: store.cohort_summary(since, until, topic_id),
            "backlog": lambda: store.cohort_backlog(since, until, topic_id, BACKLOG),
            "previous": lambda: store.cohort_posted(before.since, before.until, topic_id),
            "voices": lambda: store.cohort_voices(since, until, topic_id, limit=TOP_VOICES * 4),
            "heard": lambda: store.heard_and_mentions(
                [(since, until), (before.since, before.until)], entities, topic_id
            ),
            "quiet": lambda: store.quiet_people(
                until - QUIET_AFTER, until - QUIET_LOOKBACK, until, topic_id
            ),
            "employees": lambda: store.employee_reach_summary(since, until, topic),
        }
    )
    cohort, backlog, previous = got["cohort"], got["backlog"], got["previous"]
    groups = cohort.groups
    # The period's size picks how the reach is read: after the cohort.
    reach = store.cohort_reach(since, until, topic_id, sum(g.n for g in groups), TOP_REACH)
    authors, sites = got["voices"]
    (heard, mentions_now), (_, mentions_before) = got["heard"]
    quiet, employees = got["quiet"], got["employees"]
    uncovered = _uncovered(store, topic, groups)
    handles = store.employee_handles()
    now = store.now()
    return Digest(
        period=period,
        topic=topic,
        funnel=_funnel(heard, cohort),
        speed=_speed(cohort),
        topics=_topic_lines(names, cohort, previous),
        people=_people(names, cohort),
        uncovered=uncovered,
        authors=tuple(Count(a, n) for a, n in authors if not _is_employee(a, handles))[:TOP_VOICES],
        sites=tuple(Count(site, n) for site, n in sites[:TOP_VOICES]),
        reach=tuple(
            ConversationLine(r.id, r.topic, r.title, r.link, r.site, r.reach) for r in reach
        ),
        attention=_attention(company, mentions_now, mentions_before),
        employees=_employees(employees),
        backlog=tuple(
            ConversationLine(
                r.id,
                r.topic,
                r.title,
                r.link,
                r.site,
                r.score,
                max(0.0, now - r.sent_at),
            )
            for r in backlog
        ),
        quiet=tuple(
            QuietPerson(r.user_id, r.last_at, int(r.conversations))
            for r in quiet
            if r.conversations >= QUIET_MIN_CONVERSATIONS
        )[:TOP_QUIET],
        company=company,
    )


def _funnel(heard: int, cohort: CohortSummary) -> Funnel:
    groups = cohort.groups
    states: dict[str, int] = defaultdict(int)
    reasons: Counter[str] = Counter()
    for g in groups:
        states[g.state] += g.n
        # An "other" reason is stored in the person's words: counted as "other" here.
        reasons.update(r if r in _REASON_LABELS else "other" for r in g.reasons)
    unexplained = states["ignored"] - sum(reasons.values())
    if unexplained > 0:
        reasons["no reason given"] += unexplained
    replied_owners = cohort.owners.get("replied", Counter())
    return Funnel(
        heard=heard,
        relevant=sum(states.values()),
        posted=sum(g.posted for g in groups),
        claimed=sum(g.claimed for g in groups),
        replied=states["replied"],
        verified=sum(n for token, n in replied_owners.items() if token.endswith("1")),
        ignored=states["ignored"],
        ignored_by_reason=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        open=sum(g.posted for g in groups if g.state == "new"),
        in_progress=states["claimed"],
    )


def _speed(cohort: CohortSummary) -> Speed:
    to_reply = sorted(d for delays in cohort.to_reply.values() for d in delays)
    return Speed(
        claim_p50=percentile(cohort.to_claim, 0.5),
        claim_p90=percentile(cohort.to_claim, 0.9),
        reply_p50=percentile(to_reply, 0.5),
        reply_p90=percentile(to_reply, 0.9),
        claims=len(cohort.to_claim),
        replies=len(to_reply),
    )


def _topic_lines(
    names: dict[int, str], cohort: CohortSummary, previous: dict[int, int]
) -> tuple[TopicLine, ...]:
    posted: dict[int, int] = defaultdict(int)
    replied: dict[int, int] = defaultdict(int)
    for g in cohort.groups:
        posted[g.topic_id] += g.posted
        replied[g.topic_id] += g.n if g.state == "replied" else 0
    lines = [
        TopicLine(
            name=names.get(tid, f"topic {tid}"),
            posted=posted[tid],
            replied=replied[tid],
            median_reply=percentile(cohort.to_reply.get(tid, []), 0.5),
            previous_posted=previous.get(tid, 0),
        )
        for tid in set(posted) | set(previous)
        if posted[tid] or previous.get(tid)
    ]
    return tuple(sorted(lines, key=lambda t: (-t.posted, -t.previous_posted, t.name)))


def _people(names: dict[int, str], cohort: CohortSummary) -> tuple[PersonLine, ...]:
    """The owners with the most replies, then claims; their topics, most claimed first."""
    # Tokens are the user ID plus "1" for a verified reply or "0".
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for state, owners in cohort.owners.items():
        for token, n in owners.items():
            person = totals[token[:-1]]
            person[0] += n
            if state == "replied":
                person[1] += n
                person[2] += n if token[-1] == "1" else 0
    erased = totals.pop(ERASED_PERSON, None)  # everyone who erased their data, as one line
    ranked = heapq.nsmallest(
        TOP_PEOPLE, totals.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0])
    )
    if erased is not None:
        ranked.append((ERASED_PERSON, erased))
    lines = []
    for user, (claims, replies, verified) in ranked:
        mine = cohort.topics_of(user)
        topics = sorted(mine, key=lambda t: (-mine[t], names.get(t, "")))
        lines.append(
            PersonLine(user, claims, replies, verified, tuple(names.get(t, "?") for t in topics))
        )
    return tuple(lines)


def _uncovered(store: Store, topic: str | None, groups: Sequence[CohortGroup]) -> tuple[Count, ...]:
    """Enabled topics nobody declared at /register and nobody claimed in the period."""
    claimed: dict[int, int] = defaultdict(int)
    posted: dict[int, int] = defaultdict(int)
    for g in groups:
        claimed[g.topic_id] += g.claimed
        posted[g.topic_id] += g.posted
    declared = store.declared_topics()
    found = [
        Count(r.name, posted[int(r.id)])
        for r in store.topics()
        if (topic is None or r.name == topic)
        and not claimed[int(r.id)]
        and r.name.casefold() not in declared
    ]
    return tuple(sorted(found, key=lambda c: (-c.n, c.name)))


def _is_employee(author: str, handles: set[str]) -> bool:
    """Whether a post's author is a registered employee's account (``@alice (Alice)``)."""
    text = author.strip().casefold()
    if text.startswith("@"):
        return text[1:].split(" ", 1)[0] in handles
    return text in handles


def _attention(company: str, now: dict[str, int], before: dict[str, int]) -> tuple[Attention, ...]:
    total, total_before = sum(now.values()), sum(before.values())
    return tuple(
        Attention(
            entity=entity,
            is_company=entity == company,
            mentions=n,
            share=n / total if total else None,
            previous_mentions=before.get(entity, 0),
            previous_share=before.get(entity, 0) / total_before if total_before else None,
        )
        for entity, n in now.items()
    )


def _employees(summary: tuple | None) -> EmployeeReach | None:
    if summary is None:
        return None
    posts, people, top = summary
    return EmployeeReach(posts, people, tuple(Count(user, posts) for user, posts in top))

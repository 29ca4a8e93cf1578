"""Read-only aggregates for the digest and its chart.

Most figures are about a *cohort*: the conversations created in ``[since, until)``,
of every topic (``topic_id=None``) or of one. Cohort queries read the
``digest_topic_state`` index (bot/store/schema.py) one (topic, state) slice
at a time, so grouping by topic and state needs no sort; bench/digest.py holds
them to their budget on a year of data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models import BacklogLine, DayActivity, QuietRow, ReachLine, State
from bot.store import rows as typed
from bot.store.base import StoreBase
from bot.store.digest_cohort import (
    OWNED,
    STATES,
    UNIT_SEPARATOR,
    CohortSummary,
    cohort_groups,
    cohort_source,
    cohort_where,
    parse_summary,
)
from bot.store.schema import TOUCHED_SQL

DAY = 86400.0
# A cohort this big, and at least 1/ratio of all posts, finds its top reach faster by
# walking the reach index than by reading its own posts (bench/digest.py; cohort_reach).
_REACH_INDEX_MIN = 10_000
_REACH_INDEX_RATIO = 100


class DigestStore(StoreBase):
    # -- the cohort ------------------------------------------------------------------------

    def cohort_summary(
        self, since: float, until: float, topic_id: int | None = None
    ) -> CohortSummary:
        """The cohort per (topic, state): counts, delays, owners, ignore reasons.

        One pass over the index slice. SQLite groups by sorting; the per-conversation
        values (delays, owners, reasons) come back concatenated per group and are
        counted here with hashes, which is several times faster at this size. The
        expressions are kept bare (no CASE) for speed: values that do not apply to a
        group's state are dropped here.
        """
        params = {"since": since, "until": until, "topic_id": topic_id, "sep": UNIT_SEPARATOR}
        agg, to_int = self.dialect.string_agg, self.dialect.to_int
        counts = "count(*) AS n, count(c.sent_at) AS posted, count(c.claimed_at) AS claimed"
        # Unclaimed conversations have nothing to concatenate: just count them.
        new = f"""{counts}, NULL AS to_claim, NULL AS to_reply, NULL AS owners,
                  NULL AS reasons"""
        owned = f"""{counts},
                   {agg(to_int("c.claimed_at - c.sent_at"), "','")} AS to_claim,
                   {agg(to_int("c.replied_at - c.sent_at"), "','")} AS to_reply,
                   {agg("c.owner || c.reply_verified", "','")} AS owners,
                   {agg("c.ignore_reason", ":sep")} AS reasons"""
        rows = self.all(
            cohort_groups(self.dialect, topic_id, (State.NEW,), new), params
        ) + self.all(cohort_groups(self.dialect, topic_id, OWNED, owned), params)
        return parse_summary(rows)

    def cohort_posted(
        self, since: float, until: float, topic_id: int | None = None
    ) -> dict[int, int]:
        """Conversations posted to Slack per topic (the previous period, for trends)."""
        rows = self.all(
            f"""SELECT c.topic_id, count(c.sent_at) AS posted FROM {cohort_source(self.dialect)}
                WHERE {cohort_where(topic_id, dialect=self.dialect)} GROUP BY c.topic_id""",
            {"since": since, "until": until, "topic_id": topic_id},
        )
        return {int(r["topic_id"]): int(r["posted"]) for r in rows}

    def declared_topics(self) -> set[str]:
        """Topic names (case-folded) that at least one person declared at /register."""
        return {r["topic"].casefold() for r in self.all("SELECT DISTINCT topic FROM person_topics")}

    def cohort_reach(
        self, since: float, until: float, topic_id: int | None, cohort_size: int, limit: int = 5
    ) -> list[ReachLine]:
        """The cohort's posted conversations whose posts have the most reach.

        A big cohort walks the reach index from the top, over at most a bounded number
        of posts, and keeps the first ``limit`` that belong to it; a small cohort (one
        topic, one day), or a walk that found too few, reads the cohort's own posts.
        """
        params: dict[str, Any] = {"since": since, "until": until, "topic_id": topic_id}
        params["limit"] = limit
        reach = self.dialect.reach("p.metrics")  # spelled as its index is
        posts = int(self.one("SELECT coalesce(max(id), 0) AS n FROM posts")["n"])
        if cohort_size >= _REACH_INDEX_MIN and cohort_size * _REACH_INDEX_RATIO >= posts:
            # Expect ``limit * posts / cohort_size`` posts before the last hit; read 4x.
            params["walk"] = max(1000, 4 * limit * posts // cohort_size)
            topic = "AND c.topic_id = :topic_id" if topic_id is not None else ""
            # Check each walked post against the cohort first; read the few winners' rows.
            rows = self.all(
                f"""WITH walked AS MATERIALIZED (
                      SELECT p.id, {reach} AS reach
                      FROM posts p{self.dialect.indexed_by("digest_post_reach")}
                      WHERE {reach} > 0 ORDER BY {reach} DESC LIMIT :walk),
                    hits AS MATERIALIZED (
                      SELECT w.reach, (SELECT min(c.id) FROM conversations c
                                       WHERE c.post_id = w.id AND c.created_at >= :since
                                         AND c.created_at < :until AND c.sent_at IS NOT NULL
                                         {topic}) AS id
                      FROM walked w)
                    SELECT c.id, hits.reach, t.name AS topic, p.title, p.link, p.site
                    FROM hits JOIN conversations c ON c.id = hits.id
                    JOIN posts p ON p.id = c.post_id JOIN topics t ON t.id = c.topic_id
                    ORDER BY hits.reach DESC, c.id LIMIT :limit""",
                params,
            )
            if len(rows) == limit:
                return _reach_lines(rows)
        return _reach_lines(
            self.all(
                f"""SELECT c.id, {reach} AS reach, t.name AS topic, p.title, p.link, p.site
                FROM {cohort_source(self.dialect)} JOIN posts p ON p.id = c.post_id
                JOIN topics t ON t.id = c.topic_id
                WHERE {cohort_where(topic_id, dialect=self.dialect)}
                  AND c.sent_at IS NOT NULL AND {reach} > 0
                ORDER BY reach DESC, c.id LIMIT :limit""",
                params,
            )
        )

    def cohort_backlog(
        self, since: float, until: float, topic_id: int | None = None, limit: int = 5
    ) -> list[BacklogLine]:
        """The best-scored posted conversations of the cohort that nobody has claimed."""
        return typed.many(
            BacklogLine,
            self.all(
                f"""
            SELECT b.id, b.score, b.sent_at, t.name AS topic, p.title, p.link, p.site
            FROM (SELECT c.id, c.score, c.sent_at, c.post_id, c.topic_id
                  FROM {cohort_source(self.dialect)}
                  WHERE {cohort_where(topic_id, "('new')", self.dialect)} AND c.sent_at IS NOT NULL
                  ORDER BY c.score DESC, c.id LIMIT :limit) AS b
            JOIN posts p ON p.id = b.post_id JOIN topics t ON t.id = b.topic_id
            ORDER BY b.score DESC, b.id
            """,
                {"since": since, "until": until, "topic_id": topic_id, "limit": limit},
            ),
        )

    # -- posts heard -----------------------------------------------------------------------

    def heard_span(self, since: float, until: float) -> tuple[int, int, int]:
        """Posts first seen in the period: (how many, lowest id, highest id)."""
        row = self.one(
            """SELECT count(*) AS n, coalesce(min(id), 0) AS lo, coalesce(max(id), -1) AS hi
               FROM posts WHERE first_seen_at >= ? AND first_seen_at < ?""",
            (since, until),
        )
        return int(row["n"]), int(row["lo"]), int(row["hi"])

    def heard_and_mentions(
        self,
        periods: Sequence[tuple[float, float]],
        entities: Sequence[str],
        topic_id: int | None = None,
    ) -> list[tuple[int, dict[str, int]]]:
        """Per period: the posts first seen in it (every topic), and how many of them
        mention each entity (company, competitors) — for one topic, only the posts that
        became that topic's conversations."""
        found = []
        marks = ", ".join("?" * len(entities))
        for since, until in periods:
            heard, lo, hi = self.heard_span(since, until)
            counts = dict.fromkeys(entities, 0)
            if not entities:
                rows = []
            elif topic_id is not None:
                rows = self.all(
                    f"""SELECT m.entity, count(DISTINCT m.post_id) AS n
                        FROM {cohort_source(self.dialect)}
                        JOIN post_mentions m ON m.post_id = c.post_id
                        WHERE c.topic_id = ? AND c.state IN {STATES} AND c.created_at >= ?
                          AND c.created_at < ? AND m.entity IN ({marks})
                        GROUP BY m.entity""",
                    (topic_id, since, until, *entities),
                )
            elif heard == hi - lo + 1:
                # Posts are numbered as they are heard. When the period's posts fill their
                # id range exactly, its mentions are that range of the mentions' key.
                rows = self.all(
                    f"""SELECT entity, count(*) AS n FROM post_mentions
                        WHERE post_id BETWEEN ? AND ? AND entity IN ({marks})
                        GROUP BY entity""",
                    (lo, hi, *entities),
                )
            else:  # gaps (purged posts) or posts out of order: check each one's date
                rows = self.all(
                    f"""SELECT m.entity, count(*) AS n FROM post_mentions m
                        JOIN posts p ON p.id = m.post_id
                        WHERE m.post_id BETWEEN ? AND ? AND m.entity IN ({marks})
                          AND p.first_seen_at >= ? AND p.first_seen_at < ?
                        GROUP BY m.entity""",
                    (lo, hi, *entities, since, until),
                )
            counts.update({r["entity"]: int(r["n"]) for r in rows})
            found.append((heard, counts))
        return found

    def employee_reach_summary(
        self, since: float, until: float, topic: str | None = None
    ) -> tuple[int, int, list[tuple[str, int]]]:
        """Posts by registered employees that mention the company: (posts, people, top people).

        A post counts at its publication date (when Hark saw it, if undated). For one
        topic, only posts that matched it count.
        """
        where = """mentions_company = 1
                   AND coalesce(published_at, seen_at) >= :since
                   AND coalesce(published_at, seen_at) < :until"""
        if topic is not None:
            # ``topics`` holds the matched topic names, comma-separated.
            where += (
                " AND ',' || lower(replace(topics, ', ', ',')) || ',' LIKE :pattern ESCAPE '\\'"
            )
        pattern = "%," + _like_escape((topic or "").lower()) + ",%"
        params = {"since": since, "until": until, "pattern": pattern}
        total = self.one(
            "SELECT count(*) AS posts, count(DISTINCT user_id) AS people FROM employee_posts"
            f" WHERE {where}",
            params,
        )
        top = self.all(
            f"""SELECT user_id, count(*) AS posts FROM employee_posts WHERE {where}
                GROUP BY user_id ORDER BY posts DESC, user_id LIMIT 5""",
            params,
        )
        return (
            int(total["posts"]),
            int(total["people"]),
            [(r["user_id"], int(r["posts"])) for r in top],
        )

    # -- people over time ------------------------------------------------------------------

    def quiet_people(
        self, quiet_since: float, active_since: float, until: float, topic_id: int | None = None
    ) -> list[QuietRow]:
        """People who last claimed or replied (before ``until``) in ``[active_since,
        quiet_since)``, with how many conversations they handled from ``active_since``.

        For one topic, only that topic's conversations count. Each person's latest is
        one seek in a "last touched" index; the people are found by skipping through it.
        ``latest`` is MATERIALIZED so that seek runs once per person (PostgreSQL inlined
        it into the filter and the sort, three seeks; SQLite gains too).
        """
        if topic_id is None:
            index, topic = "digest_owner_touched", ""
        else:
            index, topic = "digest_topic_owner_touched", "topic_id = :topic_id AND"
        source = f"conversations{self.dialect.indexed_by(index)} WHERE {topic} owner IS NOT NULL"
        return typed.many(
            QuietRow,
            self.all(
                f"""
            WITH RECURSIVE person(user_id) AS (
              SELECT min(owner) FROM {source}
              UNION ALL
              SELECT (SELECT min(owner) FROM {source} AND owner > person.user_id)
              FROM person WHERE person.user_id IS NOT NULL
            ),
            latest AS MATERIALIZED (
              SELECT user_id, (SELECT max({TOUCHED_SQL}) FROM {source}
                                 AND owner = person.user_id AND {TOUCHED_SQL} < :until)
                                AS last_at
              FROM person WHERE substr(user_id, 1, 1) IN ('U', 'W')
            )
            SELECT user_id, last_at,
                   (SELECT count(*) FROM {source} AND owner = latest.user_id
                      AND {TOUCHED_SQL} >= :active AND {TOUCHED_SQL} < :until) AS conversations
            FROM latest WHERE last_at >= :active AND last_at < :quiet
            ORDER BY conversations DESC, user_id
            """,
                {
                    "quiet": quiet_since,
                    "active": active_since,
                    "until": until,
                    "topic_id": topic_id,
                },
            ),
        )

    # -- the chart -------------------------------------------------------------------------

    def daily_activity(
        self, since: float, until: float, topic_id: int | None = None, day0: float | None = None
    ) -> list[DayActivity]:
        """Posted and replied conversations per day of the period: day 0 starts at ``day0``
        (the UTC midnight on or before ``since``, for days as a calendar shows them)."""
        return typed.many(
            DayActivity,
            self.all(
                f"""
            SELECT {self.dialect.to_int(f"(c.created_at - :day0) / {DAY}")} AS day,
                   t.name AS topic, count(c.sent_at) AS posted,
                   count(*) FILTER (WHERE c.state = 'replied') AS replied
            FROM {cohort_source(self.dialect)} JOIN topics t ON t.id = c.topic_id
            WHERE {cohort_where(topic_id, dialect=self.dialect)}
            GROUP BY day, t.name
            """,
                {
                    "since": since,
                    "until": until,
                    "topic_id": topic_id,
                    "day0": since if day0 is None else day0,
                },
            ),
        )


def _reach_lines(rows: Sequence[Any]) -> list[ReachLine]:
    """Reach as a float on both engines (SQLite adds JSON integers up to an integer)."""
    return [
        ReachLine(r["id"], float(r["reach"]), r["topic"], r["title"], r["link"], r["site"])
        for r in rows
    ]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

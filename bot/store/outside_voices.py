"""Outside voices: the authors and sites of a period's conversations.

A whole past UTC day's voices never change (conversations are dated when stored and
their posts' authors are fixed), so each such day is counted once and kept in
``digest_voice_days``; a digest adds up its stored days and counts only the partial
days at either end. A stored day whose number of conversations changed (a topic
deleted with its conversations) is counted again.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter

from bot.store.base import StoreBase
from bot.store.digest_cohort import UNIT_SEPARATOR, cohort_source, cohort_where

DAY = 86400.0
# A day's voices are stored once it has been over this long (a conversation is dated
# when it is stored; the margin covers one still being written at midnight).
_VOICE_DAY_MARGIN = 3600.0


class OutsideVoicesStore(StoreBase):
    def cohort_voices(
        self, since: float, until: float, topic_id: int | None = None, limit: int = 40
    ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """The authors and the sites of the cohort's posts, most conversations first."""
        if topic_id is None:
            authors, sites = self._voices_by_day(since, until)
        else:
            authors, sites = self._voice_counts(since, until, topic_id)
        return _top(authors, limit), _top(sites, limit)

    def _voices_by_day(self, since: float, until: float) -> tuple[Counter[str], Counter[str]]:
        """Every topic's voices: whole past days from digest_voice_days (counted the
        first time they are asked for), the partial days at either end counted now."""
        closed = math.floor((self.now() - _VOICE_DAY_MARGIN) / DAY)  # days before are over
        first, last = math.ceil(since / DAY), min(math.floor(until / DAY), closed)
        if first >= last:
            return self._voice_counts(since, until, None)
        authors, sites = self._voice_counts(since, first * DAY, None)
        for counts, more in zip((authors, sites), self._voice_counts(last * DAY, until, None)):
            counts.update(more)
        stored = {
            r["day"]: r
            for r in self.all(
                "SELECT * FROM digest_voice_days WHERE day >= ? AND day < ?", (first, last)
            )
        }
        counts = self._conversations_per_day(first, last)
        for day in range(first, last):
            since_day, until_day = day * DAY, (day + 1) * DAY
            count = counts.get(day, 0)
            row = stored.get(day)
            if row is not None and row["conversations"] == count:
                day_authors, day_sites = json.loads(row["authors"]), json.loads(row["sites"])
            else:
                day_authors, day_sites = self._voice_counts(since_day, until_day, None)
                self.conn.execute(
                    """INSERT INTO digest_voice_days (day, conversations, authors, sites)
                       VALUES (?, ?, ?, ?)
                       ON CONFLICT (day) DO UPDATE SET conversations = excluded.conversations,
                         authors = excluded.authors, sites = excluded.sites""",
                    (day, count, json.dumps(day_authors), json.dumps(day_sites)),
                )
            authors.update(day_authors)
            sites.update(day_sites)
        return authors, sites

    def _conversations_per_day(self, first: int, last: int) -> dict[int, int]:
        """Conversations created on each UTC day in ``[first, last)``: one statement (not
        one per day: a round trip each on PostgreSQL), each day still counted by its own
        range of the creation index (grouping by day sorted the period on SQLite)."""
        rows = self.all(
            f"""WITH RECURSIVE days(day) AS (
                  SELECT CAST(? AS bigint) UNION ALL SELECT day + 1 FROM days WHERE day + 1 < ?)
                SELECT day, (SELECT count(*) FROM conversations
                             WHERE created_at >= day * {DAY} AND created_at < (day + 1) * {DAY})
                            AS n
                FROM days""",
            (first, last),
        )
        return {int(r["day"]): int(r["n"]) for r in rows}

    def _voice_counts(
        self, since: float, until: float, topic_id: int | None
    ) -> tuple[Counter[str], Counter[str]]:
        """Conversations per author and per site, counted now."""
        if topic_id is None:
            # In creation order the posts are read nearly sequentially.
            source = f"""conversations c{self.dialect.indexed_by("conversations_created")}
                        JOIN posts p ON p.id = c.post_id
                        WHERE c.created_at >= :since AND c.created_at < :until"""
        else:
            source = (
                f"{cohort_source(self.dialect)} JOIN posts p ON p.id = c.post_id"
                f" WHERE {cohort_where(topic_id, dialect=self.dialect)}"
            )
        params = {"since": since, "until": until, "topic_id": topic_id}
        # Counted here from one concatenation per column (a hash instead of the
        # database's sort); the unit separator cannot occur in cleaned feed text, and
        # the counts are checked against the database's in case it did.
        agg = self.dialect.string_agg
        row = self.one(
            f"""SELECT count(*) FILTER (WHERE p.author != '') AS authors,
                       count(*) FILTER (WHERE p.site != '') AS sites,
                       {agg("nullif(p.author, '')", ":sep")} AS a,
                       {agg("nullif(p.site, '')", ":sep")} AS s
                FROM {source}""",
            params | {"sep": UNIT_SEPARATOR},
        )
        found: list[Counter[str]] = []
        for column, expected, text in (
            ("author", row["authors"], row["a"]),
            ("site", row["sites"], row["s"]),
        ):
            names = text.split(UNIT_SEPARATOR) if text else []
            if len(names) == expected:
                found.append(Counter(names))
                continue
            rows = self.all(
                f"""SELECT p.{column} AS name, count(*) AS n FROM {source}
                    AND p.{column} != '' GROUP BY p.{column}""",
                params,
            )
            found.append(Counter({r["name"]: int(r["n"]) for r in rows}))
        return found[0], found[1]


def _top(counts: Counter[str], limit: int) -> list[tuple[str, int]]:
    return heapq.nsmallest(limit, counts.items(), key=lambda kv: (-kv[1], kv[0]))

"""A known world for the digest, report and export tests, built through the production code.

Two weeks of conversations in three topics (see ``build_world``). The current week [W, NOW)
and the week before [T0, W) are the "7d" period and its previous period at NOW; older history
feeds the "gone quiet" list. Every number the digest tests assert was computed by hand from it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Post, SourceSpec
from bot.report.digest import build_digest
from bot.report.periods import parse_period
from bot.store import IncomingPost

DAY = 86400.0
MIN = 60.0
T0 = datetime(2026, 3, 2, tzinfo=UTC).timestamp()  # a Monday
W = T0 + 7 * DAY
NOW = T0 + 14 * DAY

CONFIG = """
company: {name: Acme, terms: [Acme]}
competitors: {Globex: [Globex], Initech: [Initech]}
topics:
  - {name: kubernetes, query: 'kubernetes OR k8s', channel: C0K8S}
  - {name: billing, query: 'invoice', channel: C0BILL}
  - {name: pricing, query: 'pricing', channel: C0PRICE}
admins: [U0MARKETER]
digest: {channel: C0MKTG, schedule: "mon 09:00"}
"""


class World:
    """Builds conversations through the store's and the engagement rules' own methods."""

    def __init__(self, h) -> None:
        self.h, self.store, self.engagement = h, h.store, h.services.engagement
        self.source = self.store.add_source(
            SourceSpec("feed", "https://seed.example/f", 600, "seed")
        )
        self.store.set_source_enabled(self.source, False)
        self.n = 0

    def at(self, t: float) -> None:
        self.store.clock = lambda: t

    def post(
        self,
        t: float,
        *,
        author: str = "",
        site: str = "forum.example.com",
        metrics: dict | None = None,
        mentions: tuple[str, ...] = (),
    ) -> int:
        self.at(t)
        self.n += 1
        link = f"https://{site}/t/{self.n}"
        post = Post(
            guid=link,
            link=link,
            title=f"Post {self.n}",
            text="",
            author=author,
            metrics=metrics or {},
        )
        [stored] = self.store.store_source_posts(
            self.source, [IncomingPost(post, site, f"h{self.n}")], source_kind="feed"
        )
        self.store.record_mentions(stored.id, mentions)
        return stored.id

    def conversation(
        self, topic: str, t: float, *, sent: bool = True, score: float = 0.5, **post
    ) -> int:
        post_id = self.post(t, **post)
        row = self.store.topic_by_name(topic)
        cid = self.store.record_conversation(
            post_id, row.id, channel=row.channel, score=score, why="", deliver=sent
        )
        if sent:
            self.store.mark_sent(cid, f"{t:.6f}")
        return cid

    def claim(self, cid: int, user: str, after: float) -> None:
        self.at(self.store.conversation(cid).sent_at + after)
        assert self.engagement.claim(cid, user).ok

    def reply(self, cid: int, user: str, after: float, *, verified: bool = False) -> None:
        at = self.store.conversation(cid).sent_at + after
        self.at(at)
        if verified:
            assert self.engagement.verified_reply(cid, f"https://forum.example.com/r/{cid}", at).ok
        else:
            assert self.engagement.reply(cid, user, f"https://forum.example.com/r/{cid}").ok

    def ignore(self, cid: int, user: str, after: float, reason: str) -> None:
        self.at(self.store.conversation(cid).sent_at + after)
        assert self.engagement.ignore(cid, user, reason).ok


def build_world(h) -> World:
    w = World(h)
    w.store.save_person("U0AAA", {"name": "Ann"}, ["kubernetes"], {"x": "@sme_aaa"})
    # -- the week before [T0, W): kubernetes 2 posted, billing 5 posted, nobody engaged.
    w.conversation("kubernetes", T0 + 1 * DAY, mentions=("Acme",))
    w.conversation("kubernetes", T0 + 2 * DAY, mentions=("Globex",))
    for i in range(5):
        w.conversation("billing", T0 + (i + 1) * DAY + 3600, mentions=("Globex",) if i < 2 else ())
    # -- the current week [W, NOW).
    c1 = w.conversation(
        "kubernetes",
        W + 3600,
        author="alice",
        metrics={"score": 10, "comments": 5},
        mentions=("Acme",),
    )
    c2 = w.conversation(
        "kubernetes", W + 1 * DAY, author="alice", metrics={"followers": 1000}, mentions=("Acme",)
    )
    c3 = w.conversation("kubernetes", W + 2 * DAY, author="@bob (Bob)", site="news.ycombinator.com")
    w.conversation(
        "kubernetes",
        W + 3 * DAY,
        author="carol",
        metrics={"score": 3},
        score=0.9,
        mentions=("Acme",),
    )
    c5 = w.conversation("billing", W + 1 * DAY + 60, author="alice", mentions=("Globex",))
    c6 = w.conversation("billing", W + 2 * DAY + 60, author="@sme_aaa (Ann)")  # an employee
    w.conversation("billing", W + 4 * DAY, author="dave", score=0.5)
    w.conversation(
        "kubernetes", W + 5 * DAY, sent=False, author="erin", metrics={"followers": 99999}
    )  # held back: relevant, never posted
    c9 = w.conversation(
        "billing", W + 5 * DAY + 60, author="@bob (Bob)", site="news.ycombinator.com"
    )
    w.post(W + 6 * DAY, mentions=("Acme",))  # heard, matched no topic
    w.post(W + 6 * DAY + 60, mentions=("Globex",))
    w.claim(c1, "U0AAA", 10 * MIN)
    w.reply(c1, "U0AAA", 60 * MIN, verified=True)
    w.claim(c2, "U0AAA", 20 * MIN)
    w.reply(c2, "U0AAA", 120 * MIN)
    w.claim(c3, "U0BBB", 30 * MIN)
    w.ignore(c5, "U0BBB", 5 * MIN, "spam")
    w.claim(c6, "U0CCC", 40 * MIN)
    w.ignore(c6, "U0CCC", 45 * MIN, "off_topic")
    w.claim(c9, "U0CCC", 5 * MIN)
    w.reply(c9, "U0CCC", 50 * MIN)
    # -- history for "gone quiet": U0QQQ engaged on billing 60 days ago, then stopped;
    # U0ONE once (too little); U0OLD 200 days ago (too long ago).
    for days in (62, 61, 60):
        cid = w.conversation("billing", NOW - days * DAY)
        w.claim(cid, "U0QQQ", 10 * MIN)
        if days == 60:
            w.reply(cid, "U0QQQ", 20 * MIN)
    w.claim(w.conversation("kubernetes", NOW - 50 * DAY), "U0ONE", MIN)
    for days in (201, 200):
        w.claim(w.conversation("kubernetes", NOW - days * DAY), "U0OLD", MIN)
    w.at(NOW)
    return w


def digest(w: World, spec: str = "7d", topic: str | None = None):
    return build_digest(
        w.store, parse_period(spec, NOW), topic, company="Acme", competitors=("Globex", "Initech")
    )

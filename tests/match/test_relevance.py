"""Relevance over the store: topics matched and ranked, recompiled when a topic changes;
mutes by author, site (parent domains too) and phrase keep a post out of every topic;
company and competitor mentions tagged."""

from __future__ import annotations

from bot.match.engine import Document
from bot.match.relevance import MuteRules, Relevance
from bot.models import Mute


def doc(title: str, body: str = "", **more: str) -> Document:
    return Document(title=title, body=body, **more)


def test_topics_are_matched_ranked_and_recompiled_when_they_change(harness_factory) -> None:
    h = harness_factory()
    relevance = Relevance(h.store, h.settings.config)
    [found] = relevance.evaluate(
        doc("How do I debug k8s CrashLoopBackOff?"), metrics={}, age_hours=0
    )
    assert (found.topic, found.channel) == ("kubernetes", "C0K8S")
    assert "asks a question" in found.rank.reasons
    assert relevance.evaluate(doc("k8s hiring now"), metrics={}, age_hours=0) == []  # -hiring
    assert h.store.edit_topic_query("kubernetes", "helm")
    assert relevance.evaluate(doc("k8s question"), metrics={}, age_hours=0) == []
    assert [r.topic for r in relevance.evaluate(doc("helm chart"), metrics={}, age_hours=0)] == [
        "kubernetes"
    ]


def test_a_mute_keeps_a_post_out_of_every_topic_until_removed(harness_factory) -> None:
    h = harness_factory()
    relevance = Relevance(h.store, h.settings.config)
    post = doc("k8s pods restart", author="@Spammer", site="blog.spam.example.com")
    assert relevance.evaluate(post, metrics={}, age_hours=0)
    h.store.add_mute("site", "spam.example.com", "U0MARKETER")
    assert relevance.evaluate(post, metrics={}, age_hours=0) == []
    h.store.remove_mute("site", "spam.example.com")
    assert relevance.evaluate(post, metrics={}, age_hours=0)


def test_mute_rules_by_author_site_and_phrase() -> None:
    rules = MuteRules(
        [
            Mute(1, "author", "spammer", None, 0.0),
            Mute(2, "site", "Example.COM.", None, 0.0),
            Mute(3, "phrase", "free crypto", None, 0.0),
            Mute(4, "phrase", "!!!", None, 0.0),  # nothing it could ever match: skipped
        ]
    )
    assert rules.muted(doc("x", author=" @SPAMMER "))
    assert rules.muted(doc("x", site="a.b.example.com"))
    assert not rules.muted(doc("x", site="notexample.com"))
    assert rules.muted(doc("Get FREE crypto now"))
    assert not rules.muted(doc("crypto is free"))
    assert not rules.muted(doc("!!! wow"))
    assert not MuteRules([]).muted(doc("anything", author="a", site="b.com"))


def test_company_and_competitors_are_tagged(harness_factory) -> None:
    h = harness_factory()
    relevance = Relevance(h.store, h.settings.config)
    assert relevance.mentions(doc("Moving from Globex to Acme Cloud")) == {"Acme", "Globex"}
    assert relevance.mentions(doc("nothing here")) == set()


def test_one_scan_finds_what_the_separate_matcher_and_tagger_find(harness_factory) -> None:
    from bot.match.relevance import MatchSpec, Scanner
    from bot.match.tagger import Tagger

    h = harness_factory()
    topics = tuple(h.store.topics())
    names = {"Acme": ("Acme", "Acme Cloud"), "Globex": ("Globex", "k8s")}  # shares a term
    scanner = Scanner(MatchSpec(topics, (), tuple(names.items()), (0, 0)))
    matcher, tagger = Relevance(h.store, h.settings.config).matcher()[0], Tagger(names)
    docs = [
        doc("How do I debug k8s CrashLoopBackOff?"),
        doc("Moving from Globex to Acme Cloud", "kubernetes hiring"),
        doc("acme-cloud k8s", "helm charts"),
        doc("nothing here"),
    ]
    for d in docs:
        found, mentions = scanner.scan(d, {})
        assert [f.topic.name for f in found] == [m.topic for m in matcher.match(d)]
        assert mentions == set(tagger.tags(d))

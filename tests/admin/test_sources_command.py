"""sources_command called as the /hark table calls it: short forms of `add` stored as the
full source with its interval, a source added twice named rather than duplicated, a paused
one resumed by adding it again, and an unknown action answered with the ones there are."""

from __future__ import annotations

from bot.admin.sources import DEFAULT_EVERY, sources_command
from bot.answer import Answer
from bot.authz import Actor
from bot.blocks.admin import answer_message
from tests.support.mentions import text_leaves

ADMIN = Actor("U0MARKETER")


def said(answer: Answer) -> str:
    message = answer_message(answer)  # as /hark renders it
    return " ".join(text_leaves(message.get("blocks") or message.get("text")))


def test_a_kind_prefix_and_an_interval_are_read(harness_factory, feeds) -> None:
    feeds.set("/f.xml", b"<rss version='2.0'><channel><title>t</title></channel></rss>")
    h = harness_factory()
    url = feeds.url("/f.xml")
    answer = said(sources_command(h.services, ADMIN, ["add", f"url:{url}", "2h"]))
    [source] = h.store.sources()
    assert (source.kind, source.target, source.every_seconds) == ("feed", url, 7200)
    assert answer.startswith(f"Added source `{source.id}`: {url}, checked every 2 h.")


def test_adding_a_source_again_names_it_and_resumes_it_if_paused(harness_factory, feeds) -> None:
    feeds.set("/f.xml", b"<rss version='2.0'><channel><title>t</title></channel></rss>")
    h = harness_factory()
    url = feeds.url("/f.xml")
    sources_command(h.services, ADMIN, ["add", "url", url])
    [source] = h.store.sources()
    assert source.every_seconds == DEFAULT_EVERY
    again = said(sources_command(h.services, ADMIN, ["add", "url", url]))
    # named by the feed's own title once polled (the title here is "t")
    assert again == f"That source is already there as source `{source.id}` (t)."
    h.store.set_source_enabled(source.id, False)
    resumed = said(sources_command(h.services, ADMIN, ["add", url]))  # a bare URL is a feed
    assert resumed == f"Source `{source.id}` (t) was paused; resumed it."
    assert h.store.source(source.id).enabled
    assert len(h.store.sources()) == 1


def test_an_unknown_action_lists_the_ones_there_are(harness_factory) -> None:
    h = harness_factory()
    answer = said(sources_command(h.services, ADMIN, ["frobnicate", "3"]))
    assert "isn't a sources command" in answer
    assert "`add`, `remove`, `pause`, `resume`" in answer

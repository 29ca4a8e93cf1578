"""``/hark sources`` and its admin subcommands: add, remove, pause, resume.

Anyone may list the sources; changing them is for admins. ``add`` checks the
short form (``bot.poll.kinds.expand_source``) and then polls the new source once,
right away: that first poll is the test fetch and also the seeding poll (what
the feed already holds is recorded, not posted, except what is newer than the
backfill window). A source whose first poll fails is kept, and the answer
says why it failed: feeds are often down for a moment, the admin asked for
this one, and its health line and backoff take over from there.
"""

from __future__ import annotations

import re

from bot.admin import status
from bot.answer import Answer, Duration, Quoted, Text, Untrusted, refusal, reply, say
from bot.authz import Actor
from bot.error_text import plain
from bot.grammar import count
from bot.match.words import closest_names
from bot.models import Source, SourceSpec
from bot.poll.kinds import KINDS, SourceError, expand_source
from bot.wiring import Services

USAGE = "/hark sources [add <kind> <value> [every] | remove <id> | pause <id> | resume <id>]"
# mrkdwn: "<" and ">" in Hark's own words are escaped too, or Slack reads them as markup.
ADD_USAGE = (
    "`/hark sources add &lt;kind&gt; &lt;value&gt; [every]`, "
    "e.g. `/hark sources add reddit r/devops 30m`"
)
DEFAULT_EVERY = 600
MIN_EVERY = 60
_EVERY = re.compile(r"^(\d{1,6})(s|m|h|d)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_KIND_PREFIX = re.compile(r"^([a-z]+):(?!//)(.+)$")


def sources_command(services: Services, actor: Actor, args: list[str]) -> Answer:
    """List the sources, or (admins) add, remove, pause or resume one.

    bot/admin/commands.py has asked bot/authz.py already; non-admins see redacted URLs.
    """
    if not args:
        reveal = services.authz.may(actor, "hark.sources.reveal").ok
        return status.sources_listing(services.store, reveal=reveal)
    action = args[0].lower()
    changes = {"add": _add, "remove": _remove, "pause": _pause, "resume": _resume}
    change = changes.get(action)
    if change is None:
        return refusal(
            Quoted("/hark sources " + args[0], 40),
            " isn't a sources command. "
            "Use `/hark sources` to list them, or `add`, `remove`, `pause`, `resume`.",
        )
    return change(services, args[1:])


# --- add ---------------------------------------------------------------------------------


def _add(services: Services, args: list[str]) -> Answer:
    try:
        spec = _spec_from_words(args)
    except SourceError as exc:
        return refusal(Untrusted(str(exc), 600), f". Write it as {ADD_USAGE}.")
    store = services.store
    existing = store.source_by_target(spec.kind, spec.target)
    if existing is not None:
        if not existing.enabled:
            store.set_source_enabled(existing.id, True)
            return reply(f"Source `{existing.id}` (", _name(existing), ") was paused; resumed it.")
        return reply(
            f"That source is already there as source `{existing.id}` (", _name(existing), ")."
        )
    source_id = store.add_source(spec)
    row = store.source(source_id)
    if row is None:  # removed by someone else in the same instant
        return refusal(f"Source {source_id} disappeared while it was being added.")
    report = services.poller.poll([row])
    outcome = report.sources[0]
    added = say(
        f"Added source `{source_id}`: ",
        _name(row),
        ", checked every ",
        Duration(spec.every_seconds),
        ".",
    )
    if outcome.status == "failed":
        return reply(
            added,
            "\n:warning: Its first check failed: ",
            Untrusted(plain(outcome.error or ""), 400),
            "\nHark keeps it and retries, waiting longer after each failure; `/hark sources` "
            f"shows its health, `/hark sources remove {source_id}` removes it.",
        )
    window = f"the last {services.poller.backfill_hours} h"
    if report.queued:
        posting = f"{len(report.queued)} from {window} match a topic and will be posted."
    else:
        posting = f"none from {window} matches a topic, so nothing is posted now."
    return reply(
        added,
        f"\n:white_check_mark: First check worked: {count(outcome.posts, 'post')} recorded "
        f"(older ones are never posted as new); {posting}",
    )


def _spec_from_words(args: list[str]) -> SourceSpec:
    """``<kind> <value…> [every]`` (also ``kind:value`` or a bare URL) -> SourceSpec."""
    if not args:
        raise SourceError("`add` needs a kind and a value")
    words = list(args)
    first = words[0]
    if first.lower().startswith(("http://", "https://")):
        kind = "url"
    elif (prefixed := _KIND_PREFIX.match(first)) and prefixed.group(1).lower() in KINDS:
        kind = prefixed.group(1).lower()
        words[0] = prefixed.group(2)
    else:
        kind = words.pop(0).rstrip(":").lower()
    every = DEFAULT_EVERY
    if len(words) > 1 and (found := _EVERY.match(words[-1].lower())):
        words.pop()
        every = int(found.group(1)) * _UNITS[found.group(2)]
        if every < MIN_EVERY:
            raise SourceError("the interval must be at least 1m; feeds ask for politeness")
    if kind not in KINDS:
        raise SourceError(
            f"“{kind}” is not a kind of source Hark knows; use one of: {', '.join(KINDS)}"
        )
    return expand_source(kind, " ".join(words), every)


# --- remove, pause, resume -----------------------------------------------------------------


def _remove(services: Services, args: list[str]) -> Answer:
    row = _source_named(services, args, "remove")
    if isinstance(row, Answer):
        return row
    if row.from_config:
        return refusal(
            f"Source `{row.id}` (",
            _name(row),
            ") is listed in the config file; remove it "
            f"there (it would come back at the next start), or `/hark sources pause {row.id}` "
            "to stop polling it now.",
        )
    services.store.remove_source(row.id)
    return reply(
        f"Removed source `{row.id}` (", _name(row), "). Posts already heard from it are kept."
    )


def _pause(services: Services, args: list[str]) -> Answer:
    row = _source_named(services, args, "pause")
    if isinstance(row, Answer):
        return row
    if not row.enabled:
        return reply(
            f"Source `{row.id}` is already paused; `/hark sources resume {row.id}` polls it again."
        )
    services.store.set_source_enabled(row.id, False)
    return reply(
        f"Paused source `{row.id}` (",
        _name(row),
        f"); `/hark sources resume {row.id}` polls it again.",
    )


def _resume(services: Services, args: list[str]) -> Answer:
    row = _source_named(services, args, "resume")
    if isinstance(row, Answer):
        return row
    if row.enabled:
        return reply(f"Source `{row.id}` (", _name(row), ") is not paused.")
    services.store.set_source_enabled(row.id, True)
    return reply(f"Resumed source `{row.id}` (", _name(row), "); it is checked at the next poll.")


def _source_named(services: Services, args: list[str], action: str) -> Source | Answer:
    """The source ``args`` names by number, or the error message to answer with."""
    if len(args) != 1:
        return refusal(
            f"Write `/hark sources {action} &lt;id&gt;` with one source number; "
            "`/hark sources` lists them."
        )
    if not args[0].isdigit():
        by_name = {row.name: row for row in services.store.sources()}
        close = closest_names(args[0], by_name)
        if close:  # a source named, not numbered: the one closest-name rule
            row = by_name[close[0]]
            return refusal(
                Quoted(args[0], 30),
                f" is not a source number. Did you mean source `{row.id}` (",
                _name(row),
                f")? Write `/hark sources {action} {row.id}`.",
            )
        return refusal(
            Quoted(args[0], 30),
            " is not a source number; `/hark sources` lists them with their numbers.",
        )
    row = services.store.source(int(args[0]))
    if row is None:
        return refusal(f"There is no source {int(args[0])}; `/hark sources` lists them.")
    return row


def _name(row: Source) -> Text:
    return (Untrusted(row.name, 120, True),)

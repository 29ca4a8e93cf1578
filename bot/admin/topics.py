"""``/hark topics add|edit|remove|list``, ``/hark test <query>`` and ``/hark search <words>``.

Topic changes bump ``topics_version``, so the poller's Relevance recompiles on its
next post: no restart. ``test`` and ``search`` only read; nothing is saved.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bot.admin import status
from bot.answer import Answer, Link, Quoted, Text, Untrusted, joined, refusal, reply, say
from bot.authz import Actor
from bot.match.engine import Document, Matcher
from bot.match.ranking import rank_post
from bot.match.words import closest_names
from bot.models import score_shown
from bot.ops.channels import channel_name, look_up_channel
from bot.query.errors import QueryError
from bot.query.parser import parse_query
from bot.query.tree import Node, Term, all_atoms
from bot.wiring import Services

TOPICS_USAGE = (
    "/hark topics [add <name> <#channel> <query…> | edit <name> <query…> | remove <name>]"
)
ADD_USAGE = "`/hark topics add &lt;name&gt; &lt;#channel&gt; &lt;query…&gt;`, e.g. `/hark topics add k8s #devops kubernetes OR k8s`"
EDIT_USAGE = "`/hark topics edit &lt;name&gt; &lt;query…&gt;`"
REMOVE_USAGE = "`/hark topics remove &lt;name&gt;`"
TEST_DAYS = 30
TEST_ROWS = 20_000
# /hark test and /hark search are open to everyone, so each call's cost is bounded: a
# query's size, the CPU one test may take, and how many calls a person makes a minute.
TEST_MAX_ATOMS = 40  # words, phrases and fields
TEST_MAX_PREFIXES = 10  # prefix* terms (each may stand for many words)
TEST_CPU_SECONDS = 1.0  # then the answer covers the newest posts looked at so far
TEST_CHECK_EVERY = 200  # posts between two looks at the CPU clock
QUERIES_PER_MINUTE = 6  # tests and searches, per person
TEST_SHOWN = 5
SEARCH_SHOWN = 10
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,20})(?:\|[^>]*)?>$|^([CG][A-Z0-9]{2,20})$")
_NAME = re.compile(r"^[\w][\w .-]{0,59}$")
# A word shlex un-quoted: its prefix (groups, "-", "field:"), the words, closing groups.
_SPLIT_WORD = re.compile(r"^(\(*-?(?:[A-Za-z]+:)?)(.*?)(\)*)$", re.DOTALL)
_SEARCH_TOKEN = re.compile(r"\w", re.UNICODE)


def query_from_words(words: list[str]) -> str:
    """The query as typed, from the command's shell-split words.

    ``run_subcommand`` splits like a shell, which drops the quotes of ``"a phrase"``;
    a word with a space in it was a quoted phrase, so quote it again (keeping a
    leading ``-``, ``field:`` or ``(`` and trailing ``)`` outside the quotes).
    """
    out = []
    for word in words:
        if word == "":
            out.append('""')
        elif any(ch.isspace() for ch in word):
            m = _SPLIT_WORD.match(word)
            assert m is not None  # the pattern matches every string
            out.append(f'{m.group(1)}"{m.group(2)}"{m.group(3)}')
        else:
            out.append(word)
    return " ".join(out)


def bad_query(query: str, error: QueryError) -> Answer:
    """The parser's message (query, caret, hint) in a code block, escaped."""
    shown = Untrusted(str(error).replace("```", "'''"), 1500)
    return refusal("That query can't be used:\n```", shown, "```")


# --- /hark topics ------------------------------------------------------------------------


def topics_command(services: Services, actor: Actor, args: list[str]) -> Answer:
    """List the topics, or (admins: bot/admin/commands.py asked bot/authz.py) add, edit or
    remove one."""
    if not args or args[0].lower() == "list":
        return status.topics_listing(services.store)
    action = args[0].lower()
    changes = {"add": _add, "edit": _edit, "remove": _remove}
    change = changes.get(action)
    if change is None:
        return refusal(
            Quoted("/hark topics " + args[0], 40),
            " isn't a topics command. Use `/hark topics` to list them, or `add`, `edit`, `remove`.",
        )
    return change(services, args[1:])


def _add(services: Services, args: list[str]) -> Answer:
    if len(args) < 3:
        return refusal(f"Name, channel and query are all needed. Write it as {ADD_USAGE}.")
    name, channel_word, query = args[0], args[1], query_from_words(args[2:])
    if not _NAME.match(name):
        return refusal(
            Quoted(name),
            " can't be a topic name: use letters, digits, "
            f"spaces, `-`, `.` or `_` (up to 60). Write it as {ADD_USAGE}.",
        )
    m = _CHANNEL.match(channel_word)
    if m is None and not (channel_word.startswith("#") and channel_name(channel_word)):
        return refusal(
            Quoted(channel_word),
            " isn't a channel: pick it with `#` "
            f"so Slack links it, or give its id (`C…`). Write it as {ADD_USAGE}.",
        )
    if m is not None:
        channel = m.group(1) or m.group(2)
    else:  # typed as plain text (#devops): store its ID, which every Slack method takes
        channel, problem = look_up_channel(services.channels, channel_word)
        if problem:
            return refusal(problem)
    try:
        parse_query(query)
    except QueryError as error:
        return bad_query(query, error)
    if not services.store.add_topic(name, query, channel):
        return refusal(
            "There is already a topic *",
            Untrusted(name, 60, True),
            f"*. Change its query with {EDIT_USAGE}.",
        )
    return reply(
        "Added topic *",
        Untrusted(name, 60, True),
        f"* → <#{channel}>: ",
        Quoted(query, 500),
        ". New posts that match go there from the next poll."
        + _not_a_member_warning(services, channel),
    )


def _not_a_member_warning(services: Services, channel: str) -> str:
    """A second line when the bot is not in ``channel`` (its cards would be refused)."""
    try:
        info = services.client.conversations_info(channel=channel)["channel"]
    except SlackApiError:
        return ""  # not visible to the bot: the first card's refusal tells the admins
    if info.get("is_member", True):
        return ""
    return (
        f"\n:warning: Hark is not in <#{channel}> yet, so nothing can be posted there. "
        f"Invite it: `/invite @Hark` in <#{channel}>."
    )


def _edit(services: Services, args: list[str]) -> Answer:
    if len(args) < 2:
        return refusal(f"Name and the new query are needed. Write it as {EDIT_USAGE}.")
    name, query = args[0], query_from_words(args[1:])
    row = services.store.topic_by_name(name)
    if row is None:
        return _no_topic(services, name)
    try:
        parse_query(query)
    except QueryError as error:
        return bad_query(query, error)
    services.store.edit_topic_query(name, query)
    return reply(
        "Topic *",
        Untrusted(row.name, 60, True),
        "* now matches ",
        Quoted(query, 500),
        "." + _config_note(row),
    )


def _remove(services: Services, args: list[str]) -> Answer:
    if len(args) != 1:
        return refusal(f"Give one topic name (quote it if it has spaces): {REMOVE_USAGE}.")
    row = services.store.topic_by_name(args[0])
    if row is None:
        return _no_topic(services, args[0])
    services.store.remove_topic(args[0])
    return reply(
        "Removed topic *",
        Untrusted(row.name, 60, True),
        "*; its past conversations are kept." + _config_note(row),
    )


def _config_note(row) -> str:
    if row.from_config:
        return " It comes from the config file, which sets it again at the next restart: change it there too."
    return ""


def _no_topic(services: Services, name: str) -> Answer:
    close = closest_names(name, [t.name for t in services.store.topics(enabled_only=False)])
    hint = joined("", [say("Did you mean *", Untrusted(c, 60, True), "*? ") for c in close[:1]])
    return refusal(
        "There is no topic *", Untrusted(name, 60, True), "*. ", hint, "`/hark topics` lists them."
    )


# --- /hark test --------------------------------------------------------------------------


def test_command(services: Services, actor: Actor, args: list[str]) -> Answer:
    """How many stored posts of the last 30 days a query would match, and the best five."""
    if not args:
        return refusal(
            "Give a query to try, e.g. `/hark test kubernetes OR k8s -hiring`. Nothing is saved."
        )
    query = query_from_words(args)
    try:
        too_costly = _too_costly(parse_query(query))
        if too_costly:
            return refusal(too_costly)
        matcher = Matcher.compile({"test": query})
    except QueryError as error:
        error.topic = None
        return bad_query(query, error)
    wait = _rate_limited(services, actor)
    if wait:
        return refusal(wait)
    store = services.store
    now = store.now()
    since = now - TEST_DAYS * 86400
    # Counted by the date the source gave: a post written last year and stored by a first
    # poll today (held back as older than the backfill window) is not a recent post.
    rows = [r for r in store.recent_posts(since, TEST_ROWS) if r.dated >= since]
    muted = 0
    hits = []
    started, looked = time.thread_time(), len(rows)
    for i, row in enumerate(rows):
        if i and i % TEST_CHECK_EVERY == 0 and time.thread_time() - started > TEST_CPU_SECONDS:
            looked = i
            break
        doc = Document(
            title=row.title,
            body=row.text,
            author=row.author,
            site=row.site,
            source=row.source_kind,
            lang=row.lang,
        )
        found = matcher.match(doc)
        if not found:
            continue
        if services.relevance.is_muted(doc):
            muted += 1
            continue
        m = found[0]
        rank = rank_post(
            title=row.title,
            text=row.text,
            terms=m.terms,
            in_title=m.in_title,
            metrics={},
            age_hours=(now - row.dated) / 3600,
        )
        hits.append((rank.score, row.dated, row, rank))
    hits.sort(key=lambda h: (h[0], h[1]), reverse=True)
    if looked < len(rows):
        capped = (
            f" (the newest {looked:,} looked at: a test stops after {TEST_CPU_SECONDS:g} s of "
            "work, so it answers quickly for everyone; a narrower query looks further)"
        )
    else:
        capped = " (the newest 20,000 looked at)" if len(rows) >= TEST_ROWS else ""
    head = say(
        Quoted(query, 300),
        f" would match *{len(hits)}* of {looked} posts "
        f"stored in the last {TEST_DAYS} days{capped}.",
    )
    if muted:
        head += (f" {muted} more match but are muted.",)
    if not hits and not muted:
        head += _did_you_mean(services, args)
    lines = [
        say(
            "• ",
            Link(row.link, row.title or row.text, 150),
            " — ",
            Untrusted(row.site or row.source_kind, 60, True),
            f", {_day(row.dated, now)} · score {score_shown(rank.score)} · ",
            Untrusted(rank.why, 200, True),
        )
        for _, _, row, rank in hits[:TEST_SHOWN]
    ]
    sections = [say(head, " Nothing was saved.")]
    if lines:
        sections.append(say(f"*Top {len(lines)}*\n", joined("\n", lines)))
    return Answer(tuple(sections), fallback=head)


def _too_costly(tree: Node) -> str:
    """Why a /hark test query is too big to try ('' when it is not)."""
    atoms = list(all_atoms(tree))
    prefixes = sum(1 for a in atoms if isinstance(a, Term) and a.prefix)
    if len(atoms) <= TEST_MAX_ATOMS and prefixes <= TEST_MAX_PREFIXES:
        return ""
    return (
        f"That query has {len(atoms)} words, phrases and fields ({prefixes} ending in `*`); "
        f"`/hark test` tries up to {TEST_MAX_ATOMS} ({TEST_MAX_PREFIXES} with `*`) so that it "
        "answers quickly for everyone. Try it with the most telling words first. "
        "Nothing was run."
    )


def _rate_limited(services: Services, actor: Actor) -> str:
    """A kind refusal when this person has tried or searched too often just now ('' if not)."""
    wait = services.authz.within_rate(actor.user_id, "hark.query", QUERIES_PER_MINUTE, 60.0)
    if not wait:
        return ""
    return (
        f"You have run {QUERIES_PER_MINUTE} tests and searches in the last minute, as many as "
        f"Hark takes from one person. Try again in {max(1, round(wait))} s; nothing was run."
    )


def _day(ts: float, now: float) -> str:
    """``Nov 30``; ``Oct 26, 2025`` when not this year."""
    day = datetime.fromtimestamp(ts, UTC)
    if day.year == datetime.fromtimestamp(now, UTC).year:
        return day.strftime("%b %d")
    return day.strftime("%b %d, %Y")


def _did_you_mean(services: Services, args: list[str]) -> Text:
    """For a one-word query that matched nothing: the closest topic name or topic word."""
    if len(args) != 1:
        return ()
    names: list[str] = []
    for topic in services.store.topics(enabled_only=False):
        names.append(topic.name)
        try:
            names.extend(
                str(t.text) for t in all_atoms(parse_query(topic.query)) if isinstance(t, Term)
            )
        except QueryError:
            continue
    close = [c for c in closest_names(args[0], names) if c.casefold() != args[0].casefold()]
    return (" Did you mean ", Quoted(close[0]), "?") if close else ()


# --- /hark search ------------------------------------------------------------------------


def search_words(words: list[str]) -> list[str]:
    """The words to look for: those with a letter or digit (the others find nothing).
    The store builds its engine's query from them; user syntax never gets through."""
    return [t for w in words for t in w.split() if _SEARCH_TOKEN.search(t)]


def search_command(services: Services, actor: Actor, args: list[str]) -> Answer:
    """Stored posts containing every word, best first (ties: newest)."""
    query = search_words(args)
    if not query:
        return refusal("Give some words to look for, e.g. `/hark search crashloop backoff`.")
    wait = _rate_limited(services, actor)
    if wait:
        return refusal(wait)
    total, rows = services.store.search_posts(query, SEARCH_SHOWN)
    shown = Quoted(" ".join(args), 200)
    if not rows:
        return reply("No stored post contains all of: ", shown, ".")
    lines = [
        say(
            "• ",
            Link(r.link, r.title or r.text, 150),
            " — ",
            Untrusted(r.author or r.site or r.source_kind, 60, True),
            f", {_day(r.dated, services.store.now())}",
        )
        for r in rows
    ]
    head = say(
        f"*{total}* stored posts contain ",
        shown,
        f"; the best {len(rows)}:" if total > len(rows) else ":",
    )
    return Answer((say(head, "\n", joined("\n", lines)),), fallback=head)

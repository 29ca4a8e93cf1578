"""The digest message: /digest (ephemeral, with "Post to channel") and the posted digest.

Every list is cut to a character budget so the message stays under Slack's limits
(50 blocks, about 13 k characters of blocks JSON), whatever the feeds wrote.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.blocks.answers import section
from bot.blocks.text import HEADER_TEXT, duration, fit, link, plain
from bot.grammar import count, mention
from bot.models import ERASED_PERSON, score_shown
from bot.viewdata import Attention, ConversationLine, Digest, PersonLine, TopicLine

POST_ACTION = "digest_post"
BLOCKS_JSON_LIMIT = 12_000  # Slack refuses ~13 k; keep a margin for what Slack adds
_URL_LIMIT = 300  # a longer link is shown as its title only, to keep lists readable
_BUDGETS = {  # characters of text per section at full size
    "topics": 2000,
    "people": 1300,
    "uncovered": 500,
    "authors": 700,
    "sites": 600,
    "reach": 1300,
    "attention": 600,
    "employees": 500,
    "backlog": 1300,
    "quiet": 600,
}


def digest_message(d: Digest, *, shareable: bool = False) -> dict[str, Any]:
    """The digest as a message; ``shareable`` adds the "Post to channel" button."""
    blocks: list[dict[str, Any]] = []
    for scale in (1.0, 0.75, 0.5, 0.3, 0.15):
        blocks = _blocks(d, scale, shareable)
        if len(json.dumps(blocks, ensure_ascii=False)) <= BLOCKS_JSON_LIMIT:
            break
    f = d.funnel
    text = (
        f"Digest {fit(d.period.label, 80, one_line=True)}: {f.relevant:,} relevant, "
        f"{f.posted:,} posted, "
        f"{f.claimed:,} claimed, {f.replied:,} replied"
    )
    return {"text": text, "blocks": blocks}


def post_button_value(d: Digest) -> str:
    """What the "Post to channel" button carries: the exact period shown, and the topic."""
    return json.dumps(
        {
            "since": d.period.since,
            "until": d.period.until,
            "label": d.period.label[:80],
            "topic": d.topic,
        },
        separators=(",", ":"),
    )


def _blocks(d: Digest, scale: float, shareable: bool) -> list[dict[str, Any]]:
    budget = {k: int(v * scale) for k, v in _BUDGETS.items()}
    scope = f" · {d.topic}" if d.topic else ""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": plain(f"Digest — {d.period.label}{scope}", HEADER_TEXT),
            },
        },
        _context(
            f"{_when(d.period.since)} → {_when(d.period.until)} UTC · conversations Hark matched "
            f"in this period, as they stand now · trends compare with the "
            f"{_days(d.period.until - d.period.since)} before"
        ),
        section(_funnel(d)),
        section(_speed(d)),
        section(
            _listing(
                "*Topics* — posted (vs before) · replied · median time to reply",
                [_topic_line(t) for t in d.topics],
                budget["topics"],
                "_No conversations in this period._",
            )
        ),
        section(
            _listing(
                "*Who engaged most*",
                [_person_line(p) for p in d.people],
                budget["people"],
                "_Nobody claimed a conversation in this period._",
            )
        ),
        section(
            _listing(
                "*No one covering* — nobody declared the topic or claimed in it",
                [f"• {fit(c.name, 60, one_line=True)} ({c.n:,} posted)" for c in d.uncovered],
                budget["uncovered"],
                "_Every topic has someone covering it._",
            )
        ),
        section(
            _listing(
                "*Outside voices* — authors who appeared most",
                [f"• {fit(c.name, 80, one_line=True)} ({c.n:,})" for c in d.authors],
                budget["authors"],
                "_No outside authors in this period._",
            )
        ),
        section(
            _listing(
                "*Sites*",
                [f"• {fit(c.name, 80, one_line=True)} ({c.n:,})" for c in d.sites],
                budget["sites"],
                "_No sites in this period._",
            )
        ),
        section(
            _listing(
                "*Most reach* — followers + score + comments",
                [_conversation_line(c, f"{int(c.score):,} reach") for c in d.reach],
                budget["reach"],
                "_No reach figures in this period._",
            )
        ),
        section(_attention(d, budget["attention"])),
        section(_employees(d, budget["employees"])),
        section(
            _listing(
                "*Open backlog* — best conversations nobody has claimed",
                [
                    _conversation_line(
                        c, f"score {score_shown(c.score)} · waiting {duration(c.waiting)}"
                    )
                    for c in d.backlog
                ],
                budget["backlog"],
                "_Nothing waiting: every posted conversation was claimed._",
            )
        ),
        section(
            _listing(
                "*Gone quiet* — handled conversations, then none for a month",
                [
                    f"• {mention(q.user_id)} — {count(q.conversations, 'conversation')} in the "
                    f"4 months before, the last on {_day(q.last_at)}"
                    for q in d.quiet
                ],
                budget["quiet"],
                "_Nobody went quiet._",
            )
        ),
    ]
    if shareable:
        blocks.append(
            {
                "type": "actions",
                "block_id": "digest",
                "elements": [
                    {
                        "type": "button",
                        "action_id": POST_ACTION,
                        "text": {"type": "plain_text", "text": "Post to channel"},
                        "value": post_button_value(d),
                    }
                ],
            }
        )
    return blocks


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2000]}]}


def _listing(title: str, lines: Sequence[str], budget: int, empty: str) -> str:
    """A title and as many lines as fit in ``budget`` characters, then "…and N more"."""
    if not lines:
        return f"{title}\n{empty}"
    out, used = [title], len(title)
    for i, line in enumerate(lines):
        if used + len(line) + 1 > budget - 30 and i > 0:
            out.append(f"_…and {len(lines) - i:,} more_")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def _funnel(d: Digest) -> str:
    f = d.funnel
    heard = f"Heard *{f.heard:,}*" + (" (all topics)" if d.topic else "")
    lines = [
        "*Funnel*",
        (
            f"{heard} → relevant *{f.relevant:,}* → posted *{f.posted:,}* → "
            f"claimed *{f.claimed:,}* → replied *{f.replied:,}* "
            f"({f.verified:,} verified, {f.self_reported:,} self-reported)"
        ),
        f"Still open: *{f.open:,}* nobody claimed · *{f.in_progress:,}* claimed, awaiting a reply",
    ]
    reasons = ", ".join(f"{fit(r, 40, one_line=True)} {n:,}" for r, n in f.ignored_by_reason[:8])
    lines.append(f"Ignored *{f.ignored:,}*" + (f": {reasons}" if reasons else ""))
    return "\n".join(lines)


def _speed(d: Digest) -> str:
    s = d.speed
    return (
        "*Speed* — from posting in the channel\n"
        f"Time to claim: median *{duration(s.claim_p50)}* · 90th percentile "
        f"*{duration(s.claim_p90)}* ({count(s.claims, 'claim')})\n"
        f"Time to reply: median *{duration(s.reply_p50)}* · 90th percentile "
        f"*{duration(s.reply_p90)}* ({count(s.replies, 'reply')})"
    )


def _trend(t: TopicLine) -> str:
    if t.trend is None:
        return "new" if t.posted else "none"
    arrow = "▲" if t.trend > 0 else "▼" if t.trend < 0 else "="
    return f"{arrow} {abs(t.trend):.0%} vs {t.previous_posted:,}"


def _topic_line(t: TopicLine) -> str:
    rate = f"{t.reply_rate:.0%} replied" if t.reply_rate is not None else "–"
    return (
        f"• *{fit(t.name, 60, one_line=True)}* — {t.posted:,} posted ({_trend(t)}) · {rate}"
        f" · {duration(t.median_reply)}"
    )


def _person_line(p: PersonLine) -> str:
    topics = fit(", ".join(p.topics[:3]) + (" …" if len(p.topics) > 3 else ""), 120, one_line=True)
    who = "someone who has since erased their data" if p.user_id == ERASED_PERSON else None
    who = who or mention(p.user_id)
    line = f"• {who} — {p.claims:,} claimed, {p.replies:,} replied ({topics})"
    return line + (f" · {p.verified:,} verified" if p.verified else "")


def _conversation_line(c: ConversationLine, figure: str) -> str:
    url = c.link if c.link and len(c.link) <= _URL_LIMIT else None
    return (
        f"• {link(url, c.title or c.site or '(untitled)', 90)} · "
        f"{fit(c.topic, 40, one_line=True)} · {figure}"
    )


def _attention(d: Digest, budget: int) -> str:
    title = "*Share of attention* — posts mentioning each name, change since before"
    if not d.attention:
        return f"{title}\n_Set `company:` and `competitors:` in the config to compare mentions._"
    if not any(a.mentions for a in d.attention):
        return f"{title}\n_No mentions of {_names(d.attention)} in this period._"
    return _listing(title, [_attention_line(a) for a in d.attention], budget, "")


def _attention_line(a: Attention) -> str:
    name = fit(a.entity, 60, one_line=True)
    name = f"*{name}*" if a.is_company else name
    share = f"{a.share:.0%}" if a.share is not None else "–"
    if a.change_points is None:
        change = "new" if a.mentions else ""
    else:
        arrow = "▲" if a.change_points > 0 else "▼" if a.change_points < 0 else "="
        change = f"{arrow} {abs(a.change_points):.0f} pts (was {a.previous_share:.0%})"
    return f"• {name} {share} ({count(a.mentions, 'post')}) {change}".rstrip()


def _names(attention: Sequence[Attention]) -> str:
    return ", ".join(fit(a.entity, 40, one_line=True) for a in attention)


def _employees(d: Digest, budget: int) -> str:
    title = "*Employee reach* — posts by registered employees that mention the company"
    if d.employees is None:
        return f"{title}\n_Not tracked yet._"
    e = d.employees
    if not e.posts:
        return f"{title}\n_No such posts in this period._"
    lines = [f"*{e.posts:,}* posts by *{e.people:,}* people"] + [
        f"• {mention(c.name)} — {c.n:,}" for c in e.top
    ]
    return _listing(title, lines, budget, "")


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


def _days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:.0f} days" if days >= 1.5 else "same length of time"

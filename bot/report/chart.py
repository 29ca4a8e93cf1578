"""The digest's chart: conversations posted and replied per day by topic, and share of attention.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global backend,
safe in Bolt's worker threads) as a PNG on its own white card with dark text, so it
reads the same in Slack's light and dark themes.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.report.digest import Digest
from bot.store import Store

# Okabe-Ito: tell-apart colours for colour-blind readers, on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
OTHER = "#B0B0B0"
INK = "#1D1C1D"  # Slack's own text colour
CARD = "#FFFFFF"
TOP_TOPICS = 5
WIDTH, HEIGHT, DPI = 10.0, 6.4, 100  # 1000 x 640 px


@dataclass(frozen=True)
class ChartData:
    days: tuple[str, ...]  # "11-03" labels, one per day of the period
    posted: dict[str, tuple[int, ...]]  # the busiest topics -> posted per day
    other: tuple[int, ...]  # posted per day in every other topic
    replied: tuple[int, ...]  # replies per day, all topics shown
    attention: tuple[tuple[str, float, float], ...]  # (name, share now, share before) 0..1
    title: str


def chart_data(store: Store, digest: Digest) -> ChartData:
    """Gather the chart's figures for a digest: per-day activity comes from the store."""
    period = digest.period
    topic_id = None
    if digest.topic is not None:
        row = store.topic_by_name(digest.topic)
        topic_id = int(row.id) if row is not None else -1
    # Whole UTC days, as the labels name them: a post made on 11-30 is drawn on 11-30,
    # and the axis runs to the day the period ends in (for `7d`: eight days, two partial).
    start = datetime.fromtimestamp(period.since, UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    day0 = start.timestamp()
    rows = store.daily_activity(period.since, period.until, topic_id, day0=day0)
    n_days = max(1, math.ceil((period.until - day0) / 86400))
    days = tuple((start + timedelta(days=i)).strftime("%m-%d") for i in range(n_days))
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r.topic] += int(r.posted)
    shown = [t for t, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TOPICS]]
    posted = {t: [0] * n_days for t in shown}
    other = [0] * n_days
    replied = [0] * n_days
    for r in rows:
        day = min(max(int(r.day), 0), n_days - 1)
        posted.get(r.topic, other)[day] += int(r.posted)
        replied[day] += int(r.replied or 0)
    attention = tuple((a.entity, a.share or 0.0, a.previous_share or 0.0) for a in digest.attention)
    scope = f" · {digest.topic}" if digest.topic else ""
    return ChartData(
        days=days,
        posted={k: tuple(v) for k, v in posted.items()},
        other=tuple(other),
        replied=tuple(replied),
        attention=attention,
        title=f"Hark digest — {period.label}{scope}",
    )


def render_chart(data: ChartData) -> bytes:
    """The chart as PNG bytes (1000 x 640 px)."""
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor=CARD)
    # Legends sit right of the plots, never over the bars.
    grid = fig.add_gridspec(
        2, 1, height_ratios=(3, 2), hspace=0.45, left=0.13, right=0.8, top=0.9, bottom=0.09
    )
    _activity(fig.add_subplot(grid[0]), data)
    _attention(fig.add_subplot(grid[1]), data)
    fig.suptitle(_label(data.title, 90), color=INK, fontsize=13, fontweight="bold")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor=CARD)
    return buffer.getvalue()


def _activity(ax, data: ChartData) -> None:
    _style(ax)
    x = range(len(data.days))
    bottom = [0] * len(data.days)
    series = [
        (_label(t, 24), v, PALETTE[i % len(PALETTE)])
        for i, (t, v) in enumerate(data.posted.items())
    ]
    if any(data.other):
        series.append(("other topics", data.other, OTHER))
    for label, values, colour in series:
        ax.bar(x, values, bottom=bottom, color=colour, label=label, width=0.8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.plot(x, data.replied, color=INK, marker="o", markersize=3, linewidth=1.5, label="replied")
    ax.set_title("Conversations posted per day, by topic, and replies", color=INK, loc="left")
    step = max(1, len(data.days) // 12)
    ax.set_xticks(list(x)[::step], data.days[::step])
    ax.set_xlim(-0.6, len(data.days) - 0.4)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # conversations come whole
    if not any(bottom) and not any(data.replied):
        ax.text(
            0.5,
            0.5,
            "No conversations in this period",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=INK,
        )
    else:
        ax.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, labelcolor=INK
        )


def _attention(ax, data: ChartData) -> None:
    _style(ax)
    ax.set_title("Share of attention: posts mentioning each name", color=INK, loc="left")
    if not data.attention or not any(now or before for _, now, before in data.attention):
        ax.set_yticks([])
        ax.set_xticks([])
        message = (
            "No mentions in this period"
            if data.attention
            else "Set company and competitors in the config to compare mentions"
        )
        ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color=INK)
        return
    names = [_label(name, 24) for name, _, _ in data.attention]
    y = range(len(names))
    ax.barh(
        [i + 0.2 for i in y],
        [b * 100 for _, _, b in data.attention],
        height=0.4,
        color=OTHER,
        label="previous period",
    )
    ax.barh(
        [i - 0.2 for i in y],
        [n * 100 for _, n, _ in data.attention],
        height=0.4,
        color=PALETTE[0],
        label="this period",
    )
    for i, (_, now, _) in enumerate(data.attention):
        ax.text(now * 100 + 1, i - 0.2, f"{now:.0%}", va="center", color=INK, fontsize=8)
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel("% of company and competitor mentions", color=INK)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        labels[::-1],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        frameon=False,
        labelcolor=INK,
    )


def _style(ax) -> None:
    ax.set_facecolor(CARD)
    ax.tick_params(colors=INK, labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(INK)


def _label(text: str, limit: int) -> str:
    """Chart text from names people typed: cut, and ``$`` kept from starting mathtext."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("$", r"\$")

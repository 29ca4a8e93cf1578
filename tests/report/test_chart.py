"""The digest chart: a real PNG, the right size, with something drawn on it."""

from __future__ import annotations

import io

import numpy
import pytest
from PIL import Image

from bot.report.chart import ChartData, chart_data, render_chart
from bot.report.periods import parse_period
from tests.support.digest_world import CONFIG, NOW, World, build_world, digest


def _image(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def _inked(image: Image.Image) -> float:
    """Share of pixels that are not the white card."""
    pixels = numpy.asarray(image)
    return float((pixels != 255).any(axis=2).mean())


def test_chart_of_a_week_shows_topics_replies_and_attention(harness_factory):
    w = build_world(harness_factory(config=CONFIG))
    d = digest(w)
    data = chart_data(w.store, d)
    assert data.days == ("03-09", "03-10", "03-11", "03-12", "03-13", "03-14", "03-15")
    # Posted per day (conversations created that day and sent), busiest topics first.
    assert data.posted == {
        "billing": (0, 1, 1, 0, 1, 1, 0),
        "kubernetes": (1, 1, 1, 1, 0, 0, 0),
    }
    assert data.replied == (1, 1, 0, 0, 0, 1, 0)
    assert data.other == (0,) * 7
    assert [name for name, _, _ in data.attention] == ["Acme", "Globex", "Initech"]
    image = _image(render_chart(data))
    assert image.size == (1000, 640)
    assert image.getpixel((2, 2)) == (255, 255, 255)  # its own white card, any Slack theme
    assert 0.02 < _inked(image) < 0.6  # bars, lines and words; not blank, not a smear
    colours = {image.getpixel((x, y)) for x in range(0, 1000, 7) for y in range(0, 640, 7)}
    assert (0, 114, 178) in colours  # the first topic's bars (and this period's share)


def test_busy_topics_beyond_five_are_grouped(harness_factory):
    topics = "\n".join(f"  - {{name: t{i}, query: 'w{i}', channel: C0T{i}}}" for i in range(7))
    w = World(harness_factory(config=CONFIG.replace("topics:\n", f"topics:\n{topics}\n")))
    for i in range(7):
        for _ in range(7 - i):  # t0 busiest ... t6 quietest
            w.conversation(f"t{i}", NOW - 3600)
    w.at(NOW)
    data = chart_data(w.store, digest(w, "1d"))
    assert list(data.posted) == ["t0", "t1", "t2", "t3", "t4"]
    assert data.other == (2 + 1,)
    assert _inked(_image(render_chart(data))) > 0.02


@pytest.mark.parametrize(
    "attention", [(), (("Acme", 0.0, 0.0),), (("$x$ \\frac{", 0.5, 0.2), ("B", 0.5, 0.8))]
)
def test_empty_and_odd_charts_still_render(attention):
    data = ChartData(
        days=("01-01",),
        posted={},
        other=(0,),
        replied=(0,),
        attention=attention,
        title="Hark digest — $today$",
    )
    image = _image(render_chart(data))
    assert image.size == (1000, 640)
    assert _inked(image) > 0.005  # titles and "No conversations" are drawn


def test_chart_for_one_topic(harness_factory):
    w = build_world(harness_factory(config=CONFIG))
    d = digest(w, "7d", "billing")
    data = chart_data(w.store, d)
    assert list(data.posted) == ["billing"] and sum(data.posted["billing"]) == 4
    assert data.title == "Hark digest — last 7 days · billing"
    assert parse_period("7d", NOW).since == d.period.since


def test_posts_are_drawn_on_their_utc_day_and_counts_are_whole(harness_factory):
    """A post made on 11-30 was drawn on 11-29 (days counted from `7d`'s start, 09:00, not
    from midnight), the axis ended the day before, and the y-axis counted in halves."""
    from matplotlib.figure import Figure

    from bot.report import chart
    from bot.report.digest import build_digest

    w = World(harness_factory(config=CONFIG))
    now = NOW + 9 * 3600  # Monday 09:00
    w.conversation("kubernetes", NOW + 8 * 3600)  # Monday 08:00
    w.conversation("kubernetes", NOW - 2 * 86400 + 10 * 3600)  # Saturday 10:00
    w.at(now)
    d = build_digest(w.store, parse_period("7d", now), None, company="Acme", competitors=())
    data = chart_data(w.store, d)
    assert data.days[0] == "03-09" and data.days[-1] == "03-16" and len(data.days) == 8
    assert data.posted["kubernetes"] == (0, 0, 0, 0, 0, 1, 0, 1)
    ax = Figure().add_subplot()
    chart._activity(ax, data)
    ticks = [t for t in ax.get_yticks() if 0 <= t <= ax.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks

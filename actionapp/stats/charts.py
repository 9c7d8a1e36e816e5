"""Charts drawn on the server as SVG (pygal) and embedded as images: no script ever runs."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

# No script runs in an SVG shown through <img>; it is removed anyway, with the comments.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#555555",
    colors=("#0b4f9c", "#c77700", "#2e7d32", "#b00020", "#6a1b9a"),
    font_family="system-ui, 'Noto Sans', 'Noto Sans CJK SC', sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    title_font_size=14,
)


def _data_uri(svg: str) -> str:
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _config(**overrides) -> dict:
    config = {
        "style": STYLE,
        "disable_xml_declaration": True,
        "js": [],
        "show_legend": False,
        "width": 800,
        "height": 320,
        "print_values": False,
        "tooltip_fancy_mode": False,
        "truncate_label": -1,  # full labels: "Reported from events", not "Reported from ev…"
    }
    config.update(overrides)
    return config


def _count_ticks(values: Sequence[int]) -> list[int]:
    """Return whole-number ticks up to the largest count, at most about ten, on a 1-2-5 step."""
    top = max([*values, 1])
    step = 1
    # Counts are whole letters: pygal's own ticks would say "0.2" below 10.
    while top > 10 * step:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return list(range(0, top + step, step))


def bar_chart(labels: Sequence[str], values: Sequence[int], horizontal: bool = False) -> str:
    """Return a bar chart as an image data URI."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(160, 28 * len(values) + 60) if horizontal else 320
    chart = chart_class(**_config(height=height, print_values=horizontal))
    chart.x_labels = list(labels)
    chart.y_labels = _count_ticks(values)
    chart.add("", list(values))
    return _data_uri(chart.render(is_unicode=True))


def day_chart(labels: Sequence[str], values: Sequence[int]) -> str:
    """Return letters per day as a bar chart with a readable number of date labels."""
    every = max(1, len(labels) // 12)
    chart = pygal.Bar(
        **_config(
            x_label_rotation=30,
            show_minor_x_labels=False,
            x_labels_major_every=every,
        )
    )
    chart.x_labels = list(labels)
    chart.y_labels = _count_ticks(values)
    chart.add("", list(values))
    return _data_uri(chart.render(is_unicode=True))


def sparkline(values: Sequence[int]) -> str:
    """Return a tiny line of values (the dashboard's 30 days) as an image data URI."""
    chart = pygal.Line(**_config(width=180, height=40, show_dots=False, fill=True))
    chart.add("", list(values))
    return _data_uri(chart.render_sparkline(is_unicode=True))

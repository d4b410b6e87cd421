"""Charts drawn on the server as SVG.

They need no JavaScript and no network, print as they look, and carry a
title and a text description (role="img", aria-labelledby) so a screen
reader announces what the chart says. Every page that draws one also shows
the same numbers as a table, so nothing is only in the picture.

Colours never carry meaning alone: each series also has its own dash
pattern and marker shape.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT = 15
PALETTE = [
    # colour, dash pattern, marker shape
    ("#0b4f8a", "", "circle"),
    ("#b3541e", "8 4", "square"),
    ("#5f3dc4", "2 4", "triangle"),
    ("#2b8a3e", "12 4 2 4", "diamond"),
    ("#495057", "4 2", "circle"),
]
INK = "#1d2433"
MUTED = "#4a5468"
GRID = "#d5dae3"
# The dash of a series drawn dashed whose style has no dash of its own, such as a projection continuing a solid line.
CONTINUATION_DASH = "6 5"


def number(value: float | None, digits: int = 2) -> str:
    """A value for a label: thousands separated, no trailing zeros."""
    if value is None:
        return "–"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text


def short_number(value: float) -> str:
    """A compact axis label: 12k, 1.5M."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    if magnitude >= 10_000:
        return f"{value / 1_000:.3g}k"
    return number(value)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high, about count of them."""
    if high == low:
        high = low + 1 if low == 0 else low + abs(low) * 0.5
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 20:
            break
    return ticks


@dataclass
class Series:
    name: str
    points: list[tuple[float, float]]  # (x, y), x is usually a year
    style: int = 0
    dashed: bool | None = None  # None: the style's own pattern; True dashes even a solid style
    show_markers: bool = True


@dataclass
class Marker:
    """One labelled point, such as the baseline or the target."""

    label: str
    x: float
    y: float
    shape: str = "diamond"
    colour: str = INK


@dataclass
class Chart:
    """What every chart has: an id (unique on its page), a title and a description."""

    chart_id: str
    title: str
    description: str
    width: int = 640
    height: int = 320
    parts: list[str] = field(default_factory=list)

    def render(self) -> SafeString:
        title_id, desc_id = f"{self.chart_id}-title", f"{self.chart_id}-desc"
        body = "".join(self.parts)
        return mark_safe(  # noqa: S308 - every piece of text below goes through escape()
            f'<svg class="chart" id="{escape(self.chart_id)}" role="img" '
            f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" preserveAspectRatio="xMidYMid meet" '
            f'font-family="system-ui, sans-serif" font-size="{FONT}">'
            f'<title id="{escape(title_id)}">{escape(self.title)}</title>'
            f'<desc id="{escape(desc_id)}">{escape(self.description)}</desc>'
            f'<g aria-hidden="true">{body}</g></svg>'
        )

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def text(self, x: float, y: float, content: str, *, anchor: str = "start", colour: str = INK,
             size: int | None = None, weight: str = "normal") -> None:
        size_attr = f' font-size="{size}"' if size else ""
        weight_attr = f' font-weight="{weight}"' if weight != "normal" else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}"{size_attr}{weight_attr}>'
                 f"{escape(content)}</text>")


def _marker(shape: str, x: float, y: float, colour: str, size: float = 4.5, title: str = "") -> str:
    inner = f"<title>{escape(title)}</title>" if title else ""
    if shape == "square":
        return (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" '
                f'fill="{colour}">{inner}</rect>')
    if shape == "triangle":
        points = f"{x:.1f},{y - size * 1.2:.1f} {x - size * 1.1:.1f},{y + size:.1f} {x + size * 1.1:.1f},{y + size:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{inner}</polygon>'
    if shape == "diamond":
        s = size * 1.4
        points = f"{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}" stroke="#fff" stroke-width="1">{inner}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}">{inner}</circle>'


def _x_labels(xs: Sequence[float], room: float) -> list[float]:
    """Which x values get a label, so labels never overlap."""
    xs = sorted(set(xs))
    if not xs:
        return []
    most = max(int(room // (FONT * 3.2)), 2)
    step = max(1, math.ceil(len(xs) / most))
    chosen = xs[::step]
    if xs[-1] not in chosen:
        chosen[-1] = xs[-1]
    return chosen


def _dash(dash: str, dashed: bool | None) -> str:
    """The dash pattern a series is drawn with: its style's own, none when it asks to be solid, and the
    continuation's when it asks to be dashed in a solid style."""
    if dashed is None:
        return dash
    return (dash or CONTINUATION_DASH) if dashed else ""


def _legend(chart: Chart, entries: list[tuple[str, int, bool]], x: float, y: float, right: float) -> float:
    """Swatches with names, wrapping to new lines; returns the height used."""
    cursor, line = x, 0
    for name, style, dashed in entries:
        colour, dash, shape = PALETTE[style % len(PALETTE)]
        width = 30 + len(name) * FONT * 0.55 + 18
        if cursor + width > right and cursor > x:
            cursor, line = x, line + 1
        top = y + line * (FONT + 8)
        dash_attr = f' stroke-dasharray="{_dash(dash, dashed)}"' if _dash(dash, dashed) else ""
        chart.add(f'<line x1="{cursor:.1f}" y1="{top - 5:.1f}" x2="{cursor + 24:.1f}" y2="{top - 5:.1f}" '
                  f'stroke="{colour}" stroke-width="3"{dash_attr}/>')
        chart.add(_marker(shape, cursor + 12, top - 5, colour, 3.5))
        chart.text(cursor + 30, top, name)
        cursor += width
    return (line + 1) * (FONT + 8)


def line_chart(*, chart_id: str, title: str, description: str, series: list[Series], y_label: str = "",
               markers: Iterable[Marker] = (), today: float | None = None, today_label: str = "",
               y_from_zero: bool = True, width: int = 640, height: int = 340) -> SafeString:
    """Lines over years, with optional labelled markers and a vertical line for a chosen year."""
    chart = Chart(chart_id, title, description, width, height)
    markers = list(markers)
    xs = [x for s in series for x, _y in s.points] + [m.x for m in markers]
    ys = [y for s in series for _x, y in s.points] + [m.y for m in markers]
    if today is not None:
        xs.append(today)
    if not xs or not ys:
        chart.text(width / 2, height / 2, _("No data yet."), anchor="middle", colour=MUTED)
        return chart.render()
    left, right, bottom = 64, width - 20, height - 36
    top = 14
    legend_entries = [(s.name, s.style, s.dashed) for s in series if len(series) > 1 or markers]
    if legend_entries:
        top += _legend(chart, legend_entries, left, top + FONT, right) + 6
    low, high = min(ys), max(ys)
    if y_from_zero and low >= 0:
        low = 0
    ticks = nice_ticks(low, high)
    y_min, y_max = ticks[0], ticks[-1]
    x_min, x_max = min(xs), max(xs)
    if x_min == x_max:
        x_min, x_max = x_min - 1, x_max + 1
    pad = (right - left) * 0.03

    def sx(x):
        return left + pad + (x - x_min) / (x_max - x_min) * (right - left - 2 * pad)

    def sy(y):
        return bottom - (y - y_min) / ((y_max - y_min) or 1) * (bottom - top)

    for tick in ticks:
        chart.add(f'<line x1="{left}" x2="{right}" y1="{sy(tick):.1f}" y2="{sy(tick):.1f}" stroke="{GRID}"/>')
        chart.text(left - 6, sy(tick) + 5, short_number(tick), anchor="end", colour=MUTED)
    if y_label:
        chart.text(12, (top + bottom) / 2, y_label, anchor="middle", colour=MUTED, size=13)
        chart.parts[-1] = chart.parts[-1].replace(
            "<text ", f'<text transform="rotate(-90 12 {(top + bottom) / 2:.1f})" ', 1)
    chart.add(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>')
    for x in _x_labels([x for x in xs if float(x).is_integer()], right - left):
        chart.add(f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{bottom}" y2="{bottom + 5}" stroke="{MUTED}"/>')
        chart.text(sx(x), bottom + 22, f"{int(x)}", anchor="middle", colour=MUTED)
    if today is not None:
        chart.add(f'<line x1="{sx(today):.1f}" x2="{sx(today):.1f}" y1="{top}" y2="{bottom}" stroke="{INK}" '
                  f'stroke-dasharray="3 3"/>')
        if today_label:
            anchor = "end" if sx(today) > (left + right) / 2 else "start"
            offset = -4 if anchor == "end" else 4
            chart.text(sx(today) + offset, top + 14, today_label, anchor=anchor, size=13)
    for s in series:
        colour, dash, shape = PALETTE[s.style % len(PALETTE)]
        points = sorted(s.points)
        if not points:
            continue
        use_dash = _dash(dash, s.dashed)
        dash_attr = f' stroke-dasharray="{use_dash}"' if use_dash else ""
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        chart.add(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        if s.show_markers:
            for x, y in points:
                chart.add(_marker(shape, sx(x), sy(y), colour, title=f"{s.name}, {x:g}: {number(y)}"))  # x is a year
    for m in markers:
        chart.add(_marker(m.shape, sx(m.x), sy(m.y), m.colour, 6, title=m.label))
        anchor = "end" if sx(m.x) > (left + right) / 2 else "start"
        offset = -10 if anchor == "end" else 10
        chart.text(sx(m.x) + offset, sy(m.y) - 8, m.label, anchor=anchor, size=13, weight="bold")
    return chart.render()


def bar_chart(*, chart_id: str, title: str, description: str, categories: list[str],
              series: list[tuple[str, list[float]]], stacked: bool = False, width: int = 640,
              height: int = 340) -> SafeString:
    """Vertical bars per category (usually a year), grouped or stacked by series."""
    chart = Chart(chart_id, title, description, width, height)
    if not categories:
        chart.text(width / 2, height / 2, _("No data yet."), anchor="middle", colour=MUTED)
        return chart.render()
    left, right, bottom, top = 64, width - 20, height - 36, 14
    if len(series) > 1:
        top += _legend(chart, [(name, i, False) for i, (name, _v) in enumerate(series)], left, top + FONT, right) + 6
    if stacked:
        high = max(sum(values[i] or 0 for _n, values in series) for i in range(len(categories)))
    else:
        high = max((v or 0) for _n, values in series for v in values)
    ticks = nice_ticks(0, high)
    y_max = ticks[-1] or 1

    def sy(y):
        return bottom - y / y_max * (bottom - top)

    for tick in ticks:
        chart.add(f'<line x1="{left}" x2="{right}" y1="{sy(tick):.1f}" y2="{sy(tick):.1f}" stroke="{GRID}"/>')
        chart.text(left - 6, sy(tick) + 5, short_number(tick), anchor="end", colour=MUTED)
    band = (right - left) / len(categories)
    inner = band * 0.8
    bar = inner if stacked else inner / max(len(series), 1)
    labelled = set(_x_labels(range(len(categories)), right - left))
    for i, category in enumerate(categories):
        x0 = left + band * i + band * 0.1
        base = 0.0
        for j, (name, values) in enumerate(series):
            value = values[i] or 0
            colour = PALETTE[j % len(PALETTE)][0]
            x = x0 if stacked else x0 + bar * j
            y_top, y_bottom = (sy(base + value), sy(base)) if stacked else (sy(value), sy(0))
            chart.add(f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{max(bar - 1, 1):.1f}" '
                      f'height="{max(y_bottom - y_top, 0):.1f}" fill="{colour}">'
                      f"<title>{escape(f'{category}, {name}: {number(value)}')}</title></rect>")
            if stacked:
                base += value
        if i in labelled:
            chart.text(x0 + inner / 2, bottom + 22, category, anchor="middle", colour=MUTED)
    chart.add(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>')
    return chart.render()


def horizontal_bar_chart(*, chart_id: str, title: str, description: str, rows: list[tuple[str, float]],
                         width: int = 640, label_width: int = 250) -> SafeString:
    """One bar per row, largest first as given: for rankings such as the largest corridors."""
    row_height = 28
    height = max(len(rows), 1) * row_height + 20
    chart = Chart(chart_id, title, description, width, height)
    if not rows:
        chart.text(width / 2, height / 2, _("No data yet."), anchor="middle", colour=MUTED)
        return chart.render()
    high = max(value for _label, value in rows) or 1
    room = width - label_width - 80
    for i, (label, value) in enumerate(rows):
        y = 10 + i * row_height
        shown = label if len(label) <= 30 else label[:29] + "…"
        chart.text(label_width - 8, y + 18, shown, anchor="end")
        length = max(value / high * room, 1)
        chart.add(f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row_height - 8}" '
                  f'fill="{PALETTE[0][0]}"><title>{escape(f"{label}: {number(value)}")}</title></rect>')
        chart.text(label_width + length + 6, y + 18, number(value), colour=MUTED)
    return chart.render()


def sparkline(*, chart_id: str, title: str, description: str, points: list[tuple[float, float]],
              colour: str = PALETTE[0][0], width: int = 120, height: int = 32) -> SafeString:
    """A small trend line for a table cell: no axes, the last value marked."""
    chart = Chart(chart_id, title, description, width, height)
    points = sorted(points)
    if len(points) < 2:
        chart.add(f'<line x1="4" x2="{width - 4}" y1="{height / 2}" y2="{height / 2}" stroke="{GRID}" '
                  f'stroke-dasharray="3 3"/>')
        return chart.render()
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    low, high = min(ys), max(ys)
    span_x, span_y = (max(xs) - min(xs)) or 1, (high - low) or 1

    def sx(x):
        return 4 + (x - min(xs)) / span_x * (width - 8)

    def sy(y):
        return height - 4 - (y - low) / span_y * (height - 8)

    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
    chart.add(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    chart.add(_marker("circle", sx(xs[-1]), sy(ys[-1]), colour, 3))
    return chart.render()


def timeline(*, chart_id: str, title: str, description: str, start: int, end: int, today: float,
             today_label: str, width: int = 640, height: int = 78) -> SafeString:
    """The strategy's years on a line, the part already behind us filled, today marked."""
    chart = Chart(chart_id, title, description, width, height)
    left, right, y = 24, width - 24, 44

    def sx(x):
        return left + (x - start) / ((end + 1) - start) * (right - left)

    done = min(max(today, start), end + 1)
    chart.add(f'<rect x="{left}" y="{y - 6}" width="{right - left}" height="12" rx="6" fill="{GRID}"/>')
    chart.add(f'<rect x="{left}" y="{y - 6}" width="{sx(done) - left:.1f}" height="12" rx="6" '
              f'fill="{PALETTE[0][0]}"/>')
    for year in range(start, end + 1):
        chart.text(sx(year + 0.5), y + 28, str(year), anchor="middle", colour=MUTED, size=13)
    chart.add(f'<line x1="{sx(done):.1f}" x2="{sx(done):.1f}" y1="{y - 16}" y2="{y + 12}" stroke="{INK}" '
              f'stroke-width="2"/>')
    anchor = "end" if sx(done) > (left + right) / 2 else "start"
    chart.text(sx(done) + (-6 if anchor == "end" else 6), y - 18, today_label, anchor=anchor, size=13,
               weight="bold")
    return chart.render()


def status_bar(*, chart_id: str, title: str, description: str, segments: list[tuple[str, int, str]],
               width: int = 640, height: int = 36) -> SafeString:
    """One bar split by status: segments are (label, count, CSS colour)."""
    chart = Chart(chart_id, title, description, width, height)
    total = sum(count for _label, count, _colour in segments) or 1
    x = 0.0
    for label, count, colour in segments:
        if not count:
            continue
        w = count / total * width
        chart.add(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" style="fill: {colour}">'
                  f"<title>{escape(f'{label}: {count}')}</title></rect>")
        x += w
    return chart.render()

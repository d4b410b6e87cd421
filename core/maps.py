"""Maps drawn on the server as SVG: a choropleth of the partners, and where a partner's participants go.

Like the charts, a map needs no JavaScript and no network, carries a title and a description for screen readers,
and is shown beside a table giving every value it colours (templates/includes/map.html draws both). The shapes are
Natural Earth's (public domain), simplified and shipped in core/data/shapes.json (scripts/build_shapes.py builds
it); they are projected once per process and rounded to a tenth of a pixel, so a map weighs tens of kilobytes.

Colours come from one sequential palette of five classes, light to dark, that readers with any common colour
blindness can order (viridis); a partner with no value is grey with diagonal hatching, so "no report" never reads as
a low value. The EU and the ASEAN Secretariat, which are not countries, are labelled boxes beside the map, coloured
like the rest.
"""

import itertools
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.charts import FONT, INK, MUTED, number

SHAPES = Path(__file__).resolve().parent / "data" / "shapes.json"
WIDTH = 960
PALETTE = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]  # viridis, light to dark
NO_VALUE = "#c9ced6"
BACKDROP = "#eef0f3"
EDGE = "#ffffff"
ORGANISATIONS = ("EU", "ASEAN")  # drawn as boxes under the map, named as the rows name them
SMALL = 7.0  # a country narrower and shorter than this many pixels also gets a dot, so its colour shows


def _miller(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    return math.radians(lon), -1.25 * math.log(math.tan(math.pi / 4 + 0.4 * math.radians(lat)))


@dataclass(frozen=True)
class Geometry:
    """The shapes in the map's pixels: a path and a label point per partner, the backdrop's path, the map's size."""

    paths: dict[str, str]
    points: dict[str, tuple[float, float]]
    small: frozenset[str]
    backdrop: str
    height: int
    lonlat: dict[str, list[list[float]]]


@lru_cache(maxsize=1)
def geometry() -> Geometry:
    data = json.loads(SHAPES.read_text())
    west, south, east, north = data["view"]
    x0, y0 = _miller(west, north)
    x1, y1 = _miller(east, south)
    scale = WIDTH / (x1 - x0)

    def project(ring: list[float]) -> list[tuple[float, float]]:
        points = []
        for lon, lat in zip(ring[::2], ring[1::2], strict=False):
            x, y = _miller(lon, lat)
            point = (round((x - x0) * scale, 1), round((y - y0) * scale, 1))
            if not points or point != points[-1]:
                points.append(point)
        return points

    paths, points, small = {}, {}, set()
    for code, rings in data["partners"].items():
        projected = [project(ring) for ring in rings]
        paths[code] = "".join(_path(ring) for ring in projected)
        largest = max(projected, key=_area)
        points[code] = _centroid(largest)
        xs = [x for ring in projected for x, _y in ring]
        ys = [y for ring in projected for _x, y in ring]
        if max(xs) - min(xs) < SMALL and max(ys) - min(ys) < SMALL:
            small.add(code)
    backdrop = "".join(_path(project(ring)) for ring in data["backdrop"])
    return Geometry(paths=paths, points=points, small=frozenset(small), backdrop=backdrop,
                    height=math.ceil((y1 - y0) * scale), lonlat=data["partners"])


def _path(ring: list[tuple[float, float]]) -> str:
    """A closed ring in relative moves, the shortest SVG path text: m10.5 20.1 1.2-3 ...z."""
    if len(ring) < 3:
        return ""
    parts = [f"M{_n(ring[0][0])} {_n(ring[0][1])}"]
    for (ax, ay), (bx, by) in itertools.pairwise(ring):
        dx, dy = _n(bx - ax), _n(by - ay)
        parts.append(f"{dx}{dy}" if dy.startswith("-") else f"{dx} {dy}")
    joined = parts[0] + "l" + " ".join(parts[1:]).replace(" -", "-") if len(parts) > 1 else parts[0]
    return joined + "z"


def _n(value: float) -> str:
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return text


def _area(ring) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False))) / 2


def _centroid(ring) -> tuple[float, float]:
    total = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False):
        cross = x1 * y2 - x2 * y1
        total += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not total:
        return ring[0]
    return round(cx / (3 * total), 1), round(cy / (3 * total), 1)


# Classes ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Class:
    colour: str
    low: float
    high: float
    label: str


def classes(values: list[float], *, count: int = 5, decimals: int = 2) -> list[Class]:
    """Up to count classes holding about as many partners each (quantiles), lowest first."""
    distinct = sorted(set(values))
    if not distinct:
        return []
    count = min(count, len(distinct))
    ordered = sorted(values)
    edges = [distinct[0]]
    for i in range(1, count):
        edge = ordered[min(len(ordered) - 1, round(i * len(ordered) / count))]
        if edge > edges[-1]:
            edges.append(edge)
    edges.append(distinct[-1])
    colours = _colours(len(edges) - 1) if len(edges) > 1 else [PALETTE[2]]
    if len(edges) == 2 and edges[0] == edges[1]:
        return [Class(colours[0], edges[0], edges[0], number(edges[0], decimals))]
    result = []
    for i, colour in enumerate(colours):
        low, high = edges[i], edges[i + 1]
        label = (_("%(low)s to %(high)s") if i == len(colours) - 1 else _("%(low)s to under %(high)s")) % {
            "low": number(low, decimals), "high": number(high, decimals)}
        result.append(Class(colour, low, high, label))
    return result


def _colours(count: int) -> list[str]:
    """count colours spread over the palette, so two classes are far apart and not two neighbours."""
    if count >= len(PALETTE):
        return PALETTE[:count]
    return [PALETTE[round(i * (len(PALETTE) - 1) / max(count - 1, 1))] for i in range(count)]


def class_of(value: float | None, scale: list[Class]) -> Class | None:
    if value is None or not scale:
        return None
    for item in scale:
        if value < item.high:
            return item
    return scale[-1]


# The map itself --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One partner's line in the table beside the map: what the map colours it by and how."""

    code: str
    name: str
    value: float | None
    shown: str
    colour: str
    class_label: str
    extra: tuple[str, ...] = ()


@dataclass
class Map:
    """A map ready for includes/map.html: the SVG, the legend's classes and the table's rows."""

    map_id: str
    title: str
    description: str
    value_label: str
    scale: list[Class]
    rows: list[Row]
    extra_labels: tuple[str, ...] = ()
    arcs: list[tuple[str, str, float]] = field(default_factory=list)
    focus: str | None = None
    none_label: str = ""  # what a partner with no value is called in the legend: "no report" unless said

    @property
    def reported(self) -> int:
        return sum(1 for row in self.rows if row.value is not None)

    @property
    def svg(self) -> SafeString:
        return _render(self)


def choropleth(*, map_id: str, title: str, description: str, value_label: str, names: dict[str, str],
               values: dict[str, float | None], decimals: int = 2, unit: str = "") -> Map:
    """Every partner in names coloured by its value in values, by quantile class; a partner not in values is grey."""
    scale = classes([v for v in values.values() if v is not None], decimals=decimals)
    rows = []
    for code, name in sorted(names.items(), key=lambda item: item[1]):
        value = values.get(code)
        item = class_of(value, scale)
        shown = number(value, decimals) + (f" {unit}" if unit and value is not None else "")
        rows.append(Row(code=code, name=name, value=value, shown=shown if value is not None else _("no report"),
                        colour=item.colour if item else NO_VALUE, class_label=item.label if item else ""))
    return Map(map_id=map_id, title=title, description=description, value_label=value_label, scale=scale, rows=rows)


def flow_map(*, map_id: str, title: str, description: str, names: dict[str, str],
             flows: list[tuple[str, str, float]], focus: str | None = None, arcs: int = 8) -> Map:
    """Where participants come from and go to: each partner coloured by the participants it sent and received.

    flows are (origin code, destination code, participants). With a focus, only its flows count and each other
    partner is coloured by what it exchanged with the focus; the largest routes are drawn as arrows either way.
    """
    sent: dict[str, float] = {}
    received: dict[str, float] = {}
    routes: dict[tuple[str, str], float] = {}
    for origin, destination, count in flows:
        if focus and focus not in (origin, destination):
            continue
        if not count or origin == destination:
            continue
        sent[origin] = sent.get(origin, 0) + count
        received[destination] = received.get(destination, 0) + count
        routes[origin, destination] = routes.get((origin, destination), 0) + count
    totals = {code: sent.get(code, 0) + received.get(code, 0) for code in set(sent) | set(received)
              if code != focus}
    scale = classes(list(totals.values()), decimals=0)
    rows = []
    for code, name in sorted(names.items(), key=lambda item: item[1]):
        if code == focus:
            continue
        value = totals.get(code)
        item = class_of(value, scale)
        rows.append(Row(code=code, name=name, value=value, shown=number(value, 0) if value is not None else "–",
                        colour=item.colour if item else NO_VALUE, class_label=item.label if item else "",
                        extra=(number(sent.get(code, 0), 0), number(received.get(code, 0), 0))))
    if focus:
        labels = (_("From %(name)s") % {"name": names.get(focus, focus)},
                  _("To %(name)s") % {"name": names.get(focus, focus)})
        # A row's "sent" went to the focus and its "received" came from it: say so from the focus's side.
        rows = [Row(r.code, r.name, r.value, r.shown, r.colour, r.class_label, (r.extra[1], r.extra[0]))
                for r in rows]
    else:
        labels = (_("Sent"), _("Received"))
    largest = sorted(routes.items(), key=lambda item: (-item[1], item[0]))[:arcs]
    return Map(map_id=map_id, title=title, description=description, value_label=_("Participants"), scale=scale,
               rows=rows, extra_labels=labels, arcs=[(o, d, c) for (o, d), c in largest], focus=focus,
               none_label=_("no participants"))


def _render(chart: Map) -> SafeString:
    shapes = geometry()
    mid = escape(chart.map_id)
    hatch = f"{mid}-none"
    arrow = f"{mid}-arrow"
    colours = {row.code: row.colour for row in chart.rows}
    names = {row.code: row.name for row in chart.rows}
    parts = [
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{NO_VALUE}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#8a93a3" stroke-width="2"/></pattern>'
        f'<marker id="{arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" '
        f'orient="auto-start-reverse"><path d="M0 0 10 5 0 10z" fill="{INK}"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{shapes.height}" fill="#f8f9fb"/>',
        f'<path d="{shapes.backdrop}" fill="{BACKDROP}" stroke="#d5dae3" stroke-width=".5"/>',
    ]

    def fill(code: str) -> str:
        colour = colours.get(code, NO_VALUE)
        return f"url(#{hatch})" if colour == NO_VALUE else colour

    for code, path in shapes.paths.items():
        outline = ' stroke="#1d2433" stroke-width="2"' if code == chart.focus else ""
        parts.append(f'<path d="{path}" fill="{fill(code)}"{outline}><title>{escape(names.get(code, code))}'
                     f"</title></path>")
    for code in sorted(shapes.small):
        x, y = shapes.points[code]
        parts.append(f'<circle cx="{x}" cy="{y}" r="4" fill="{fill(code)}" stroke="{INK}" stroke-width=".8"/>')
    if chart.arcs:
        biggest = max(count for _o, _d, count in chart.arcs)
        for origin, destination, count in chart.arcs:
            if origin not in shapes.points or destination not in shapes.points:
                continue
            (ax, ay), (bx, by) = shapes.points[origin], shapes.points[destination]
            cx, cy = (ax + bx) / 2 - (by - ay) * 0.2, (ay + by) / 2 + (bx - ax) * 0.2
            width = 1.2 + 3.5 * count / biggest
            parts.append(f'<path d="M{ax} {ay}Q{cx:.1f} {cy:.1f} {bx} {by}" fill="none" stroke="{INK}" '
                         f'stroke-opacity=".8" stroke-width="{width:.1f}" marker-end="url(#{arrow})"/>')
    band, height = _band(chart, shapes.height, fill)
    parts.append(band)
    title_id, desc_id = f"{mid}-title", f"{mid}-desc"
    return mark_safe(  # noqa: S308 - every piece of text goes through escape()
        f'<svg class="map" id="{mid}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" preserveAspectRatio="xMidYMid meet" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">'
        f'<title id="{title_id}">{escape(chart.title)}</title><desc id="{desc_id}">{escape(chart.description)}'
        f'</desc><g aria-hidden="true" stroke="{EDGE}" stroke-width=".6" stroke-linejoin="round">'
        + "".join(parts) + "</g></svg>"
    )


def _band(chart: Map, top: float, fill) -> tuple[str, int]:
    """The legend's classes and "no report", then the partners that are not countries, under the map.

    Returns the markup and the whole map's height, the band's lines wrapping at the map's width.
    """
    parts = []
    x, y = 12.0, top + 24
    entries = [(item.colour, item.label) for item in chart.scale] + [(NO_VALUE, chart.none_label or _("no report"))]
    for colour, label in entries:
        swatch = fill("") if colour == NO_VALUE else colour
        if x + 40 + len(label) * FONT * 0.55 > WIDTH and x > 12:
            x, y = 12.0, y + 28
        parts.append(f'<rect x="{x:.1f}" y="{y - 13:.1f}" width="16" height="16" fill="{swatch}" stroke="{MUTED}"/>')
        parts.append(f'<text x="{x + 22:.1f}" y="{y:.1f}" fill="{INK}" stroke="none">{escape(label)}</text>')
        x += 22 + len(label) * FONT * 0.55 + 18
    x, y = 12.0, y + 32
    names = {row.code: row.name for row in chart.rows}
    for code in ORGANISATIONS:
        if code not in names:
            continue
        name = names[code]
        outline = f' stroke="{INK}" stroke-width="2"' if code == chart.focus else f' stroke="{MUTED}"'
        parts.append(f'<rect x="{x:.1f}" y="{y - 15:.1f}" width="36" height="20" fill="{fill(code)}"{outline}/>')
        parts.append(f'<text x="{x + 44:.1f}" y="{y:.1f}" fill="{INK}" stroke="none">{escape(name)} '
                     f'{escape(_("(not a country)"))}</text>')
        x += 44 + (len(name) + 16) * FONT * 0.55 + 24
    return "".join(parts), math.ceil(y + 14)


def geojson(*, properties: dict[str, dict]) -> dict:
    """The partners as a GeoJSON FeatureCollection (longitude, latitude), each with its properties.

    A partner that is not a country (the EU, the ASEAN Secretariat) is a feature with no geometry, so tools that
    draw their own maps still find its values.
    """
    lonlat = geometry().lonlat
    features = []
    for code, props in properties.items():
        rings = lonlat.get(code)
        shape = None
        if rings:
            shape = {"type": "MultiPolygon", "coordinates": [
                [[[ring[i], ring[i + 1]] for i in range(0, len(ring), 2)] + [[ring[0], ring[1]]]]
                for ring in rings]}
        features.append({"type": "Feature", "id": code, "geometry": shape, "properties": {"code": code, **props}})
    return {"type": "FeatureCollection", "features": features}

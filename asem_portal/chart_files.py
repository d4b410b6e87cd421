"""A figure as a file to download: a standalone SVG, and a PNG drawn from it.

The page's charts and maps are SVG written for the page, which styles them: the file wraps the same SVG in one of
its own that carries everything it needs as attributes (its namespace, its fonts, a white ground), with the title
above it and, under it, where it comes from, its licence and how to cite it, and whether it shows demonstration
data, so a copy pasted into a report still says all of that. No <style> element: the portal's policy bars them, and
the attributes need none. The PNG is cairosvg's drawing of that SVG at twice its size, sharp on a high-density screen
and in print.
"""

import re
import textwrap
from html import escape

import cairosvg
from django.http import HttpResponse

from core.charts import FONT, INK, MUTED

PNG_SCALE = 2
MARGIN = 16
TITLE_SIZE = 18
NOTE_SIZE = 13
LINE = 1.45  # line height, in font sizes
CHAR = 0.55  # the width of an average character, in font sizes, to wrap lines by
BOLD_CHAR = 0.64
_VIEW_BOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def _size(svg: str) -> tuple[float, float]:
    found = _VIEW_BOX.search(svg)
    if found is None:
        raise ValueError("The figure's SVG has no viewBox to size it by.")
    return float(found.group(1)), float(found.group(2))


def _lines(text: str, *, size: int, width: float, char: float = CHAR) -> list[str]:
    return textwrap.wrap(text, width=max(int((width - 2 * MARGIN) / (size * char)), 20)) or [""]


def standalone_svg(svg: str, *, title: str, notes: list[str]) -> str:
    """The figure's SVG inside a document of its own: the title above it, the notes (source, licence) under it."""
    width, height = _size(svg)
    parts, y = [], MARGIN
    for line in _lines(title, size=TITLE_SIZE, width=width, char=BOLD_CHAR):
        y += TITLE_SIZE * LINE
        parts.append(f'<text x="{MARGIN}" y="{y - TITLE_SIZE * 0.4:.1f}" font-size="{TITLE_SIZE}" font-weight="bold" '
                     f'fill="{INK}">{escape(line)}</text>')
    top = y + MARGIN / 2
    # The figure's own <svg> nested at its place: it keeps its viewBox, its title and its description.
    parts.append(svg.replace("<svg ", f'<svg x="0" y="{top:.1f}" ', 1))
    y = top + height + MARGIN / 2
    for note in notes:
        for line in _lines(note, size=NOTE_SIZE, width=width):
            y += NOTE_SIZE * LINE
            parts.append(f'<text x="{MARGIN}" y="{y - NOTE_SIZE * 0.4:.1f}" font-size="{NOTE_SIZE}" fill="{MUTED}">'
                         f"{escape(line)}</text>")
    total = y + MARGIN
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width:g}" height="{total:.0f}" '
        f'viewBox="0 0 {width:g} {total:.0f}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" '
        f'font-size="{FONT}"><title>{escape(title)}</title>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(parts) + "</svg>\n"
    )


def png(document: str) -> bytes:
    return cairosvg.svg2png(bytestring=document.encode(), scale=PNG_SCALE)


def attachment(content: str | bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def svg_response(document: str, *, name: str) -> HttpResponse:
    return attachment(document, filename=f"{name}.svg", content_type="image/svg+xml; charset=utf-8")


def png_response(document: str, *, name: str) -> HttpResponse:
    return attachment(png(document), filename=f"{name}.png", content_type="image/png")

"""Figures for other sites: /embed/ pages to put in an iframe, and each figure as an SVG or PNG file.

An embed page is the figure alone, with its title, a link back to its page, its source, licence and citation, and
the demonstration note when it shows synthetic data: no header, no navigation. Only these pages may be framed by
another site: the views drop X-Frame-Options here, and ContentSecurityPolicyMiddleware gives every path under
/embed/ frame-ancestors * (by path, so a response replayed from the cache gets it too, and no other page can).
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from asem_portal import chart_files
from asem_portal.shareable import BUILDERS, BadParameter, Figure
from core.licence import current as current_licence

# Where each figure's embed and files live: its kind, the embed's address and the page's own, under which the files
# sit as chart.svg and chart.png (or map.svg and map.png).
FIGURES = [
    ("indicator", "embed/indicators/<str:code>/", "indicators/<str:code>/chart"),
    ("indicator-map", "embed/indicators/<str:code>/map/", "indicators/<str:code>/map"),
    ("progress", "embed/progress/", "progress/chart"),
    ("mobility", "embed/mobility/", "mobility/chart"),
    ("mobility-map", "embed/mobility/map/", "mobility/map"),
]
FILES = {"svg": chart_files.svg_response, "png": chart_files.png_response}


def _figure(request, kind: str, **kwargs) -> Figure:
    return BUILDERS[kind](params=request.GET, **kwargs)


def _bad_parameter(error: BadParameter) -> HttpResponse:
    return HttpResponse(f"{error.name}: {error.message}\n", status=400, content_type="text/plain; charset=utf-8")


@require_safe
@xframe_options_exempt
def embed(request, kind: str, **kwargs):
    try:
        figure = _figure(request, kind, **kwargs)
    except BadParameter as error:
        return render(request, "embed/bad_request.html", {"error": error}, status=400)
    return render(request, f"embed/{figure.kind}.html", {
        "figure": figure, "licence": current_licence(), "page_address": request.build_absolute_uri(figure.page_url),
    })


@require_safe
def chart_file(request, kind: str, extension: str, **kwargs):
    try:
        figure = _figure(request, kind, **kwargs)
    except BadParameter as error:
        return _bad_parameter(error)
    document = chart_files.standalone_svg(
        figure.svg, title=figure.title, notes=figure.notes(page_address=request.build_absolute_uri(figure.page_url)))
    return FILES[extension](document, name=figure.name)


urlpatterns = [
    pattern
    for kind, embed_route, file_route in FIGURES
    for pattern in (
        path(embed_route, embed, {"kind": kind}, name=f"embed-{kind}"),
        path(f"{file_route}.svg", chart_file, {"kind": kind, "extension": "svg"}, name=f"{kind}-svg"),
        path(f"{file_route}.png", chart_file, {"kind": kind, "extension": "png"}, name=f"{kind}-png"),
    )
]

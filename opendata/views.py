"""The open-data pages: the releases and how to use them, a release's download, and robots.txt. Parse, read, render."""

from django.conf import settings
from django.contrib.sitemaps import views as sitemaps
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_safe

from core import licence
from opendata import package, releases
from opendata.models import DataRelease
from opendata.sitemaps import SITEMAPS

# Never in a search engine's index: the admin, the signed-in workspace, the sign-in pages and the secretariat's
# boards of who has reported.
DISALLOWED = ("/admin/", "/workspace/", "/accounts/", "/rounds/*/board/")


@require_safe
def data(request):
    found = list(DataRelease.objects.filter(state=DataRelease.State.READY).select_related("round"))
    return render(request, "opendata/data.html", {
        "releases": found,
        "tables": package.TABLES,
        "licence": licence.current(),
        "shows_demo_data": any(release.has_demo for release in found[:1]),
    })


@require_safe
def download(request, number: int):
    release = DataRelease.objects.filter(number=number, state=DataRelease.State.READY).first()
    if release is None:
        raise Http404("No ready release has that number.")
    response = StreamingHttpResponse(releases.chunks(release), content_type="application/zip")
    response["Content-Length"] = str(release.size)
    response["Content-Disposition"] = f'attachment; filename="{package.NAME}-release-{release.number}.zip"'
    # A release never changes once ready: its checksum is its version.
    response["ETag"] = f'"{release.sha256}"'
    return response


@require_safe
def robots(request):
    lines = ["User-agent: *", "Allow: /", *(f"Disallow: {path}" for path in DISALLOWED), "",
             f"Sitemap: {settings.SITE_URL}{reverse('opendata:sitemap')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


SITEMAP_START = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                 'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')
SITEMAP_END = "\n</urlset>\n"


def _sitemap_url(url: dict) -> str:
    lastmod = url["lastmod"]
    if lastmod is None:
        return f"<url><loc>{escape(url['location'])}</loc></url>"
    day = timezone.localtime(lastmod) if timezone.is_aware(lastmod) else lastmod
    return f"<url><loc>{escape(url['location'])}</loc><lastmod>{day:%Y-%m-%d}</lastmod></url>"


@require_safe
def sitemap(request, section: str):
    """A page of one section of the sitemap: Django's sitemap view (its pages, 404s and headers), its addresses
    written as its template writes them (none of ours has a change frequency, a priority or an alternate), without
    the template engine's loop: five thousand addresses took it most of a second."""
    response = sitemaps.sitemap(request, SITEMAPS, section)
    urls = response.context_data["urlset"]
    response.content = SITEMAP_START + "".join(_sitemap_url(url) for url in urls) + SITEMAP_END
    return response

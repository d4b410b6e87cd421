"""The stocktaking report as a PDF: the page's own template, laid out for A4 by WeasyPrint.

The template is the page's (reports/stocktaking.html) with ``pdf`` set: that leaves out the period form and the
download links, adds the licence and citation to the cover and links static/css/report-pdf.css, which numbers the
pages ("Page 3 of 12") and the contents (CSS target-counter). The charts are the page's inline SVG, which WeasyPrint
writes as vector paths.

WeasyPrint reads nothing but the project's own static files: the report quotes what partners wrote (activity titles,
the answers in the annex), so a fetcher that followed any address would let a reader's text make the server read
its disk or call the network. StaticFilesOnly refuses everything else, and WeasyPrint leaves out what it refuses.
"""

import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import licence
from reports.charts import report_charts
from reports.data import StocktakingReport

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/pdf"
# Images a data: address may hold; a data: stylesheet, page or SVG (which could itself point elsewhere) is refused.
DATA_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def _weasyprint():
    # Imported when a PDF is made: its libraries (Pango) load slowly and the page itself never needs them.
    import weasyprint

    return weasyprint


class RefusedURL(ValueError):
    """An address the PDF may not read: anything but the project's static files and inline images."""


def static_fetcher():
    """A WeasyPrint URL fetcher that serves the project's static files and refuses every other address."""
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def __init__(self):
            # The opener is handed nothing but an image written in a data: address: no network, no file.
            super().__init__(allowed_protocols=("data",), allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
                if media_type not in DATA_IMAGES:
                    raise RefusedURL(f"a data: address of type {media_type or 'text/plain'} is not an image")
                return super().fetch(url, headers)
            path = static_path(url)
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as file:
                body = file.read()
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    return StaticFilesOnly()


def static_path(url: str) -> str:
    """The file of one of the project's static files at this address under the site's origin; else RefusedURL."""
    base = urlsplit(base_url())
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query:
        raise RefusedURL(f"{url} is not one of the portal's static files")
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix):
        raise RefusedURL(f"{url} is not one of the portal's static files")
    name = path[len(prefix):]
    if not name or name != posixpath.normpath(name) or name.startswith(("/", "..")) or "\\" in name:
        raise RefusedURL(f"{url} leaves the static files")
    try:
        found = finders.find(name)
        if found is None and staticfiles_storage.exists(name):
            found = staticfiles_storage.path(name)  # collected, under its hashed name
    except SuspiciousFileOperation as error:
        raise RefusedURL(f"{url} leaves the static files") from error
    if not found:
        raise RefusedURL(f"{url} is no static file")
    return found


def base_url() -> str:
    """The site's own address: relative links in the PDF point there, and static files are read under it."""
    return settings.SITE_URL + "/"


def render_html(report: StocktakingReport) -> str:
    """The page's HTML as an anonymous reader gets it, with the PDF's extras."""
    period = report.period
    request = HttpRequest()
    request.path = reverse("reports:stocktaking")
    return render_to_string("reports/stocktaking.html", {
        "pdf": True,
        "period": period,
        "report": report,
        "charts": report_charts(report),
        "today": timezone.localdate(),
        "licence": licence.current(),
        "page_url": f"{settings.SITE_URL}{request.path}?{period.query}",
        "shows_demo_data": report.demo.any,
    }, request=request)


def build(report: StocktakingReport, on_progress=None) -> bytes:
    """The report as a PDF document."""
    weasyprint = _weasyprint()
    html = render_html(report)
    if on_progress:
        on_progress(10)
    document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=static_fetcher(), media_type="print")
    rendered = document.render()
    if on_progress:
        on_progress(80)
    return rendered.write_pdf()

"""Embeds in Chromium: a page of another origin frames an embedded chart, which draws; the same page framing an
ordinary page of the portal is refused. The embeds fit a frame 300 pixels wide, pass axe-core, and the pages that
offer them still fit a phone."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.asem_portal.test_embeds import partner_reported
from tests.browser.fixtures import PHONE, axe_violations, describe, look_at
from tests.browser.test_phone import check
from tests.pages import build_portal

pytestmark = pytest.mark.browser

EMBEDS = ["/embed/indicators/1.1.a/", "/embed/indicators/1.1.m/map/", "/embed/progress/", "/embed/mobility/",
          "/embed/mobility/map/"]
NARROWEST = 300


@pytest.fixture
def portal(transactional_db):
    build_portal(1)
    partner_reported()


@pytest.fixture
def other_site(live_server):
    """A site of another origin (127.0.0.1 on a port of its own, the portal being on localhost) whose one page frames
    an embed of the portal and one of its ordinary pages."""
    portal = live_server.url.replace("127.0.0.1", "localhost")
    html = (f'<!doctype html><html lang="en"><head><title>A ministry\'s dashboard</title></head><body>'
            f'<h1>Our dashboard</h1>'
            f'<iframe id="embedded" title="An embedded chart" src="{portal}/embed/indicators/1.1.a/" '
            f'width="{NARROWEST}" height="600"></iframe>'
            f'<iframe id="framed" title="A page of the portal" src="{portal}/indicators/1.1.a/" width="600" '
            f'height="400"></iframe></body></html>').encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_another_sites_page_shows_an_embedded_chart_and_is_refused_an_ordinary_page(tab, portal, other_site):
    page = tab.page
    page.goto(other_site)

    embedded = page.frame_locator("#embedded")
    chart = embedded.locator("svg.chart#chart-indicator-1-1-a")
    chart.wait_for(state="visible")
    assert chart.bounding_box()["width"] <= NARROWEST
    assert embedded.locator("h1", has_text="1.1.a Indicator 1.1.a").is_visible()
    assert embedded.locator("a[rel=license]", has_text="CC BY 4.0").is_visible()

    framed = page.locator("#framed").element_handle().content_frame()
    framed.wait_for_load_state()
    assert framed.locator("main").count() == 0  # Chromium drew its own error page instead of the portal's
    assert not framed.url.startswith(page.url.rstrip("/").replace("127.0.0.1", "localhost"))
    # Only the refusal is reported: the embed itself drew without an error.
    assert all("frame-ancestors" in error or "Refused" in error for error in tab.console_errors), tab.console_errors


@pytest.mark.parametrize("path", EMBEDS)
def test_each_embed_fits_a_narrow_frame_and_passes_axe(new_tab, portal, path):
    tab = new_tab({"width": NARROWEST, "height": 700})
    response = tab.page.goto(path)

    assert response.status == 200
    widths = tab.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path} scrolls sideways at {NARROWEST}px: {widths}"
    look_at(tab, "embed-" + path.strip("/").replace("/", "-"))


def test_the_pages_offering_embeds_still_fit_a_phone_with_the_block_open(phone_tab, portal):
    page = phone_tab.page
    problems, violations = [], []
    for path in ["/indicators/1.1.m/", "/progress/?map=1.1.m", "/mobility/"]:
        problems += check(page, path)
        for block in page.locator("details.share-figure").all():
            block.locator("summary").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        violations += axe_violations(page)

    assert problems == []
    assert violations == [], describe(violations)

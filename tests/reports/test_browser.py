"""The report in Chromium: no console error, no serious accessibility violation, printable, and its export page's
script following a build to the download without a reload."""

import re

import pytest

from tests.browser.fixtures import look_at
from tests.reports.test_downloads import FakeQueue

pytestmark = pytest.mark.browser

REPORT = "/reports/stocktaking/?from=2024&to=2025"


def test_the_report_reads_well_on_a_desktop_and_prints_a_section_a_page(tab, portal_data):
    tab.page.goto(REPORT)

    look_at(tab, "report-stocktaking-2024-2025")
    assert tab.page.locator("[data-print]").is_visible()  # the script shows the print button
    tab.page.emulate_media(media="print")
    assert tab.page.locator(".report-downloads").is_hidden()
    assert tab.page.locator("#coverage").evaluate("s => getComputedStyle(s).breakBefore") == "page"
    assert tab.page.locator("#summary").evaluate("s => getComputedStyle(s).breakBefore") == "auto"
    pdf = tab.page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    # The cover with the contents and the glance, then a page or more for each of the six other sections.
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 7


def test_the_report_reads_well_on_a_phone(phone_tab, portal_data):
    phone_tab.page.goto(REPORT)

    look_at(phone_tab, "report-stocktaking-2024-2025-phone")


def test_the_export_page_follows_the_build_and_offers_the_download_without_a_reload(tab, portal_data,
                                                                                    monkeypatch):
    broker = FakeQueue()
    monkeypatch.setattr("core.queue.enqueue", broker)
    tab.page.goto("/reports/stocktaking/xlsx/progress/?from=2012&to=2025")
    assert tab.page.locator("[data-progress-block]").is_visible()
    assert tab.page.locator("[data-ready-block]").is_hidden()
    look_at(tab, "report-export-waiting")

    broker.run()

    tab.page.wait_for_selector("[data-ready-block]:not([hidden])")
    assert tab.page.url.endswith("/reports/stocktaking/xlsx/progress/?from=2012&to=2025")
    with tab.page.expect_download() as download:
        tab.page.click("[data-download]")
    assert download.value.suggested_filename == "asem-stocktaking-report-2012-2025.xlsx"
    look_at(tab, "report-export-ready")

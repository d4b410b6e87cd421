"""The PDF among the report's downloads: offered on the page, public, kept until the data changes, and a long period
built by the export job as the workbook is."""

import pypdfium2 as pdfium
import pytest

from reports.tasks import build_stocktaking_export
from tests import factories
from tests.reports.conftest import build_scenario
from tests.reports.test_downloads import FakeQueue

SHORT = "from=2025&to=2025"
LONG = "from=2015&to=2025"


@pytest.fixture
def committed(transactional_db, strategy):
    """Committed data, as in production: inside a test's transaction the caches are rightly bypassed."""
    return build_scenario()


@pytest.fixture
def broker(monkeypatch):
    queue = FakeQueue()
    monkeypatch.setattr("core.queue.enqueue", queue)
    return queue


def pages(content: bytes) -> list[str]:
    document = pdfium.PdfDocument(content)
    return [document[n].get_textpage().get_text_range() for n in range(len(document))]


def test_the_page_offers_the_pdf_beside_the_workbook_and_the_csv(client, scenario):
    page = client.get("/reports/stocktaking/?from=2023&to=2024").content.decode()

    assert 'href="/reports/stocktaking/pdf/?from=2023&amp;to=2024" download>PDF' in page
    assert page.index("/reports/stocktaking/csv/?") < page.index("/reports/stocktaking/pdf/?")


def test_everyone_may_download_the_pdf_and_it_is_built_once_until_the_data_changes(
        client, committed, alice, bob, secretariat, django_assert_num_queries):
    first = client.get(f"/reports/stocktaking/pdf/?{SHORT}")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert "Stocktaking report 2025" in pages(first.content)[0]

    # Expect 0 queries: an anonymous reader's file comes from the cache
    with django_assert_num_queries(0):
        again = client.get(f"/reports/stocktaking/pdf/?{SHORT}")
    assert again.content == first.content
    for user in (alice, bob, secretariat):
        client.force_login(user)
        response = client.get(f"/reports/stocktaking/pdf/?{SHORT}")
        assert (response.status_code, response.content) == (200, first.content), user.username
        client.logout()

    factories.ActivityFactory(slug="news", title="News of 2025", start_year=2025, end_year=2025)

    changed = client.get(f"/reports/stocktaking/pdf/?{SHORT}").content
    assert changed != first.content
    assert "News of 2025" in "".join(pages(changed))
    assert "News of 2025" not in "".join(pages(first.content))


def test_a_long_period_is_built_by_the_export_job_and_its_page_follows_it(client, committed, broker, alice):
    response = client.get(f"/reports/stocktaking/pdf/?{LONG}")

    assert response.status_code == 302
    assert response["Location"] == f"/reports/stocktaking/pdf/progress/?{LONG}"
    page = client.get(response["Location"]).content.decode()
    assert "The stocktaking report 2015–2025 as PDF" in page
    assert "Waiting for a worker to start building the file." in page
    client.force_login(alice)  # a partner's focal point follows the same job, never starts a second
    assert client.get(f"/reports/stocktaking/pdf/status/?{LONG}").json()["state"] == "queued"
    client.logout()
    assert [(task, args[:3]) for task, args in broker.queued] == [(build_stocktaking_export, ("pdf", 2015, 2025))]

    broker.run()

    assert client.get(f"/reports/stocktaking/pdf/status/?{LONG}").json() == {
        "state": "ready", "progress": 100, "message": "", "download_url": f"/reports/stocktaking/pdf/?{LONG}"}
    download = client.get(f"/reports/stocktaking/pdf/?{LONG}")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="asem-stocktaking-report-2015-2025.pdf"'
    texts = pages(download.content)
    assert "Stocktaking report 2015–2025" in texts[0]
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    assert broker.queued == []


def test_a_pdf_that_cannot_be_built_says_so_on_the_export_page(client, committed, broker, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("no fonts")

    monkeypatch.setattr("reports.pdf.build", broken)
    client.get(f"/reports/stocktaking/pdf/?{LONG}")
    broker.run()

    assert client.get(f"/reports/stocktaking/pdf/status/?{LONG}").json()["state"] == "failed"
    assert "The file could not be built" in client.get(f"/reports/stocktaking/pdf/progress/?{LONG}").content.decode()


def test_a_bad_period_for_the_pdf_gets_the_friendly_page(client, committed):
    response = client.get("/reports/stocktaking/pdf/?from=2025&to=2024")

    assert response.status_code == 400
    assert "That period cannot be shown" in response.content.decode()

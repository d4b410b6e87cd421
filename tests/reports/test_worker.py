"""A real Celery worker, against Redis and PostgreSQL, builds a long period's downloads (required in CI)."""

import io
import time

import openpyxl
import pypdfium2 as pdfium
import pytest

from tests.reports import expected
from tests.reports.conftest import build_scenario

pytestmark = pytest.mark.service

LONG = "from=2012&to=2025"


def follow_the_job(client, celery_worker, fmt: str, *, seconds: int) -> list[str]:
    """Ask for a long period's file, follow its progress page's status until it is done; the states seen."""
    response = client.get(f"/reports/stocktaking/{fmt}/?{LONG}")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/stocktaking/{fmt}/progress/?{LONG}"

    states = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"/reports/stocktaking/{fmt}/status/?{LONG}").json()
        states.append(status["state"])
        if status["state"] in ("ready", "failed"):
            break
        time.sleep(0.2)
    assert states[-1] == "ready", (states, celery_worker.log.read_text()[-3000:])
    assert set(states) <= {"queued", "running", "ready"}
    assert "reports.tasks.build_stocktaking_export" in celery_worker.log.read_text()
    return states


def test_the_worker_builds_a_long_periods_workbook_and_the_page_follows_it_to_the_download(celery_worker, strategy,
                                                                                          client):
    build_scenario()

    follow_the_job(client, celery_worker, "xlsx", seconds=60)

    page = client.get(f"/reports/stocktaking/xlsx/progress/?{LONG}").content.decode()
    assert '<div class="export-ready" data-ready-block>' in page
    download = client.get(f"/reports/stocktaking/xlsx/?{LONG}")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert summary["Published activities under way in the period"] == expected.activities(
        expected.period_ids(2012, 2025))


def test_the_worker_builds_a_long_periods_pdf_and_the_page_follows_it_to_the_download(celery_worker, strategy,
                                                                                     client):
    build_scenario()

    follow_the_job(client, celery_worker, "pdf", seconds=120)

    download = client.get(f"/reports/stocktaking/pdf/?{LONG}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(download.content)
    first = document[0].get_textpage().get_text_range()
    assert "Stocktaking report 2012–2025" in first
    assert f"Page 1 of {len(document)}" in first

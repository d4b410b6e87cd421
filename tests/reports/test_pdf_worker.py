"""A real Celery worker, against Redis and PostgreSQL, builds a long period's PDF (required in CI)."""

import time

import pypdfium2 as pdfium
import pytest

from tests.reports.conftest import build_scenario

pytestmark = pytest.mark.service

LONG = "from=2012&to=2025"


def test_the_worker_builds_a_long_periods_pdf_and_the_page_follows_it_to_the_download(celery_worker, strategy,
                                                                                     client):
    build_scenario()

    response = client.get(f"/reports/stocktaking/pdf/?{LONG}")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/stocktaking/pdf/progress/?{LONG}"

    states = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"/reports/stocktaking/pdf/status/?{LONG}").json()
        states.append(status["state"])
        if status["state"] in ("ready", "failed"):
            break
        time.sleep(0.3)
    assert states[-1] == "ready", (states, celery_worker.log.read_text()[-3000:])
    assert set(states) <= {"queued", "running", "ready"}
    assert "reports.tasks.build_stocktaking_export" in celery_worker.log.read_text()

    download = client.get(f"/reports/stocktaking/pdf/?{LONG}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(download.content)
    first = document[0].get_textpage().get_text_range()
    assert "Stocktaking report 2012–2025" in first
    assert f"Page 1 of {len(document)}" in first

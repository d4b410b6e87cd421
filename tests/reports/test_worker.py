"""A real Celery worker, against Redis and PostgreSQL, builds a long period's download (required in CI)."""

import io
import time

import openpyxl
import pytest

from tests.reports import expected
from tests.reports.conftest import build_scenario

pytestmark = pytest.mark.service

LONG = "from=2012&to=2025"


def test_the_worker_builds_a_long_periods_workbook_and_the_page_follows_it_to_the_download(celery_worker, strategy,
                                                                                          client):
    build_scenario()

    response = client.get(f"/reports/stocktaking/xlsx/?{LONG}")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/stocktaking/xlsx/progress/?{LONG}"

    states = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"/reports/stocktaking/xlsx/status/?{LONG}").json()
        states.append(status["state"])
        if status["state"] in ("ready", "failed"):
            break
        time.sleep(0.2)
    assert states[-1] == "ready", (states, celery_worker.log.read_text()[-3000:])
    assert set(states) <= {"queued", "running", "ready"}
    assert "reports.tasks.build_stocktaking_export" in celery_worker.log.read_text()

    page = client.get(f"/reports/stocktaking/xlsx/progress/?{LONG}").content.decode()
    assert '<div class="export-ready" data-ready-block>' in page
    download = client.get(f"/reports/stocktaking/xlsx/?{LONG}")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert summary["Published activities under way in the period"] == expected.activities(
        expected.period_ids(2012, 2025))

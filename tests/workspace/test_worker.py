"""A large upload is imported by a real Celery worker (a separate process, as in production) while its page
follows it: the file reaches the worker through the shared cache (Redis). Needs PostgreSQL and Redis: skipped
without them locally, required in CI."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mobility.imports import flows_as_csv
from mobility.models import MobilityFlow
from tests import factories

pytestmark = pytest.mark.service

ROWS = 3000


def test_a_worker_imports_a_large_upload_while_its_page_follows_it(celery_worker, client, settings, secretariat):
    for code in ("DE", "TH", "JP", "FR"):
        factories.partner(code)
    settings.UPLOAD_IN_BACKGROUND_BYTES = 10_000
    others = ["TH", "JP", "FR"]
    rows = [[2000 + (n % 25), others[n % 3], "DE", ["physical", "blended", "virtual"][n % 3], "tvet", 10 + n % 7, 3,
             1, f"Programme {n // 75}", "survey"] for n in range(ROWS)]
    client.force_login(secretariat)

    response = client.post("/workspace/mobility/", {"file": SimpleUploadedFile("big.csv", flows_as_csv(rows))})

    assert response.status_code == 302
    job_url = response["Location"]
    seen, deadline = [], time.monotonic() + 90
    while time.monotonic() < deadline:
        status = client.get(f"{job_url}status/").json()
        seen.append(status["state"])
        if status["finished"]:
            break
        time.sleep(0.2)
    assert status["state"] == "done", (status, celery_worker.log.read_text()[-3000:])
    assert status["result"]["created"] == ROWS
    assert MobilityFlow.objects.count() == ROWS
    assert MobilityFlow.history.filter(history_user=secretariat).count() == ROWS
    assert "Imported 3,000 rows from big.csv" in client.get(job_url).content.decode()

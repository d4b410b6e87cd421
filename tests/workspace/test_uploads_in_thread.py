"""With no broker (no REDIS_URL, as `make run` has it) a large upload is imported by a thread of the web process:
the request answers at once with the upload's page, which follows the import to its result. With a broker the
upload goes to Celery as before."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mobility import uploads
from mobility.imports import flows_as_csv
from mobility.models import MobilityFlow
from tests import factories

URL = "/workspace/mobility/"
ROWS = [
    [2024, "TH", "DE", "physical", "higher_education", 120, 64, 12, "ASEM-DUO", "DAAD statistics"],
    [2024, "DE", "JP", "virtual", "tvet", 45, 20, "", "", "Ministry survey"],
]


@pytest.fixture
def partners(transactional_db):
    for code in ("DE", "TH", "JP"):
        factories.partner(code)


@pytest.fixture
def held_threads(settings, monkeypatch):
    """Upload threads, each held at its start until the test lets it go, so the test sees the request end first."""
    settings.UPLOAD_IN_THREAD = True
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    go, threads = threading.Event(), []
    run_job, start_thread = uploads.run_job, uploads._start_thread

    def held_run_job(job_id):
        assert go.wait(10)
        return run_job(job_id)

    def recorded_start_thread(job_id):
        threads.append(start_thread(job_id))
        return threads[-1]

    monkeypatch.setattr(uploads, "run_job", held_run_job)
    monkeypatch.setattr(uploads, "_start_thread", recorded_start_thread)
    yield go, threads
    go.set()
    for thread in threads:
        thread.join(30)


def test_without_a_broker_a_large_upload_answers_at_once_and_a_thread_imports_it(client, secretariat, partners,
                                                                                  held_threads):
    go, threads = held_threads
    client.force_login(secretariat)

    response = client.post(URL, {"file": SimpleUploadedFile("flows.csv", flows_as_csv(ROWS))})

    assert response.status_code == 302
    job_url = response["Location"]
    assert job_url.startswith("/workspace/mobility/uploads/")
    [thread] = threads
    assert thread.is_alive()
    assert client.get(f"{job_url}status/").json()["state"] == "queued"
    assert MobilityFlow.objects.count() == 0

    go.set()
    thread.join(30)

    assert not thread.is_alive()
    status = client.get(f"{job_url}status/").json()
    assert (status["state"], status["finished"], status["percent"]) == ("done", True, 100)
    assert "Imported 2 rows from flows.csv: 2 flows created" in client.get(job_url).content.decode()
    assert MobilityFlow.objects.count() == 2
    assert MobilityFlow.objects.get(origin__code="TH").history.get().history_user == secretariat


def test_without_a_broker_a_bad_large_file_lists_its_problems_on_its_page(client, secretariat, partners, held_threads):
    go, threads = held_threads
    client.force_login(secretariat)
    rows = [ROWS[0], [2024, "TH", "XX", "physical", "tvet", 10, "", "", "", ""]]

    job_url = client.post(URL, {"file": SimpleUploadedFile("flows.csv", flows_as_csv(rows))})["Location"]
    go.set()
    threads[0].join(30)

    page = client.get(job_url).content.decode()
    assert "Nothing was imported" in page
    assert "Line 3, destination: &#x27;XX&#x27; is not an ASEM partner code" in page
    assert MobilityFlow.objects.count() == 0


def test_with_a_broker_a_large_upload_is_queued_for_celery_and_no_thread_starts(client, secretariat, partners, settings,
                                                                                monkeypatch,
                                                                                django_capture_on_commit_callbacks):
    settings.UPLOAD_IN_THREAD = False
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    queued = []
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args: queued.append((task.name, args)) or True)
    monkeypatch.setattr(uploads, "_start_thread", lambda job_id: pytest.fail("no thread with a broker"))
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile("flows.csv", flows_as_csv(ROWS))})

    job_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert queued == [("mobility.tasks.import_flow_upload", (job_id,))]
    assert MobilityFlow.objects.count() == 0


def test_without_a_broker_uploads_sent_together_are_imported_one_after_the_other(client, secretariat, partners,
                                                                                 settings, monkeypatch):
    settings.UPLOAD_IN_THREAD = True
    settings.UPLOAD_IN_BACKGROUND_BYTES = 50
    counter, running, most, threads = threading.Lock(), [0], [0], []
    run_job, start_thread = uploads.run_job, uploads._start_thread

    def counted_run_job(job_id):
        with counter:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.2)  # long enough for the other thread to start, were it let in
            return run_job(job_id)
        finally:
            with counter:
                running[0] -= 1

    monkeypatch.setattr(uploads, "run_job", counted_run_job)
    monkeypatch.setattr(uploads, "_start_thread", lambda job_id: threads.append(start_thread(job_id)) or threads[-1])
    client.force_login(secretariat)

    for rows in (ROWS[:1], ROWS[1:]):
        client.post(URL, {"file": SimpleUploadedFile("flows.csv", flows_as_csv(rows))})
    for thread in threads:
        thread.join(30)

    assert len(threads) == 2
    assert most[0] == 1
    assert MobilityFlow.objects.count() == 2

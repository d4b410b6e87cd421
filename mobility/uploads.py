"""Uploads of mobility flow files: from the workspace, the admin and the API, through mobility.imports.

A file is checked row by row and written whole or not at all by mobility.imports.import_flows. This module
adds what an upload needs around it:

- who may upload: the secretariat alone, flows of any partner (each row reported by its destination unless
  its reported_by column names the origin); a focal point's flows come in her partner's return instead;
- a history record for every flow the file created or changed, as one more version of that flow (by the
  uploader, with the file's name as the reason), written in the same transaction as the flows;
- where it runs: a file up to UPLOAD_IN_BACKGROUND_BYTES is imported in the request; a larger one by the Celery
  task mobility.tasks.import_flow_upload, while the upload's page follows its progress. With no broker
  (UPLOAD_IN_THREAD, the embedded setup's default) a task would run inside the request that queues it, so the
  larger file is imported by a thread of the web process instead, followed by the same page.

How the worker gets the file: its bytes go into the cache under the job's id (Redis in production, which the web
processes and the workers share whichever machine they run on; in the embedded setup the local-memory cache,
where the thread runs in the same process). The job's state sits beside them under its own key, and the task
updates it as the rows go by; the bytes are dropped once the task has read them. Both expire after
JOB_SECONDS, so an upload nobody ran is not kept. If the cache cannot take the file (Redis away), the upload is
imported in the request instead.
"""

import logging
import re
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone

from core.jobs import TrackedJob, queue_or_run
from core.roles import is_secretariat
from mobility import imports, services
from mobility.imports import FlowFileInvalid, ImportResult
from mobility.models import MobilityFlow

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, INVALID, FAILED = "queued", "running", "done", "invalid", "failed"
FINISHED = (DONE, INVALID, FAILED)
JOB_SECONDS = settings.CELERY_TASK_TIME_LIMIT + 3600
# A file with a million bad rows has a million problems: the page lists the first ones, and says how many more.
ERRORS_KEPT = 1000
HISTORY_BATCH = 2000
RECENT_JOBS = 20
JOB_ID = re.compile(r"[0-9a-f]{32}")


@dataclass
class UploadJob:
    """A large upload handed to a worker: who sent which file, and how far the import has got."""

    id: str
    user_id: int
    restricted: bool  # True: only the uploader's partners' flows; False: the secretariat's, any partner
    filename: str
    size: int
    state: str = QUEUED
    done: int = 0
    total: int = 0
    message: str = "Waiting for a worker to start on the file."
    result: dict | None = None
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    created_at: str = ""

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        if self.state == DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    @property
    def error_messages(self) -> list[str]:
        return [str(imports.RowError(**error)) for error in self.errors]

    def as_dict(self) -> dict:
        return asdict(self)

    def status(self) -> dict:
        """What the upload's page asks for while it waits."""
        return {"id": self.id, "state": self.state, "finished": self.finished, "done": self.done,
                "total": self.total, "percent": self.percent, "message": self.message, "result": self.result,
                "error_count": self.error_count}


def background_after_bytes() -> int:
    return settings.UPLOAD_IN_BACKGROUND_BYTES


def _user_key(user_id: int) -> str:
    return f"workspace:upload:user:{user_id}"


def recent_job_ids(user) -> list[str]:
    """The user's background uploads of the last hours, newest first."""
    return recent_job_ids_for(user.pk)


def _remember(job: "UploadJob") -> None:
    ids = [job.id, *[i for i in recent_job_ids_for(job.user_id) if i != job.id]][:RECENT_JOBS]
    cache.set(_user_key(job.user_id), ids, timeout=JOB_SECONDS)


def recent_job_ids_for(user_id: int) -> list[str]:
    return cache.get(_user_key(user_id)) or []


def _tracked(job_id: str) -> TrackedJob:
    return TrackedJob(f"workspace:upload:{job_id}:job", timeout=JOB_SECONDS)


def _file_key(job_id: str) -> str:
    return f"workspace:upload:{job_id}:file"


def get_job(job_id: str) -> UploadJob | None:
    if not JOB_ID.fullmatch(job_id or ""):
        return None
    data = _tracked(job_id).state()
    return UploadJob(**data) if data else None


def _save_job(job: UploadJob) -> None:
    _tracked(job.id).update(job.as_dict())


def may_see(user, job: UploadJob) -> bool:
    return user.is_authenticated and (job.user_id == user.pk or is_secretariat(user))


# Writing -----------------------------------------------------------------------------------------------------


def allowed_partners(user, restricted: bool) -> set[int] | None:
    """The partners whose flows the user's file may hold: None, any, for the secretariat, the only uploader.

    A focal point's flows reach the portal through her partner's approved return (reporting), never a file here.
    """
    if is_secretariat(user):
        return None
    if restricted and services.partner_ids(user):
        raise services.NotAllowed(services.FLOWS_REFUSED)
    raise services.NotAllowed("Only the secretariat may upload flows.")


@transaction.atomic
def import_file(
    *, user, file: bytes | IO[bytes], filename: str = "", restricted: bool = True, progress=None,
    progress_every: int = imports.DEFAULT_PROGRESS_EVERY,
) -> ImportResult:
    """Import a file now, all of it or nothing, and record a version of every flow it created or changed."""
    allowed = allowed_partners(user, restricted)
    started = timezone.now()
    result = imports.import_flows(file=file, user=user, filename=filename, allowed_partner_ids=allowed,
                                  progress=progress, progress_every=progress_every)
    if result.created or result.updated:
        _record_versions(user, started, result)
    return result


def _record_versions(user, started, result: ImportResult) -> None:
    """The import writes in bulk, with no history of its own: add one record per flow it wrote, in batches."""
    History = MobilityFlow.history.model
    reason = f"Uploaded in {result.filename or 'a file'}"[:100]
    written = MobilityFlow.objects.filter(updated_at__gte=started, created_by=user).order_by("pk")
    batch: list[MobilityFlow] = []

    def flush():
        known = set(History.objects.filter(id__in=[flow.pk for flow in batch]).values_list("id", flat=True)
                    .distinct())
        for update, flows in ((False, [f for f in batch if f.pk not in known]),
                              (True, [f for f in batch if f.pk in known])):
            if flows:
                MobilityFlow.history.bulk_history_create(
                    flows, update=update, default_user=user, default_change_reason=reason, default_date=timezone.now()
                )

    for flow in written.iterator(chunk_size=HISTORY_BATCH):
        batch.append(flow)
        if len(batch) >= HISTORY_BATCH:
            flush()
            batch = []
    if batch:
        flush()


# Where it runs -----------------------------------------------------------------------------------------------


def _size(file) -> int:
    size = getattr(file, "size", None)
    return len(file) if size is None else size


def upload(*, user, file, filename: str = "", restricted: bool = True) -> ImportResult | UploadJob:
    """An upload: imported now (its result; FlowFileInvalid listing every problem) or queued (its job).

    Refusals come first, in the request: who may upload, and a file over the size limit.
    """
    filename = PurePath(filename or getattr(file, "name", "") or "").name
    allowed_partners(user, restricted)
    size = _size(file)
    if size <= background_after_bytes() or size > imports.max_upload_bytes():
        return import_file(user=user, file=file, filename=filename, restricted=restricted)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file if isinstance(file, bytes) else file.read()
    job = UploadJob(id=uuid.uuid4().hex, user_id=user.pk, restricted=restricted, filename=filename, size=size,
                    created_at=timezone.now().isoformat())
    cache.set(_file_key(job.id), data, timeout=JOB_SECONDS)
    if not cache.has_key(_file_key(job.id)):
        logger.warning("The cache did not keep upload %s (%s bytes): importing it in the request", job.id, size)
        return import_file(user=user, file=data, filename=filename, restricted=restricted)
    _save_job(job)
    _remember(job)
    transaction.on_commit(lambda: _queue(job.id), robust=True)
    return job


def _queue(job_id: str) -> None:
    from mobility.tasks import import_flow_upload

    if settings.UPLOAD_IN_THREAD:
        _start_thread(job_id)
    else:
        queue_or_run(import_flow_upload, job_id, fallback=lambda: run_job(job_id))


def _start_thread(job_id: str) -> threading.Thread:
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"upload-{job_id}", daemon=True)
    thread.start()
    return thread


# One import at a time in the web process: the next waits as queued, as it would for a busy worker, instead of
# contending with the first for memory and for the database (SQLite, the embedded setup's, takes one writer).
_THREAD_SLOT = threading.Lock()


def _run_in_thread(job_id: str) -> None:
    try:
        with _THREAD_SLOT:
            run_job(job_id)
    finally:
        # A request's connections are closed when it ends; this thread's would stay open until the process does.
        connections.close_all()


def run_job(job_id: str) -> dict:
    """The task's work: import the job's file, telling its page how far it has got. Never raises."""
    job = get_job(job_id)
    if job is None:
        logger.warning("Upload %s is unknown or expired: nothing to import", job_id)
        return {"state": FAILED}
    data = cache.get(_file_key(job_id))
    if data is None:
        if job.finished:
            return {"state": job.state}  # a second delivery of a task already done
        return _finish(job, FAILED, "The file was no longer there when a worker started on it. Upload it again.")
    user = get_user_model().objects.filter(pk=job.user_id, is_active=True).first()
    if user is None:
        return _finish(job, FAILED, "The account that uploaded the file is no longer active.")
    job.state, job.message = RUNNING, "Checking and importing the rows."
    _save_job(job)

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        _save_job(job)

    # Some fifty steps whatever the size, at about 50 bytes a row.
    every = max(100, job.size // 50 // 50)
    try:
        result = import_file(user=user, file=data, filename=job.filename, restricted=job.restricted,
                             progress=progress, progress_every=every)
    except FlowFileInvalid as exc:
        job.errors = [asdict(error) for error in exc.errors[:ERRORS_KEPT]]
        job.error_count = len(exc.errors)
        return _finish(job, INVALID, exc.summary())
    except services.NotAllowed as exc:
        return _finish(job, FAILED, str(exc))
    except Exception:
        logger.exception("Upload %s of %s failed", job_id, job.filename)
        return _finish(job, FAILED, "The import failed on the server; nothing was written. The failure is logged.")
    job.result = result.as_dict()
    job.done = job.total = result.rows
    return _finish(job, DONE, str(result))


def _finish(job: UploadJob, state: str, message: str) -> dict:
    job.state, job.message = state, message
    _save_job(job)
    cache.delete(_file_key(job.id))
    return {"state": state, "message": message}
